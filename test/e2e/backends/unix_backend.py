#!/usr/bin/env python3
"""recording_backend.py served on a Unix-domain socket: the same routes and
the same JSON-lines record, from a single-threaded server, as gunicorn,
unicorn or uWSGI bound to `unix:/run/app.sock` would be for holdfast.

    unix_backend.py --path SOCKET --log FILE

Like the TCP one it is NOT threaded: it accepts one connection, serves it,
and only then accepts the next. A socket file left behind by a killed
predecessor is removed before binding, as those servers do.

"concurrent" in each record counts the server-side sockets of this path in
/proc/net/unix that are connected: the one being served plus those waiting
in the accept queue (Linux gives an unaccepted connection the listener's
path at once).
"""

import argparse
import os
import socketserver
import stat
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import recording_backend  # noqa: E402

SS_CONNECTED = "03"


def open_connections(path):
    """One "?" per connected server-side socket bound to path."""
    found = []
    with open("/proc/net/unix", "r", encoding="utf-8", errors="replace") as f:
        next(f)
        for line in f:
            parts = line.split()
            if len(parts) >= 8 and parts[7] == path and parts[5] == SS_CONNECTED:
                found.append("?")
    return found


class Handler(recording_backend.Handler):
    def sample(self):
        found = open_connections(self.server.server_address)
        if len(found) > self.max_seen:
            self.max_seen = len(found)
            self.max_peers = found

    def address_string(self):
        return "unix"


class Server(socketserver.UnixStreamServer):
    # NOT threaded: one connection at a time, like the legacy app.
    request_queue_size = 64

    def get_request(self):
        # A peer of a Unix socket has no address; the handler logs a port.
        sock, _ = self.socket.accept()
        return sock, ("unix", 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--path", required=True)
    ap.add_argument("--log", required=True)
    args = ap.parse_args()
    try:
        if stat.S_ISSOCK(os.lstat(args.path).st_mode):
            os.unlink(args.path)
    except FileNotFoundError:
        pass
    server = Server(args.path, Handler)
    server.log_path = args.log
    server.seq = 0
    open(args.log, "a").close()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
