#!/usr/bin/env python3
"""Client and backend-connect timeouts.

- client_idle_timeout: an idle connection (before its first byte, or between
  requests) is closed silently, no 408.
- client_header_timeout: headers not finished in time after the first byte:
  408 (also when the bytes trickle in), nothing forwarded.
- client_body_timeout: a gap in the body longer than it: 408; shorter gaps are
  fine however long the whole body takes.
- backend_connect_timeout: a backend that never completes the handshake: 502
  in about that time; with a second, good address the request is served.
"""

import os
import select
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import request  # noqa: E402


class TimeoutsTest(harness.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.be = cls.class_process(harness.recording_backend)
        cls.idle = cls.class_process(lambda: harness.Holdfast(
            backend=cls.be, client_idle_timeout="500ms",
            client_header_timeout="5s", client_body_timeout="5s"))
        cls.slow = cls.class_process(lambda: harness.Holdfast(
            backend=cls.be, client_idle_timeout="10s",
            client_header_timeout="500ms", client_body_timeout="500ms"))

    def test_idle_connection_closed_silently(self):
        c = self.connect(self.idle.port)
        t0 = time.monotonic()
        self.assertTrue(c.closed_within(3), "idle connection not closed")
        took = time.monotonic() - t0
        self.assertGreaterEqual(took, 0.4, "closed before client_idle_timeout")

    def test_idle_between_requests_closed_silently(self):
        c = self.connect(self.idle.port)
        r = c.exchange(request("GET", "/hello"))
        self.assertEqual(r.status, 200)
        # closed_within fails if any byte (a 408) arrives before the close.
        self.assertTrue(c.closed_within(3), "keep-alive connection not closed when idle")

    def test_activity_resets_idle_timer(self):
        # A timeout of its own, long beside each idle spell, so that a
        # loaded machine (this client late to send) cannot pass it.
        hf = self.start_holdfast(backend=self.be, client_idle_timeout="2s")
        c = self.connect(hf.port)
        for _ in range(5):
            # 0.5 s of idleness each time, 2.5 s in all: more than the timeout.
            self.assertFalse(c.closed_within(0.5))
            self.assertEqual(c.exchange(request("GET", "/hello")).status, 200)

    def test_idle_timeout_does_not_cut_a_slow_backend(self):
        # client_idle_timeout applies to idle clients, not to one waiting for
        # its response.
        c = self.connect(self.idle.port)
        r = c.exchange(request("GET", "/sleep?ms=1000"))
        self.assertEqual((r.status, r.body), (200, b"slept 1000\n"))

    def test_header_timeout_gets_408(self):
        before = len(self.be.requests())
        c = self.connect(self.slow.port)
        t0 = time.monotonic()
        c.send(b"GET /hello HTTP/1.1\r\nHost: x\r\n")
        r = c.read_response()
        took = time.monotonic() - t0
        self.assertHoldfastError(r, 408)
        self.assertGreaterEqual(took, 0.4)
        self.assertLess(took, 4)
        self.assertTrue(c.closed_within(3))
        self.assertEqual(len(self.be.requests()), before)

    def test_trickled_headers_get_408(self):
        # One byte every 100 ms keeps the connection busy but the headers
        # never finish within client_header_timeout (slowloris).
        before = len(self.be.requests())
        c = self.connect(self.slow.port)
        data = request("GET", "/hello", headers=[("X-Pad", "p" * 100)])
        t0 = time.monotonic()
        for i in range(len(data) - 2):
            readable, _, _ = select.select([c.sock], [], [], 0.1)
            if readable or time.monotonic() - t0 > 4:
                break  # the answer came (or never will): stop sending
            try:
                c.send(data[i:i + 1])
            except OSError:
                break
        r = c.read_response()
        self.assertHoldfastError(r, 408)
        self.assertLess(time.monotonic() - t0, 3, "header timeout not enforced")
        self.assertEqual(len(self.be.requests()), before)

    def test_body_timeout_gets_408(self):
        before = len(self.be.requests())
        c = self.connect(self.slow.port)
        c.send(request("POST", "/echo", headers=[("Content-Length", "10")]) + b"01234")
        t0 = time.monotonic()
        r = c.read_response()
        took = time.monotonic() - t0
        self.assertHoldfastError(r, 408)
        self.assertGreaterEqual(took, 0.4)
        self.assertLess(took, 3)
        self.assertEqual(len(self.be.requests()), before)

    def test_body_timeout_is_per_gap(self):
        # Five gaps of 0.5 s (2.5 s in all) against a 2 s body timeout of its
        # own: each gap is far enough below it for a loaded machine.
        hf = self.start_holdfast(backend=self.be, client_body_timeout="2s")
        c = self.connect(hf.port)
        c.send(request("POST", "/echo", headers=[("Content-Length", "6")]) + b"a")
        for ch in b"bcdef":
            self.assertFalse(c.closed_within(0.5), "cut while the body still came")
            c.send(bytes([ch]))
        r = c.read_response()
        self.assertEqual((r.status, r.body), (200, b"abcdef"))

    def test_chunked_body_timeout_gets_408(self):
        before = len(self.be.requests())
        c = self.connect(self.slow.port)
        c.send(request("POST", "/echo", headers=[("Transfer-Encoding", "chunked")]) +
               b"5\r\nhello\r\n")
        r = c.read_response()
        self.assertHoldfastError(r, 408)
        self.assertEqual(len(self.be.requests()), before)

    def blackhole(self):
        """A listening socket whose accept queue is full and never drained:
        further SYNs are dropped, so a connect to it hangs."""
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.addCleanup(ls.close)
        ls.bind(("127.0.0.1", 0))
        ls.listen(0)
        addr = ls.getsockname()
        for _ in range(16):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.addCleanup(s.close)
            s.settimeout(0.3)
            try:
                s.connect(addr)
            except (socket.timeout, BlockingIOError):
                return addr[1]
        self.skipTest("could not fill an accept queue to make a blackhole")

    def test_backend_connect_timeout_gets_502(self):
        port = self.blackhole()
        hf = self.start_holdfast(backend=port, backend_connect_timeout="500ms")
        t0 = time.monotonic()
        r = harness.get(hf.port, "/hello", timeout=5)
        took = time.monotonic() - t0
        self.assertHoldfastError(r, 502)
        self.assertGreaterEqual(took, 0.4)
        self.assertLess(took, 3)

    def test_backend_connect_timeout_tries_other_address(self):
        port = self.blackhole()
        hf = self.start_holdfast(backend=[port, self.be], backend_connect_timeout="500ms")
        for i in range(3):
            t0 = time.monotonic()
            r = harness.get(hf.port, "/hello?try=%d" % i, timeout=5)
            self.assertEqual(r.status, 200, r)
            self.assertLess(time.monotonic() - t0, 3)


if __name__ == "__main__":
    harness.main()
