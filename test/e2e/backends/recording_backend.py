#!/usr/bin/env python3
"""A single-threaded HTTP backend that records exactly what it receives.

Like the legacy applications holdfast protects, it is Python's NON-threaded
http.server.HTTPServer: it accepts one connection, serves it, and only then
accepts the next. Any other connection waits in the kernel's accept queue.

    recording_backend.py --port PORT --log FILE

Every request is appended to FILE as one JSON line once it has been read
whole ({"type": "request", ...}: request line, headers in order, the raw head
bytes exactly as received, the body), and one more line when it has been
answered ({"type": "done", ...}). Both carry "concurrent": the number of TCP
connections to this port that were open at once while the request was being
worked on (the one being served plus those waiting in the accept queue),
sampled (the one being served plus the accept queue, from TCP_INFO on the
listening socket) until the response is written. With holdfast in front and backend_max_conns = 1
it must never exceed 1.

Routes (any method; HEAD sends the same head without the body):
  /hello                 200 "hello\\n"
  /echo                  200, the request body back; X-Echo-Method/-Target/
                         -Version/-Body-Length headers
  /echo-headers          200, JSON of the request line and headers
  /sleep?ms=N            sleeps N ms, then 200 "slept N\\n"
  /size?n=N              200 with N bytes of a deterministic pattern
  /chunked?n=N[&delay_ms=D][&chunk=C]
                         HTTP/1.1 chunked response of the same pattern
  /close-delimited?n=N[&delay_ms=D]
                         HTTP/1.0 response without Content-Length; the body
                         ends when the connection closes
  /status?code=N         that status (no body for 1xx, 204, 304)
  /204, /304             those statuses, no body
  /headers               200 with hop-by-hop headers that must not pass
                         (Connection: foo, Foo, Keep-Alive, Proxy-Connection,
                         Upgrade) and X-End-To-End that must
"""

import argparse
import base64
import http.server
import json
import os
import socket
import struct
import sys
import time
from urllib.parse import parse_qs, urlsplit

UNIT = b"abcdefghijklmnopqrstuvwxyz0123456789\n"


def pattern(n):
    return (UNIT * (n // len(UNIT) + 1))[:n]


def open_connections(port, listen_sock):
    """Connections to our port that are open right now: the one being
    served (this server is single-threaded) plus those waiting in the
    accept queue, whose length the kernel reports for a listening socket
    in TCP_INFO's tcpi_unacked. Cheap at any number of sockets on the
    machine, unlike reading /proc/net/tcp. Returns one "?" per connection."""
    info = listen_sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 104)
    queued = struct.unpack_from("<I", info, 24)[0]  # tcpi_unacked
    return ["?"] * (1 + queued)


class Tee:
    """Wraps the request stream and keeps every byte read through it."""

    def __init__(self, f):
        self.f = f
        self.buf = bytearray()

    def readline(self, limit=-1):
        line = self.f.readline(limit)
        self.buf += line
        return line

    def read(self, n=-1):
        data = self.f.read(n)
        self.buf += data
        return data

    def __getattr__(self, name):
        return getattr(self.f, name)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"  # one request per connection, then close
    server_version = "recording-backend/1"

    def setup(self):
        super().setup()
        self.rfile = Tee(self.rfile)

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))

    # Every method goes through dispatch().
    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_GET

    def do_HEAD(self):
        self.dispatch()

    def sample(self):
        found = open_connections(self.server.server_address[1], self.server.socket)
        if len(found) > self.max_seen:
            self.max_seen = len(found)
            self.max_peers = found

    def log(self, rec):
        with open(self.server.log_path, "a", encoding="utf-8") as f:
            f.write(json.dumps(rec) + "\n")
            f.flush()

    def read_body(self):
        te = self.headers.get_all("Transfer-Encoding") or []
        if any("chunked" in v.lower() for v in te):
            body = b""
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return body
                body += self.rfile.read(size)
                self.rfile.readline(65537)
        n = self.headers.get("Content-Length")
        if n is not None and n.strip().isdigit():
            return self.rfile.read(int(n))
        return b""

    def dispatch(self):
        self.max_seen = 0
        self.max_peers = []
        self.sample()
        raw_head = bytes(self.rfile.buf)
        body = self.read_body()
        self.rfile.buf = bytearray()
        self.server.seq += 1
        self.seq = self.server.seq
        self.head_only = self.command == "HEAD"
        url = urlsplit(self.path)
        self.route_path = url.path
        self.query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        self.body = body
        self.sample()
        self.log({
            "type": "request",
            "seq": self.seq,
            "time": time.monotonic(),
            "peer_port": self.client_address[1],
            "request_line": self.requestline,
            "method": self.command,
            "target": self.path,
            "version": self.request_version,
            "headers": [[k, v] for k, v in self.headers.items()],
            "raw_head": raw_head.decode("latin-1"),
            "body_len": len(body),
            "body_b64": base64.b64encode(body).decode("ascii"),
            "concurrent": self.max_seen,
            "peers": self.max_peers,
        })
        try:
            self.route()
        finally:
            self.log({"type": "done", "seq": self.seq, "time": time.monotonic(),
                      "concurrent": self.max_seen, "peers": self.max_peers})

    def finish_head(self, length=None, ctype="text/plain"):
        if ctype:
            self.send_header("Content-Type", ctype)
        if length is not None:
            self.send_header("Content-Length", str(length))
        self.sample()  # last sample: the response is about to be written
        self.end_headers()

    def write_body(self, data):
        if not self.head_only and data:
            self.wfile.write(data)
            self.wfile.flush()

    def simple(self, code, body, ctype="text/plain", extra=()):
        self.send_response(code)
        for k, v in extra:
            self.send_header(k, v)
        self.finish_head(len(body), ctype)
        self.write_body(body)

    def route(self):
        p = self.route_path
        q = self.query
        if p in ("/", "/hello"):
            self.simple(200, b"hello\n")
        elif p == "/echo":
            self.simple(200, self.body, "application/octet-stream", [
                ("X-Echo-Method", self.command),
                ("X-Echo-Target", self.path),
                ("X-Echo-Version", self.request_version),
                ("X-Echo-Body-Length", str(len(self.body)))])
        elif p == "/echo-headers":
            doc = {"method": self.command, "target": self.path,
                   "version": self.request_version,
                   "headers": [[k, v] for k, v in self.headers.items()],
                   "body_len": len(self.body)}
            self.simple(200, json.dumps(doc).encode(), "application/json")
        elif p == "/sleep":
            ms = int(q.get("ms", "100"))
            end = time.monotonic() + ms / 1000.0
            while True:
                self.sample()
                left = end - time.monotonic()
                if left <= 0:
                    break
                time.sleep(min(left, 0.01))
            self.simple(200, b"slept %d\n" % ms)
        elif p == "/size":
            n = int(q.get("n", "0"))
            self.send_response(200)
            self.finish_head(n, "application/octet-stream")
            data = pattern(n)
            for i in range(0, n, 65536):
                self.write_body(data[i:i + 65536])
        elif p == "/chunked":
            self.chunked(int(q.get("n", "100")), int(q.get("delay_ms", "0")),
                         int(q.get("chunk", "1000")))
        elif p == "/close-delimited":
            n = int(q.get("n", "100"))
            delay = int(q.get("delay_ms", "0")) / 1000.0
            self.send_response(200)
            self.finish_head(None)
            data = pattern(n)
            half = n // 2
            self.write_body(data[:half])
            if delay:
                time.sleep(delay)
            self.write_body(data[half:])
            self.close_connection = True
        elif p == "/status":
            code = int(q.get("code", "200"))
            self.send_response(code)
            if code in (204, 304) or code < 200:
                self.finish_head(None, None)
            else:
                body = b"status %d\n" % code
                self.finish_head(len(body))
                self.write_body(body)
        elif p == "/204":
            self.send_response(204)
            self.finish_head(None, None)
        elif p == "/304":
            self.send_response(304)
            self.send_header("ETag", '"v1"')
            self.finish_head(None, None)
        elif p == "/headers":
            self.simple(200, b"headers\n", extra=[
                ("Connection", "foo"),
                ("Foo", "bar"),
                ("Keep-Alive", "timeout=5, max=100"),
                ("Proxy-Connection", "keep-alive"),
                ("Upgrade", "h2c"),
                ("X-End-To-End", "kept"),
            ])
        else:
            self.simple(404, b"not found\n")

    def chunked(self, n, delay_ms, chunk):
        # A chunked response needs an HTTP/1.1 status line.
        self.protocol_version = "HTTP/1.1"
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.finish_head(None, "application/octet-stream")
        if self.head_only:
            return
        data = pattern(n)
        for i in range(0, n, chunk):
            part = data[i:i + chunk]
            self.wfile.write(b"%x\r\n" % len(part) + part + b"\r\n")
            self.wfile.flush()
            if delay_ms:
                time.sleep(delay_ms / 1000.0)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()
        self.close_connection = True


class Server(http.server.HTTPServer):
    # NOT ThreadingHTTPServer: one connection at a time, like the legacy app.
    allow_reuse_address = True
    request_queue_size = 64


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True)
    args = ap.parse_args()
    server = Server(("127.0.0.1", args.port), Handler)
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
