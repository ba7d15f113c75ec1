#!/usr/bin/env python3
"""Backends on Unix-domain sockets (`backend = unix:/PATH`), as gunicorn,
unicorn and uWSGI are bound behind nginx: a single-threaded app on a Unix
socket served whole behind idle clients, a list mixing `unix:` and TCP
addresses balanced over both, the app killed and restarted (requests wait
and ride through on the reconnect attempts), health probes, and `-t`."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import harness
from harness import request

sys.path.insert(0, harness.BACKENDS)
import unix_backend  # noqa: E402 - the recording backend on a Unix socket

UNIX_BACKEND = os.path.join(harness.BACKENDS, "unix_backend.py")


def unix_accepts(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(1.0)
    try:
        s.connect(path)
        return True
    except OSError:
        return False
    finally:
        s.close()


class UnixBackend(harness.Backend):
    """backends/unix_backend.py (the recording backend, single-threaded) on
    the Unix socket path; waits until it accepts there."""

    def __init__(self, path):
        harness.Process.__init__(self, "holdfast-e2e-unix-")
        self.path = path
        self.addr = "unix:" + path
        self.log_path = os.path.join(self.dir, "requests.jsonl")
        self.name = "unix_backend.py"
        try:
            self.spawn([sys.executable, UNIX_BACKEND, "--path", path,
                        "--log", self.log_path])
            harness.wait_until(lambda: self.poll() is None and unix_accepts(path)
                               or self.poll() is not None,
                               harness.START_TIMEOUT, what="unix backend on " + path)
            if self.poll() is not None:
                raise AssertionError("unix backend exited:\n" + self.describe())
        except BaseException:
            self.close()
            raise

    def connections(self):
        """Connected server-side sockets of the path: the one served plus
        those in the accept queue."""
        return len(unix_backend.open_connections(self.path))



class UnixBackendTest(harness.TestCase):

    def socket_path(self, name="app.sock"):
        d = tempfile.mkdtemp(prefix="hf-unix-")
        self.addCleanup(shutil.rmtree, d, True)
        return os.path.join(d, name)

    def start_unix_backend(self, path):
        be = UnixBackend(path)
        self.addCleanup(be.close)
        return be

    def test_get_and_1mb_post_behind_20_idle_clients(self):
        be = self.start_unix_backend(self.socket_path())
        hf = self.start_holdfast(backend="unix:" + be.path)
        idle = [self.connect(hf.port) for _ in range(20)]
        # Connected, nothing sent: what hangs a bare single-threaded app.
        harness.wait_until(lambda: harness.get(hf.port, "/hello").status == 200,
                           5, what="a GET through the idle connections")
        r = harness.get(hf.port, "/echo-headers")
        self.assertEqual(r.status, 200, r)
        body = harness.pattern(1 << 20)
        with harness.Conn(hf.port, timeout=20) as c:
            r = c.exchange(request("POST", "/echo", body=body), method="POST")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(r.body), len(body))
        self.assertTrue(r.body == body, "1 MB echo came back different")
        reqs = be.wait_for_done(3) and be.requests()
        self.assertEqual([q["target"] for q in reqs],
                         ["/hello", "/echo-headers", "/echo"])
        post = reqs[2]
        self.assertEqual(post["body_len"], 1 << 20)
        self.assertEqual(post["method"], "POST")
        headers = {k.lower(): v for k, v in reqs[1]["headers"]}
        # Unchanged by the socket's kind: the client's Host, its address.
        self.assertEqual(headers.get("host"), "test.example")
        self.assertEqual(headers.get("x-forwarded-for"), "127.0.0.1")
        self.assertEqual(be.max_concurrent(), 1)
        # The idle clients are still held, and the access log names the socket.
        for c in idle:
            c.settimeout(0.05)
            try:
                self.assertNotEqual(c.sock.recv(1), b"", "an idle client was closed")
            except socket.timeout:
                pass
        harness.wait_until(lambda: sum("upstream=unix:" + be.path in l
                                       for l in hf.access_log()) == 3,
                           5, what="3 access-log lines naming the socket")

    def test_mixed_list_balances_over_unix_and_tcp(self):
        ub = self.start_unix_backend(self.socket_path())
        tb = self.start_backend()
        hf = self.start_holdfast(backend=["unix:" + ub.path, tb], admin=True)
        for i in range(10):
            r = harness.get(hf.port, "/hello?n=%d" % i)
            self.assertEqual(r.status, 200, r)
        ub.wait_for_done(5)
        tb.wait_for_done(5)
        self.assertEqual((len(ub.requests()), len(tb.requests())), (5, 5),
                         "an idle pool takes turns over both kinds")
        self.assertEqual(hf.metric("holdfast_backend_in_flight",
                                   backend="unix:" + ub.path), 0)

        # Least connections: with the Unix backend holding a request (paused),
        # the next ones go to the TCP address and are answered meanwhile.
        ub.pause()
        held = self.connect(hf.port, timeout=20)
        held.send(request(target="/hello?held=1"))
        hf.wait_metric("holdfast_backend_in_flight", 1, backend="unix:" + ub.path)
        for i in range(3):
            r = harness.get(hf.port, "/hello?tcp=%d" % i)
            self.assertEqual(r.status, 200, r)
        self.assertEqual(len(tb.wait_for_done(8)), 8)
        ub.resume()
        r = held.read_response()
        self.assertEqual(r.status, 200, r)
        self.assertEqual(len(ub.wait_for_done(6)), 6)
        self.assertEqual(ub.requests()[-1]["target"], "/hello?held=1")
        self.assertEqual(max(ub.max_concurrent(), tb.max_concurrent()), 1)

    def test_app_killed_and_restarted_requests_ride_through(self):
        path = self.socket_path()
        be = self.start_unix_backend(path)
        hf = self.start_holdfast(backend="unix:" + path, health_path="/healthz",
                                 queue_timeout="30s",
                                 backend_connect_timeout="30s")
        self.assertEqual(harness.get(hf.port, "/hello").status, 200)
        be.stop(signal.SIGKILL)
        self.assertTrue(os.path.exists(path), "the killed app leaves its socket")
        # Requests sent while the app is gone wait in the queue...
        results = []
        clients = [self.connect(hf.port, timeout=30) for _ in range(3)]
        for i, c in enumerate(clients):
            c.send(request(target="/hello?while_down=%d" % i))
        harness.wait_until(lambda: harness.get(hf.port, "/healthz").status == 503,
                           5, what="health_path to say 503 with the app gone")
        for c in clients:
            c.settimeout(0.2)
            self.assertRaises(socket.timeout, c.read_response)
            c.settimeout(30)
        # ...and go once it is back on the same path (the reconnect attempts).
        be2 = self.start_unix_backend(path)
        back = time.monotonic()
        for c in clients:
            results.append(c.read_response().status)
        took = time.monotonic() - back
        self.assertEqual(results, [200, 200, 200])
        self.assertLess(took, 5.0, "requests waited %.1fs after the restart" % took)
        be2.wait_for_done(3)
        self.assertEqual(sorted(r["target"] for r in be2.requests()),
                         ["/hello?while_down=%d" % i for i in range(3)])
        self.assertEqual(harness.get(hf.port, "/healthz").status, 200)
        log = hf.stderr()
        self.assertIn("backend unix:%s down" % path, log)
        self.assertIn("backend unix:%s up" % path, log)

    def test_health_probe_over_unix_socket(self):
        be = self.start_unix_backend(self.socket_path())
        hf = self.start_holdfast(backend="unix:" + be.path, health_check="/hello",
                                 health_interval="100ms", health_path="/healthz")
        probes = harness.wait_until(
            lambda: [r for r in be.requests()
                     if dict(r["headers"]).get("User-Agent") == "holdfast-health"],
            10, what="a health probe at the unix backend")
        # A Unix socket has no host to name: the probe says localhost.
        self.assertEqual(dict(probes[0]["headers"]).get("Host"), "localhost")
        self.assertEqual(harness.get(hf.port, "/healthz").status, 200)
        be.stop(signal.SIGKILL)
        harness.wait_until(lambda: harness.get(hf.port, "/healthz").status == 503,
                           10, what="a failed probe to mark the socket down")

    def run_check(self, text):
        d = tempfile.mkdtemp(prefix="hf-unix-t-")
        self.addCleanup(shutil.rmtree, d, True)
        ini = os.path.join(d, "holdfast.ini")
        with open(ini, "w") as f:
            f.write(text)
        p = subprocess.run([harness.holdfast_path(), "-t", "-c", ini],
                           capture_output=True, text=True, timeout=20)
        return ini, p

    def test_check_mode(self):
        ini, p = self.run_check("[a]\nlisten = 127.0.0.1:%d\n"
                                "backend = unix:/run/app.sock, 127.0.0.1:8000\n"
                                % harness.free_port())
        self.assertEqual(p.returncode, 0, p.stderr)
        ini, p = self.run_check("[a]\nlisten = 1\n\nbackend = unix:/run/%s\n"
                                % ("x" * 120))
        self.assertEqual(p.returncode, 1)
        self.assertIn("%s:4: backend: " % ini, p.stderr)
        self.assertIn("Unix socket path too long (at most 107 bytes)", p.stderr)
        ini, p = self.run_check("[a]\nlisten = unix:/run/hf.sock\nbackend = 2\n")
        self.assertEqual(p.returncode, 1)
        self.assertIn("%s:2: listen: 'unix:/run/hf.sock': a Unix socket is only "
                      "for backend addresses" % ini, p.stderr)


if __name__ == "__main__":
    harness.main()
