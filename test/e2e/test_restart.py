#!/usr/bin/env python3
"""Losing nothing when the app restarts: requests wait for a refusing
address to come back instead of failing, an idempotent request reset before
any answer is sent once more, and a backend gone for good gives 502 by the
bound (backend_connect_timeout)."""

import os
import signal
import threading
import time

import harness
from harness import request

# How long the app stays away: the scenario under test, not a wait.
OUTAGE_S = 2.0


class Loop:
    """Clients that each send GETs on fresh connections, one after another,
    until stopped; every result is kept with its times."""

    def __init__(self, port, clients=4):
        self.port = port
        self.results = []  # (sent, done, status or exception text)
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True)
                        for i in range(clients)]
        for t in self.threads:
            t.start()

    def run(self, i):
        n = 0
        while not self.stopping.is_set() and n < 2000:
            n += 1
            sent = time.monotonic()
            try:
                status = harness.get(self.port, "/hello?c=%d&n=%d" % (i, n),
                                     timeout=15).status
            except Exception as e:  # noqa: BLE001 - any failure counts
                status = "%s: %s" % (type(e).__name__, e)
            with self.lock:
                self.results.append((sent, time.monotonic(), status))

    def count(self):
        with self.lock:
            return len(self.results)

    def stop(self):
        self.stopping.set()
        for t in self.threads:
            t.join(30)
        return list(self.results)


class RestartTest(harness.TestCase):

    def test_backend_restart_under_a_request_loop(self):
        be = self.start_backend()
        port = be.port
        hf = self.start_holdfast(backend=be, health_path="/healthz")
        loop = Loop(hf.port)
        self.addCleanup(loop.stop)
        harness.wait_until(lambda: loop.count() >= 20, 10, what="20 requests")
        be.stop(signal.SIGKILL)
        killed = time.monotonic()
        harness.wait_until(lambda: harness.get(hf.port, "/healthz").status == 503,
                           2, what="health_path to say 503 with the app gone")
        time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - killed)))
        be2 = harness.Backend(os.path.join(harness.BACKENDS, "recording_backend.py"),
                              port=port)
        self.addCleanup(be2.close)
        back = time.monotonic()
        harness.wait_until(lambda: len(be2.done()) >= 20, 10,
                           what="20 requests served after the restart")
        results = loop.stop()
        failed = [r for r in results if r[2] != 200]
        self.assertLessEqual(len(failed), 1, "lost: %r" % failed[:5])
        first_after = min(r[1] for r in results if r[2] == 200 and r[1] > back)
        self.assertLess(first_after - back, 0.5,
                        "first 200 came %.2f s after the app was back"
                        % (first_after - back))
        self.assertEqual(harness.get(hf.port, "/healthz").status, 200)
        self.assertEqual(hf.stop(signal.SIGTERM, 10), 0)

    def test_queued_requests_wait_out_a_kill(self):
        be = self.start_backend()
        port = be.port
        hf = self.start_holdfast(backend=be, admin=True)
        slow = self.connect(hf.port)
        slow.send(request("GET", "/sleep?ms=10000"))
        be.wait_for_requests(1)
        queued = []
        for i in range(5):
            c = self.connect(hf.port, timeout=20)
            c.send(request("GET", "/hello?q=%d" % i))
            queued.append(c)
        harness.wait_until(lambda: hf.metric("holdfast_queue_depth") == 5, 5,
                           what="5 requests queued")
        be.stop(signal.SIGKILL)
        time.sleep(OUTAGE_S / 4)
        be2 = harness.Backend(os.path.join(harness.BACKENDS, "recording_backend.py"),
                              port=port)
        self.addCleanup(be2.close)
        for i, c in enumerate(queued):
            r = c.read_response()
            self.assertEqual((r.status, r.body), (200, b"hello\n"), "queued %d" % i)
        # Arrival order kept across the outage.
        targets = [q["target"] for q in be2.requests()]
        hellos = [t for t in targets if t.startswith("/hello")]
        self.assertEqual(hellos, ["/hello?q=%d" % i for i in range(5)])

    def test_backend_gone_for_good_gets_502_by_the_bound(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, backend_connect_timeout="1s",
                                 health_path="/healthz")
        self.assertEqual(harness.get(hf.port, "/hello").status, 200)
        be.stop(signal.SIGKILL)
        results = []

        def one(i):
            t = time.monotonic()
            try:
                status = harness.get(hf.port, "/hello?%d" % i, timeout=10).status
            except Exception as e:  # noqa: BLE001
                status = repr(e)
            results.append((status, time.monotonic() - t))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(15)
        self.assertEqual(len(results), 5)
        for status, took in results:
            self.assertEqual(status, 502, results)
            # The bound is backend_connect_timeout, checked every 200 ms.
            self.assertLess(took, 1.0 + 1.0, results)
        self.assertEqual(harness.get(hf.port, "/healthz").status, 503)

    def test_bound_holds_with_addresses_down_by_health_check(self):
        # Down by a failed probe (not by a refused request): the bound is
        # still backend_connect_timeout, not queue_timeout.
        hf = self.start_holdfast(backend=harness.dead_port(), health_path="/healthz",
                                 health_check="/", health_interval="200ms",
                                 backend_connect_timeout="1s", queue_timeout="20s")
        harness.wait_until(lambda: harness.get(hf.port, "/healthz").status == 503,
                           5, what="the probe to mark the address down")
        t = time.monotonic()
        r = harness.get(hf.port, "/hello", timeout=10)
        took = time.monotonic() - t
        self.assertEqual(r.status, 502)
        self.assertLess(took, 1.0 + 1.0, "waited %.2f s" % took)

    def test_idempotent_request_reset_before_answer_is_sent_again(self):
        be = self.start_raw_backend("reset-first")
        hf = self.start_holdfast(backend=be, admin=True)
        r = harness.get(hf.port, "/again")
        self.assertEqual(r.status, 200)
        self.assertEqual(len(be.requests()), 2)
        self.assertEqual(hf.metric("holdfast_backend_retries_total", mapping="app"), 1)

    def test_post_reset_before_answer_is_not_sent_again(self):
        be = self.start_raw_backend("reset-first")
        hf = self.start_holdfast(backend=be)
        c = self.connect(hf.port)
        r = c.exchange(request("POST", "/once", body=b"pay=1"))
        self.assertHoldfastError(r, 502)
        self.assertEqual(len(be.requests()), 1)


if __name__ == "__main__":
    harness.main()
