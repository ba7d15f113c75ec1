#!/usr/bin/env python3
"""The command line: -t, --listen/--backend, --version, -h, usage errors,
configuration errors as FILE:LINE: messages, and a port that cannot be bound.

Exit status: 0 clean, 1 configuration or start-up error, 2 usage error.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

RUN_TIMEOUT = 10


class CliTest(harness.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="holdfast-e2e-cli-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def run_hf(self, *args, timeout=RUN_TIMEOUT):
        """Runs holdfast to completion; returns (status, stdout, stderr)."""
        p = subprocess.run([harness.holdfast_path()] + list(args),
                           stdin=subprocess.DEVNULL, capture_output=True,
                           timeout=timeout, cwd=self.dir)
        return (p.returncode, p.stdout.decode("utf-8", "replace"),
                p.stderr.decode("utf-8", "replace"))

    def spawn(self, *args):
        """Starts holdfast with args (its output captured to files)."""
        p = harness.Process("holdfast-e2e-cli-run-")
        p.name = "holdfast"
        self.addCleanup(p.close)
        return p.spawn([harness.holdfast_path()] + list(args))

    def test_check_valid_file(self):
        path = self.write("ok.ini", (
            "[global]\n"
            "access_log = off\n"
            "log_level = warn\n"
            "\n"
            "[app]\n"
            "listen = 127.0.0.1:%d\n"
            "backend = 127.0.0.1:%d, 127.0.0.1:%d\n"
            "queue_timeout = 500ms\n"
            "max_body_size = 2m\n"
            "forwarded_for = off\n" % (harness.free_port(), harness.free_port(),
                                       harness.free_port())))
        status, out, err = self.run_hf("-t", "-c", path)
        self.assertEqual(status, 0, out + err)
        self.assertRegex((out + err).lower(), r"valid|ok", "-t said nothing about the file")

    def test_check_does_not_bind(self):
        # -t only checks: a port that is taken is no error for it.
        taken = socket.socket()
        self.addCleanup(taken.close)
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        path = self.write("ok.ini", "[app]\nlisten = 127.0.0.1:%d\nbackend = 8000\n"
                          % taken.getsockname()[1])
        status, out, err = self.run_hf("-t", "-c", path)
        self.assertEqual(status, 0, out + err)

    def test_check_bad_file_reports_every_error_with_line(self):
        path = self.write("bad.ini", (
            "[global]\n"                       # 1
            "log_level = info\n"               # 2
            "\n"                               # 3
            "[app]\n"                          # 4
            "listen = 127.0.0.1:18080\n"       # 5
            "backend = 127.0.0.1:8000\n"       # 6
            "no_such_key = 1\n"                # 7
            "queue_timeout = soon\n"           # 8
            "max_body_size = lots\n"           # 9
            "forwarded_for = maybe\n"))        # 10
        status, out, err = self.run_hf("-t", "-c", path)
        self.assertEqual(status, 1, out + err)
        text = out + err
        for line, key in ((7, "no_such_key"), (8, "queue_timeout"),
                          (9, "max_body_size"), (10, "forwarded_for")):
            self.assertRegex(text, r"%s:%d: .*%s" % (re.escape(path), line, key),
                             "missing FILE:%d: %s in:\n%s" % (line, key, text))

    def test_missing_backend_is_an_error(self):
        path = self.write("nob.ini", "[app]\nlisten = 127.0.0.1:18081\n")
        status, out, err = self.run_hf("-t", "-c", path)
        self.assertEqual(status, 1, out + err)
        self.assertIn(path + ":", out + err)
        self.assertIn("backend", out + err)

    def test_two_mappings_on_one_address_is_an_error(self):
        port = harness.free_port()
        path = self.write("dup.ini", (
            "[a]\nlisten = 127.0.0.1:%d\nbackend = 8000\n"
            "[b]\nlisten = 127.0.0.1:%d\nbackend = 8001\n" % (port, port)))
        status, out, err = self.run_hf("-t", "-c", path)
        self.assertEqual(status, 1, out + err)
        self.assertIn(path + ":", out + err)

    def test_bad_file_at_start_exits_1(self):
        path = self.write("bad.ini", "[app]\nlisten = 127.0.0.1:18082\nbackend = x:y:z\n")
        status, out, err = self.run_hf("-c", path)
        self.assertEqual(status, 1, out + err)
        self.assertIn(path + ":3:", out + err)

    def test_missing_file_exits_1(self):
        status, out, err = self.run_hf("-c", os.path.join(self.dir, "nope.ini"))
        self.assertEqual(status, 1, out + err)
        self.assertIn("nope.ini", out + err)

    def test_listen_and_backend_flags(self):
        be = self.start_backend()
        port = harness.free_port()
        hf = self.spawn("--listen", "127.0.0.1:%d" % port, "--backend", be.addr)
        harness.wait_for_port(port, proc=hf, what="holdfast")
        r = harness.get(port, "/hello")
        self.assertEqual((r.status, r.body), (200, b"hello\n"))
        self.assertEqual(be.requests()[-1]["target"], "/hello")
        self.assertEqual(hf.stop(signal.SIGTERM, 5), 0)

    def test_backend_flag_takes_a_list(self):
        be = self.start_backend()
        port = harness.free_port()
        hf = self.spawn("--listen", "127.0.0.1:%d" % port,
                        "--backend", "127.0.0.1:%d,%s" % (harness.dead_port(), be.addr))
        harness.wait_for_port(port, proc=hf, what="holdfast")
        for _ in range(3):
            self.assertEqual(harness.get(port, "/hello").status, 200)
        self.assertEqual(hf.stop(signal.SIGTERM, 5), 0)

    def test_version(self):
        status, out, err = self.run_hf("--version")
        self.assertEqual(status, 0, out + err)
        self.assertRegex(out + err, r"\d+\.\d+\.\d+")

    def test_help(self):
        for flag in ("-h", "--help"):
            status, out, err = self.run_hf(flag)
            self.assertEqual(status, 0, flag + ": " + out + err)
            self.assertIn("--listen", out + err)

    def test_usage_errors_exit_2(self):
        for args in (["--bogus"], ["-c"], ["--listen"], ["extra-argument"]):
            with self.subTest(args=args):
                status, out, err = self.run_hf(*args)
                self.assertEqual(status, 2, "%r: %s%s" % (args, out, err))
                self.assertTrue(err.strip(), "usage error without a message")

    def test_port_in_use_exits_1_naming_address(self):
        taken = socket.socket()
        self.addCleanup(taken.close)
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        path = self.write("busy.ini", "[app]\nlisten = 127.0.0.1:%d\nbackend = %d\n"
                          % (port, harness.dead_port()))
        status, out, err = self.run_hf("-c", path)
        self.assertEqual(status, 1, out + err)
        self.assertIn("127.0.0.1:%d" % port, err)

    def test_port_in_use_from_flags_exits_1(self):
        taken = socket.socket()
        self.addCleanup(taken.close)
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        status, out, err = self.run_hf("--listen", "127.0.0.1:%d" % port,
                                       "--backend", "127.0.0.1:%d" % harness.dead_port())
        self.assertEqual(status, 1, out + err)
        self.assertIn("127.0.0.1:%d" % port, err)

    def test_bare_port_means_all_addresses_and_localhost_backend(self):
        be = self.start_backend()
        port = harness.free_port()
        path = self.write("bare.ini", "[global]\naccess_log = off\n"
                          "[app]\nlisten = %d\nbackend = %d\n" % (port, be.port))
        hf = self.spawn("-c", path)
        harness.wait_for_port(port, proc=hf, what="holdfast")
        r = harness.get(port, "/hello")
        self.assertEqual(r.status, 200)
        self.assertEqual(hf.stop(signal.SIGTERM, 5), 0)


if __name__ == "__main__":
    harness.main()
