"""Shared harness for holdfast's end-to-end tests.

Starts the real binary (path in $HOLDFAST) in front of real single-threaded
backends, talks to it over raw sockets and parses what comes back. Everything
is bounded in time: sockets carry timeouts, readiness is polled with a
deadline, processes are stopped by PID with a deadline. Standard library only.

Pieces:
  free_port()            a port on 127.0.0.1 nobody listens on right now
  wait_for_port()        poll until a port accepts, or fail with the process's logs
  Holdfast               write an ini file, run `holdfast -c FILE`, stop it
  Backend                run a backend script on a free port; read its JSONL log
  Conn                   a client socket with a read buffer: send bytes, read
                         one full HTTP/1.x response, read until close
  request()              build request bytes
  TestCase               unittest.TestCase that prints process logs on failure
"""

import base64
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
BACKENDS = os.path.join(HERE, "backends")
ROOT = os.path.dirname(os.path.dirname(HERE))
EXAMPLES = os.path.join(ROOT, "examples")

LOCALHOST = "127.0.0.1"
IO_TIMEOUT = 5.0  # default socket timeout: no single read or write waits longer
START_TIMEOUT = 10.0  # a process must accept on its port within this

# Processes started during the current test (printed when it fails) and those
# started in setUpClass (printed for any failure of their class).
_started = []
_class_started = []
_in_class_setup = False


def holdfast_path():
    """The binary under test: $HOLDFAST, else build/holdfast beside the source."""
    path = os.environ.get("HOLDFAST")
    if not path:
        path = os.path.join(ROOT, "build", "holdfast")
    if not os.path.isfile(path) or not os.access(path, os.X_OK):
        raise RuntimeError(
            "holdfast binary not found at %r (set HOLDFAST to its absolute path)"
            % path)
    return path


_given_ports = set()


def free_port():
    """A TCP port on 127.0.0.1 that nothing is bound to at this moment and
    that this process has not handed out before: the kernel may offer the
    same free port twice in a row, and two mappings of one config on one
    port is a configuration error.

    Other test processes run at the same time and pick ports the same way,
    so the port is also kept from them until it is used: one connection is
    made to it and its accepted end closed first, which leaves that end in
    TIME_WAIT for a minute. Meanwhile the kernel hands the port to no
    bind(0) and no outgoing connection, while a server that sets
    SO_REUSEADDR (libuv, Python's socketserver, the raw backend) can still
    listen on it."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as ls:
            ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            ls.bind((LOCALHOST, 0))
            ls.listen(1)
            port = ls.getsockname()[1]
            with socket.create_connection((LOCALHOST, port), timeout=5) as c:
                accepted, _ = ls.accept()
                accepted.close()  # this end closes first: it keeps TIME_WAIT
                c.recv(1)  # the FIN has arrived before this end closes
        if port not in _given_ports:
            _given_ports.add(port)
            return port
    raise RuntimeError("no fresh free port after 100 tries")


def dead_port():
    """A port that refuses connections (nothing listens on it)."""
    return free_port()


def wait_for_port(port, timeout=START_TIMEOUT, proc=None, what="process"):
    """Polls until 127.0.0.1:port accepts a connection.

    With proc (a Popen-like object with pid, poll() and describe()), also
    until the listening socket is proc's own, so that another test's
    process on the same port is never taken for it; fails early if proc
    exits first, and after timeout seconds otherwise."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("%s exited (status %s) before accepting on port %d\n%s"
                               % (what, proc.poll(), port, _describe(proc)))
        try:
            with socket.create_connection((LOCALHOST, port), timeout=0.5):
                pass
            if proc is None or listener_owned_by(port, proc.pid):
                return
            last = "port %d is held by another process" % port
        except OSError as e:
            last = e
        time.sleep(0.02)  # polling interval, not a readiness guess
    raise RuntimeError("%s did not accept on port %d within %.1fs (%s)\n%s"
                       % (what, port, timeout, last, _describe(proc)))


# /proc/net/tcp states (include/net/tcp_states.h)
TCP_ESTABLISHED, TCP_CLOSE_WAIT, TCP_LISTEN = 0x01, 0x08, 0x0A


def tcp_sockets():
    """Every IPv4 and IPv6 TCP socket of the machine from /proc/net/tcp*, as
    dicts with lport, rport, state (a TCP_* number) and inode."""
    out = []
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            out.append({"lport": int(fields[1].rsplit(":", 1)[1], 16),
                        "rport": int(fields[2].rsplit(":", 1)[1], 16),
                        "state": int(fields[3], 16),
                        "inode": int(fields[9])})
    return out


def listener_owned_by(port, pid):
    """True if a socket listening on port is one of pid's descriptors."""
    inodes = {"socket:[%d]" % s["inode"] for s in tcp_sockets()
              if s["lport"] == port and s["state"] == TCP_LISTEN}
    fd_dir = "/proc/%d/fd" % pid
    try:
        fds = os.listdir(fd_dir)
    except OSError:
        return False
    for fd in fds:
        try:
            if os.readlink(os.path.join(fd_dir, fd)) in inodes:
                return True
        except OSError:
            pass  # closed meanwhile
    return False


def wait_until(cond, timeout=5.0, interval=0.02, what="condition"):
    """Polls cond() until it returns a true value, which is returned."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.1fs waiting for %s" % (timeout, what))
        time.sleep(interval)


def port_refuses(port):
    """True if a connect to 127.0.0.1:port is refused right now."""
    try:
        with socket.create_connection((LOCALHOST, port), timeout=0.5):
            return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False


def _describe(proc):
    return proc.describe() if proc is not None and hasattr(proc, "describe") else ""


def _register(proc):
    (_class_started if _in_class_setup else _started).append(proc)


def _tail(path, limit=6000):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return ""
    text = data.decode("utf-8", "replace")
    if len(text) > limit:
        text = "...\n" + text[-limit:]
    return text


class Process:
    """A child process with stdout and stderr captured to files in a temp dir
    that it owns. Stopped by PID, never by name. Subclasses start it;
    Process(prefix).spawn(argv) runs any command that way."""

    name = "process"

    def __init__(self, prefix):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        self.proc = None
        self.argv = None
        self.stdout_path = os.path.join(self.dir, "stdout.log")
        self.stderr_path = os.path.join(self.dir, "stderr.log")
        self._saved_stdout = ""
        self._saved_stderr = ""
        self._closed = False
        self._paused = False
        _register(self)

    def spawn(self, argv):
        self.argv = argv
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                         stderr=err, cwd=self.dir)
        return self

    @property
    def pid(self):
        return self.proc.pid

    @property
    def returncode(self):
        return self.proc.returncode if self.proc else None

    def poll(self):
        return self.proc.poll() if self.proc else None

    def stdout(self):
        """Text written to stdout so far (the access log for holdfast)."""
        return self._saved_stdout if self._closed else _tail(self.stdout_path, 10**7)

    def stderr(self):
        """Text written to stderr so far (the error log for holdfast)."""
        return self._saved_stderr if self._closed else _tail(self.stderr_path, 10**7)

    def send_signal(self, sig):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)

    def pause(self):
        """Freezes the process (SIGSTOP) until resume(): a backend paused
        while it works on a request holds its slot for as long as the test
        needs, however slow the machine, instead of for a guessed time.
        The kernel still completes handshakes to its listening socket."""
        self.send_signal(signal.SIGSTOP)
        self._paused = True

    def resume(self):
        if self._paused:
            self.send_signal(signal.SIGCONT)
            self._paused = False

    def wait(self, timeout):
        """Waits up to timeout seconds for the process to exit; returns its
        status, or None if it is still running."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """Sends sig and waits up to timeout seconds; kills it if it is still
        running then. Returns the exit status (negative: killed by a signal)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            if self.wait(timeout) is None:
                self.proc.kill()
                self.proc.wait(timeout=5)
        return self.proc.returncode

    def close(self):
        """Stops the process if it runs and removes its temp dir (logs are kept
        in memory for the failure report)."""
        if self._closed:
            return
        self.resume()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)
        self._saved_stdout = _tail(self.stdout_path, 10**7)
        self._saved_stderr = _tail(self.stderr_path, 10**7)
        self._closed = True
        shutil.rmtree(self.dir, ignore_errors=True)

    def describe(self):
        def cut(text):
            return text if len(text) <= 6000 else "...\n" + text[-6000:]
        return ("---- %s %s (pid %s, status %s)\n---- stdout:\n%s\n---- stderr:\n%s\n"
                % (self.name, " ".join(self.argv or []),
                   self.proc.pid if self.proc else "-", self.poll(),
                   cut(self.stdout()), cut(self.stderr())))


def _ini_value(v):
    if isinstance(v, bool):
        return "on" if v else "off"
    if isinstance(v, (list, tuple)):
        return ",".join(_ini_value(x) for x in v)
    return str(v)


def backend_list(backends):
    """Turns a port, an address, a Backend, or a list of them into the
    comma-separated backend value of a mapping."""
    if not isinstance(backends, (list, tuple)):
        backends = [backends]
    out = []
    for b in backends:
        if isinstance(b, Backend):
            out.append(b.addr)
        elif isinstance(b, int):
            out.append("%s:%d" % (LOCALHOST, b))
        else:
            out.append(str(b))
    return ",".join(out)


# What AddressSanitizer, LeakSanitizer and UBSan print: a sanitizer build
# (.ci/run) that finds anything fails the test that started the process.
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                     "runtime error:")


class Holdfast(Process):
    """holdfast run from a generated ini file.

    Holdfast(backend=B, **settings) makes one mapping named "app"; or pass
    mappings={"name": {settings}, ...}. A mapping without "listen" gets a free
    port. global_conf holds [global] settings; access_log defaults to stdout
    (captured) and temp_dir to a directory inside the harness's temp dir.

    start() runs it and waits until every listen port accepts; stop() sends
    SIGTERM and waits. .port is the first mapping's port, .ports by name.

    admin=True adds an admin listener on a free port (.admin_port), kept
    across write_config(), so that a test can wait for a state through
    metric()/wait_metric() instead of sleeping a guess."""

    name = "holdfast"

    def __init__(self, backend=None, mappings=None, global_conf=None, start=True,
                 admin=False, **settings):
        super().__init__("holdfast-e2e-")
        self.admin_port = free_port() if admin else None
        if mappings is None:
            mappings = {"app": dict(settings, backend=backend)}
        elif backend is not None or settings:
            raise ValueError("give either backend/settings or mappings")
        self.ports = {}
        self.config_path = os.path.join(self.dir, "holdfast.ini")
        self.write_config(mappings, global_conf)
        self.port = next(iter(self.ports.values()))
        if start:
            self.start()

    def start(self):
        """Runs holdfast and waits until every listen port accepts. If it
        does not, the process is stopped and its temp dir removed before the
        error (which carries its logs) is raised."""
        try:
            self.spawn([holdfast_path(), "-c", self.config_path])
            for port in self.ports.values():
                wait_for_port(port, proc=self, what="holdfast")
            if self.admin_port:
                wait_for_port(self.admin_port, proc=self, what="holdfast admin")
        except BaseException:
            self.close()
            raise
        return self

    def write_config(self, mappings, global_conf=None):
        """(Re)writes the ini file. A mapping without "listen" keeps the port
        it had under the same name, or gets a free one. Used by __init__, and
        by tests that then send SIGHUP."""
        gconf = {"access_log": "stdout", "log_level": "info",
                 "temp_dir": os.path.join(self.dir, "spill")}
        if self.admin_port:
            gconf["admin"] = "%s:%d" % (LOCALHOST, self.admin_port)
        gconf.update(global_conf or {})
        if "temp_dir" not in (global_conf or {}):
            os.makedirs(gconf["temp_dir"], exist_ok=True)
        lines = ["; written by test/e2e/harness.py", "[global]"]
        for k, v in gconf.items():
            lines.append("%s = %s" % (k, _ini_value(v)))
        for name, conf in mappings.items():
            conf = dict(conf)
            if "listen" not in conf:
                port = self.ports.get(name) or free_port()
                conf["listen"] = "%s:%d" % (LOCALHOST, port)
            listen = str(conf["listen"])
            self.ports[name] = int(listen.rsplit(":", 1)[-1])
            lines.append("")
            lines.append("[%s]" % name)
            for k, v in conf.items():
                if k == "backend":
                    v = backend_list(v)
                lines.append("%s = %s" % (k, _ini_value(v)))
        self.write_config_text("\n".join(lines) + "\n")

    def write_config_text(self, text):
        """Replaces the ini file with text, written whole then renamed into
        place so a reload never reads half a file."""
        self.config_text = text
        tmp = self.config_path + ".tmp"
        with open(tmp, "w") as f:
            f.write(text)
        os.replace(tmp, self.config_path)

    def metrics(self):
        """The admin listener's /metrics (needs admin=True) as a list of
        (name, {label: value}, float)."""
        r = get(self.admin_port, "/metrics")
        if r.status != 200:
            raise AssertionError("/metrics answered %r" % r)
        return parse_metrics(r.body.decode("utf-8"))

    def metric(self, name, **labels):
        """The sum of the samples of name whose labels include labels (0 if
        there is none)."""
        return sum(v for n, l, v in self.metrics()
                   if n == name and all(l.get(k) == str(x) for k, x in labels.items()))

    def wait_metric(self, name, value, timeout=10.0, **labels):
        """Polls /metrics until metric(name, **labels) == value."""
        seen = []

        def cond():
            seen[:] = [self.metric(name, **labels)]
            return seen[0] == value
        try:
            wait_until(cond, timeout, what="%s%r == %s" % (name, labels, value))
        except AssertionError as e:
            raise AssertionError("%s (last %s)" % (e, seen)) from None

    def access_log(self):
        """Access-log lines written to stdout so far."""
        return [l for l in self.stdout().splitlines() if l.strip()]

    def connect(self, name=None, timeout=IO_TIMEOUT):
        return Conn(self.ports[name] if name else self.port, timeout=timeout)

    def close(self):
        """Shuts holdfast down the way an operator would (SIGTERM, then a
        second one if the drain takes long) instead of killing it, so that a
        sanitizer build reports leaks at exit; then fails the test if the
        exit was not clean or a sanitizer said anything."""
        if self._closed:
            return
        self.resume()  # a stopped process would not see the SIGTERM
        problem = None
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            status = self.wait(3.0)
            if status is None:
                self.proc.send_signal(signal.SIGTERM)  # exits at once, status 1
                status = self.wait(10.0)
                if status is None:
                    problem = "did not exit on a second SIGTERM"
                elif status != 1:
                    problem = "exit status %s after a second SIGTERM" % status
            elif status != 0:
                problem = "exit status %s after SIGTERM" % status
        Process.close(self)
        for marker in SANITIZER_MARKERS:
            if marker in self._saved_stderr:
                problem = "sanitizer report (%s)" % marker
                break
        if problem is not None:
            raise AssertionError("holdfast %s:\n%s" % (problem, self.describe()))

    def describe(self):
        return Process.describe(self) + "---- config:\n" + self.config_text


class Backend(Process):
    """A backend script run as `python3 SCRIPT --port P --log FILE ARGS...` on a
    free port; waits until it accepts. Its log is JSON lines: one
    {"type": "request", ...} when a request has been read whole, one
    {"type": "done", ...} when it has been answered."""

    name = "backend"

    def __init__(self, script, *args, port=None):
        super().__init__("holdfast-e2e-backend-")
        self.port = port or free_port()
        self.addr = "%s:%d" % (LOCALHOST, self.port)
        self.log_path = os.path.join(self.dir, "requests.jsonl")
        self.name = os.path.basename(script)
        try:
            self.spawn([sys.executable, script, "--port", str(self.port),
                        "--log", self.log_path] + [str(a) for a in args])
            wait_for_port(self.port, proc=self, what=self.name)
        except BaseException:
            self.close()
            raise

    def connections(self):
        """TCP connections to this backend open right now on its side:
        the one it serves and those waiting in its accept queue."""
        return sum(1 for s in tcp_sockets()
                   if s["lport"] == self.port and s["state"] == TCP_ESTABLISHED)

    def wait_connections(self, n, timeout=10.0):
        """Polls until connections() == n. With the backend paused, this is
        how a test knows holdfast has sent it a request: the kernel
        completes the handshake while the process is stopped."""
        wait_until(lambda: self.connections() == n, timeout,
                   what="%d connection(s) to %s" % (n, self.name))

    def records(self):
        try:
            with open(self.log_path, "r", encoding="utf-8") as f:
                lines = f.read().splitlines()
        except FileNotFoundError:
            return []
        out = []
        for line in lines:
            try:
                out.append(json.loads(line))
            except ValueError:
                pass  # a line being written right now
        return out

    def requests(self):
        """Requests the backend has received whole, in order."""
        return [r for r in self.records() if r.get("type") == "request"]

    def done(self):
        return [r for r in self.records() if r.get("type") == "done"]

    def max_concurrent(self):
        """Most connections to this backend that were open at once while it
        worked on a request (0 if it never worked on one)."""
        return max([r.get("concurrent", 0) for r in self.records()] or [0])

    def wait_for_requests(self, n, timeout=5.0):
        return wait_until(lambda: len(self.requests()) >= n and self.requests(),
                          timeout, what="%d request(s) at %s" % (n, self.name))

    def wait_for_done(self, n, timeout=5.0):
        return wait_until(lambda: len(self.done()) >= n and self.done(),
                          timeout, what="%d answered request(s) at %s" % (n, self.name))

    def stop(self, sig=signal.SIGTERM, timeout=5.0):
        return super().stop(sig, timeout)


def recording_backend(*args):
    return Backend(os.path.join(BACKENDS, "recording_backend.py"), *args)


def raw_backend(mode, *args):
    return Backend(os.path.join(BACKENDS, "raw_backend.py"), "--mode", mode, *args)


class LegacyApp(Process):
    """examples/legacy_app.py, the seed case's single-threaded server."""

    name = "legacy_app"

    def __init__(self):
        super().__init__("holdfast-e2e-legacy-")
        self.port = free_port()
        self.addr = "%s:%d" % (LOCALHOST, self.port)
        try:
            self.spawn([sys.executable, os.path.join(EXAMPLES, "legacy_app.py"),
                         str(self.port)])
            wait_for_port(self.port, proc=self, what="legacy_app")
        except BaseException:
            self.close()
            raise


_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """Prometheus text format -> list of (name, {label: value}, float)."""
    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        if not m:
            raise AssertionError("not a Prometheus sample line: %r" % line)
        out.append((m.group(1), dict(_LABEL.findall(m.group(2) or "")),
                    float(m.group(3))))
    return out


def body_of(r):
    """The body bytes of a backend log record."""
    return base64.b64decode(r["body_b64"])


def header_values(headers, name):
    name = name.lower()
    return [v for (n, v) in headers if n.lower() == name]


def pattern(n):
    """The deterministic body of /size?n=N on the recording backend."""
    unit = b"abcdefghijklmnopqrstuvwxyz0123456789\n"
    reps = n // len(unit) + 1
    return (unit * reps)[:n]


# ---------------------------------------------------------------- client side

def request(method="GET", target="/hello", version="HTTP/1.1", headers=None,
            body=None, host="test.example"):
    """Builds request bytes. headers is a list of (name, value) pairs written
    as given; Host is added first for HTTP/1.1 unless host is None or headers
    already has one; Content-Length is added when body is given and headers
    has no Content-Length or Transfer-Encoding."""
    headers = list(headers or [])
    names = {n.lower() for n, _ in headers}
    if host is not None and "host" not in names and version == "HTTP/1.1":
        headers.insert(0, ("Host", host))
    if body is not None and "content-length" not in names \
            and "transfer-encoding" not in names:
        headers.append(("Content-Length", str(len(body))))
    head = "%s %s %s\r\n" % (method, target, version)
    head += "".join("%s: %s\r\n" % (n, v) for n, v in headers)
    head += "\r\n"
    data = head.encode("latin-1")
    if body is not None:
        data += body if isinstance(body, bytes) else body.encode("latin-1")
    return data


def chunked(body, sizes=(5, 1, 100)):
    """Encodes body in chunked framing with chunk sizes cycling through sizes."""
    out = b""
    i = 0
    k = 0
    while i < len(body):
        n = sizes[k % len(sizes)]
        k += 1
        part = body[i:i + n]
        i += n
        out += b"%x\r\n" % len(part) + part + b"\r\n"
    return out + b"0\r\n\r\n"


class ProtocolError(Exception):
    pass


class Response:
    """One parsed HTTP/1.x response.

    version ("HTTP/1.1"), status (int), reason, headers (list of (name, value)
    in order), body (bytes, de-chunked), framing ("length", "chunked", "close"
    or "none"), raw_head (bytes), interim (1xx responses read before it)."""

    def __init__(self):
        self.version = None
        self.status = None
        self.reason = None
        self.headers = []
        self.body = b""
        self.framing = None
        self.raw_head = b""
        self.interim = []
        self.complete = False

    def header(self, name):
        vals = header_values(self.headers, name)
        return vals[0] if vals else None

    def header_all(self, name):
        return header_values(self.headers, name)

    def has_header(self, name):
        return bool(header_values(self.headers, name))

    def connection_tokens(self):
        toks = []
        for v in self.header_all("Connection"):
            toks += [t.strip().lower() for t in v.split(",") if t.strip()]
        return toks

    def __repr__(self):
        return "<Response %s %s %r framing=%s body=%d bytes>" % (
            self.version, self.status, self.reason, self.framing, len(self.body))


def parse_head(raw):
    """Parses a response head (status line and headers, CRLF-terminated) into
    a Response without a body."""
    r = Response()
    r.raw_head = raw
    text = raw.decode("latin-1")
    lines = text.split("\r\n")
    status = lines[0]
    parts = status.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit() \
            or len(parts[1]) != 3:
        raise ProtocolError("bad status line %r" % status)
    r.version = parts[0]
    r.status = int(parts[1])
    r.reason = parts[2] if len(parts) > 2 else ""
    for line in lines[1:]:
        if line == "":
            continue
        if ":" not in line:
            raise ProtocolError("bad header line %r" % line)
        n, v = line.split(":", 1)
        r.headers.append((n, v.strip(" \t")))
    return r


class Conn:
    """A client connection to 127.0.0.1:port with its own read buffer, so
    pipelined responses can be read one at a time. Every read is bounded by
    the socket timeout."""

    def __init__(self, port, timeout=IO_TIMEOUT, host=LOCALHOST, rcvbuf=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            # Set before connect, so the advertised window stays small.
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        try:
            self.sock.connect((host, port))
        except OSError:
            self.sock.close()
            raise
        self.buf = bytearray()
        self.eof = False

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def settimeout(self, t):
        self.sock.settimeout(t)

    def send(self, data):
        self.sock.sendall(data)

    def shutdown_write(self):
        self.sock.shutdown(socket.SHUT_WR)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def reset(self):
        """Closes with an RST rather than a FIN."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", 1, 0))
        self.close()

    def _fill(self):
        """Reads more bytes into the buffer; False at end of stream. A reset
        from the peer also counts as end of stream."""
        if self.eof:
            return False
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            data = b""
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def _take(self, n):
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def _read_until(self, delim, limit=1 << 20):
        while delim not in self.buf:
            if len(self.buf) > limit:
                raise ProtocolError("no %r within %d bytes" % (delim, limit))
            if not self._fill():
                raise ProtocolError("connection closed before %r; got %r"
                                    % (delim, bytes(self.buf[:200])))
        return self._take(self.buf.index(delim) + len(delim))

    def _read_exact(self, n):
        while len(self.buf) < n:
            if not self._fill():
                raise ProtocolError("connection closed after %d of %d bytes"
                                    % (len(self.buf), n))
        return self._take(n)

    def read_head(self):
        return parse_head(self._read_until(b"\r\n\r\n"))

    def read_response(self, method="GET", interim=False):
        """Reads one full response, honouring Content-Length, chunked framing
        or end of stream. 1xx responses are collected into .interim and
        skipped unless interim is True (then the 1xx itself is returned)."""
        pending = []
        while True:
            r = self.read_head()
            if 100 <= r.status < 200:
                r.framing = "none"
                r.complete = True
                if interim:
                    return r
                pending.append(r)
                continue
            break
        r.interim = pending
        te = r.header_all("Transfer-Encoding")
        cl = r.header_all("Content-Length")
        if method == "HEAD" or r.status in (204, 304):
            r.framing = "none"
        elif te:
            if te[-1].split(",")[-1].strip().lower() != "chunked":
                raise ProtocolError("response with Transfer-Encoding %r" % te)
            r.framing = "chunked"
            r.body = self._read_chunked()
        elif cl:
            if len(set(cl)) != 1 or not cl[0].isdigit():
                raise ProtocolError("bad Content-Length %r" % cl)
            r.framing = "length"
            r.body = self._read_exact(int(cl[0]))
        else:
            r.framing = "close"
            r.body = self.read_all()
        r.complete = True
        return r

    def _read_chunked(self):
        body = bytearray()
        while True:
            line = self._read_until(b"\r\n").rstrip(b"\r\n")
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise ProtocolError("bad chunk size line %r" % line)
            if size == 0:
                while self._read_until(b"\r\n") != b"\r\n":
                    pass  # trailer fields
                return bytes(body)
            body += self._read_exact(size)
            if self._read_exact(2) != b"\r\n":
                raise ProtocolError("chunk not followed by CRLF")

    def read_all(self):
        """Everything until the peer closes (bounded by the socket timeout for
        each read)."""
        while self._fill():
            pass
        return self._take(len(self.buf))

    def read_some(self):
        """Whatever is buffered or arrives in one read; b'' at end of stream."""
        if not self.buf:
            self._fill()
        return self._take(len(self.buf))

    def closed_within(self, timeout):
        """True if the peer closes within timeout seconds having sent nothing
        more; False if it is still open then. Bytes received first are an
        AssertionError (the caller expected a silent close)."""
        old = self.sock.gettimeout()
        self.sock.settimeout(timeout)
        try:
            data = self.read_some()
        except socket.timeout:
            return False
        finally:
            try:
                self.sock.settimeout(old)
            except OSError:
                pass
        if data:
            raise AssertionError("expected the connection to close silently, got %r"
                                 % data[:300])
        return True

    def exchange(self, data, method="GET"):
        self.send(data)
        return self.read_response(method=method)


def get(port, target="/hello", timeout=IO_TIMEOUT, **kw):
    """One request on a fresh connection; returns the Response."""
    with Conn(port, timeout=timeout) as c:
        method = kw.get("method", "GET")
        return c.exchange(request(target=target, **kw), method=method)


def run_in_threads(funcs, timeout=30.0):
    """Runs each zero-argument callable in its own thread at once; returns
    their results (or raised exceptions) in order. Client-side concurrency
    only: the backends stay single-threaded."""
    results = [None] * len(funcs)

    def wrap(i, f):
        try:
            results[i] = f()
        except BaseException as e:  # reported to the caller
            results[i] = e

    threads = [threading.Thread(target=wrap, args=(i, f), daemon=True)
               for i, f in enumerate(funcs)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + timeout
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
        if t.is_alive():
            raise AssertionError("client thread still running after %.1fs" % timeout)
    return results


# ---------------------------------------------------------------- unittest glue

class TestCase(unittest.TestCase):
    """unittest.TestCase that prints the logs of the processes a failing test
    started (and those its class started), and offers a few assertions."""

    @classmethod
    def class_process(cls, make):
        """Calls make() to start a process shared by the class (in
        setUpClass); it is closed by a class cleanup, which runs even if
        setUpClass fails later, and its logs are shown for any failure."""
        global _in_class_setup
        _in_class_setup = True
        try:
            p = make()
        finally:
            _in_class_setup = False
        cls.addClassCleanup(p.close)
        return p

    def run(self, result=None):
        del _started[:]
        before = len(result.failures) + len(result.errors) if result else 0
        out = super().run(result)
        if result is not None and len(result.failures) + len(result.errors) > before:
            sys.stderr.write("\n==== processes of failed test %s\n" % self.id())
            for p in _started + _class_started:
                sys.stderr.write(p.describe())
        return out

    def start_holdfast(self, *args, **kw):
        hf = Holdfast(*args, **kw)
        self.addCleanup(hf.close)
        return hf

    def start_backend(self):
        """A recording backend, closed when the test ends."""
        be = recording_backend()
        self.addCleanup(be.close)
        return be

    def start_raw_backend(self, mode, *args):
        be = raw_backend(mode, *args)
        self.addCleanup(be.close)
        return be

    def connect(self, port, timeout=IO_TIMEOUT):
        c = Conn(port, timeout=timeout)
        self.addCleanup(c.close)
        return c

    def assertHoldfastError(self, r, status, closes=True):
        """r is an error response written by holdfast itself: status line
        HTTP/1.1 with the code, text/plain, matching Content-Length, and
        Connection: close (keep-alive when closes is False)."""
        self.assertEqual(r.status, status, "expected %d, got %r" % (status, r))
        self.assertEqual(r.version, "HTTP/1.1", r.raw_head)
        ctype = (r.header("Content-Type") or "").lower()
        self.assertTrue(ctype.startswith("text/plain"), r.raw_head)
        self.assertEqual(r.framing, "length", r.raw_head)
        self.assertEqual(int(r.header("Content-Length")), len(r.body))
        if closes:
            self.assertIn("close", r.connection_tokens(), r.raw_head)
        else:
            self.assertNotIn("close", r.connection_tokens(), r.raw_head)
        if status == 503:
            self.assertIsNotNone(r.header("Retry-After"),
                                 "503 without Retry-After: %r" % r.raw_head)


def main():
    unittest.main(verbosity=2)
