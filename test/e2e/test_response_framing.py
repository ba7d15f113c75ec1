#!/usr/bin/env python3
"""How responses are framed and cleaned on their way to the client.

- To an HTTP/1.1 client: an HTTP/1.1 status line (whatever the backend's
  version), Content-Length when the length is known, chunked when it is not
  and the response is still streaming; the connection stays usable.
- To an HTTP/1.0 client: an HTTP/1.0 status line, never chunked;
  close-delimited (or Content-Length) when the backend's length is unknown.
- Chunked backend responses are decoded (and re-framed) intact.
- HEAD, 204, 304 carry no body; hop-by-hop response headers are removed.
- Bodies larger than body_buffer_size arrive intact.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import pattern, request  # noqa: E402

HOP_BY_HOP = ("foo", "keep-alive", "proxy-connection", "upgrade", "te", "trailer")


class ResponseFramingTest(harness.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.be = cls.class_process(harness.recording_backend)
        cls.hf = cls.class_process(
            lambda: harness.Holdfast(backend=cls.be, body_buffer_size="16k"))
        cls.hf11 = cls.class_process(
            lambda: harness.Holdfast(backend=cls.be, backend_http_version="1.1"))

    def conn(self, hf=None):
        return self.connect((hf or self.hf).port, timeout=8)

    def assert_still_usable(self, c):
        r = c.exchange(request("GET", "/hello?again"))
        self.assertEqual((r.status, r.body), (200, b"hello\n"),
                         "connection out of sync after the previous response")

    def test_known_length_to_http11_client(self):
        c = self.conn()
        r = c.exchange(request("GET", "/size?n=5000"))
        self.assertEqual(r.version, "HTTP/1.1")  # the backend answered HTTP/1.0
        self.assertEqual(r.status, 200)
        self.assertEqual(r.framing, "length")
        self.assertEqual(r.header("Content-Length"), "5000")
        self.assertFalse(r.has_header("Transfer-Encoding"))
        self.assertEqual(r.body, pattern(5000))
        self.assert_still_usable(c)

    def test_known_length_to_http10_client(self):
        c = self.conn()
        r = c.exchange(request("GET", "/size?n=5000", version="HTTP/1.0"))
        self.assertEqual(r.version, "HTTP/1.0")
        self.assertEqual(r.framing, "length")
        self.assertEqual(r.body, pattern(5000))
        self.assertTrue(c.closed_within(3))

    def test_streaming_unknown_length_to_http11_client_is_chunked(self):
        # Half the body, a pause, the other half, then close: while it
        # streams, holdfast cannot know the length.
        c = self.conn()
        r = c.exchange(request("GET", "/close-delimited?n=200000&delay_ms=1000"))
        self.assertEqual(r.version, "HTTP/1.1")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.framing, "chunked", r.raw_head)
        self.assertFalse(r.has_header("Content-Length"))
        self.assertTrue(r.body == pattern(200000), "body differs")
        self.assert_still_usable(c)

    def test_fast_unknown_length_to_http11_client(self):
        c = self.conn()
        r = c.exchange(request("GET", "/close-delimited?n=1000"))
        self.assertEqual(r.version, "HTTP/1.1")
        self.assertIn(r.framing, ("length", "chunked"), r.raw_head)
        self.assertEqual(r.body, pattern(1000))
        self.assert_still_usable(c)

    def test_unknown_length_to_http10_client(self):
        c = self.conn()
        r = c.exchange(request("GET", "/close-delimited?n=200000&delay_ms=500",
                               version="HTTP/1.0"))
        self.assertEqual(r.version, "HTTP/1.0")
        self.assertIn(r.framing, ("close", "length"), r.raw_head)
        self.assertFalse(r.has_header("Transfer-Encoding"))
        self.assertTrue(r.body == pattern(200000), "body differs")
        self.assertTrue(c.eof or c.closed_within(3))

    def test_unknown_length_to_http10_keepalive_client(self):
        # The length is unknown: a 1.0 client can only be told by a close,
        # unless holdfast buffered the whole body and sends a length.
        c = self.conn()
        r = c.exchange(request("GET", "/close-delimited?n=3000&delay_ms=300",
                               version="HTTP/1.0",
                               headers=[("Connection", "keep-alive")]))
        self.assertEqual(r.version, "HTTP/1.0")
        self.assertFalse(r.has_header("Transfer-Encoding"))
        self.assertEqual(r.body, pattern(3000))
        if r.framing == "length":
            self.assert_still_usable(c)

    def test_chunked_backend_to_http11_client(self):
        c = self.conn(self.hf11)
        r = c.exchange(request("GET", "/chunked?n=100000&chunk=3000&delay_ms=5"))
        self.assertEqual(r.version, "HTTP/1.1")
        self.assertIn(r.framing, ("length", "chunked"))
        self.assertLessEqual(len(r.header_all("Transfer-Encoding")), 1, r.raw_head)
        self.assertTrue(r.body == pattern(100000), "body differs")
        self.assert_still_usable(c)

    def test_chunked_backend_to_http10_client(self):
        c = self.conn(self.hf11)
        r = c.exchange(request("GET", "/chunked?n=50000&chunk=999&delay_ms=5",
                               version="HTTP/1.0"))
        self.assertEqual(r.version, "HTTP/1.0")
        self.assertIn(r.framing, ("close", "length"), r.raw_head)
        self.assertFalse(r.has_header("Transfer-Encoding"))
        self.assertTrue(r.body == pattern(50000), "body differs")

    def test_chunked_answer_to_http10_backend_request(self):
        # Some backends answer chunked even to an HTTP/1.0 request; the
        # response says so itself, so it is decoded all the same.
        c = self.conn()
        r = c.exchange(request("GET", "/chunked?n=30000&chunk=700"))
        self.assertEqual(r.status, 200)
        self.assertTrue(r.body == pattern(30000), "body differs")
        self.assert_still_usable(c)

    def test_head_has_no_body(self):
        c = self.conn()
        r = c.exchange(request("HEAD", "/size?n=1234"), method="HEAD")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.header("Content-Length"), "1234")
        self.assert_still_usable(c)
        r = c.exchange(request("HEAD", "/close-delimited?n=10"), method="HEAD")
        self.assertEqual(r.status, 200)
        self.assert_still_usable(c)

    def test_204_and_304_have_no_body(self):
        c = self.conn()
        for target, status in (("/204", 204), ("/304", 304),
                               ("/status?code=204", 204)):
            r = c.exchange(request("GET", target))
            self.assertEqual(r.status, status)
            self.assertFalse(r.has_header("Transfer-Encoding"), r.raw_head)
            if status == 204:
                self.assertFalse(r.has_header("Content-Length"), r.raw_head)
            self.assert_still_usable(c)
        r = c.exchange(request("GET", "/304"))
        self.assertEqual(r.header("ETag"), '"v1"')

    def test_hop_by_hop_response_headers_removed(self):
        c = self.conn()
        r = c.exchange(request("GET", "/headers"))
        self.assertEqual((r.status, r.body), (200, b"headers\n"))
        names = [n.lower() for n, _ in r.headers]
        for gone in HOP_BY_HOP:
            self.assertNotIn(gone, names, r.raw_head)
        for tok in r.connection_tokens():
            self.assertIn(tok, ("keep-alive", "close"), r.raw_head)
        self.assertEqual(r.header("X-End-To-End"), "kept")
        self.assert_still_usable(c)

    def test_status_and_reason_relayed(self):
        c = self.conn()
        for code in (201, 404, 418, 500, 503):
            r = c.exchange(request("GET", "/status?code=%d" % code))
            self.assertEqual(r.status, code)
            self.assertEqual(r.body, b"status %d\n" % code)
        r = c.exchange(request("GET", "/status?code=503"))
        self.assertIsNone(r.header("Retry-After"), "backend's 503 was rewritten")

    def test_large_response_intact(self):
        n = 3 * 1024 * 1024 + 17
        c = self.conn()
        r = c.exchange(request("GET", "/size?n=%d" % n))
        self.assertEqual(r.status, 200)
        self.assertEqual(len(r.body), n)
        self.assertTrue(r.body == pattern(n), "body differs")
        self.assert_still_usable(c)

    def test_end_to_end_response_headers_kept(self):
        c = self.conn()
        r = c.exchange(request("POST", "/echo", body=b"abc"))
        self.assertEqual(r.header("X-Echo-Method"), "POST")
        self.assertEqual(r.header("X-Echo-Body-Length"), "3")
        self.assertEqual(r.header("Content-Type"), "application/octet-stream")


if __name__ == "__main__":
    harness.main()
