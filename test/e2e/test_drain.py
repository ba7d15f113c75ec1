#!/usr/bin/env python3
"""Stopping without dropping: with drain_delay, SIGTERM turns every health
answer to 503 at once while holdfast keeps accepting and serving, each
response with Connection: close; only then does it stop accepting and drain.
A request written on a connection holdfast had not closed is always
answered."""

import signal
import threading
import time

import harness
from harness import request

CLIENTS = 8


class KeepAliveClient(threading.Thread):
    """A load balancer's connection: requests back to back on one
    keep-alive connection, a new connection when told Connection: close,
    until holdfast refuses new connections."""

    def __init__(self, port, deadline):
        super().__init__(daemon=True)
        self.port = port
        self.deadline = deadline
        self.answered = 0
        self.closes = 0
        self.lost = []   # requests written that got no response
        self.refused = False

    def run(self):
        conn = None
        n = 0
        while time.monotonic() < self.deadline:
            if conn is None:
                try:
                    conn = harness.Conn(self.port, timeout=10)
                except OSError:
                    self.refused = True
                    return
            n += 1
            try:
                conn.send(request("GET", "/hello?n=%d" % n))
            except OSError:
                # Not written: holdfast had closed the connection already.
                conn.close()
                conn = None
                continue
            try:
                r = conn.read_response()
            except Exception as e:  # noqa: BLE001 - any failure is a loss
                self.lost.append("%d: %s" % (n, e))
                conn.close()
                conn = None
                continue
            if r.status != 200:
                self.lost.append("%d: status %d" % (n, r.status))
            self.answered += 1
            if "close" in r.connection_tokens():
                self.closes += 1
                conn.close()
                conn = None
        if conn is not None:
            conn.close()


class DrainTest(harness.TestCase):

    def test_drain_delay_keeps_serving_and_loses_nothing(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, health_path="/healthz", admin=True,
                                 global_conf={"drain_delay": "1500ms",
                                              "shutdown_timeout": "10s"})
        self.assertEqual(harness.get(hf.port, "/healthz").status, 200)
        clients = [KeepAliveClient(hf.port, time.monotonic() + 20)
                   for _ in range(CLIENTS)]
        for c in clients:
            c.start()
        harness.wait_until(lambda: all(c.answered >= 5 for c in clients), 10,
                           what="every client answered 5 times")
        hf.send_signal(signal.SIGTERM)
        sent = time.monotonic()

        def health_says_503():
            return harness.get(hf.port, "/healthz").status == 503
        harness.wait_until(health_says_503, 2, interval=0.01,
                           what="health_path to say 503")
        self.assertLess(time.monotonic() - sent, 0.2,
                        "health_path said 503 only after %.3f s"
                        % (time.monotonic() - sent))
        self.assertEqual(harness.get(hf.admin_port, "/healthz").status, 503)
        # Still serving during the delay, each answer closing its connection.
        during = [c.answered for c in clients]
        harness.wait_until(lambda: sum(c.answered for c in clients) > sum(during) + 8,
                           5, what="requests answered during drain_delay")
        for c in clients:
            c.join(25)
        self.assertEqual(hf.wait(15), 0)
        lost = [l for c in clients for l in c.lost]
        self.assertEqual(lost, [], "requests written but not answered")
        self.assertTrue(all(c.refused for c in clients),
                        "holdfast kept accepting after the drain")
        self.assertTrue(all(c.closes > 0 for c in clients))

    def test_idle_keepalive_connection_is_served_during_the_delay(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, health_path="/healthz",
                                 global_conf={"drain_delay": "2s"})
        c = self.connect(hf.port)
        r = c.exchange(request("GET", "/hello"))
        self.assertEqual(r.status, 200)
        self.assertNotIn("close", r.connection_tokens())
        hf.send_signal(signal.SIGTERM)
        harness.wait_until(lambda: harness.get(hf.port, "/healthz").status == 503,
                           2, what="health_path to say 503")
        # The kept-alive connection is still open: its next request is
        # answered, and told to close.
        r = c.exchange(request("GET", "/hello?after"))
        self.assertEqual(r.status, 200)
        self.assertIn("close", r.connection_tokens())
        self.assertTrue(c.closed_within(3))
        self.assertEqual(hf.wait(10), 0)

    def test_no_drain_delay_stops_accepting_at_once(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be)
        hf.send_signal(signal.SIGTERM)
        self.assertEqual(hf.wait(10), 0)


if __name__ == "__main__":
    harness.main()
