#!/usr/bin/env python3
"""A single-threaded raw-socket backend that misbehaves on purpose.

    raw_backend.py --port PORT --mode MODE [--log FILE]

It accepts one connection at a time. For each it reads the request (head, and
a Content-Length body), logs it to FILE as {"type": "request", "raw": ...},
then does what MODE says. A connection that closes before sending a byte
(someone polling the port) is ignored.

Modes:
  ok            a normal 200 with Content-Length (a control)
  close-early   close at once, without reading the request
  reset         read the request, then reset the connection (RST)
  reset-first   reset the first request, answer the later ones as "ok"
  close         read the request, then close without answering (FIN)
  malformed     answer bytes that are not HTTP
  bad-status    answer "HTTP/1.1 2x0 OK"
  bad-length    answer with "Content-Length: abc"
  two-lengths   answer with two different Content-Lengths
  half-head     send part of a response head, then close
  half-body     head with Content-Length: 1000, 500 bytes, then close
  silent        never answer; wait until the peer closes (at most 60 s)
  silent-body   head with Content-Length: 1000, 500 bytes, then silent
  interim       "100 Continue" and "103 Early Hints", then a 200
  answer-close  a 200 with "Connection: close", then, before closing, waits
                up to 2 s for the peer and logs {"type": "after", "peer":
                "reset" | "eof" | "nothing"}
  answer-keep   the same with an HTTP/1.1 200 that keeps the connection
  head-keep     the same with an HTTP/1.1 200 head without Content-Length
                and no body (an answer to HEAD), keeping the connection
  trickle       head with Content-Length: 1000000, then one byte every
                50 ms until the peer closes (at most 60 s): a hung backend
                that never times out
  endless       a close-delimited 200, then 64 KiB after 64 KiB as fast as
                the peer takes them, until it closes (at most 120 s)
"""

import argparse
import json
import select
import socket
import struct
import sys
import time

FINAL_BODY = b"final body\n"


def read_request(conn, deadline):
    """Reads one request head and its Content-Length body. Returns the bytes,
    b"" if the peer closed having sent nothing."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = recv(conn, deadline)
        if not chunk:
            return data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            length = int(value.strip())
    while len(rest) < length:
        chunk = recv(conn, deadline)
        if not chunk:
            break
        rest += chunk
    return head + b"\r\n\r\n" + rest


def recv(conn, deadline):
    left = deadline - time.monotonic()
    if left <= 0:
        return b""
    conn.settimeout(left)
    try:
        return conn.recv(65536)
    except (socket.timeout, ConnectionResetError):
        return b""


def wait_for_close(conn, limit):
    """Holds the connection without answering until the peer closes it."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        r, _, _ = select.select([conn], [], [], 0.5)
        if r:
            try:
                if not conn.recv(65536):
                    return
            except OSError:
                return


def feed(conn, data, gap, limit):
    """Sends data every gap seconds until the peer goes or limit passes."""
    deadline = time.monotonic() + limit
    conn.settimeout(limit)
    while time.monotonic() < deadline:
        try:
            conn.sendall(data)
        except OSError:
            return
        if gap:
            time.sleep(gap)


def peer_after_answer(conn, log):
    """What the peer does once it has the whole answer: reset, close, or
    nothing within 2 s."""
    peer = "nothing"
    r, _, _ = select.select([conn], [], [], 2)
    if r:
        try:
            peer = "eof" if not conn.recv(65536) else "data"
        except ConnectionResetError:
            peer = "reset"
    if log:
        with open(log, "a") as f:
            f.write(json.dumps({"type": "after", "peer": peer}) + "\n")


def response(body=FINAL_BODY, extra=b""):
    return (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n" + extra +
            b"Content-Length: %d\r\n\r\n" % len(body) + body)


served = 0


def serve(conn, mode, log):
    global served
    if mode == "close-early":
        conn.close()
        return
    raw = read_request(conn, time.monotonic() + 10)
    if not raw:
        conn.close()  # a readiness probe, not a request
        return
    if log:
        with open(log, "a") as f:
            f.write(json.dumps({"type": "request", "mode": mode,
                                "raw": raw.decode("latin-1")}) + "\n")
    served += 1
    if mode == "reset-first":
        # The first request is reset unanswered, as by an app that died
        # while reading it; later ones are answered.
        mode = "reset" if served == 1 else "ok"
    if mode == "ok":
        conn.sendall(response())
    elif mode == "reset":
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    elif mode == "close":
        pass
    elif mode == "malformed":
        conn.sendall(b"this is not an HTTP response\r\n\r\n")
    elif mode == "bad-status":
        conn.sendall(b"HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\nhi")
    elif mode == "bad-length":
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nhi")
    elif mode == "two-lengths":
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                     b"Content-Length: 3\r\n\r\nhi!")
    elif mode == "half-head":
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Le")
    elif mode == "half-body":
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 500)
    elif mode == "silent":
        wait_for_close(conn, 60)
    elif mode == "silent-body":
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 500)
        wait_for_close(conn, 60)
    elif mode == "answer-close":
        conn.sendall(response(extra=b"Connection: close\r\n"))
        peer_after_answer(conn, log)
    elif mode == "answer-keep":
        conn.sendall(response())
        peer_after_answer(conn, log)
    elif mode == "head-keep":
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n")
        peer_after_answer(conn, log)
    elif mode == "trickle":
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n")
        feed(conn, b"x", 0.05, 60)
    elif mode == "endless":
        conn.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
        feed(conn, b"y" * 65536, 0, 120)
    elif mode == "interim":
        conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        conn.sendall(b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n")
        conn.sendall(response())
    else:
        sys.stderr.write("unknown mode %r\n" % mode)
    try:
        conn.close()
    except OSError:
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--mode", required=True)
    ap.add_argument("--log", default=None)
    args = ap.parse_args()
    if args.log:
        open(args.log, "a").close()
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", args.port))
    ls.listen(64)
    while True:  # one connection at a time, like the legacy app
        conn, _ = ls.accept()
        try:
            serve(conn, args.mode, args.log)
        except OSError as e:
            sys.stderr.write("connection error: %s\n" % e)
            conn.close()


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
