#!/usr/bin/env python3
"""The queue in front of the backend.

- backend_max_conns = 1: ten concurrent clients, the backend never has more
  than one connection open (counted by the backend itself, accept queue
  included); backend_max_conns = 2 allows two.
- queue_size: beyond it, 503 with Retry-After at once, never forwarded; a
  request that arrives in the same loop turn as the response that frees a
  slot is not turned away.
- queue_timeout: a request that waited that long gets 503 with Retry-After,
  never forwarded.
- A client that leaves while queued: its request never reaches the backend.
- A slow-reading client does not hold the backend slot: the response is read
  from the backend as fast as it comes.
- Two backend addresses share the load (least connections).
"""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Conn, request, run_in_threads  # noqa: E402


def get_fresh(port, target, timeout=10):
    def f():
        t0 = time.monotonic()
        with Conn(port, timeout=timeout) as c:
            r = c.exchange(request("GET", target))
        r.elapsed = time.monotonic() - t0
        return r
    return f


class QueueTest(harness.TestCase):

    def check_all_ok(self, results):
        for r in results:
            if isinstance(r, BaseException):
                raise r
            self.assertEqual(r.status, 200, r)

    def test_one_at_a_time_under_10_concurrent_clients(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, backend_max_conns=1)
        t0 = time.monotonic()
        results = run_in_threads([get_fresh(hf.port, "/sleep?ms=100&c=%d" % i)
                                  for i in range(10)])
        elapsed = time.monotonic() - t0
        self.check_all_ok(results)
        self.assertEqual(len(be.requests()), 10)
        be.wait_for_done(10)  # the samples taken while sleeping are in these
        self.assertEqual(be.max_concurrent(), 1,
                         "the backend saw more than one connection at once: %r"
                         % [r for r in be.records() if r["concurrent"] > 1])
        self.assertGreaterEqual(elapsed, 0.95, "requests were not serialized")
        # Each request began after the previous one was answered.
        recs = be.records()
        order = [r["type"] for r in recs]
        self.assertEqual(order, ["request", "done"] * 10)

    def test_two_at_a_time_with_backend_max_conns_2(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, backend_max_conns=2)
        results = run_in_threads([get_fresh(hf.port, "/sleep?ms=150&c=%d" % i)
                                  for i in range(6)])
        self.check_all_ok(results)
        be.wait_for_done(6)
        # The backend is single-threaded, so the second connection waits in
        # its accept queue: it is counted all the same.
        self.assertEqual(be.max_concurrent(), 2)

    def test_queue_full_gets_503(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, backend_max_conns=1, queue_size=2,
                                 queue_timeout="10s")
        slow = self.connect(hf.port)
        slow.send(request("GET", "/sleep?ms=1500"))
        be.wait_for_requests(1)
        # One in flight; of the next three, two fit in the queue and one is
        # turned away at once.
        t0 = time.monotonic()
        conns = [self.connect(hf.port) for _ in range(3)]
        for i, c in enumerate(conns):
            c.send(request("GET", "/hello?q=%d" % i))
        results = run_in_threads([c.read_response for c in conns], timeout=10)
        for r in results:
            if isinstance(r, BaseException):
                raise r
        statuses = sorted(r.status for r in results)
        self.assertEqual(statuses, [200, 200, 503], results)
        rejected = [r for r in results if r.status == 503][0]
        self.assertHoldfastError(rejected, 503)
        self.assertEqual(slow.read_response().status, 200)
        # The rejected request never reached the backend.
        be.wait_for_done(3)
        targets = sorted(q["target"] for q in be.requests())
        self.assertEqual(len(targets), 3, targets)
        rejected_idx = [i for i, r in enumerate(results) if r.status == 503][0]
        self.assertNotIn("/hello?q=%d" % rejected_idx, targets)
        self.assertLess(time.monotonic() - t0, 8)

    def full_queue(self, sleep_ms):
        """backend_max_conns 1 and queue_size 1, filled: one request in
        flight for sleep_ms, one queued. Returns (holdfast, backend, the
        connection in flight, the queued one)."""
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, backend_max_conns=1, queue_size=1,
                                 queue_timeout="10s")
        slow = self.connect(hf.port)
        slow.send(request("GET", "/sleep?ms=%d" % sleep_ms))
        be.wait_for_requests(1)
        queued = self.connect(hf.port)
        queued.send(request("GET", "/hello?queued"))
        return hf, be, slow, queued

    def test_queue_full_503_is_immediate(self):
        hf, _, slow, queued = self.full_queue(2000)
        # Both of these find the queue full (one, at least, if the queued one
        # is still being read): the 503 comes long before the slow request ends.
        t0 = time.monotonic()
        results = run_in_threads([get_fresh(hf.port, "/hello?extra=%d" % i, timeout=5)
                                  for i in range(2)], timeout=10)
        codes = [r.status if not isinstance(r, BaseException) else r for r in results]
        self.assertIn(503, codes, codes)
        first_503 = min(r.elapsed for r in results
                        if not isinstance(r, BaseException) and r.status == 503)
        self.assertLess(first_503, 1.0, "503 for a full queue was not immediate")
        self.assertLess(time.monotonic() - t0, 6)
        self.assertEqual(slow.read_response().status, 200)
        self.assertEqual(queued.read_response().status, 200)

    def test_slot_freed_in_same_turn_makes_room(self):
        # The freed slot is filled at the end of holdfast's loop turn; a
        # request read earlier in that turn must see the room it makes.
        # Holdfast is stopped while the backend answers A and then C sends,
        # so both arrive in one turn, in that order.
        hf, be, a, b = self.full_queue(400)
        c = self.connect(hf.port)
        time.sleep(0.1)  # B read and queued, C accepted
        hf.send_signal(signal.SIGSTOP)
        try:
            be.wait_for_done(1)
            time.sleep(0.1)  # A's response waits in holdfast's socket
            c.send(request("GET", "/hello?c"))
            time.sleep(0.1)
        finally:
            hf.send_signal(signal.SIGCONT)
        self.assertEqual(a.read_response().status, 200)
        self.assertEqual(b.read_response().status, 200)
        self.assertEqual(c.read_response().status, 200)

    def test_queue_timeout_gets_503(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, backend_max_conns=1, queue_timeout="500ms")
        slow = self.connect(hf.port)
        slow.send(request("GET", "/sleep?ms=2000"))
        be.wait_for_requests(1)
        t0 = time.monotonic()
        c = self.connect(hf.port)
        r = c.exchange(request("GET", "/hello?timed-out"))
        waited = time.monotonic() - t0
        self.assertHoldfastError(r, 503)
        self.assertGreaterEqual(waited, 0.4, "503 before queue_timeout")
        self.assertLess(waited, 1.8, "queue_timeout not enforced")
        self.assertTrue(c.closed_within(3))
        self.assertEqual(slow.read_response().status, 200)
        # Afterwards the backend is free again and the timed-out request was
        # never sent to it.
        self.assertEqual(harness.get(hf.port, "/hello?after").status, 200)
        targets = [q["target"] for q in be.requests()]
        self.assertEqual(targets, ["/sleep?ms=2000", "/hello?after"])

    def test_client_leaving_queue_is_never_forwarded(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, backend_max_conns=1)
        slow = self.connect(hf.port)
        slow.send(request("GET", "/sleep?ms=1000"))
        be.wait_for_requests(1)
        gone = self.connect(hf.port)
        gone.send(request("GET", "/hello?abandoned"))
        gone2 = self.connect(hf.port)
        gone2.send(request("POST", "/echo?abandoned-reset", body=b"x" * 100))
        # Give holdfast time to read and queue them before they leave (a
        # shorter wait makes the test weaker, not flaky).
        time.sleep(0.3)
        gone.close()
        gone2.reset()
        stays = self.connect(hf.port)
        stays.send(request("GET", "/hello?stays"))
        self.assertEqual(slow.read_response().status, 200)
        self.assertEqual(stays.read_response().status, 200)
        be.wait_for_done(2)
        targets = [q["target"] for q in be.requests()]
        self.assertEqual(targets, ["/sleep?ms=1000", "/hello?stays"],
                         "a request whose client left reached the backend")

    def test_slow_reader_does_not_hold_backend(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, backend_max_conns=1,
                                 body_buffer_size="16k")
        big = 16 * 1024 * 1024
        lazy = Conn(hf.port, rcvbuf=4096)
        self.addCleanup(lazy.close)
        lazy.send(request("GET", "/size?n=%d" % big))
        # The backend finishes writing 16 MB although the client reads nothing.
        be.wait_for_done(1, timeout=10)
        t0 = time.monotonic()
        r = harness.get(hf.port, "/hello?other", timeout=3)
        self.assertEqual(r.status, 200)
        self.assertLess(time.monotonic() - t0, 2)
        # The lazy client still gets every byte.
        r = lazy.read_response()
        self.assertEqual(len(r.body), big)
        self.assertTrue(r.body == harness.pattern(big), "spilled body differs")

    def test_two_backends_share_load(self):
        be1 = self.start_backend()
        be2 = self.start_backend()
        hf = self.start_holdfast(backend=[be1, be2], backend_max_conns=1)
        results = run_in_threads([get_fresh(hf.port, "/sleep?ms=300&c=%d" % i)
                                  for i in range(2)])
        self.check_all_ok(results)
        self.assertEqual(len(be1.requests()), 1)
        self.assertEqual(len(be2.requests()), 1)
        # They ran at the same time: each began before the other was answered.
        be1.wait_for_done(1)
        be2.wait_for_done(1)
        a, b = be1.records(), be2.records()
        self.assertLess(a[0]["time"], b[1]["time"])
        self.assertLess(b[0]["time"], a[1]["time"])


if __name__ == "__main__":
    harness.main()
