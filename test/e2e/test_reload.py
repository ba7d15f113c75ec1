#!/usr/bin/env python3
"""SIGHUP reloads the configuration file.

- A changed setting takes effect; no connection is refused during reloads
  for an address in both the old and the new file.
- A new mapping opens; a removed one stops accepting, and its in-flight
  request still completes.
- A bad file is logged and the running configuration kept.
"""

import os
import signal
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import header_values, request  # noqa: E402

APPLY_WITHIN = 5.0


class ReloadTest(harness.TestCase):

    def setUp(self):
        self.be = self.start_backend()

    def last_xff(self, port):
        """Makes one request; returns the X-Forwarded-For values the backend
        saw for it."""
        tag = "/hello?t=%f" % time.monotonic()
        r = harness.get(port, tag)
        self.assertEqual(r.status, 200)
        rec = [q for q in self.be.requests() if q["target"] == tag][-1]
        return header_values(rec["headers"], "X-Forwarded-For")

    def test_changed_setting_applies(self):
        hf = self.start_holdfast(backend=self.be, forwarded_for=True)
        self.assertEqual(self.last_xff(hf.port), ["127.0.0.1"])
        hf.write_config({"app": {"backend": self.be, "forwarded_for": False}})
        hf.send_signal(signal.SIGHUP)
        harness.wait_until(lambda: self.last_xff(hf.port) == [], APPLY_WITHIN,
                           what="forwarded_for = off to apply")
        self.assertIsNone(hf.poll())

    def test_no_connection_refused_during_reloads(self):
        hf = self.start_holdfast(backend=self.be)
        stop = threading.Event()
        failures = []
        count = [0]

        def hammer():
            while not stop.is_set():
                try:
                    r = harness.get(hf.port, "/hello?hammer", timeout=3)
                    if r.status != 200:
                        failures.append(r)
                except Exception as e:  # reported below
                    failures.append(e)
                count[0] += 1

        t = threading.Thread(target=hammer, daemon=True)
        t.start()
        try:
            for i in range(6):
                xff = i % 2 == 1
                hf.write_config({"app": {"backend": self.be, "forwarded_for": xff}})
                hf.send_signal(signal.SIGHUP)
                want = ["127.0.0.1"] if xff else []
                harness.wait_until(lambda: self.last_xff(hf.port) == want, APPLY_WITHIN,
                                   what="reload %d to apply" % i)
            # Requests flowed across the reloads (however slow the machine).
            harness.wait_until(lambda: count[0] > 5, 10, what="6 requests")
        finally:
            stop.set()
            t.join(10)
        self.assertEqual(failures, [], "requests failed during reloads")
        self.assertGreater(count[0], 5)

    def test_mapping_added_and_removed(self):
        hf = self.start_holdfast(mappings={"a": {"backend": self.be}})
        port_b = harness.free_port()
        hf.write_config({"a": {"backend": self.be},
                         "b": {"backend": self.be, "listen": "127.0.0.1:%d" % port_b}})
        hf.send_signal(signal.SIGHUP)
        harness.wait_for_port(port_b, timeout=APPLY_WITHIN, proc=hf, what="new mapping")
        self.assertEqual(harness.get(port_b, "/hello?via-b").status, 200)
        self.assertEqual(harness.get(hf.ports["a"], "/hello?via-a").status, 200)
        # Remove "a" while a request through it is in flight.
        busy = self.connect(hf.ports["a"])
        busy.send(request("GET", "/sleep?ms=800"))
        self.be.wait_for_requests(3)
        hf.write_config({"b": {"backend": self.be, "listen": "127.0.0.1:%d" % port_b}})
        hf.send_signal(signal.SIGHUP)
        harness.wait_until(lambda: harness.port_refuses(hf.ports["a"]), APPLY_WITHIN,
                           what="removed mapping to stop accepting")
        r = busy.read_response()
        self.assertEqual((r.status, r.body), (200, b"slept 800\n"))
        self.assertEqual(harness.get(port_b, "/hello?still-b").status, 200)
        self.assertIsNone(hf.poll())

    def test_bad_file_keeps_running_config(self):
        hf = self.start_holdfast(backend=self.be)
        good_text = hf.config_text
        hf.write_config_text(good_text + "\n[broken]\nlisten = nonsense:port:x\n"
                             "no_such_key = 1\n")
        hf.send_signal(signal.SIGHUP)
        # The error names FILE:LINE and the key.
        harness.wait_until(lambda: "holdfast.ini:" in hf.stderr()
                           and "no_such_key" in hf.stderr(),
                           APPLY_WITHIN, what="the bad file to be reported")
        self.assertIsNone(hf.poll(), "exited on a bad reload")
        for _ in range(3):
            self.assertEqual(harness.get(hf.port, "/hello?kept").status, 200)
        # A good file afterwards is taken.
        hf.write_config({"app": {"backend": self.be, "forwarded_for": False}})
        hf.send_signal(signal.SIGHUP)
        harness.wait_until(lambda: self.last_xff(hf.port) == [], APPLY_WITHIN,
                           what="the fixed file to apply")

    def test_sigterm_after_reload_exits_0(self):
        hf = self.start_holdfast(backend=self.be)
        hf.write_config({"app": {"backend": self.be, "queue_size": 5}})
        hf.send_signal(signal.SIGHUP)
        self.assertEqual(harness.get(hf.port, "/hello").status, 200)
        self.assertEqual(hf.stop(signal.SIGTERM, 5), 0)


if __name__ == "__main__":
    harness.main()
