#!/usr/bin/env python3
"""Running under systemd: socket activation and sd_notify.

- Socket activation: the test creates the listening sockets itself, as a
  socket unit does, and starts holdfast with them as descriptors 3.. and
  LISTEN_FDS/LISTEN_PID set. Sockets are matched to mappings and the admin
  listener by address; one that matches nothing is a start-up error. A
  request loop runs across the stop of one holdfast and the start of the
  next on the same socket: connections made while no process runs wait in
  the kernel's backlog, so none is refused and none fails.
- sd_notify: the test listens on a Unix datagram socket of its own, named
  in NOTIFY_SOCKET, and sees READY=1, RELOADING=1 then READY=1 around a
  SIGHUP, and STOPPING=1 at SIGTERM.
"""

import configparser
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import request  # noqa: E402

# Started in place of holdfast: puts the given descriptors at 3, 4, ... and
# sets LISTEN_PID to its own pid, which exec keeps, as systemd does between
# fork and exec.
ACTIVATE = r"""
import fcntl, os, sys
fds = [int(x) for x in sys.argv[1].split(",")]
high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 100) for fd in fds]
for fd in fds:
    os.close(fd)
for i, fd in enumerate(high):
    os.dup2(fd, 3 + i)
    os.close(fd)
os.environ["LISTEN_PID"] = str(os.getpid())
os.environ["LISTEN_FDS"] = str(len(fds))
os.execv(sys.argv[2], sys.argv[2:])
"""

SD_VARS = ("LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES", "NOTIFY_SOCKET")


def listening_socket(host=harness.LOCALHOST, family=socket.AF_INET):
    """A listening TCP socket on a free port, as a socket unit makes one."""
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((host, 0))
    s.listen(128)
    return s


def addr_of(s):
    host, port = s.getsockname()[:2]
    return ("[%s]:%d" if ":" in host else "%s:%d") % (host, port)


def socket_inode(s):
    return os.fstat(s.fileno()).st_ino


def holds_socket(pid, ino):
    """True if process pid has the socket with inode ino open."""
    want = "socket:[%d]" % ino
    fd_dir = "/proc/%d/fd" % pid
    for name in os.listdir(fd_dir):
        try:
            if os.readlink(os.path.join(fd_dir, name)) == want:
                return True
        except OSError:
            pass  # closed while we looked
    return False


class SdHoldfast(harness.Holdfast):
    """holdfast started the way systemd starts it: with inherited listening
    sockets (socks) and/or extra environment (env, NOTIFY_SOCKET)."""

    def __init__(self, socks=(), env=None, start=True, **kw):
        self.socks = list(socks)
        self.env = env or {}
        super().__init__(start=False, **kw)
        if start:
            self.start()

    def spawn(self, argv):
        env = {k: v for k, v in os.environ.items() if k not in SD_VARS}
        env.update(self.env)
        fds = [s.fileno() for s in self.socks]
        if fds:
            argv = [sys.executable, "-c", ACTIVATE,
                    ",".join(str(fd) for fd in fds)] + argv
        self.argv = argv
        with open(self.stdout_path, "wb") as out, \
                open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=err, cwd=self.dir,
                                         env=env, pass_fds=fds)
        return self

    def start(self):
        """Runs holdfast; ready once it logs that it runs (an inherited
        socket accepts before that: the kernel's backlog) and its other
        ports accept."""
        inherited = {s.getsockname()[1] for s in self.socks}
        try:
            self.spawn([harness.holdfast_path(), "-c", self.config_path])
            harness.wait_until(
                lambda: "running, pid" in self.stderr() or self.poll() is not None,
                timeout=harness.START_TIMEOUT, what="holdfast to run")
            if self.poll() is not None:
                raise RuntimeError("holdfast exited at start\n" + self.describe())
            for port in self.ports.values():
                if port not in inherited:
                    harness.wait_for_port(port, proc=self, what="holdfast")
        except BaseException:
            self.close()
            raise
        return self


class RequestLoop:
    """One client thread sending GETs one after another, each on a new
    connection, recording what became of each. slow() makes the next one
    a /sleep request, to hold the backend while the test signals."""

    def __init__(self, port):
        self.port = port
        self.results = []  # (target, status code or "refused"/"failed: ...")
        self.started = 0
        self._slow = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        i = 0
        while not self._stop.is_set():
            i += 1
            target = "/hello?n=%d" % i
            if self._slow.is_set():
                self._slow.clear()
                target = "/sleep?ms=1000"
            with self._lock:
                self.started += 1
            try:
                outcome = harness.get(self.port, target, timeout=15).status
            except ConnectionRefusedError:
                outcome = "refused"
            except Exception as e:  # every failure is reported by the test
                outcome = "failed: %r" % e
            with self._lock:
                self.results.append((target, outcome))

    def slow(self):
        self._slow.set()

    def ok_count(self):
        with self._lock:
            return sum(1 for _, r in self.results if r == 200)

    def waiting_after_slow(self):
        """True once the slow request is answered and the next one is out."""
        with self._lock:
            return (any(t.startswith("/sleep") for t, _ in self.results) and
                    self.started > len(self.results))

    def stop(self):
        self._stop.set()
        self.thread.join(30)
        if self.thread.is_alive():
            raise AssertionError("request loop did not stop")


class SocketActivationTest(harness.TestCase):

    def setUp(self):
        self.be = self.start_backend()

    def listening(self, *args):
        s = listening_socket(*args)
        self.addCleanup(s.close)
        return s

    def start_sd(self, socks, **kw):
        hf = SdHoldfast(socks, **kw)
        self.addCleanup(hf.close)
        return hf

    def test_restart_on_inherited_socket_refuses_nothing(self):
        lsock = self.listening()
        port = lsock.getsockname()[1]
        conf = dict(backend=self.be, listen=addr_of(lsock),
                    global_conf={"shutdown_timeout": "10s"})
        first = self.start_sd([lsock], **conf)
        self.assertIn("socket activation: %s on fd 3" % addr_of(lsock),
                      first.stderr())
        loop = RequestLoop(port)
        self.addCleanup(loop.stop)
        harness.wait_until(lambda: loop.ok_count() >= 10, timeout=20,
                           what="10 requests through the first holdfast")
        # Stop it while a request is at the backend: the loop waits for it,
        # so the signal never races a connection accepted but not yet read.
        loop.slow()
        harness.wait_until(
            lambda: any(r["target"].startswith("/sleep") for r in self.be.requests()),
            timeout=10, what="the slow request at the backend")
        first.send_signal(signal.SIGTERM)
        self.assertEqual(first.wait(10), 0, "first holdfast exit status")
        # The first stopped accepting at the signal, and no process runs
        # now: the loop's next connection waits in the backlog, with these.
        harness.wait_until(loop.waiting_after_slow, timeout=10,
                           what="the loop to connect after the slow request")
        waiting = [self.connect(port, timeout=15) for _ in range(3)]
        for i, c in enumerate(waiting):
            c.send(request("GET", "/hello?waiting=%d" % i))
        second = self.start_sd([lsock], **conf)
        for c in waiting:
            self.assertEqual(c.read_response().status, 200)
        ok_at_second = loop.ok_count()
        harness.wait_until(lambda: loop.ok_count() >= ok_at_second + 10,
                           timeout=20, what="10 requests through the second holdfast")
        loop.stop()
        bad = [r for r in loop.results if r[1] != 200]
        self.assertEqual(bad, [], "requests refused or failed across the restart")
        self.assertGreaterEqual(len(loop.results), 20)
        # Both processes served: the stop really came in the middle.
        self.assertTrue(any("/sleep" in l for l in first.access_log()))
        self.assertTrue(any("waiting=" in l for l in second.access_log()))

    def test_unmatched_inherited_socket_is_a_startup_error(self):
        stray = self.listening()
        hf = SdHoldfast([stray], backend=self.be, start=False)
        self.addCleanup(hf.close)
        hf.spawn([harness.holdfast_path(), "-c", hf.config_path])
        self.assertEqual(hf.wait(10), 1, "exit status with a stray socket")
        self.assertIn("inherited socket %s (fd 3) matches no" % addr_of(stray),
                      hf.stderr())
        # Nothing was opened: the mapping's own port was never bound.
        self.assertTrue(harness.port_refuses(hf.port))

    def test_non_socket_descriptor_is_a_startup_error(self):
        r, w = os.pipe()
        self.addCleanup(os.close, r)
        self.addCleanup(os.close, w)

        class Pipe:
            def fileno(self):
                return r
        hf = SdHoldfast([Pipe()], backend=self.be, start=False)
        self.addCleanup(hf.close)
        hf.spawn([harness.holdfast_path(), "-c", hf.config_path])
        self.assertEqual(hf.wait(10), 1)
        self.assertIn("inherited fd 3: not a socket", hf.stderr())

    def test_mappings_and_admin_matched_by_address_others_bind(self):
        a, adm = self.listening(), self.listening()
        hf = self.start_sd(
            [adm, a],  # order does not matter: matched by address
            mappings={"a": {"listen": addr_of(a), "backend": self.be},
                      "b": {"backend": self.be}},
            global_conf={"admin": addr_of(adm)})
        err = hf.stderr()
        self.assertIn("socket activation: %s on fd 3" % addr_of(adm), err)
        self.assertIn("socket activation: %s on fd 4" % addr_of(a), err)
        self.assertEqual(harness.get(hf.ports["a"], "/hello?a").status, 200)
        # "b" had no inherited socket: it bound its port as usual.
        harness.wait_for_port(hf.ports["b"], proc=hf)
        self.assertEqual(harness.get(hf.ports["b"], "/hello?b").status, 200)
        r = harness.get(adm.getsockname()[1], "/healthz")
        self.assertEqual((r.status, r.body), (200, b"ok\n"))
        self.assertTrue(holds_socket(hf.pid, socket_inode(a)))
        self.assertTrue(holds_socket(hf.pid, socket_inode(adm)))

    def test_ipv6_socket_matched(self):
        try:
            s6 = self.listening("::1", socket.AF_INET6)
        except OSError as e:
            self.skipTest("no IPv6 loopback: %s" % e)
        hf = self.start_sd([s6], backend=self.be, listen=addr_of(s6))
        self.assertIn("socket activation: %s on fd 3" % addr_of(s6), hf.stderr())
        with socket.create_connection(("::1", s6.getsockname()[1]),
                                      timeout=harness.IO_TIMEOUT) as c:
            c.sendall(request("GET", "/hello?v6"))
            self.assertTrue(c.recv(100).startswith(b"HTTP/1.1 200"))

    def test_reload_keeps_kept_socket_and_closes_removed(self):
        a, b = self.listening(), self.listening()
        mappings = {"a": {"listen": addr_of(a), "backend": self.be},
                    "b": {"listen": addr_of(b), "backend": self.be}}
        hf = self.start_sd([a, b], mappings=mappings)
        self.assertTrue(holds_socket(hf.pid, socket_inode(b)))
        hf.write_config({"a": mappings["a"]})
        hf.send_signal(signal.SIGHUP)
        harness.wait_until(lambda: "reloaded" in hf.stderr(), what="the reload")
        harness.wait_until(lambda: not holds_socket(hf.pid, socket_inode(b)),
                           what="the removed mapping's socket to close")
        self.assertTrue(holds_socket(hf.pid, socket_inode(a)))
        self.assertEqual(harness.get(a.getsockname()[1], "/hello?kept").status, 200)


class NotifyReader:
    """The service manager's end of NOTIFY_SOCKET: a Unix datagram socket
    at a path, or in the abstract namespace for a name starting with '@'."""

    def __init__(self, name):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind("\0" + name[1:] if name.startswith("@") else name)
        self.name = name
        self.seen = []

    def next(self, timeout=10.0):
        """The next message as a dict of its VAR=value lines."""
        self.sock.settimeout(timeout)
        data = self.sock.recv(4096).decode()
        self.seen.append(data)
        return dict(line.split("=", 1) for line in data.split("\n") if line)

    def close(self):
        self.sock.close()


class NotifyTest(harness.TestCase):

    def setUp(self):
        self.be = self.start_backend()
        self.dir = tempfile.mkdtemp(prefix="holdfast-e2e-notify-")
        self.addCleanup(os.rmdir, self.dir)

    def reader(self, name):
        r = NotifyReader(name)
        self.addCleanup(r.close)
        if not name.startswith("@"):
            self.addCleanup(os.unlink, name)
        return r

    def start(self, reader, **kw):
        hf = SdHoldfast(env={"NOTIFY_SOCKET": reader.name}, backend=self.be, **kw)
        self.addCleanup(hf.close)
        return hf

    def test_ready_reloading_stopping(self):
        n = self.reader(os.path.join(self.dir, "notify"))
        hf = self.start(n)
        msg = n.next()
        self.assertEqual(msg.get("READY"), "1", n.seen)
        self.assertEqual(msg.get("MAINPID"), str(hf.pid), n.seen)
        self.assertIn("serving 1 mapping", msg.get("STATUS", ""))
        # READY=1 comes once listening.
        self.assertEqual(harness.get(hf.port, "/hello").status, 200)

        hf.send_signal(signal.SIGHUP)
        msg = n.next()
        self.assertEqual(msg.get("RELOADING"), "1", n.seen)
        self.assertTrue(msg.get("MONOTONIC_USEC", "").isdigit(), n.seen)
        msg = n.next()
        self.assertEqual(msg.get("READY"), "1", n.seen)
        self.assertIn("reloaded", msg.get("STATUS", ""))

        hf.write_config_text(hf.config_text + "bogus_key = 1\n")
        hf.send_signal(signal.SIGHUP)
        self.assertEqual(n.next().get("RELOADING"), "1", n.seen)
        msg = n.next()
        self.assertEqual(msg.get("READY"), "1", n.seen)
        self.assertIn("running configuration kept", msg.get("STATUS", ""))

        hf.send_signal(signal.SIGTERM)
        msg = n.next()
        self.assertEqual(msg.get("STOPPING"), "1", n.seen)
        self.assertIn("draining", msg.get("STATUS", ""))
        self.assertEqual(hf.wait(10), 0)

    def test_abstract_socket(self):
        n = self.reader("@holdfast-e2e-%d-%d" % (os.getpid(), time.monotonic_ns()))
        hf = self.start(n)
        self.assertEqual(n.next().get("READY"), "1", n.seen)
        hf.send_signal(signal.SIGTERM)
        self.assertEqual(n.next().get("STOPPING"), "1", n.seen)
        self.assertEqual(hf.wait(10), 0)


class ExampleUnitsTest(harness.TestCase):
    """examples/holdfast.socket and holdfast.service fit examples/holdfast.ini."""

    def unit_lines(self, name):
        with open(os.path.join(harness.EXAMPLES, name)) as f:
            return [l.strip() for l in f if l.strip() and not l.startswith("#")]

    def test_socket_unit_listens_where_the_example_config_does(self):
        parser = configparser.ConfigParser(inline_comment_prefixes=(";",))
        parser.read(os.path.join(harness.EXAMPLES, "holdfast.ini"))
        listens = {parser[s]["listen"] for s in parser.sections() if "listen" in parser[s]}
        streams = {l.split("=", 1)[1] for l in self.unit_lines("holdfast.socket")
                   if l.startswith("ListenStream=")}
        self.assertTrue(listens)
        self.assertEqual(streams, listens)

    def test_service_is_notify_and_checks_the_file_before_reload(self):
        lines = self.unit_lines("holdfast.service")
        self.assertIn("Type=notify", lines)
        reload = [l.split("=", 1)[1] for l in lines if l.startswith("ExecReload=")]
        self.assertEqual(len(reload), 2, reload)
        self.assertIn(" -t -c ", reload[0])
        self.assertIn("kill -HUP $MAINPID", reload[1])


if __name__ == "__main__":
    harness.main()
