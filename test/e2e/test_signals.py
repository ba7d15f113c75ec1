#!/usr/bin/env python3
"""SIGTERM and SIGINT: a graceful drain.

- Stop accepting (new connects are refused while the drain goes on), close
  idle connections, finish in-flight and queued requests, exit 0.
- A second signal exits at once; shutdown_timeout bounds the drain.
"""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import request  # noqa: E402


class SignalsTest(harness.TestCase):

    def setUp(self):
        self.be = self.start_backend()

    def test_sigterm_when_idle_exits_0(self):
        hf = self.start_holdfast(backend=self.be)
        self.assertEqual(harness.get(hf.port, "/hello").status, 200)
        t0 = time.monotonic()
        hf.send_signal(signal.SIGTERM)
        self.assertEqual(hf.wait(5), 0, "exit status after SIGTERM")
        self.assertLess(time.monotonic() - t0, 3)

    def test_sigint_exits_0(self):
        hf = self.start_holdfast(backend=self.be)
        idle = self.connect(hf.port)
        hf.send_signal(signal.SIGINT)
        self.assertTrue(idle.closed_within(3))
        self.assertEqual(hf.wait(5), 0, "exit status after SIGINT")

    def test_drain_closes_idle_refuses_new_finishes_in_flight(self):
        hf = self.start_holdfast(backend=self.be,
                                 global_conf={"shutdown_timeout": "10s"})
        # A keep-alive connection between requests is idle too.
        used = self.connect(hf.port)
        self.assertEqual(used.exchange(request("GET", "/hello?used")).status, 200)
        # In flight until the test resumes the backend, however slow the
        # machine: the drain must wait for it.
        self.be.pause()
        busy = self.connect(hf.port)
        busy.send(request("GET", "/hello?busy"))
        self.be.wait_connections(1)
        idle = [self.connect(hf.port) for _ in range(5)]
        hf.send_signal(signal.SIGTERM)
        for c in idle + [used]:
            self.assertTrue(c.closed_within(3), "idle connection not closed on SIGTERM")
        harness.wait_until(lambda: harness.port_refuses(hf.port), timeout=3,
                           what="the listener to close")
        self.assertIsNone(hf.poll(), "exited before the in-flight request finished")
        self.be.resume()
        r = busy.read_response()
        self.assertEqual((r.status, r.body), (200, b"hello\n"))
        # The client is told, and the connection then closes.
        self.assertTrue(busy.closed_within(3), "kept the connection after draining")
        self.assertEqual(hf.wait(5), 0)

    def test_queued_request_completes(self):
        hf = self.start_holdfast(backend=self.be, backend_max_conns=1, admin=True,
                                 global_conf={"shutdown_timeout": "10s"})
        self.be.pause()  # the first request holds the slot until resumed
        first = self.connect(hf.port)
        first.send(request("GET", "/sleep?ms=1000"))
        self.be.wait_connections(1)
        queued = self.connect(hf.port)
        queued.send(request("POST", "/echo?queued", body=b"queued body"))
        hf.wait_metric("holdfast_queue_depth", 1, mapping="app")
        hf.send_signal(signal.SIGTERM)
        self.be.resume()
        r1 = first.read_response()
        r2 = queued.read_response()
        self.assertEqual(r1.status, 200)
        self.assertEqual((r2.status, r2.body), (200, b"queued body"))
        self.assertEqual(hf.wait(5), 0)
        self.assertEqual([q["target"] for q in self.be.requests()],
                         ["/sleep?ms=1000", "/echo?queued"])

    def test_second_signal_exits_at_once(self):
        hf = self.start_holdfast(backend=self.be,
                                 global_conf={"shutdown_timeout": "30s"})
        busy = self.connect(hf.port)
        busy.send(request("GET", "/sleep?ms=8000"))
        self.be.wait_for_requests(1)
        hf.send_signal(signal.SIGTERM)
        self.assertIsNone(hf.wait(0.5), "first SIGTERM did not wait for the request")
        t0 = time.monotonic()
        hf.send_signal(signal.SIGTERM)
        self.assertIsNotNone(hf.wait(3), "second SIGTERM did not exit at once")
        self.assertLess(time.monotonic() - t0, 2)

    def test_shutdown_timeout_bounds_drain(self):
        hf = self.start_holdfast(backend=self.be,
                                 global_conf={"shutdown_timeout": "500ms"})
        busy = self.connect(hf.port)
        busy.send(request("GET", "/sleep?ms=8000"))
        self.be.wait_for_requests(1)
        t0 = time.monotonic()
        hf.send_signal(signal.SIGTERM)
        self.assertIsNotNone(hf.wait(4), "drain outlived shutdown_timeout")
        took = time.monotonic() - t0
        self.assertGreaterEqual(took, 0.4)
        self.assertLess(took, 3)


if __name__ == "__main__":
    harness.main()
