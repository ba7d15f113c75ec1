#!/usr/bin/env python3
"""A backend that streams: for every request, a response head with no
length, then a line every INTERVAL seconds, LINES of them, then it closes
(close-delimited: the proxies ask with HTTP/1.0 and Connection: close).
What a log tail, a progress page or server-sent events look like to a
proxy. One thread per connection, so a probe never waits on another.

    stream_backend.py PORT [LINES] [INTERVAL]   (on 127.0.0.1; 5 lines, 0.3 s)
"""

import socket
import sys
import threading
import time


def serve(conn, lines, interval):
    with conn:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                return
            data += chunk
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                     b"line 1\n")
        for i in range(2, lines + 1):
            time.sleep(interval)
            conn.sendall(b"line %d\n" % i)


def main():
    port = int(sys.argv[1])
    lines = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    interval = float(sys.argv[3]) if len(sys.argv) > 3 else 0.3
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(128)
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=serve, args=(conn, lines, interval),
                         daemon=True).start()


if __name__ == "__main__":
    main()
