#!/usr/bin/env python3
"""request_id and request_start (SPEC.md, "Operators").

- request_id = HEADER: a request without that header reaches the backend
  with 32 hex digits in it, and the access log has the same id (text
  `request_id=`, JSON `request_id`); a client's valid token of at most 128
  bytes is kept; an invalid or oversized one, or two of them, is replaced.
- request_start = on: the backend gets X-Request-Start: t=<microseconds
  since the epoch> within a second of the clock, and a client's own is
  dropped.
- Both off (the default): the backend sees neither header added.
"""

import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import request  # noqa: E402

HEX32 = re.compile(r"[0-9a-f]{32}\Z")


class RequestIdTest(harness.TestCase):

    def setUp(self):
        self.be = self.start_backend()

    def send(self, hf, target, headers=()):
        with harness.Conn(hf.port) as c:
            r = c.exchange(request(target=target, headers=list(headers)))
        self.assertEqual(r.status, 200)
        got = [q for q in self.be.requests() if q["target"] == target]
        self.assertEqual(len(got), 1, target)
        return got[0]

    def log_line(self, hf, target):
        return harness.wait_until(
            lambda: next((l for l in hf.access_log() if target in l), None),
            what="the access-log line of " + target)

    def test_ids_at_the_backend_and_in_the_text_log(self):
        hf = self.start_holdfast(backend=self.be, request_id="X-Request-Id")
        # Absent: made up, 32 hex digits, the same in the log.
        q = self.send(hf, "/hello?absent")
        ids = harness.header_values(q["headers"], "X-Request-Id")
        self.assertEqual(len(ids), 1, q["headers"])
        self.assertRegex(ids[0], HEX32)
        self.assertIn(" request_id=%s" % ids[0], self.log_line(hf, "/hello?absent"))
        # Two requests never share an id.
        q2 = self.send(hf, "/hello?absent2")
        self.assertNotEqual(harness.header_values(q2["headers"], "X-Request-Id"), ids)
        # A valid client token (any case of the name, 128 bytes) is kept.
        mine = "abc-DEF_123.~!" + "x" * (128 - 14)
        q = self.send(hf, "/hello?kept", [("x-request-id", mine)])
        self.assertEqual(harness.header_values(q["headers"], "X-Request-Id"), [mine])
        self.assertIn(" request_id=%s" % mine, self.log_line(hf, "/hello?kept"))
        # Invalid: not a token, too long, empty, or given twice.
        for i, hdrs in enumerate(([("X-Request-Id", "has space")],
                                  [("X-Request-Id", "y" * 129)],
                                  [("X-Request-Id", "")],
                                  [("X-Request-Id", "a"), ("X-Request-Id", "b")],
                                  [("X-Request-Id", "a\"b")])):
            with self.subTest(headers=hdrs):
                target = "/hello?replaced=%d" % i
                q = self.send(hf, target, hdrs)
                got = harness.header_values(q["headers"], "X-Request-Id")
                self.assertEqual(len(got), 1, q["headers"])
                self.assertRegex(got[0], HEX32)
                self.assertIn(" request_id=%s" % got[0], self.log_line(hf, target))

    def test_json_log_carries_the_id(self):
        hf = self.start_holdfast(backend=self.be, request_id="X-Trace",
                                 global_conf={"access_log_format": "json"})
        q = self.send(hf, "/hello?json")
        rid = harness.header_values(q["headers"], "X-Trace")
        self.assertEqual(len(rid), 1, q["headers"])
        d = json.loads(self.log_line(hf, "/hello?json"))
        self.assertEqual(d["request_id"], rid[0])
        self.assertRegex(d["request_id"], HEX32)

    def test_request_start(self):
        hf = self.start_holdfast(backend=self.be, request_start=True)
        before = time.time()
        q = self.send(hf, "/hello?start", [("X-Request-Start", "t=1")])
        after = time.time()
        vals = harness.header_values(q["headers"], "X-Request-Start")
        self.assertEqual(len(vals), 1, "client's X-Request-Start kept: %r" % vals)
        m = re.match(r"t=(\d{16})\Z", vals[0])
        self.assertTrue(m, vals)
        t = int(m.group(1)) / 1e6
        self.assertGreater(t, before - 1)
        self.assertLess(t, after + 1)

    def test_off_by_default(self):
        hf = self.start_holdfast(backend=self.be)
        q = self.send(hf, "/hello?off", [("X-Request-Id", "client-id")])
        self.assertEqual(harness.header_values(q["headers"], "X-Request-Id"),
                         ["client-id"])
        self.assertEqual(harness.header_values(q["headers"], "X-Request-Start"), [])
        self.assertNotIn("request_id=", self.log_line(hf, "/hello?off"))


if __name__ == "__main__":
    harness.main()
