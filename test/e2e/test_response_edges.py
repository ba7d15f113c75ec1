#!/usr/bin/env python3
"""Backend responses at the edges of HTTP framing, each from a backend that
answers with exactly these bytes:

- a 304 carrying Content-Length (the representation's length) or a 204
  carrying Content-Length: 0: no body follows, so the client gets the
  response at once, whether the backend then closes or keeps the connection
  open; a 204 with a non-zero length, or a 100 Continue carrying one, is
  refused (RFC 9110 §8.6, §15.2): 502, and the client connection goes on;
- a field name that only begins with Transfer-Encoding or Content-Length,
  which parsers built on http-parser 2.9 mistake for the real one: 502.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import request  # noqa: E402

CANNED = os.path.join(harness.BACKENDS, "canned_backend.py")


class ResponseEdgesTest(harness.TestCase):

    def through(self, raw, hold=False):
        args = ["--response-hex", raw.hex()] + (["--hold"] if hold else [])
        be = harness.Backend(CANNED, *args)
        self.addCleanup(be.close)
        # Far past what an answer takes; a wrongly awaited body would end
        # in 504 only after it.
        return self.start_holdfast(backend=be, backend_timeout="20s")

    def test_no_body_after_204_304_with_length(self):
        cases = [
            (b"HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n"
             b"Content-Length: 42\r\n\r\n", 304),
            (b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", 204),
        ]
        for raw, status in cases:
            for hold in (False, True):
                with self.subTest(status=status, hold=hold):
                    hf = self.through(raw, hold)
                    c = self.connect(hf.port)
                    r = c.exchange(request("GET", "/x"))
                    self.assertEqual(r.status, status, r.raw_head)
                    self.assertEqual(r.body, b"")
                    if status == 304:
                        self.assertEqual(r.header("ETag"), '"v1"')
                        self.assertEqual(r.header("Content-Length"), "42")
                    # The connection is in step: a second exchange works.
                    r = c.exchange(request("GET", "/y"))
                    self.assertEqual(r.status, status, r.raw_head)

    def test_framing_on_100_or_204_is_refused(self):
        for raw in (b"HTTP/1.1 100 Continue\r\nContent-Length: 5\r\n\r\n"
                    b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nyes",
                    b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"):
            with self.subTest(raw=raw):
                hf = self.through(raw)
                r = harness.get(hf.port, "/x")
                self.assertHoldfastError(r, 502, closes=False)

    def test_field_names_that_mimic_framing_fields(self):
        for raw in (b"HTTP/1.1 200 OK\r\nTransfer-Encodingx: y\r\n\r\nbody",
                    b"HTTP/1.1 200 OK\r\nContent-Length-X: 3\r\n"
                    b"Content-Length: 2\r\n\r\nok"):
            with self.subTest(raw=raw):
                hf = self.through(raw)
                r = harness.get(hf.port, "/x")
                self.assertHoldfastError(r, 502, closes=False)


if __name__ == "__main__":
    harness.main()
