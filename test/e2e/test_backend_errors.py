#!/usr/bin/env python3
"""Backends that fail: refused, silent, reset, closed early, malformed.

- Connect refused: 502; with two addresses, one dead, every request is served.
- Silent past backend_timeout: 504 in about that time.
- Malformed response, closed or reset before a complete response: 502. A
  malformed one leaves the client connection open: the next request on it
  gets its own answer.
- Closed or silent halfway through the body (the head may already be on its
  way to the client): either a 502/504, or a response that is visibly cut
  short (connection closed before the promised length) - never a response
  that looks complete.
- 1xx responses before the final one: the client gets the final response and
  the connection stays in sync.
- After a backend error holdfast goes on serving.
- A backend that said it closes after its response has its connection reset
  once the response is in (no TIME_WAIT left on either side); one that
  keeps connections open is closed with a FIN.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ProtocolError, request  # noqa: E402


class BackendErrorsTest(harness.TestCase):

    def through(self, mode, **settings):
        """holdfast in front of a raw backend in the given mode; returns
        (holdfast, backend)."""
        be = self.start_raw_backend(mode)
        settings.setdefault("backend_timeout", "2s")
        hf = self.start_holdfast(backend=be, **settings)
        return hf, be

    def expect_error(self, mode, status, keeps=False, **settings):
        hf, be = self.through(mode, **settings)
        c = self.connect(hf.port)
        t0 = time.monotonic()
        r = c.exchange(request("GET", "/x"))
        took = time.monotonic() - t0
        self.assertHoldfastError(r, status, closes=not keeps)
        if keeps:
            # In sync: the next request is answered on its own (the same
            # way, by this backend).
            r = c.exchange(request("GET", "/y"))
            self.assertHoldfastError(r, status, closes=False)
            self.assertEqual(len(be.requests()), 2)
        else:
            self.assertTrue(c.closed_within(3))
        # The request did reach the backend (the error came from there).
        self.assertGreaterEqual(len(be.requests()), 1)
        return took

    def test_connect_refused_gets_502(self):
        # With every address down a request waits backend_connect_timeout
        # for one to come back, then gets 502.
        hf = self.start_holdfast(backend=harness.dead_port(),
                                 backend_connect_timeout="1s")
        c = self.connect(hf.port)
        t0 = time.monotonic()
        r = c.exchange(request("GET", "/hello"))
        took = time.monotonic() - t0
        self.assertHoldfastError(r, 502)
        self.assertGreaterEqual(took, 0.9, "502 before the bound")
        self.assertTrue(c.closed_within(3))
        # Still 502 the second time, on a new connection (no crash, no hang).
        r = harness.get(hf.port, "/hello")
        self.assertHoldfastError(r, 502)

    def test_one_dead_backend_of_two_is_no_failure(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=[harness.dead_port(), be])
        for i in range(6):
            r = harness.get(hf.port, "/hello?i=%d" % i)
            self.assertEqual(r.status, 200, "request %d: %r" % (i, r))
        self.assertEqual(len(be.requests()), 6)
        # Also with both orders in the list, and concurrently.
        hf2 = self.start_holdfast(backend=[be, harness.dead_port()])
        results = harness.run_in_threads(
            [lambda i=i: harness.get(hf2.port, "/hello?c=%d" % i) for i in range(4)])
        for r in results:
            if isinstance(r, BaseException):
                raise r
            self.assertEqual(r.status, 200)

    def test_silent_backend_gets_504(self):
        took = self.expect_error("silent", 504, backend_timeout="500ms")
        self.assertGreaterEqual(took, 0.4)
        self.assertLess(took, 3)

    def test_malformed_response_gets_502(self):
        self.expect_error("malformed", 502, keeps=True)

    def test_bad_status_line_gets_502(self):
        self.expect_error("bad-status", 502, keeps=True)

    def test_bad_content_length_gets_502(self):
        self.expect_error("bad-length", 502, keeps=True)

    def test_differing_content_lengths_get_502(self):
        self.expect_error("two-lengths", 502, keeps=True)

    def test_closed_without_response_gets_502(self):
        self.expect_error("close", 502)

    def test_reset_gets_502(self):
        self.expect_error("reset", 502)

    def test_closed_in_head_gets_502(self):
        self.expect_error("half-head", 502)

    def test_closed_at_once_gets_502(self):
        # The backend accepts and closes before reading anything.
        hf, be = self.through("close-early")
        r = harness.get(hf.port, "/x")
        self.assertHoldfastError(r, 502)

    def assert_cut_short(self, c, status_if_error):
        """The response is either holdfast's error, or one the client can
        tell is incomplete: never a complete-looking one."""
        try:
            r = c.read_response()
        except ProtocolError:
            return  # closed before the promised length or final chunk: fine
        if r.status == status_if_error:
            self.assertHoldfastError(r, status_if_error)
            return
        self.fail("a response cut short by the backend looked complete to the "
                  "client: %r (%d body bytes)" % (r, len(r.body)))

    def test_closed_halfway_through_body(self):
        hf, be = self.through("half-body")
        c = self.connect(hf.port)
        c.send(request("GET", "/x"))
        self.assert_cut_short(c, 502)
        self.assertTrue(c.eof or c.closed_within(3))

    def test_silent_halfway_through_body(self):
        hf, be = self.through("silent-body", backend_timeout="500ms")
        c = self.connect(hf.port, timeout=5)
        c.send(request("GET", "/x"))
        t0 = time.monotonic()
        self.assert_cut_short(c, 504)
        self.assertLess(time.monotonic() - t0, 4, "backend_timeout not enforced mid-body")

    def test_interim_responses_then_final(self):
        hf, be = self.through("interim")
        c = self.connect(hf.port)
        r = c.exchange(request("GET", "/x"))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"final body\n")
        for i in r.interim:
            self.assertTrue(100 <= i.status < 200)
            self.assertNotEqual(i.status, 101)
        # The connection is in sync: a second request gets its own answer.
        r = c.exchange(request("GET", "/y"))
        self.assertEqual((r.status, r.body), (200, b"final body\n"))
        self.assertEqual(len(be.requests()), 2)

    def test_interim_responses_to_http10_client(self):
        # A 1.0 client does not understand 1xx: it must see only the final.
        hf, be = self.through("interim")
        c = self.connect(hf.port)
        r = c.exchange(request("GET", "/x", version="HTTP/1.0"))
        self.assertEqual(r.interim, [], "1xx sent to an HTTP/1.0 client")
        self.assertEqual((r.status, r.body), (200, b"final body\n"))

    def backend_sees_after_answer(self, mode, method="GET"):
        hf, be = self.through(mode)
        r = self.connect(hf.port).exchange(request(method, "/x"), method=method)
        self.assertEqual(r.status, 200)
        if method == "GET":
            self.assertEqual(r.body, b"final body\n")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            after = [x for x in be.records() if x.get("type") == "after"]
            if after:
                return after[0]["peer"]
            time.sleep(0.05)
        self.fail("the backend logged nothing after its answer")

    def test_backend_that_closes_is_reset_after_response(self):
        self.assertEqual(self.backend_sees_after_answer("answer-close"),
                         "reset")

    def test_backend_that_keeps_connection_gets_fin(self):
        self.assertEqual(self.backend_sees_after_answer("answer-keep"), "eof")

    def test_backend_that_keeps_connection_after_head_gets_fin(self):
        # A HEAD answer has no body whatever its head says: no Content-Length
        # does not mean the body runs to the close.
        self.assertEqual(self.backend_sees_after_answer("head-keep", "HEAD"),
                         "eof")

    def test_serves_again_after_errors(self):
        good = self.start_backend()
        bad = self.start_raw_backend("malformed")
        hf = self.start_holdfast(mappings={
            "good": {"backend": good},
            "bad": {"backend": bad, "backend_timeout": "1s"},
        })
        for i in range(3):
            r = harness.get(hf.ports["bad"], "/x")
            self.assertHoldfastError(r, 502, closes=False)
            r = harness.get(hf.ports["good"], "/hello")
            self.assertEqual(r.status, 200)
        self.assertIsNone(hf.poll(), "holdfast exited")


if __name__ == "__main__":
    harness.main()
