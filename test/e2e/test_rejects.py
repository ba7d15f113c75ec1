#!/usr/bin/env python3
"""Requests holdfast rejects itself, before the backend sees anything.

A table of bad requests and the status each must get (400, 413, 431, 501,
505). Every answer is holdfast's own error response (text/plain,
Content-Length, Connection: close), the connection then closes, and neither
the bad request nor anything pipelined after it reaches the backend.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ProtocolError, request  # noqa: E402

GOOD = request("GET", "/hello?after-bad")

# (name, raw request, expected status). max_body_size is 1k, max_header_size 4k.
CASES = [
    # 400: the request line
    ("garbage request line", b"GARBAGE\r\n\r\n", 400),
    ("request line missing version", b"GET /hello\r\nHost: x\r\n\r\n", 400),
    ("request line double space", b"GET  /hello HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ("request line bad version text", b"GET /hello HTTX/1.1\r\nHost: x\r\n\r\n", 400),
    ("space in target", b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    # 400: header syntax
    ("absolute-form and Host with an empty host",
     b"GET http://: HTTP/1.1\r\nHost: :80\r\n\r\n", 400),
    ("absolute-form with an empty host, Host ':'",
     b"GET http://: HTTP/1.1\r\nHost: :\r\n\r\n", 400),
    ("Host with a port and no host", b"GET / HTTP/1.1\r\nHost: :80\r\n\r\n", 400),
    ("chunk extension without a name",
     b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"2;\r\naa\r\n0\r\n\r\n", 400),
    ("space in header name", b"GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n", 400),
    ("bad char in header name", b"GET / HTTP/1.1\r\nHost: x\r\nBad@Name: v\r\n\r\n", 400),
    ("space before colon", b"GET / HTTP/1.1\r\nHost: x\r\nX-Foo : v\r\n\r\n", 400),
    ("header without colon", b"GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400),
    ("obs-fold", b"GET / HTTP/1.1\r\nHost: x\r\nX-Foo: a\r\n b\r\n\r\n", 400),
    ("obs-fold with tab", b"GET / HTTP/1.1\r\nHost: x\r\nX-Foo: a\r\n\tb\r\n\r\n", 400),
    ("bare CR in value", b"GET / HTTP/1.1\r\nHost: x\r\nX-Foo: a\rb\r\n\r\n", 400),
    ("NUL in value", b"GET / HTTP/1.1\r\nHost: x\r\nX-Foo: a\x00b\r\n\r\n", 400),
    ("NUL in target", b"GET /a\x00b HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    # 400: framing
    ("Content-Length with Transfer-Encoding",
     b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
     b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400),
    ("differing Content-Lengths",
     b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
     b"Content-Length: 6\r\n\r\nhello!", 400),
    ("differing Content-Length list",
     b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello!", 400),
    ("non-numeric Content-Length",
     b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\nabc", 400),
    ("negative Content-Length",
     b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400),
    ("signed Content-Length",
     b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello", 400),
    ("chunked not last",
     b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"
     b"5\r\nhello\r\n0\r\n\r\n", 400),
    ("bad chunk size",
     b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"zz\r\nhello\r\n0\r\n\r\n", 400),
    ("chunk data longer than its size",
     b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
     b"2\r\nhello\r\n0\r\n\r\n", 400),
    # 400: Host
    ("HTTP/1.1 without Host", b"GET /hello HTTP/1.1\r\nX-Foo: a\r\n\r\n", 400),
    ("two Host headers", b"GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    # 413, 431
    ("Content-Length over max_body_size",
     b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2048\r\n\r\n", 413),
    ("chunked body over max_body_size",
     b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
     + b"400\r\n" + b"a" * 1024 + b"\r\n" + b"10\r\n" + b"b" * 16 + b"\r\n0\r\n\r\n", 413),
    ("one huge header",
     b"GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: " + b"v" * 8192 + b"\r\n\r\n", 431),
    ("many headers",
     b"GET /hello HTTP/1.1\r\nHost: x\r\n"
     + b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 40) for i in range(200)) + b"\r\n", 431),
    ("huge request line",
     b"GET /" + b"a" * 8192 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 431),
    # 501
    ("CONNECT", b"CONNECT h.example:443 HTTP/1.1\r\nHost: h.example:443\r\n\r\n", 501),
    ("unknown transfer coding",
     b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: foo\r\n\r\n", 501),
    ("gzip then chunked",
     b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
     b"5\r\nhello\r\n0\r\n\r\n", 501),
    # 505
    ("HTTP/2.0", b"GET /hello HTTP/2.0\r\nHost: x\r\n\r\n", 505),
    ("HTTP/1.2", b"GET /hello HTTP/1.2\r\nHost: x\r\n\r\n", 505),
    ("HTTP/3.0", b"GET /hello HTTP/3.0\r\nHost: x\r\n\r\n", 505),
]

# Requests that look odd but are valid: the backend answers them. (Two equal
# Content-Length fields are left out on purpose: RFC 9110 8.6 lets a recipient
# reject them or merge them, and holdfast, like nginx, rejects them.)
ACCEPTED = [
    ("HTTP/1.0 without Host", b"GET /hello HTTP/1.0\r\n\r\n"),
    ("header name case", b"GET /hello HTTP/1.1\r\nhOsT: x\r\n\r\n"),
    ("empty header value", b"GET /hello HTTP/1.1\r\nHost: x\r\nX-Empty:\r\n\r\n"),
    ("chunked in other case",
     b"POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n"
     b"5\r\nhello\r\n0\r\n\r\n"),
    ("body exactly max_body_size",
     b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n" + b"z" * 1024),
    ("leading empty line", b"\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n"),
]


class RejectsTest(harness.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.be = cls.class_process(harness.recording_backend)
        cls.hf = cls.class_process(lambda: harness.Holdfast(
            backend=cls.be, max_body_size="1k", max_header_size="4k"))

    def reject(self, data, status):
        """Sends data followed by a good pipelined request; expects exactly
        one error response with status, then close, and nothing forwarded."""
        before = len(self.be.requests())
        c = self.connect(self.hf.port)
        try:
            c.send(data + GOOD)
        except OSError:
            pass  # holdfast may already have answered and closed
        r = c.read_response()
        self.assertHoldfastError(r, status)
        try:
            rest = c.read_all()
        except OSError:
            rest = b""
        self.assertEqual(rest, b"", "bytes after the error response")
        self.assertEqual(len(self.be.requests()), before,
                         "the backend received: %r" % self.be.requests()[before:])

    def test_rejected_requests(self):
        for name, data, status in CASES:
            with self.subTest(name):
                self.reject(data, status)

    def test_accepted_oddities(self):
        for name, data in ACCEPTED:
            with self.subTest(name):
                before = len(self.be.requests())
                c = self.connect(self.hf.port)
                r = c.exchange(data)
                self.assertEqual(r.status, 200, "%s: %r" % (name, r))
                self.assertEqual(len(self.be.wait_for_requests(before + 1)), before + 1)

    def test_good_then_bad_pipelined(self):
        before = len(self.be.requests())
        c = self.connect(self.hf.port)
        c.send(request("GET", "/hello?first") + b"GET / HTTP/1.1\r\nBad Name: v\r\n\r\n"
               + GOOD)
        r1 = c.read_response()
        self.assertEqual((r1.status, r1.body), (200, b"hello\n"))
        r2 = c.read_response()
        self.assertHoldfastError(r2, 400)
        self.assertEqual(c.read_all(), b"")
        targets = [q["target"] for q in self.be.requests()[before:]]
        self.assertEqual(targets, ["/hello?first"])

    def test_413_without_reading_body(self):
        # The 413 comes from Content-Length alone: no body byte is sent.
        c = self.connect(self.hf.port, timeout=3)
        c.send(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n")
        r = c.read_response()
        self.assertHoldfastError(r, 413)

    def test_error_body_is_short_text(self):
        r = harness.get(self.hf.port, "/x", version="HTTP/2.0")
        self.assertHoldfastError(r, 505)
        self.assertLess(len(r.body), 512)
        self.assertTrue(r.body.decode("ascii").strip(), "empty error body")

    def test_error_to_http10_client_is_still_framed(self):
        c = self.connect(self.hf.port)
        try:
            r = c.exchange(b"GET /hello HTTP/1.0\r\nBad Name: v\r\n\r\n")
        except ProtocolError as e:
            self.fail("no parsable error response: %s" % e)
        self.assertEqual(r.status, 400)
        self.assertEqual(int(r.header("Content-Length")), len(r.body))


if __name__ == "__main__":
    harness.main()
