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
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

RUN_TIMEOUT = 10

def _every_key():
    """Every key of the configuration table (config/keys.c), so a new key
    that --help or the man page forgets fails here."""
    with open(os.path.join(harness.ROOT, "config", "keys.c")) as f:
        keys = re.findall(r'\.name = "([a-z_]+)"', f.read())
    assert len(keys) > 30, keys
    return tuple(keys)


EVERY_KEY = _every_key()


def _have_ipv6():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


HAVE_IPV6 = _have_ipv6()


def dual_stack_free_port():
    """A port free on both 127.0.0.1 and [::1] right now."""
    for _ in range(50):
        port = harness.free_port()
        try:
            with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
                s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                s.bind(("::", port))
            return port
        except OSError:
            continue
    raise RuntimeError("no port free on both IPv4 and IPv6")


def connects_v6(port):
    try:
        with socket.create_connection(("::1", port), timeout=0.5):
            return True
    except OSError:
        return False


def get_v6(port, target):
    """Status of one GET over [::1]."""
    with socket.create_connection(("::1", port), timeout=harness.IO_TIMEOUT) as s:
        s.sendall(harness.request(target=target, headers=[("Connection", "close")]))
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return int(data.split(b" ", 2)[1])


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

    def test_short_version_flags(self):
        for flag in ("-V", "-v"):
            status, out, err = self.run_hf(flag)
            self.assertEqual(status, 0, flag + ": " + out + err)
            self.assertRegex(out, r"^holdfast \d+\.\d+\.\d+\n$", flag)

    def test_help_lists_every_key_and_the_man_page(self):
        status, out, err = self.run_hf("--help")
        self.assertEqual(status, 0, out + err)
        for key in EVERY_KEY:
            self.assertRegex(out, r"(?m)^  %s\s" % key, "--help does not list " + key)
        self.assertIn("holdfast(1)", out)
        # And the man page documents every one of them.
        with open(os.path.join(harness.ROOT, "proxy", "holdfast.1")) as f:
            man = f.read().replace("\\-", "-").replace("\\_", "_")
        for key in EVERY_KEY:
            self.assertIn(key, man, "holdfast.1 does not document " + key)

    def check_fails(self, text, line, key, why):
        """`holdfast -t` on text fails with FILE:LINE: KEY: ...why..."""
        path = self.write("check.ini", text)
        status, out, err = self.run_hf("-t", "-c", path)
        self.assertEqual(status, 1, out + err)
        self.assertRegex(err, r"(?m)^%s:%d: %s: .*%s" % (re.escape(path), line, key, why),
                         err)
        return err

    def mapping(self):
        return "[app]\nlisten = 127.0.0.1:%d\nbackend = 8000\n" % harness.free_port()

    def test_check_access_log_in_missing_directory(self):
        missing = os.path.join(self.dir, "no-such-dir", "access.log")
        self.check_fails("[global]\nlog_level = info\naccess_log = %s\n" % missing
                         + self.mapping(), 3, "access_log", "no-such-dir")
        self.assertFalse(os.path.exists(os.path.dirname(missing)))
        # The same file starts nothing either: holdfast exits 1 naming it.
        path = self.write("start.ini", "[global]\naccess_log = %s\n" % missing
                          + self.mapping())
        status, out, err = self.run_hf("-c", path)
        self.assertEqual(status, 1, out + err)
        self.assertIn(missing, err)

    def test_check_access_log_that_is_a_directory(self):
        self.check_fails("[global]\naccess_log = %s\n" % self.dir + self.mapping(),
                         2, "access_log", "cannot open")

    def test_check_access_log_not_created(self):
        # A log that does not exist yet in a writable directory is fine, and
        # -t does not create it.
        log = os.path.join(self.dir, "new.log")
        path = self.write("ok.ini", "[global]\naccess_log = %s\n" % log + self.mapping())
        status, out, err = self.run_hf("-t", "-c", path)
        self.assertEqual(status, 0, out + err)
        self.assertFalse(os.path.exists(log), "-t created the access log")

    def test_check_temp_dir(self):
        missing = os.path.join(self.dir, "nope")
        self.check_fails("[global]\ntemp_dir = %s\n" % missing + self.mapping(),
                         2, "temp_dir", "No such file")
        afile = self.write("plain-file", "x\n")
        self.check_fails("[global]\n\ntemp_dir = %s\n" % afile + self.mapping(),
                         3, "temp_dir", "not a directory")

    @unittest.skipIf(os.geteuid() == 0, "root writes into any directory")
    def test_check_temp_dir_not_writable(self):
        ro = os.path.join(self.dir, "ro")
        os.mkdir(ro, 0o555)
        self.check_fails("[global]\ntemp_dir = %s\n" % ro + self.mapping(),
                         2, "temp_dir", "not writable")

    def test_check_two_ipv6_wildcards_on_one_port(self):
        port = harness.free_port()
        self.check_fails("[a]\nlisten = [::]:%d\nbackend = 8000\n"
                         "[b]\nlisten = [::]:%d\nbackend = 8001\n" % (port, port),
                         5, "listen", r"\[a\]")

    def test_check_admin_on_a_mapping_address(self):
        port = harness.free_port()
        self.check_fails("[global]\nadmin = [::]:%d\n"
                         "[a]\nlisten = [::]:%d\nbackend = 8000\n" % (port, port),
                         2, "admin", r"\[a\]")

    def test_check_ipv4_and_ipv6_wildcards_side_by_side(self):
        port = harness.free_port()
        path = self.write("dual.ini", "[v4]\nlisten = 0.0.0.0:%d\nbackend = 8000\n"
                          "[v6]\nlisten = [::]:%d\nbackend = 8001\n" % (port, port))
        status, out, err = self.run_hf("-t", "-c", path)
        self.assertEqual(status, 0, out + err)

    @unittest.skipUnless(HAVE_IPV6, "no IPv6 on this machine")
    def test_ipv4_and_ipv6_wildcards_listen_side_by_side(self):
        be4 = self.start_backend()
        be6 = self.start_backend()
        port = dual_stack_free_port()
        path = self.write("dual.ini", "[global]\naccess_log = off\n"
                          "[v4]\nlisten = 0.0.0.0:%d\nbackend = %s\n"
                          "[v6]\nlisten = [::]:%d\nbackend = %s\n"
                          % (port, be4.addr, port, be6.addr))
        hf = self.spawn("-c", path)
        harness.wait_for_port(port, proc=hf, what="holdfast")
        harness.wait_until(lambda: connects_v6(port) or hf.poll() is not None,
                           what="[::1]:%d accepting" % port)
        self.assertIsNone(hf.poll(), hf.describe())
        self.assertEqual(harness.get(port, "/hello?v4").status, 200)
        self.assertEqual(get_v6(port, "/hello?v6"), 200)
        self.assertEqual([r["target"] for r in be4.requests()], ["/hello?v4"])
        self.assertEqual([r["target"] for r in be6.requests()], ["/hello?v6"])
        self.assertEqual(hf.stop(signal.SIGTERM, 5), 0)


if __name__ == "__main__":
    harness.main()
