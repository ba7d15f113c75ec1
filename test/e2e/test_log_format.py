#!/usr/bin/env python3
"""What log lines look like to the tools that read them.

- Under systemd (JOURNAL_STREAM names stderr's device:inode) each stderr
  line starts with its sd-daemon priority: <3> error, <4> warning, <6> info,
  <7> debug. When JOURNAL_STREAM names another file, there is no prefix.
- JSON access-log lines keep well-formed UTF-8 as UTF-8; only what JSON
  requires is escaped, and bytes that are not UTF-8 become \\u00XX.
"""

import json
import os
import re
import resource
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import request  # noqa: E402

LINE = re.compile(r"^<([0-9])>\d{4}-\d\d-\d\dT[0-9:.]+Z (\w+): ")


def low_nofile():
    """A descriptor limit that the default max_clients does not fit: holdfast
    warns at start-up and lowers max_clients."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (512, 512))


class LogFormatTest(harness.TestCase):

    def start_with_env(self, hf, journal_of_stderr, other=None):
        """Runs hf (made with start=False) with JOURNAL_STREAM set to the
        device:inode of its stderr file, or of `other`."""
        env = dict(os.environ)
        with open(hf.stderr_path, "wb") as err, open(hf.stdout_path, "wb") as out:
            st = os.fstat(err.fileno()) if journal_of_stderr else os.stat(other)
            env["JOURNAL_STREAM"] = "%d:%d" % (st.st_dev, st.st_ino)
            hf.argv = [harness.holdfast_path(), "-c", hf.config_path]
            hf.proc = subprocess.Popen(hf.argv, stdin=subprocess.DEVNULL,
                                       stdout=out, stderr=err, cwd=hf.dir, env=env,
                                       preexec_fn=low_nofile)
        harness.wait_for_port(hf.port, proc=hf, what="holdfast")

    def test_journal_priorities(self):
        be = self.start_backend()
        hf = harness.Holdfast(backend=be, start=False,
                              global_conf={"log_level": "debug"})
        self.addCleanup(hf.close)
        self.start_with_env(hf, True)
        self.assertEqual(harness.get(hf.port, "/hello").status, 200)
        # debug: a rejected request; warn: max_clients lowered to fit the
        # descriptor limit at start-up; error: a bad file on reload.
        c = self.connect(hf.port)
        self.assertEqual(c.exchange(b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n").status,
                         400)
        good = hf.config_text
        hf.write_config_text(good + "\n[bad]\nno_such_key = 1\n")
        hf.send_signal(signal.SIGHUP)
        harness.wait_until(lambda: "running configuration kept" in hf.stderr(), 5,
                           what="the bad reload to be logged")
        want = {"error": "3", "warn": "4", "info": "6", "debug": "7"}
        seen = set()
        for line in hf.stderr().splitlines():
            if line.startswith("holdfast: warning:") or not line.strip():
                continue
            m = LINE.match(line)
            self.assertIsNotNone(m, "line without its priority: %r" % line)
            self.assertEqual(m.group(1), want[m.group(2)], line)
            seen.add(m.group(2))
        self.assertEqual({"error", "warn", "info", "debug"}, seen)

    def test_no_prefix_when_stderr_is_not_the_journal(self):
        be = self.start_backend()
        hf = harness.Holdfast(backend=be, start=False)
        self.addCleanup(hf.close)
        self.start_with_env(hf, False, other=hf.config_path)
        lines = [l for l in hf.stderr().splitlines() if l.strip()]
        self.assertTrue(lines)
        for line in lines:
            self.assertFalse(line.startswith("<"), line)

    def test_json_keeps_utf8(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, global_conf={"access_log_format": "json"})
        ua = "caf\u00e9 \u2603 \U0001f600".encode("utf-8") + b" \xff\xc3(" + b' "q" \\'
        c = self.connect(hf.port)
        r = c.exchange(request("GET", "/hello?utf8", headers=[("User-Agent", "X")])
                       .replace(b"User-Agent: X", b"User-Agent: " + ua))
        self.assertEqual(r.status, 200)
        line = harness.wait_until(
            lambda: [l for l in hf.stdout().splitlines() if "utf8" in l], 5,
            what="the access-log line")[0]
        raw = line.encode("utf-8")
        self.assertIn("caf\u00e9 \u2603 \U0001f600".encode("utf-8"), raw)
        self.assertNotIn(b"caf\\u00c3", raw)
        rec = json.loads(line)
        self.assertEqual(rec["user_agent"],
                         "caf\u00e9 \u2603 \U0001f600 \u00ff\u00c3( \"q\" \\")

    def test_text_still_escapes_bytes(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be)
        c = self.connect(hf.port)
        r = c.exchange(request("GET", "/hello?text", headers=[("User-Agent", "X")])
                       .replace(b"User-Agent: X", b"User-Agent: caf\xc3\xa9"))
        self.assertEqual(r.status, 200)
        line = harness.wait_until(
            lambda: [l for l in hf.stdout().splitlines() if "text" in l], 5,
            what="the access-log line")[0]
        self.assertIn('"caf\\xC3\\xA9"', line)


if __name__ == "__main__":
    harness.main()
