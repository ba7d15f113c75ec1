#!/usr/bin/env python3
"""The seed case: idle connections block a single-threaded server, and holdfast
in front of it makes them harmless.

- Alone, examples/legacy_app.py hangs: with ONE idle connection held open to
  it, a GET gets no answer within 2 s.
- Behind holdfast, with 20 idle connections held open to holdfast, a GET
  answers 200 within 2 s, and the idle connections never reach the backend.
"""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Conn, request  # noqa: E402

# How long the legacy app alone must stay silent to count as hung; and the
# bound on an answer through holdfast, whose failure is a hang too, so it
# leaves room for a loaded machine.
HANG_WINDOW = 2.0
ANSWER_WITHIN = 5.0
IDLE_CONNECTIONS = 20


class SeedTest(harness.TestCase):

    def start_legacy(self):
        app = harness.LegacyApp()
        self.addCleanup(app.close)
        return app

    def hold_idle(self, port, n):
        conns = []
        for _ in range(n):
            c = self.connect(port)
            conns.append(c)
        return conns

    def test_backend_alone_hangs_on_one_idle_connection(self):
        app = self.start_legacy()
        idle = self.hold_idle(app.port, 1)
        c = self.connect(app.port, timeout=HANG_WINDOW)
        c.send(request("GET", "/", host="legacy"))
        with self.assertRaises(socket.timeout,
                               msg="the single-threaded app answered despite an "
                                   "idle connection: the seed case is not reproduced"):
            c.read_some()
        # Once the idle connection goes, the app serves the waiting request:
        # it was the idle connection that blocked it.
        idle[0].close()
        c.settimeout(5)
        r = c.read_response()
        self.assertEqual(r.status, 200)
        self.assertIn(b"legacy app", r.body)

    def test_holdfast_answers_despite_20_idle_connections(self):
        app = self.start_legacy()
        hf = self.start_holdfast(backend=app.addr)
        self.hold_idle(hf.port, IDLE_CONNECTIONS)
        for i in range(3):
            t0 = time.monotonic()
            with Conn(hf.port, timeout=ANSWER_WITHIN) as c:
                r = c.exchange(request("GET", "/", host="legacy"))
            elapsed = time.monotonic() - t0
            self.assertEqual(r.status, 200, r)
            self.assertIn(b"Hello from the legacy app", r.body)
            self.assertLess(elapsed, ANSWER_WITHIN)

    def test_idle_connections_never_reach_the_backend(self):
        be = self.start_backend()
        before = len(be.requests())
        hf = self.start_holdfast(backend=be)
        idle = self.hold_idle(hf.port, IDLE_CONNECTIONS)
        r = harness.get(hf.port, "/hello", timeout=ANSWER_WITHIN)
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"hello\n")
        reqs = be.requests()[before:]
        self.assertEqual([q["target"] for q in reqs], ["/hello"])
        # The idle connections are still open and still usable afterwards.
        r2 = idle[7].exchange(request("GET", "/hello?late"))
        self.assertEqual(r2.status, 200)
        self.assertEqual(be.requests()[-1]["target"], "/hello?late")

    def test_slow_request_does_not_block_idle_clients_from_connecting(self):
        # While the app works on /slow, new clients still connect and are
        # held by holdfast (they get their answers after it, in turn).
        app = self.start_legacy()
        hf = self.start_holdfast(backend=app.addr)
        slow = self.connect(hf.port)
        slow.send(request("GET", "/slow?s=0.5", host="legacy"))
        self.hold_idle(hf.port, IDLE_CONNECTIONS)
        fast = self.connect(hf.port, timeout=ANSWER_WITHIN + 1)
        fast.send(request("GET", "/", host="legacy"))
        self.assertEqual(slow.read_response().status, 200)
        self.assertEqual(fast.read_response().status, 200)


if __name__ == "__main__":
    harness.main()
