#!/usr/bin/env python3
"""The admin listener (/metrics, /healthz) and statsd.

- /metrics is Prometheus text with the series SPEC.md names, labelled by
  mapping, and the counts move with the traffic.
- /healthz is 200 while running and 503 while draining.
- statsd = host:port sends counters and timings as DogStatsD lines.
"""

import os
import re
import signal
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import request  # noqa: E402

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """Prometheus text format -> list of (name, {label: value}, float)."""
    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            raise AssertionError("not a Prometheus sample line: %r" % line)
        labels = dict(LABEL.findall(m.group(2) or ""))
        out.append((m.group(1), labels, float(m.group(3))))
    return out


def value(samples, name, **labels):
    """Sum of the samples of name whose labels include labels."""
    found = [v for n, l, v in samples
             if n == name and all(l.get(k) == str(x) for k, x in labels.items())]
    return sum(found) if found else None


class AdminTest(harness.TestCase):

    def start_with_admin(self):
        self.be = self.start_backend()
        self.admin_port = harness.free_port()
        self.hf = self.start_holdfast(
            mappings={"app": {"backend": self.be, "backend_max_conns": 1},
                      "down": {"backend": harness.dead_port(),
                               "backend_connect_timeout": "500ms"}},
            global_conf={"admin": "127.0.0.1:%d" % self.admin_port})
        harness.wait_for_port(self.admin_port, proc=self.hf, what="admin listener")

    def admin(self, path):
        return harness.get(self.admin_port, path, timeout=3)

    def metrics(self):
        r = self.admin("/metrics")
        self.assertEqual(r.status, 200)
        self.assertTrue((r.header("Content-Type") or "").startswith("text/plain"),
                        r.raw_head)
        return parse_metrics(r.body.decode("utf-8"))

    def test_metrics_names_and_counts(self):
        self.start_with_admin()
        app = self.hf.ports["app"]
        for _ in range(2):
            self.assertEqual(harness.get(app, "/hello").status, 200)
        self.assertEqual(harness.get(app, "/status?code=404").status, 404)
        self.assertEqual(harness.get(self.hf.ports["down"], "/hello").status, 502)
        c = self.connect(app)
        c.send(b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n")
        self.assertEqual(c.read_response().status, 400)

        def counted():
            s = self.metrics()
            ok = ((value(s, "holdfast_requests_total", mapping="app", code="200") or 0) >= 2
                  and (value(s, "holdfast_requests_total", mapping="app", code="404") or 0) >= 1
                  and (value(s, "holdfast_requests_total", mapping="down", code="502") or 0) >= 1)
            return s if ok else None
        s = harness.wait_until(counted, 10, what="the requests to be counted")
        self.assertGreaterEqual(value(s, "holdfast_backend_errors_total",
                                      mapping="down", kind="connect") or 0, 1)
        self.assertGreaterEqual(value(s, "holdfast_rejected_total", mapping="app") or 0, 1)
        self.assertIsNotNone(value(s, "holdfast_queue_depth", mapping="app"))
        for hist in ("holdfast_queue_wait_seconds", "holdfast_backend_seconds"):
            self.assertGreaterEqual(value(s, hist + "_count", mapping="app") or 0, 3, hist)
            self.assertIsNotNone(value(s, hist + "_sum", mapping="app"), hist)
            self.assertIsNotNone(value(s, hist + "_bucket", mapping="app", le="+Inf"), hist)
        states = {l.get("state") for n, l, v in s
                  if n == "holdfast_client_connections" and l.get("mapping") == "app"}
        self.assertTrue({"idle", "reading", "queued", "waiting", "writing"} <= states,
                        "client_connections states: %r" % states)

    def test_gauges_follow_connections_and_queue(self):
        self.start_with_admin()
        app = self.hf.ports["app"]
        idle = [self.connect(app) for _ in range(3)]
        # Paused with a request sent to it, the backend holds these states
        # still for as long as the test needs to see them.
        self.be.pause()
        busy = self.connect(app)
        busy.send(request("GET", "/sleep?ms=1500"))
        self.be.wait_connections(1)
        queued = [self.connect(app) for _ in range(2)]
        for c in queued:
            c.send(request("GET", "/hello?queued"))

        def seen():
            s = self.metrics()
            ok = ((value(s, "holdfast_client_connections", mapping="app", state="idle")
                   or 0) >= 3
                  and value(s, "holdfast_queue_depth", mapping="app") == 2
                  and (value(s, "holdfast_client_connections", mapping="app",
                             state="queued") or 0) == 2
                  and (value(s, "holdfast_client_connections", mapping="app",
                             state="waiting") or 0) == 1)
            return s if ok else None
        harness.wait_until(seen, 10, what="3 idle, 1 waiting, 2 queued in /metrics")
        self.be.resume()
        self.assertEqual(busy.read_response().status, 200)
        for c in queued:
            self.assertEqual(c.read_response().status, 200)
        del idle

    def test_healthz_200_then_503_while_draining(self):
        self.start_with_admin()
        self.assertEqual(self.admin("/healthz").status, 200)
        app = self.hf.ports["app"]
        # The paused backend keeps the drain going while /healthz is asked.
        self.be.pause()
        busy = self.connect(app)
        busy.send(request("GET", "/sleep?ms=1500"))
        self.be.wait_connections(1)
        self.hf.send_signal(signal.SIGTERM)
        harness.wait_until(lambda: self.admin("/healthz").status == 503, 10,
                           what="/healthz to say 503 while draining")
        self.be.resume()
        self.assertEqual(busy.read_response().status, 200)
        self.assertEqual(self.hf.wait(5), 0)

    def test_admin_unknown_path_is_404(self):
        self.start_with_admin()
        self.assertEqual(self.admin("/nope").status, 404)

    def test_statsd_lines(self):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(udp.close)
        udp.bind(("127.0.0.1", 0))
        udp.settimeout(0.5)
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, global_conf={
            "statsd": "127.0.0.1:%d" % udp.getsockname()[1]})
        for _ in range(3):
            self.assertEqual(harness.get(hf.port, "/hello").status, 200)
        lines = []
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(lines) < 3:
            try:
                data = udp.recv(65536)
            except socket.timeout:
                continue
            lines += [l for l in data.decode("utf-8").split("\n") if l]
        self.assertTrue(lines, "no statsd datagram within 5 s")
        line_re = re.compile(r"^[A-Za-z0-9_.]+:-?[0-9.]+\|(c|ms|g|h|d)(\|@[0-9.]+)?(\|#\S+)?$")
        for l in lines:
            self.assertRegex(l, line_re)
        self.assertTrue(any("#" in l and "app" in l.split("#", 1)[1] for l in lines),
                        "no line tagged with the mapping: %r" % lines)


if __name__ == "__main__":
    harness.main()
