#!/usr/bin/env python3
"""A backend that writes every response head and body apart, as Python's
HTTPServer does, a few milliseconds apart so they reach the proxy as two
segments; one thread per connection.

    split_backend.py --port PORT --log FILE [--keep]

Answers every request with 200 and a Content-Length body naming the
request's path. Without --keep it closes after each response (a
Connection: close backend); with --keep it ignores Connection: close and
keeps the connection open until the peer closes it. Logs JSON lines:
{"type": "request", "path": ...} once a request is read, {"type": "done"}
once its response is written.
"""

import argparse
import json
import socket
import threading
import time

lock = threading.Lock()


def log(path, rec):
    with lock, open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(rec) + "\n")


def serve(conn, keep, log_path):
    buf = b""
    with conn:
        conn.settimeout(60)
        while True:
            while b"\r\n\r\n" not in buf:
                try:
                    chunk = conn.recv(4096)
                except OSError:
                    return
                if not chunk:
                    return
                buf += chunk
            head, _, buf = buf.partition(b"\r\n\r\n")
            path = head.split(b"\r\n", 1)[0].split(b" ")[1].decode()
            log(log_path, {"type": "request", "path": path})
            body = ("answer for %s\n" % path).encode()
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(body))
            time.sleep(0.003)
            conn.sendall(body)
            log(log_path, {"type": "done", "path": path})
            if not keep:
                return


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", args.port))
    ls.listen(64)
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=serve, args=(conn, args.keep, args.log),
                         daemon=True).start()


if __name__ == "__main__":
    main()
