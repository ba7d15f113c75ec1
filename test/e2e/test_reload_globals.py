#!/usr/bin/env python3
"""SIGHUP changes any [global] key without a crash or a dropped connection.

- `admin` moves across reloads (on -> another port -> off -> on again) while
  idle keep-alive connections and requests queued behind a slow backend are
  held and other requests flow: holdfast stays up, the new admin port answers
  /metrics and /healthz, the old one refuses, nothing held is dropped.
- Every other [global] key (statsd, access_log, access_log_format,
  log_level, max_clients, temp_dir, shutdown_timeout, max_spill) changes over
  several reloads with the same connections held.
- The admin listener is bounded: 64 idle connections to it never lock out
  /metrics, and an idle admin connection is closed after its timeout.
"""

import os
import signal
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import request  # noqa: E402

APPLY_WITHIN = 10.0
IDLE_HELD = 12
QUEUED = 3


class Held:
    """Client connections held across reloads: idle keep-alive ones (each has
    had one answered request) and requests queued behind a slow one."""

    def __init__(self, test, port, be):
        self.test = test
        self.idle = []
        for i in range(IDLE_HELD):
            c = test.connect(port, timeout=30)
            r = c.exchange(request("GET", "/hello?idle=%d" % i))
            test.assertEqual(r.status, 200)
            self.idle.append(c)
        before = len(be.requests())
        self.slow = test.connect(port, timeout=30)
        self.slow.send(request("GET", "/sleep?ms=2500"))
        be.wait_for_requests(before + 1)
        self.queued = []
        for i in range(QUEUED):
            c = test.connect(port, timeout=30)
            c.send(request("GET", "/hello?queued=%d" % i))
            self.queued.append(c)

    def check(self):
        """Every held request is answered, and every idle connection still
        serves a request."""
        t = self.test
        t.assertEqual(self.slow.read_response().status, 200)
        for c in self.queued:
            t.assertEqual(c.read_response().status, 200)
        for i, c in enumerate(self.idle):
            r = c.exchange(request("GET", "/hello?after=%d" % i))
            t.assertEqual(r.status, 200)


class Traffic:
    """Requests on fresh connections in a thread while reloads happen."""

    def __init__(self, port):
        self.port = port
        self.failures = []
        self.count = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop.is_set():
            try:
                r = harness.get(self.port, "/hello?flow", timeout=30)
                if r.status != 200:
                    self.failures.append(r)
            except Exception as e:  # reported by finish()
                self.failures.append(e)
            self.count += 1

    def finish(self, test):
        self.stop.set()
        self.thread.join(40)
        test.assertFalse(self.thread.is_alive(), "traffic thread still running")
        test.assertEqual(self.failures, [], "requests failed during reloads")
        test.assertGreater(self.count, 0)


class ReloadGlobalsTest(harness.TestCase):

    def setUp(self):
        self.be = self.start_backend()

    def reload(self, hf, gconf):
        """Rewrites [global], sends SIGHUP, waits until it was applied."""
        n = hf.stderr().count("reloaded ")
        hf.write_config({"app": {"backend": self.be}}, gconf)
        hf.send_signal(signal.SIGHUP)
        harness.wait_until(lambda: hf.poll() is not None
                           or hf.stderr().count("reloaded ") > n,
                           APPLY_WITHIN, what="the reload to be applied")
        self.assertIsNone(hf.poll(), "holdfast exited on a reload")

    def admin_answers(self, port):
        m = harness.get(port, "/metrics", timeout=5)
        h = harness.get(port, "/healthz", timeout=5)
        self.assertEqual(m.status, 200)
        self.assertIn(b"holdfast_requests_total", m.body)
        self.assertEqual((h.status, h.body), (200, b"ok\n"))

    def test_admin_moves_across_reloads(self):
        ports = [harness.free_port() for _ in range(3)]
        addr = ["127.0.0.1:%d" % p for p in ports]
        hf = self.start_holdfast(backend=self.be, global_conf={"admin": addr[0]})
        harness.wait_for_port(ports[0], proc=hf, what="admin listener")
        self.admin_answers(ports[0])
        held = Held(self, hf.port, self.be)
        traffic = Traffic(hf.port)
        try:
            # On -> another port: the new one answers, the old one refuses.
            self.reload(hf, {"admin": addr[1]})
            self.admin_answers(ports[1])
            self.assertTrue(harness.port_refuses(ports[0]), "old admin port open")
            # Off: neither answers.
            self.reload(hf, {})
            for p in ports[:2]:
                self.assertTrue(harness.port_refuses(p), "admin port %d open" % p)
            # On again, then back to the first port.
            self.reload(hf, {"admin": addr[2]})
            self.admin_answers(ports[2])
            self.reload(hf, {"admin": addr[0]})
            self.admin_answers(ports[0])
            self.assertTrue(harness.port_refuses(ports[2]), "old admin port open")
        finally:
            traffic.finish(self)
        held.check()
        self.assertIsNone(hf.poll())
        self.assertEqual(hf.stop(signal.SIGTERM, 10), 0)

    def test_every_global_key_across_reloads(self):
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.addCleanup(udp.close)
        udp.bind(("127.0.0.1", 0))
        statsd = "127.0.0.1:%d" % udp.getsockname()[1]
        hf = self.start_holdfast(backend=self.be)
        logs = [os.path.join(hf.dir, "access-%d.log" % i) for i in range(2)]
        spill = [os.path.join(hf.dir, "spill-%d" % i) for i in range(2)]
        for d in spill:
            os.makedirs(d)
        # Each step says where a request made after it is logged, and how:
        # at log_level warn or error "reloaded" is not logged, so the access
        # log shows that the reload was applied.
        steps = [
            ({"statsd": statsd, "log_level": "debug", "max_clients": 200,
              "temp_dir": spill[0], "shutdown_timeout": "5s", "max_spill": "1m",
              "access_log": logs[0], "access_log_format": "json"}, logs[0], "{"),
            ({"statsd": "off", "log_level": "warn", "max_clients": 5000,
              "temp_dir": spill[1], "shutdown_timeout": "1m", "max_spill": "64m",
              "access_log": logs[1], "access_log_format": "text"}, logs[1], "127."),
            ({"statsd": statsd, "log_level": "error", "max_clients": 300,
              "temp_dir": spill[0], "shutdown_timeout": "2s", "max_spill": "2g",
              "access_log": "stdout", "access_log_format": "json"}, None, "{"),
            ({"log_level": "info", "access_log": "off", "statsd": statsd},
             "reloaded", None),
            ({}, None, "127."),  # back to every default
        ]
        held = Held(self, hf.port, self.be)
        traffic = Traffic(hf.port)
        try:
            for i, (gconf, where, start) in enumerate(steps):
                self.reload_and_check(hf, gconf, i, where, start)
        finally:
            traffic.finish(self)
        held.check()
        self.assertNotIn("reload:", hf.stderr())
        self.assertIsNone(hf.poll())
        self.assertEqual(hf.stop(signal.SIGTERM, 10), 0)

    def reload_and_check(self, hf, gconf, i, where, start):
        """Applies gconf, then waits until a tagged request is logged in
        `where` (a path; None: stdout) as a line starting with `start`;
        where "reloaded" waits for the reload's own log line instead."""
        if where == "reloaded":
            self.reload(hf, gconf)
            return
        hf.write_config({"app": {"backend": self.be}}, gconf)
        hf.send_signal(signal.SIGHUP)
        tag = "/size?n=200000&step=%d" % i

        def logged():
            r = harness.get(hf.port, tag, timeout=30)
            self.assertEqual((r.status, len(r.body)), (200, 200000))
            if where is None:
                text = hf.stdout()
            else:
                try:
                    with open(where) as f:
                        text = f.read()
                except FileNotFoundError:
                    return False
            return any(tag in l and l.startswith(start)
                       for l in text.splitlines())
        harness.wait_until(logged, APPLY_WITHIN, interval=0.1,
                           what="step %d to be applied" % i)
        self.assertIsNone(hf.poll(), "holdfast exited on a reload")

    def test_idle_admin_connections_never_lock_out_metrics(self):
        port = harness.free_port()
        hf = self.start_holdfast(backend=self.be,
                                 global_conf={"admin": "127.0.0.1:%d" % port})
        harness.wait_for_port(port, proc=hf, what="admin listener")
        idle = []
        for _ in range(64):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            self.addCleanup(s.close)
            idle.append(s)
        # The admin cap is 16: holdfast has taken all 64 from the accept
        # queue once the 48 oldest were closed to make room for the newer.
        for s in idle[:48]:
            s.settimeout(10)
            self.assertEqual(s.recv(1), b"", "an old idle connection got bytes")
        start = time.monotonic()
        r = harness.get(port, "/metrics", timeout=1.0)
        self.assertEqual(r.status, 200)
        self.assertLess(time.monotonic() - start, 1.0)
        r = harness.get(port, "/healthz", timeout=1.0)
        self.assertEqual(r.status, 200)
        # The ones closed to make room were the oldest: the newest is open.
        newest = idle[-1]
        newest.settimeout(0.2)
        with self.assertRaises(socket.timeout):
            newest.recv(1)

    def test_idle_admin_connection_is_closed_after_timeout(self):
        port = harness.free_port()
        hf = self.start_holdfast(backend=self.be,
                                 global_conf={"admin": "127.0.0.1:%d" % port})
        harness.wait_for_port(port, proc=hf, what="admin listener")
        for send in (b"", b"GET /metrics HTTP/1.1\r\n"):
            c = self.connect(port, timeout=20)
            if send:
                c.send(send)
            start = time.monotonic()
            # The README's admin timeouts: idle 5 s, the head 10 s.
            self.assertTrue(c.closed_within(15), "admin connection still open")
            took = time.monotonic() - start
            self.assertGreater(took, 4.0 if not send else 9.0)


if __name__ == "__main__":
    harness.main()
