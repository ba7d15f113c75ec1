#!/usr/bin/env python3
"""health_path, health_check and max_clients.

- health_path is answered by holdfast itself: 200 with a JSON body while a
  backend address is up, never queued (it answers while the backend is busy)
  and never sent to the backend; 503 once every address is down.
- health_check probes each address with a fresh connection every
  health_interval: a dead address is marked down without any client
  request, and up again when it comes back.
- max_clients: at the cap, with no connection idle, holdfast stops accepting
  until a connection closes (idle ones are closed to make room:
  test_idle_flood.py).
"""

import json
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import request  # noqa: E402


class HealthTest(harness.TestCase):

    def health(self, port, timeout=3):
        return harness.get(port, "/healthz", timeout=timeout)

    def test_health_path_answered_by_holdfast(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, health_path="/healthz")
        r = self.health(hf.port)
        self.assertEqual(r.status, 200)
        doc = json.loads(r.body.decode("utf-8"))
        self.assertIsInstance(doc, dict)
        # Other paths still go to the backend, on the same connection too.
        c = self.connect(hf.port)
        self.assertEqual(c.exchange(request("GET", "/healthz")).status, 200)
        self.assertEqual(c.exchange(request("GET", "/hello")).body, b"hello\n")
        self.assertEqual([q["target"] for q in be.requests()], ["/hello"],
                         "the health path reached the backend")

    def test_health_path_not_queued(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, health_path="/healthz",
                                 backend_max_conns=1)
        # The backend is paused with a request sent to it and one queued:
        # a health answer that waited in the queue would never come.
        be.pause()
        busy = self.connect(hf.port)
        busy.send(request("GET", "/hello?busy"))
        be.wait_connections(1)
        queued = self.connect(hf.port)
        queued.send(request("GET", "/hello?queued"))
        r = self.health(hf.port)
        self.assertEqual(r.status, 200)
        self.assertEqual(be.requests(), [], "answered by the backend")
        be.resume()
        self.assertEqual(busy.read_response().status, 200)
        self.assertEqual(queued.read_response().status, 200)

    def test_health_503_when_every_backend_down(self):
        hf = self.start_holdfast(backend=harness.dead_port(), health_path="/healthz",
                                 backend_connect_timeout="500ms")
        # A refused connection marks the address down (passive check).
        r = harness.get(hf.port, "/hello")
        self.assertEqual(r.status, 502)
        harness.wait_until(lambda: self.health(hf.port).status == 503, 3,
                           what="/healthz to say 503")

    def test_health_200_while_one_backend_up(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=[harness.dead_port(), be],
                                 health_path="/healthz")
        for _ in range(3):
            self.assertEqual(harness.get(hf.port, "/hello").status, 200)
        self.assertEqual(self.health(hf.port).status, 200)

    def test_active_health_check(self):
        port = harness.dead_port()
        try:
            hf = self.start_holdfast(backend=port, health_path="/healthz",
                                     health_check="/hello", health_interval="200ms")
        except RuntimeError as e:
            # A build may refuse the key outright; say so rather than fail.
            if "not supported by this build" in str(e):
                self.skipTest("holdfast says: health_check not supported by this build")
            raise
        harness.wait_until(lambda: self.health(hf.port).status == 503, 5,
                           what="the dead address to be marked down by a probe")
        be = harness.Backend(os.path.join(harness.BACKENDS, "recording_backend.py"),
                             port=port)
        self.addCleanup(be.close)
        harness.wait_until(lambda: self.health(hf.port).status == 200, 5,
                           what="the address to be marked up again")
        probes = [q for q in be.requests() if q["target"] == "/hello"]
        self.assertGreaterEqual(len(probes), 1, "no probe reached the backend")
        self.assertEqual(harness.get(hf.port, "/hello?real").status, 200)
        # Probes use their own connections, one at a time.
        be.wait_for_done(len(be.requests()))
        self.assertEqual(be.max_concurrent(), 1)

    def test_max_clients_pauses_accepting(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, global_conf={"max_clients": 3})
        held = [self.connect(hf.port) for _ in range(3)]
        # Each is inside a request head, so none is idle to be closed.
        for c in held:
            c.send(b"GET /hello HTTP/1.1\r\n")
        # The kernel completes the handshake of a fourth, but holdfast does
        # not accept it: its request waits.
        extra = self.connect(hf.port, timeout=0.7)
        extra.send(request("GET", "/hello?fourth"))
        with self.assertRaises(socket.timeout, msg="a fourth client was served"):
            extra.read_some()
        held[0].close()
        extra.settimeout(3)
        r = extra.read_response()
        self.assertEqual((r.status, r.body), (200, b"hello\n"))
        held[1].send(b"Host: a\r\n\r\n")
        self.assertEqual(held[1].read_response().status, 200)


if __name__ == "__main__":
    harness.main()
