#!/usr/bin/env python3
"""Client-side persistent connections (RFC 9112) and pipelining.

HTTP/1.1 keeps the connection by default and closes on `Connection: close`;
HTTP/1.0 closes by default and keeps it with `Connection: keep-alive`.
Pipelined requests are answered in order, one worked on at a time, even when
an earlier one is slower; the connection stays in sync after HEAD, 204, 304.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import pattern, request  # noqa: E402

CLOSE_WITHIN = 3.0


class KeepAliveTest(harness.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.be = cls.class_process(harness.recording_backend)
        cls.hf = cls.class_process(lambda: harness.Holdfast(backend=cls.be))

    def conn(self):
        return self.connect(self.hf.port)

    def test_http11_keeps_connection_by_default(self):
        c = self.conn()
        for i in range(3):
            r = c.exchange(request("GET", "/hello?i=%d" % i))
            self.assertEqual(r.status, 200)
            self.assertEqual(r.version, "HTTP/1.1")
            self.assertEqual(r.body, b"hello\n")
            self.assertNotIn("close", r.connection_tokens())
        self.assertFalse(c.closed_within(0.3), "1.1 connection closed after a request")

    def test_http11_connection_close(self):
        c = self.conn()
        r = c.exchange(request("GET", "/hello", headers=[("Connection", "close")]))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"hello\n")
        self.assertIn("close", r.connection_tokens())
        self.assertTrue(c.closed_within(CLOSE_WITHIN), "not closed after Connection: close")

    def test_http10_closes_by_default(self):
        c = self.conn()
        r = c.exchange(request("GET", "/hello", version="HTTP/1.0"))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.version, "HTTP/1.0")
        self.assertEqual(r.body, b"hello\n")
        self.assertTrue(c.closed_within(CLOSE_WITHIN), "1.0 connection left open")

    def test_http10_keep_alive(self):
        c = self.conn()
        for i in range(2):
            r = c.exchange(request("GET", "/hello?i=%d" % i, version="HTTP/1.0",
                                   headers=[("Connection", "keep-alive")]))
            self.assertEqual(r.status, 200)
            self.assertEqual(r.version, "HTTP/1.0")
            self.assertEqual(r.framing, "length", "1.0 keep-alive needs a length")
            self.assertIn("keep-alive", r.connection_tokens())
        self.assertFalse(c.closed_within(0.3), "1.0 keep-alive connection closed")
        r = c.exchange(request("GET", "/hello", version="HTTP/1.0"))
        self.assertEqual(r.status, 200)
        self.assertTrue(c.closed_within(CLOSE_WITHIN))

    def test_pipelined_answered_in_order(self):
        before = len(self.be.requests())
        c = self.conn()
        c.send(request("GET", "/sleep?ms=200") +
               request("GET", "/hello") +
               request("GET", "/size?n=20") +
               request("POST", "/echo", body=b"fourth") +
               request("GET", "/status?code=201"))
        r1, r2, r3, r4, r5 = [c.read_response() for _ in range(5)]
        self.assertEqual((r1.status, r1.body), (200, b"slept 200\n"))
        self.assertEqual((r2.status, r2.body), (200, b"hello\n"))
        self.assertEqual((r3.status, r3.body), (200, pattern(20)))
        self.assertEqual((r4.status, r4.body), (200, b"fourth"))
        self.assertEqual((r5.status, r5.body), (201, b"status 201\n"))
        reqs = self.be.wait_for_requests(before + 5)[before:]
        self.assertEqual([q["target"] for q in reqs],
                         ["/sleep?ms=200", "/hello", "/size?n=20", "/echo",
                          "/status?code=201"])

    def test_pipelined_then_close(self):
        c = self.conn()
        c.send(request("GET", "/hello?1") +
               request("GET", "/hello?2", headers=[("Connection", "close")]) +
               request("GET", "/hello?3"))
        self.assertEqual(c.read_response().status, 200)
        r2 = c.read_response()
        self.assertEqual(r2.status, 200)
        self.assertIn("close", r2.connection_tokens())
        self.assertEqual(c.read_all(), b"", "answered a request after Connection: close")

    def test_in_sync_after_head_204_304(self):
        c = self.conn()
        r = c.exchange(request("HEAD", "/size?n=1000"), method="HEAD")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Length"), "1000")
        r = c.exchange(request("GET", "/204"))
        self.assertEqual(r.status, 204)
        self.assertFalse(r.has_header("Transfer-Encoding"))
        r = c.exchange(request("GET", "/304"))
        self.assertEqual(r.status, 304)
        r = c.exchange(request("GET", "/hello"))
        self.assertEqual((r.status, r.body), (200, b"hello\n"),
                         "connection out of sync after bodiless responses")
        self.assertFalse(c.closed_within(0.2))

    def test_pipelined_head_then_get(self):
        c = self.conn()
        c.send(request("HEAD", "/size?n=500") + request("GET", "/size?n=7"))
        r1 = c.read_response(method="HEAD")
        r2 = c.read_response()
        self.assertEqual((r1.status, r1.body), (200, b""))
        self.assertEqual((r2.status, r2.body), (200, pattern(7)))

    def test_error_status_keeps_connection(self):
        c = self.conn()
        r = c.exchange(request("GET", "/status?code=500"))
        self.assertEqual(r.status, 500)
        r = c.exchange(request("GET", "/nope"))
        self.assertEqual(r.status, 404)
        r = c.exchange(request("GET", "/hello"))
        self.assertEqual(r.status, 200)


if __name__ == "__main__":
    harness.main()
