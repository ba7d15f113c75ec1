#!/usr/bin/env python3
"""The access log: one line per exchange (text or JSON), to stdout, to a
file, or off; reopened on SIGUSR1."""

import json
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import request  # noqa: E402


class AccessLogTest(harness.TestCase):

    def setUp(self):
        self.be = self.start_backend()

    def lines_with(self, lines, token):
        return [l for l in lines if token in l]

    def test_one_line_per_request_on_stdout(self):
        hf = self.start_holdfast(backend=self.be)
        c = self.connect(hf.port)
        for i in range(3):
            self.assertEqual(c.exchange(request("GET", "/hello?log=%d" % i)).status, 200)
        r = harness.get(hf.port, "/status?code=404&log=x")
        self.assertEqual(r.status, 404)
        lines = harness.wait_until(
            lambda: len(self.lines_with(hf.access_log(), "log=")) >= 4 and hf.access_log(),
            what="4 access-log lines")
        for i in range(3):
            mine = self.lines_with(lines, "/hello?log=%d" % i)
            self.assertEqual(len(mine), 1, lines)
            self.assertIn("GET", mine[0])
            self.assertIn(" 200 ", mine[0] + " ")
        mine = self.lines_with(lines, "log=x")
        self.assertEqual(len(mine), 1, lines)
        self.assertIn(" 404 ", mine[0] + " ")

    def test_rejected_request_is_logged(self):
        hf = self.start_holdfast(backend=self.be)
        r = harness.get(hf.port, "/rejected-one", version="HTTP/2.0")
        self.assertEqual(r.status, 505)
        harness.wait_until(lambda: any(" 505 " in l + " " for l in hf.access_log()),
                           what="a 505 access-log line")

    def test_json_format(self):
        hf = self.start_holdfast(backend=self.be, global_conf={
            "access_log_format": "json"})
        self.assertEqual(harness.get(hf.port, "/hello?json=1").status, 200)
        self.assertEqual(harness.get(hf.port, "/nope?json=2").status, 404)
        lines = harness.wait_until(
            lambda: len(hf.access_log()) >= 2 and hf.access_log(),
            what="2 access-log lines")
        docs = []
        for line in lines:
            try:
                docs.append(json.loads(line))
            except ValueError:
                self.fail("access-log line is not JSON: %r" % line)
        for tag, status in (("/hello?json=1", 200), ("/nope?json=2", 404)):
            mine = [d for d in docs if any(isinstance(v, str) and tag in v
                                           for v in d.values())]
            self.assertEqual(len(mine), 1, "one line for %s in %r" % (tag, docs))
            self.assertIn(status, [v for v in mine[0].values()
                                   if isinstance(v, int)] +
                          [int(v) for v in mine[0].values()
                           if isinstance(v, str) and v.isdigit()], mine[0])

    def test_own_answers_log_their_body_size(self):
        # The health answer, an error, and the same health answer to HEAD
        # (no body): each logs the body bytes that went out.
        for fmt in ("text", "json"):
            with self.subTest(format=fmt):
                hf = self.start_holdfast(backend=self.be, health_path="/healthz",
                                         global_conf={"access_log_format": fmt})
                health = harness.get(hf.port, "/healthz?size")
                self.assertEqual(health.status, 200)
                c = self.connect(hf.port)
                c.send(b"GET /bad?size HTTP/1.1\r\nHost: x\r\nBad Name: x\r\n\r\n")
                bad = c.read_response()
                self.assertEqual(bad.status, 400)
                head = harness.get(hf.port, "/healthz?head", method="HEAD")
                self.assertEqual(head.status, 200)
                want = {"/healthz?size": (200, len(health.body)),
                        "/bad?size": (400, len(bad.body)),
                        "/healthz?head": (200, 0)}
                self.assertGreater(len(health.body), 0)
                self.assertGreater(len(bad.body), 0)
                lines = harness.wait_until(
                    lambda: len(hf.access_log()) >= 3 and hf.access_log(),
                    what="three access-log lines")
                got = {}
                for line in lines:
                    if fmt == "json":
                        d = json.loads(line)
                        got[d["target"]] = (d["status"], d["body_bytes"])
                    else:
                        target = line.split('"')[1].split(" ")[1]
                        status, size = line.split('"')[2].split()[:2]
                        got[target] = (int(status), int(size))
                self.assertEqual(got, want, "\n".join(lines))

    def test_access_log_off(self):
        hf = self.start_holdfast(backend=self.be, global_conf={"access_log": "off"})
        self.assertEqual(harness.get(hf.port, "/hello?quiet").status, 200)
        self.assertEqual(hf.stop(), 0)
        self.assertNotIn("/hello?quiet", hf.stdout())

    def test_access_log_file_and_reopen(self):
        hf = harness.Holdfast(backend=self.be, start=False,
                              global_conf={"access_log": "PLACEHOLDER"})
        self.addCleanup(hf.close)
        path = os.path.join(hf.dir, "access.log")
        # Point the log at a file inside holdfast's temp dir, then start.
        hf.config_text = hf.config_text.replace("PLACEHOLDER", path)
        with open(hf.config_path, "w") as f:
            f.write(hf.config_text)
        hf.start()
        self.assertEqual(harness.get(hf.port, "/hello?to-file").status, 200)

        def read(p):
            try:
                with open(p) as f:
                    return f.read()
            except FileNotFoundError:
                return ""
        harness.wait_until(lambda: "/hello?to-file" in read(path), what="line in the file")
        self.assertNotIn("/hello?to-file", hf.stdout())
        # Rotate: rename the file, SIGUSR1, the next line goes to a new file.
        os.rename(path, path + ".1")
        hf.send_signal(signal.SIGUSR1)
        harness.wait_until(lambda: os.path.exists(path), what="the log to be reopened")
        self.assertEqual(harness.get(hf.port, "/hello?after-rotate").status, 200)
        harness.wait_until(lambda: "/hello?after-rotate" in read(path),
                           what="line in the new file")
        self.assertNotIn("/hello?after-rotate", read(path + ".1"))
        self.assertEqual(hf.stop(), 0)


if __name__ == "__main__":
    harness.main()
