#!/usr/bin/env python3
"""Idle floods: at max_clients, holdfast closes the connection idle longest
to make room for a new one (as nginx reuses idle connections), across every
mapping; only when no connection is idle does accepting pause.

- max_clients = 200 all held by idle connections: a real request and the
  health path are answered within 1 s, and the connections closed to make
  room are the oldest of the flood (opened in two batches, the first goes).
- Two mappings with different idle timeouts: the oldest idle connection is
  picked by when it went idle, not by when its timeout falls due.
- A connection between requests counts as idle like one that sent nothing.
"""

import os
import select
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import request  # noqa: E402


def closed_by_peer(conn):
    """True when holdfast has closed conn (end of stream or a reset)."""
    r, _, _ = select.select([conn.sock], [], [], 0)
    if not r:
        return False
    try:
        return conn.sock.recv(1) == b""
    except ConnectionResetError:
        return True


class IdleFloodTest(harness.TestCase):

    def flood(self, hf, n, name=None, mapping="app"):
        """Opens n connections and waits until holdfast holds all of them as
        idle; returns them in the order they were opened."""
        before = hf.metric("holdfast_client_connections", mapping=mapping,
                           state="idle")
        conns = [self.connect(hf.ports[name] if name else hf.port)
                 for _ in range(n)]
        hf.wait_metric("holdfast_client_connections", before + n,
                       mapping=mapping, state="idle")
        return conns

    def wait_closed(self, conns, n):
        """Waits until exactly n of conns are closed by holdfast (never
        more); returns their indexes."""
        harness.wait_until(
            lambda: sum(closed_by_peer(c) or c.eof for c in conns) >= n,
            5, what="%d connections closed" % n)
        return [i for i, c in enumerate(conns) if c.eof or closed_by_peer(c)]

    def test_idle_flood_makes_room_oldest_first(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, admin=True, health_path="/healthz",
                                 client_idle_timeout="60s",
                                 global_conf={"max_clients": 200})
        first = self.flood(hf, 100)
        # A pause, so the first batch has been idle clearly longer.
        time.sleep(0.2)
        second = self.flood(hf, 100)
        self.assertEqual(hf.metric("holdfast_idle_closed_total"), 0)

        # Both stay open, so each needs room of its own.
        t0 = time.monotonic()
        r = self.connect(hf.port, timeout=3).exchange(request("GET", "/hello"))
        t_req = time.monotonic() - t0
        self.assertEqual((r.status, r.body), (200, b"hello\n"))
        t0 = time.monotonic()
        h = self.connect(hf.port, timeout=3).exchange(request("GET", "/healthz"))
        t_health = time.monotonic() - t0
        self.assertEqual(h.status, 200)
        self.assertLess(t_req, 1.0, "request answered after %.2fs" % t_req)
        self.assertLess(t_health, 1.0, "health answered after %.2fs" % t_health)

        # Two connections came, two idle ones went: the two opened first.
        self.assertEqual(self.wait_closed(first, 2), [0, 1])
        self.assertFalse(any(closed_by_peer(c) for c in second),
                         "a connection of the newer batch was closed")
        self.assertEqual(hf.metric("holdfast_idle_closed_total"), 2)
        # The survivors are served as usual.
        self.assertEqual(first[2].exchange(request("GET", "/hello")).status, 200)
        self.assertEqual(second[0].exchange(request("GET", "/hello")).status, 200)

    def test_oldest_across_mappings_by_idle_age(self):
        be = self.start_backend()
        # "short" times out sooner, so its connections fall due first; the
        # ones of "long" have still been idle longer, and go first.
        hf = self.start_holdfast(admin=True, global_conf={"max_clients": 10},
                                 mappings={
                                     "long": {"backend": be,
                                              "client_idle_timeout": "60s"},
                                     "short": {"backend": be,
                                               "client_idle_timeout": "30s"},
                                 })
        old = self.flood(hf, 5, "long", "long")
        time.sleep(0.2)
        young = self.flood(hf, 5, "short", "short")
        r = self.connect(hf.ports["short"], timeout=3).exchange(
            request("GET", "/hello"))
        self.assertEqual(r.status, 200)
        self.assertEqual(self.wait_closed(old, 1), [0])
        self.assertFalse(any(closed_by_peer(c) for c in young))

    def test_connection_going_idle_makes_room_for_a_waiting_one(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, admin=True,
                                 client_header_timeout="30s",
                                 global_conf={"max_clients": 5})
        # Every connection mid-request: none idle, nothing to close.
        busy = [self.connect(hf.port) for _ in range(5)]
        for c in busy:
            c.send(b"GET /hello HTTP/1.1\r\nHost: x\r\n")
        hf.wait_metric("holdfast_client_connections", 5, mapping="app",
                       state="reading")
        waiting = self.connect(hf.port, timeout=10)
        waiting.send(request("GET", "/hello?waiting"))
        # One finishes its request and goes idle between requests: it is
        # closed to make room, and the waiting connection is served.
        busy[0].send(b"\r\n")
        self.assertEqual(busy[0].read_response().status, 200)
        t0 = time.monotonic()
        r = waiting.read_response()
        took = time.monotonic() - t0
        self.assertEqual(r.status, 200)
        self.assertLess(took, 2.0, "the waiting connection took %.2f s" % took)
        self.assertTrue(busy[0].closed_within(3))
        self.assertEqual(hf.metric("holdfast_idle_closed_total"), 1)

    def test_between_requests_counts_as_idle(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, admin=True,
                                 global_conf={"max_clients": 3})
        used = self.connect(hf.port)
        self.assertEqual(used.exchange(request("GET", "/hello")).status, 200)
        # The others are in the middle of a request head: not idle.
        busy = [self.connect(hf.port) for _ in range(2)]
        for c in busy:
            c.send(b"GET /hello HTTP/1.1\r\n")
        hf.wait_metric("holdfast_client_connections", 2, mapping="app",
                       state="reading")
        r = self.connect(hf.port, timeout=3).exchange(request("GET", "/hello"))
        self.assertEqual(r.status, 200)
        self.assertEqual(self.wait_closed([used] + busy, 1), [0])


if __name__ == "__main__":
    harness.main()
