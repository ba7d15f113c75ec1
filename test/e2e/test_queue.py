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
import select
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
        # The backend is paused while all six arrive, so that two are sent
        # to it at once however the clients' threads are scheduled.
        be.pause()
        conns = [self.connect(hf.port, timeout=10) for _ in range(6)]
        for i, c in enumerate(conns):
            c.send(request("GET", "/sleep?ms=50&c=%d" % i))
        harness.wait_until(lambda: be.connections() >= 2, 10,
                           what="two connections to the paused backend")
        be.resume()
        self.check_all_ok([c.read_response() for c in conns])
        be.wait_for_done(6)
        # The backend is single-threaded, so the second connection waits in
        # its accept queue: it is counted all the same.
        self.assertEqual(be.max_concurrent(), 2)

    def test_queue_full_gets_503(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, backend_max_conns=1, queue_size=2,
                                 queue_timeout="10s")
        # One in flight, held there (the backend is paused); of the next
        # three, two fit in the queue and one is turned away at once, that
        # is, while the backend still cannot answer anything.
        be.pause()
        slow = self.connect(hf.port)
        slow.send(request("GET", "/hello?slow"))
        be.wait_connections(1)
        conns = [self.connect(hf.port) for _ in range(3)]
        for i, c in enumerate(conns):
            c.send(request("GET", "/hello?q=%d" % i))
        readable, _, _ = select.select([c.sock for c in conns], [], [], 5)
        self.assertEqual(len(readable), 1, "one 503 while the backend is paused")
        rejected_idx = [c.sock for c in conns].index(readable[0])
        self.assertHoldfastError(conns[rejected_idx].read_response(), 503)
        be.resume()
        for i, c in enumerate(conns):
            if i != rejected_idx:
                self.assertEqual(c.read_response().status, 200)
        self.assertEqual(slow.read_response().status, 200)
        # The rejected request never reached the backend.
        be.wait_for_done(3)
        targets = sorted(q["target"] for q in be.requests())
        self.assertEqual(len(targets), 3, targets)
        self.assertNotIn("/hello?q=%d" % rejected_idx, targets)

    def full_queue(self):
        """backend_max_conns 1 and queue_size 1, filled: one request in
        flight, held there by pausing the backend, and one
        queued (seen in /metrics). Returns (holdfast, backend, the
        connection in flight, the queued one); the caller resumes the
        backend."""
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, backend_max_conns=1, queue_size=1,
                                 queue_timeout="10s", admin=True)
        be.pause()
        slow = self.connect(hf.port)
        slow.send(request("GET", "/hello?slow"))
        be.wait_connections(1)
        queued = self.connect(hf.port)
        queued.send(request("GET", "/hello?queued"))
        hf.wait_metric("holdfast_queue_depth", 1, mapping="app")
        return hf, be, slow, queued

    def test_queue_full_503_is_immediate(self):
        hf, be, slow, queued = self.full_queue()
        # Both of these find the queue full: the 503s come while the backend
        # is paused, so they never waited for it.
        results = run_in_threads([get_fresh(hf.port, "/hello?extra=%d" % i, timeout=5)
                                  for i in range(2)], timeout=10)
        codes = [r.status if not isinstance(r, BaseException) else r for r in results]
        self.assertEqual(codes, [503, 503])
        be.resume()
        self.assertEqual(slow.read_response().status, 200)
        self.assertEqual(queued.read_response().status, 200)

    def test_slot_freed_in_same_turn_makes_room(self):
        # The freed slot is filled at the end of holdfast's loop turn; a
        # request read earlier in that turn must see the room it makes.
        # Holdfast is stopped while the backend answers A and then C sends,
        # so both arrive in one turn, in that order.
        hf, be, a, b = self.full_queue()
        c = self.connect(hf.port)
        hf.wait_metric("holdfast_client_connections", 1, mapping="app", state="idle")
        hf.pause()
        try:
            be.resume()
            be.wait_for_done(1)
            # A's whole response, and the backend's FIN, wait in holdfast's
            # socket: the backend has closed its end.
            harness.wait_until(lambda: any(
                s["rport"] == be.port and s["state"] == harness.TCP_CLOSE_WAIT
                for s in harness.tcp_sockets()), 10,
                what="the backend to close its connection to holdfast")
            # Loopback delivers during send(): C's bytes are in holdfast's
            # socket when it returns.
            c.send(request("GET", "/hello?c"))
        finally:
            hf.resume()
        self.assertEqual(a.read_response().status, 200)
        self.assertEqual(b.read_response().status, 200)
        self.assertEqual(c.read_response().status, 200)

    def test_queue_timeout_gets_503(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, backend_max_conns=1, queue_timeout="500ms")
        be.pause()  # the slot stays taken, however slow the machine
        slow = self.connect(hf.port)
        slow.send(request("GET", "/hello?slow"))
        be.wait_connections(1)
        t0 = time.monotonic()
        c = self.connect(hf.port)
        r = c.exchange(request("GET", "/hello?timed-out"))
        waited = time.monotonic() - t0
        self.assertHoldfastError(r, 503)
        self.assertGreaterEqual(waited, 0.4, "503 before queue_timeout")
        # Not enforced, it would wait for the paused backend: the socket
        # timeout (5 s) would fail the exchange. This bound leaves room for
        # a loaded machine.
        self.assertLess(waited, 4, "queue_timeout not enforced")
        self.assertTrue(c.closed_within(3))
        be.resume()
        self.assertEqual(slow.read_response().status, 200)
        # Afterwards the backend is free again and the timed-out request was
        # never sent to it.
        self.assertEqual(harness.get(hf.port, "/hello?after").status, 200)
        targets = [q["target"] for q in be.requests()]
        self.assertEqual(targets, ["/hello?slow", "/hello?after"])

    def test_client_leaving_queue_is_never_forwarded(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, backend_max_conns=1, admin=True)
        be.pause()  # the slot stays taken until both have left
        slow = self.connect(hf.port)
        slow.send(request("GET", "/hello?slow"))
        be.wait_connections(1)
        gone = self.connect(hf.port)
        gone.send(request("GET", "/hello?abandoned"))
        gone2 = self.connect(hf.port)
        gone2.send(request("POST", "/echo?abandoned-reset", body=b"x" * 100))
        hf.wait_metric("holdfast_client_connections", 2, mapping="app", state="queued")
        gone.close()
        gone2.reset()
        hf.wait_metric("holdfast_client_connections", 0, mapping="app", state="queued")
        stays = self.connect(hf.port)
        stays.send(request("GET", "/hello?stays"))
        hf.wait_metric("holdfast_client_connections", 1, mapping="app", state="queued")
        be.resume()
        self.assertEqual(slow.read_response().status, 200)
        self.assertEqual(stays.read_response().status, 200)
        be.wait_for_done(2)
        targets = [q["target"] for q in be.requests()]
        self.assertEqual(targets, ["/hello?slow", "/hello?stays"],
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
        be.wait_for_done(1, timeout=30)
        # And the slot is free: held by the lazy client, this request would
        # never be answered (no time bound needed, the socket's will do).
        r = harness.get(hf.port, "/hello?other", timeout=10)
        self.assertEqual(r.status, 200)
        # The lazy client still gets every byte.
        r = lazy.read_response()
        self.assertEqual(len(r.body), big)
        self.assertTrue(r.body == harness.pattern(big), "spilled body differs")

    def test_two_backends_share_load(self):
        be1 = self.start_backend()
        be2 = self.start_backend()
        hf = self.start_holdfast(backend=[be1, be2], backend_max_conns=1)
        # Both backends paused: the two requests are sent at the same time,
        # one to each, however the client is scheduled.
        be1.pause()
        be2.pause()
        conns = [self.connect(hf.port, timeout=10) for _ in range(2)]
        for i, c in enumerate(conns):
            c.send(request("GET", "/hello?c=%d" % i))
        harness.wait_until(lambda: be1.connections() == 1 and be2.connections() == 1,
                           10, what="one connection to each backend at once")
        be1.resume()
        be2.resume()
        self.check_all_ok([c.read_response() for c in conns])
        self.assertEqual(len(be1.requests()), 1)
        self.assertEqual(len(be2.requests()), 1)


if __name__ == "__main__":
    harness.main()
