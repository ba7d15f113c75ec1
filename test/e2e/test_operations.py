#!/usr/bin/env python3
"""Operations under traffic: a reload that changes the backend, a log
rotation, and /metrics scrapes, each while a client loop keeps sending
requests, with zero failures and nothing lost.
"""

import os
import re
import signal
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


class Loop:
    """Sequential requests on fresh connections until stopped; records
    every failure and the targets it sent."""

    def __init__(self, port, tag):
        self.port, self.tag = port, tag
        self.failures, self.sent = [], []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        i = 0
        while not self.stop.is_set():
            target = "/hello?%s=%d" % (self.tag, i)
            try:
                r = harness.get(self.port, target, timeout=5)
                if r.status != 200:
                    self.failures.append((target, r.status))
            except Exception as e:  # reported by the test
                self.failures.append((target, repr(e)))
            self.sent.append(target)
            i += 1

    def finish(self):
        self.stop.set()
        self.thread.join(15)


# Prometheus text exposition format 0.0.4, strictly: every sample belongs
# to a family declared by # HELP and # TYPE before it, histogram buckets are
# cumulative and end with +Inf equal to _count.
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.e+]+|\+Inf|NaN)$')
LABELS = re.compile(r'^\{([a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*")(,[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*")*\}$')


def check_exposition(text):
    types = {}
    buckets = {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            assert kind in ("counter", "gauge", "histogram"), line
            assert name not in types, "family declared twice: " + name
            types[name] = kind
            continue
        m = SAMPLE.match(line)
        assert m, "bad sample line: %r" % line
        name, labels, val = m.group(1), m.group(2) or "", float(m.group(3))
        assert labels == "" or LABELS.match(labels), "bad labels: %r" % line
        family = re.sub(r'_(bucket|sum|count)$', '', name)
        assert name in types or family in types, "undeclared: %r" % line
        if name.endswith("_bucket"):
            key = (family, re.sub(r',?le="[^"]*"', '', labels))
            prev = buckets.get(key, (-1.0, None))
            assert val >= prev[0], "buckets not cumulative: %r" % line
            buckets[key] = (val, 'le="+Inf"' in labels)
        if name.endswith("_count") and types.get(family) == "histogram":
            key = (family, labels)
            assert key in buckets and buckets[key][1], "no +Inf bucket: " + line
            assert buckets[key][0] == val, "+Inf bucket != _count: " + line
    return types


class OperationsTest(harness.TestCase):

    def test_reload_switches_backend_without_a_failure(self):
        a, b = self.start_backend(), self.start_backend()
        hf = self.start_holdfast(backend=a)
        loop = Loop(hf.port, "switch")
        try:
            harness.wait_until(lambda: len(loop.sent) >= 5, 30, what="traffic")
            hf.write_config({"app": {"backend": b}})
            hf.send_signal(signal.SIGHUP)
            harness.wait_until(lambda: len(b.requests()) >= 5, 30,
                               what="requests at the new backend")
        finally:
            loop.finish()
        self.assertEqual(loop.failures, [], "requests failed across the reload")
        # After the switch, everything goes to the new backend.
        n_a = len(a.requests())
        for _ in range(5):
            self.assertEqual(harness.get(hf.port, "/hello?after").status, 200)
        self.assertEqual(len(a.requests()), n_a)
        self.assertEqual(sum(1 for q in b.requests() if q["target"] == "/hello?after"), 5)
        self.assertEqual(len(a.requests()) + len(b.requests()), len(loop.sent) + 5)

    def test_log_rotation_loses_no_line(self):
        be = self.start_backend()
        hf = harness.Holdfast(backend=be, start=False)
        self.addCleanup(hf.close)
        path = os.path.join(hf.dir, "access.log")
        hf.write_config({"app": {"backend": be}}, global_conf={"access_log": path})
        hf.start()
        loop = Loop(hf.port, "rotate")
        try:
            for i in range(3):
                harness.wait_until(lambda n=len(loop.sent): len(loop.sent) >= n + 5,
                                   30, what="traffic")
                os.rename(path, "%s.%d" % (path, i))
                hf.send_signal(signal.SIGUSR1)
                harness.wait_until(lambda: os.path.exists(path), 5,
                                   what="the log reopened")
            harness.wait_until(lambda n=len(loop.sent): len(loop.sent) >= n + 5,
                               30, what="traffic")
        finally:
            loop.finish()
        self.assertEqual(loop.failures, [])
        self.assertEqual(hf.stop(), 0)  # flushes what is buffered
        lines = []
        for name in [path + ".0", path + ".1", path + ".2", path]:
            with open(name) as f:
                lines += f.read().splitlines()
        logged = [l.split('"')[1].split(" ")[1] for l in lines]
        self.assertEqual(sorted(logged), sorted(loop.sent))

    def test_metrics_valid_and_scraping_under_load_is_harmless(self):
        be = self.start_backend()
        admin = harness.free_port()
        hf = self.start_holdfast(backend=be,
                                 global_conf={"admin": "127.0.0.1:%d" % admin})
        harness.wait_for_port(admin, proc=hf, what="admin listener")
        loop = Loop(hf.port, "scrape")
        try:
            for _ in range(20):
                r = harness.get(admin, "/metrics", timeout=3)
                self.assertEqual(r.status, 200)
                types = check_exposition(r.body.decode("utf-8"))
        finally:
            loop.finish()
        self.assertEqual(loop.failures, [])
        for family in ("holdfast_client_connections", "holdfast_requests_total",
                       "holdfast_queue_depth", "holdfast_queue_wait_seconds",
                       "holdfast_backend_seconds", "holdfast_backend_errors_total",
                       "holdfast_rejected_total"):
            self.assertIn(family, types)
        # The last request may be counted just after its client has the
        # answer: wait for the count, which must then be exact.
        def counted():
            text = harness.get(admin, "/metrics").body.decode("utf-8")
            m = re.search(r'holdfast_requests_total\{mapping="app",code="200"\} (\d+)',
                          text)
            self.assertIsNotNone(m, text)
            return int(m.group(1)) >= len(loop.sent) and m
        m = harness.wait_until(counted, 10, what="every request counted")
        self.assertEqual(int(m.group(1)), len(loop.sent))


if __name__ == "__main__":
    harness.main()
