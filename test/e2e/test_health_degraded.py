#!/usr/bin/env python3
"""health_path's "degraded": still 200, reported while a backend holds a
request past backend_timeout (a hung backend that trickles bytes never trips
the timeout, which measures silence) or while the queue head has waited past
half of queue_timeout; "up" otherwise.

Each health answer is checked against its own figures (oldest_in_flight_ms,
oldest_queued_ms), so the test never depends on how fast the machine is.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import request  # noqa: E402


class DegradedTest(harness.TestCase):

    def health(self, port):
        r = harness.get(port, "/healthz", timeout=3)
        self.assertEqual(r.status, 200, r)
        return json.loads(r.body.decode("utf-8"))

    def watch_until_degraded(self, port, expect):
        """Polls the health path until it says "degraded"; every answer on
        the way must be what expect(doc) says of its own figures."""
        seen = []

        def cond():
            doc = self.health(port)
            seen.append(doc)
            self.assertEqual(doc["status"], expect(doc), doc)
            return doc["status"] == "degraded"
        harness.wait_until(cond, 10, what="a degraded health answer")
        return seen

    def test_trickling_backend_past_backend_timeout(self):
        be = self.start_raw_backend("trickle")
        hf = self.start_holdfast(backend=be, health_path="/healthz",
                                 backend_timeout="400ms")
        self.assertEqual(self.health(hf.port)["status"], "up")
        c = self.connect(hf.port)
        c.send(request("GET", "/slow"))
        be.wait_for_requests(1)
        seen = self.watch_until_degraded(
            hf.port, lambda d: "degraded" if d["oldest_in_flight_ms"] > 400
            else "up")
        self.assertEqual(seen[-1]["in_flight"], 1)

    def test_queue_head_past_half_queue_timeout(self):
        be = self.start_raw_backend("silent")
        hf = self.start_holdfast(backend=be, health_path="/healthz",
                                 backend_timeout="30s", queue_timeout="2s")
        busy = self.connect(hf.port)
        busy.send(request("GET", "/busy"))
        be.wait_for_requests(1)
        queued = self.connect(hf.port)
        queued.send(request("GET", "/queued"))
        seen = self.watch_until_degraded(
            hf.port, lambda d: "degraded" if d["oldest_queued_ms"] > 1000
            else "up")
        self.assertEqual(seen[-1]["queue_depth"], 1)
        # Then the queue timeout answers the waiting request, as always.
        queued.settimeout(5)
        self.assertEqual(queued.read_response().status, 503)


if __name__ == "__main__":
    harness.main()
