#!/usr/bin/env python3
"""A single-threaded backend that answers every request with the same bytes.

    canned_backend.py --port PORT --response-hex HEX [--log FILE] [--hold]

It accepts one connection at a time, reads the request head (and a
Content-Length body), logs {"type": "request", "raw": ...} to FILE, sends
the bytes given in hex, and closes; with --hold it keeps the connection
until the peer closes it (at most 30 s), so a response that holdfast wrongly
thinks unfinished shows as a wait, not as an early close.
"""

import argparse
import json
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import raw_backend  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--response-hex", required=True)
    ap.add_argument("--log", default=None)
    ap.add_argument("--hold", action="store_true")
    args = ap.parse_args()
    answer = bytes.fromhex(args.response_hex)
    if args.log:
        open(args.log, "a").close()
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", args.port))
    ls.listen(64)
    while True:
        conn, _ = ls.accept()
        try:
            raw = raw_backend.read_request(conn, raw_backend.time.monotonic() + 10)
            if raw:
                if args.log:
                    with open(args.log, "a") as f:
                        f.write(json.dumps({"type": "request",
                                            "raw": raw.decode("latin-1")}) + "\n")
                conn.sendall(answer)
                if args.hold:
                    raw_backend.wait_for_close(conn, 30)
        except OSError as e:
            sys.stderr.write("connection error: %s\n" % e)
        conn.close()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
