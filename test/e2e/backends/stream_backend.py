#!/usr/bin/env python3
"""A single-threaded backend that streams a response line by line.

    stream_backend.py --port PORT --log FILE

It accepts one connection at a time, reads the request head and answers
according to its query string:

  lines=N        lines to send ("line 1\\n", "line 2\\n", ...), default 4
  every_ms=M     pause before each line, default 300 (the first included)
  framing=F      chunked (one chunk a line, then the last chunk), close
                 (no length: the close ends it) or length (Content-Length)
  xab=V          adds "X-Accel-Buffering: V"
  end=E          after the lines: clean (end as framed, then close), reset
                 (close with an RST, no last chunk, once the peer has
                 acknowledged every line) or hang (send nothing
                 more until the peer closes or the process is killed)

Every write is separate (TCP_NODELAY) and logged to FILE as a JSON line
with the time.monotonic() it was made at, which is CLOCK_MONOTONIC, the
clock a test in another process reads too:
  {"type": "head", "t": ...}, {"type": "line", "i": 1, "t": ...},
  {"type": "end", "how": "clean" | "reset" | "hang", "t": ...}
"""

import argparse
import json
import socket
import struct
import time
import urllib.parse


def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    return data.split(b"\r\n", 1)[0].decode("latin-1")


def wait_acked(conn, limit=5.0):
    """Waits (bounded) until nothing sent is left unacknowledged
    (tcp_info's tcpi_unacked and tcpi_notsent_bytes are 0)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        info = conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
        unacked = struct.unpack_from("I", info, 24)[0]
        notsent = struct.unpack_from("I", info, 144)[0]
        if unacked == 0 and notsent == 0:
            return
        time.sleep(0.001)


def serve(conn, log):
    line = read_head(conn)
    if line is None:
        return
    target = line.split(" ")[1]
    q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(target).query))
    nlines = int(q.get("lines", "4"))
    every = int(q.get("every_ms", "300")) / 1000.0
    framing = q.get("framing", "chunked")
    end = q.get("end", "clean")
    body = [b"line %d\n" % i for i in range(1, nlines + 1)]

    head = [b"HTTP/1.1 200 OK", b"Content-Type: text/plain",
            b"Connection: close"]
    if "xab" in q:
        head.append(b"X-Accel-Buffering: " + q["xab"].encode())
    if framing == "chunked":
        head.append(b"Transfer-Encoding: chunked")
    elif framing == "length":
        head.append(b"Content-Length: %d" % sum(len(b) for b in body))
    log({"type": "head", "t": time.monotonic()})
    conn.sendall(b"\r\n".join(head) + b"\r\n\r\n")
    for i, b in enumerate(body, 1):
        time.sleep(every)
        log({"type": "line", "i": i, "t": time.monotonic()})
        conn.sendall(b"%x\r\n%s\r\n" % (len(b), b) if framing == "chunked" else b)
    log({"type": "end", "how": end, "t": time.monotonic()})
    if end == "reset":
        # A reset drops what the kernel has not sent yet: wait until the
        # peer has acknowledged every line, so only the end is lost.
        wait_acked(conn)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack("ii", 1, 0))
    elif end == "hang":
        conn.settimeout(60)
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass
    elif framing == "chunked":
        conn.sendall(b"0\r\n\r\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True)
    args = ap.parse_args()

    logf = open(args.log, "a", buffering=1, encoding="utf-8")

    def log(rec):
        logf.write(json.dumps(rec) + "\n")

    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", args.port))
    srv.listen(64)
    while True:
        conn, _ = srv.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.settimeout(10)
        try:
            serve(conn, log)
        except OSError:
            pass
        finally:
            conn.close()


if __name__ == "__main__":
    main()
