#!/usr/bin/env python3
"""A single-threaded raw-socket backend that answers with bytes chosen by
the request path, for the strict-response tests.

    replay_backend.py --port PORT --corpus DIR [--log FILE]

One connection at a time. For each it reads the request head, logs
{"type": "request", "target": ..., "line": <request line>} to FILE, then:
  /ok                    a normal HTTP/1.1 200 "ok <n>\\n" with Content-Length
                         (n counts the requests served)
  /res/NAME              the bytes of DIR/NAME.res, then closes
  /interim-forever       "100 Continue" heads, one every 10 ms, until the
                         peer goes (at most 30 s)
  /stream-chunked?n=N&end=E
                         an HTTP/1.1 chunked 200, N chunks of 1000 bytes (the
                         pattern "0123456789" repeated), then E: "fin" (close
                         without the last chunk), "rst" (reset without it) or
                         "last" (the last chunk, then close)
  /stream-close?n=N&end=E
                         an HTTP/1.0 200 without a length, N x 1000 bytes,
                         then E: "fin" or "rst"
  ...&go=1               the streams wait, before their end, until the file
                         FILE.go exists (the test creates it once it has
                         seen what it wanted; at most 10 s), and remove it
A connection that closes before sending a request (a readiness probe) is
ignored. After a "rst" or "fin" the backend logs {"type": "done"}.
"""

import argparse
import json
import os
import socket
import struct
import sys
import time
import urllib.parse

CHUNK = b"0123456789" * 100


def read_head(conn):
    data = b""
    conn.settimeout(10)
    while b"\r\n\r\n" not in data:
        try:
            chunk = conn.recv(65536)
        except (socket.timeout, ConnectionResetError):
            return b""
        if not chunk:
            return b""
        data += chunk
    return data


def reset(conn):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def wait_for_go(log):
    go = log + ".go"
    deadline = time.monotonic() + 10
    while not os.path.exists(go) and time.monotonic() < deadline:
        time.sleep(0.01)  # polling for the test's signal
    if os.path.exists(go):
        os.unlink(go)


def stream(conn, chunked, n, end, go):
    if chunked:
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
    else:
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n")
    for _ in range(n):
        conn.sendall((b"%x\r\n%s\r\n" % (len(CHUNK), CHUNK)) if chunked else CHUNK)
    if go:
        wait_for_go(go)
    if end == "last" and chunked:
        conn.sendall(b"0\r\n\r\n")
    if end == "rst":
        reset(conn)
    else:
        conn.close()


def interim_forever(conn):
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            time.sleep(0.01)  # the backend's own pace, not a test wait
    except OSError:
        pass
    conn.close()


def serve(conn, args, served):
    raw = read_head(conn)
    if not raw:
        conn.close()
        return served
    target = raw.split(b" ", 2)[1].decode("latin-1")
    url = urllib.parse.urlsplit(target)
    q = dict(urllib.parse.parse_qsl(url.query))
    if args.log:
        with open(args.log, "a") as f:
            f.write(json.dumps({"type": "request", "target": target,
                                "line": raw.split(b"\r\n", 1)[0]
                                .decode("latin-1")}) + "\n")
    served += 1
    if url.path == "/ok":
        body = b"ok %d\n" % served
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        conn.close()
    elif url.path.startswith("/res/"):
        name = os.path.basename(url.path[5:])
        with open(os.path.join(args.corpus, name + ".res"), "rb") as f:
            conn.sendall(f.read())
        conn.close()
    elif url.path == "/interim-forever":
        interim_forever(conn)
    elif url.path in ("/stream-chunked", "/stream-close"):
        stream(conn, url.path == "/stream-chunked", int(q.get("n", "1")),
               q.get("end", "fin"), args.log if q.get("go") else None)
    else:
        conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        conn.close()
    if args.log:
        with open(args.log, "a") as f:
            f.write(json.dumps({"type": "done", "target": target}) + "\n")
    return served


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--log", default=None)
    args = ap.parse_args()
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", args.port))
    ls.listen(64)
    served = 0
    while True:
        conn, _ = ls.accept()
        try:
            served = serve(conn, args, served)
        except OSError as e:
            sys.stderr.write("connection error: %s\n" % e)
            conn.close()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
