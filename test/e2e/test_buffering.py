#!/usr/bin/env python3
"""Slow clients never hold the backend: request and response bodies are
buffered whole, in memory up to body_buffer_size and on an unlinked temp file
beyond, so the single backend slot is free as soon as the backend is done,
and holdfast's memory stays bounded however big the bodies.
"""

import hashlib
import os
import shutil
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Conn, request  # noqa: E402

MB = 1024 * 1024
SLOW_RATE = 256 * 1024          # bytes per second, the slow reader's pace
QUICK = 1.0                     # a concurrent GET must answer within this


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS for pid %d" % pid)


def sanitized(pid):
    """A sanitizer build's memory is not holdfast's own: skip RSS checks."""
    with open("/proc/%d/maps" % pid) as f:
        return any("libasan" in l or "libubsan" in l for l in f)


def timed_get(port, target="/hello"):
    t = time.monotonic()
    r = harness.get(port, target)
    return r.status, time.monotonic() - t


class SlowSocket:
    """A client that reads a response at a fixed pace through a small
    receive window, like a thin mobile link."""

    def __init__(self, port, req, rcvbuf=16384):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(30)
        self.sock.connect((harness.LOCALHOST, port))
        self.sock.sendall(req)
        self.data = bytearray()

    def read_paced(self, seconds, rate=SLOW_RATE):
        step = 0.05
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            want = int(rate * step)
            got = 0
            while got < want:
                d = self.sock.recv(want - got)
                if not d:
                    return
                self.data += d
                got += len(d)
            time.sleep(step)

    def read_rest(self):
        head_end = self.data.find(b"\r\n\r\n")
        while head_end < 0:
            self.data += self.sock.recv(65536)
            head_end = self.data.find(b"\r\n\r\n")
        head = bytes(self.data[:head_end]).decode("latin-1")
        length = None
        for line in head.split("\r\n")[1:]:
            n, _, v = line.partition(":")
            if n.strip().lower() == "content-length":
                length = int(v)
        assert length is not None, head
        while len(self.data) < head_end + 4 + length:
            d = self.sock.recv(1 << 20)
            if not d:
                break
            self.data += d
        return head, bytes(self.data[head_end + 4:])

    def close(self):
        self.sock.close()


class BufferingTest(harness.TestCase):

    def test_slow_reader_does_not_delay_others(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, backend_max_conns=1)
        n = 20 * MB
        slow = SlowSocket(hf.port, request("GET", "/size?n=%d" % n))
        self.addCleanup(slow.close)
        # Read at ~256 KB/s (20 MB would take 80 s); meanwhile the single
        # backend slot must be free for everyone else.
        delays = []
        for _ in range(3):
            slow.read_paced(1.0)
            status, took = timed_get(hf.port)
            self.assertEqual(status, 200)
            delays.append(took)
        self.assertLess(max(delays), QUICK, "GETs behind a slow reader: %r" % delays)
        self.assertLess(len(slow.data), 4 * MB, "the reader was not slow")
        # The backend finished the 20 MB long before the client read it
        # (its log line may trail its last write on a busy machine).
        self.assertEqual(len(be.wait_for_done(4, timeout=10)), 4)
        head, body = slow.read_rest()
        self.assertIn("200", head.split("\r\n")[0])
        self.assertEqual(hashlib.sha256(body).hexdigest(),
                         hashlib.sha256(harness.pattern(n)).hexdigest())

    def test_slow_upload_reaches_backend_whole(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, backend_max_conns=1)
        body = os.urandom(2 * MB)
        c = Conn(hf.port, timeout=30)
        self.addCleanup(c.close)
        c.send(request("POST", "/hello", body=None,
                       headers=[("Content-Length", str(len(body)))]))
        sent_done = []

        def upload():
            # ~200 KB/s: 20 KB every 0.1 s.
            for i in range(0, len(body), 20 * 1024):
                if i > 0:
                    time.sleep(0.1)
                c.send(body[i:i + 20 * 1024])
            sent_done.append(time.monotonic())

        t = threading.Thread(target=upload)
        t.start()
        delays = []
        while t.is_alive():
            status, took = timed_get(hf.port)
            self.assertEqual(status, 200)
            delays.append(took)
            time.sleep(0.5)
        t.join()
        self.assertGreaterEqual(len(delays), 5)
        self.assertLess(max(delays), QUICK, "GETs during a slow upload: %r" % delays)
        r = c.read_response()
        self.assertEqual(r.status, 200)
        posts = [q for q in be.requests() if q["method"] == "POST"]
        self.assertEqual(len(posts), 1)
        self.assertEqual(posts[0]["body_len"], len(body))
        self.assertEqual(harness.body_of(posts[0]), body)
        # Forwarded only once complete: the backend saw it after the last byte.
        self.assertGreaterEqual(posts[0]["time"], sent_done[0] - 0.05)

    def test_memory_bounded_with_big_bodies(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, backend_max_conns=1,
                                 max_body_size="30m")
        if sanitized(hf.pid):
            self.skipTest("sanitizer build: RSS is the sanitizer's")
        for _ in range(3):
            self.assertEqual(harness.get(hf.port).status, 200)
        before = rss_bytes(hf.pid)
        # A 20 MB download for a client that reads nothing...
        n = 20 * MB
        down = SlowSocket(hf.port, request("GET", "/size?n=%d" % n), rcvbuf=4096)
        self.addCleanup(down.close)
        be.wait_for_done(4, timeout=20)
        # ...and a 20 MB upload held while the backend is busy.
        busy = Conn(hf.port, timeout=30)
        self.addCleanup(busy.close)
        busy.send(request("GET", "/sleep?ms=3000"))
        be.wait_for_requests(5)
        up = Conn(hf.port, timeout=30)
        self.addCleanup(up.close)
        up.send(request("POST", "/hello", body=b"x" * n))
        harness.wait_until(lambda: self._spilled(hf) >= 39 * MB, 15,
                           what="both bodies spilled")
        grown = rss_bytes(hf.pid) - before
        self.assertLess(grown, 8 * MB, "RSS grew by %d bytes" % grown)
        self.assertEqual(busy.read_response().status, 200)
        self.assertEqual(up.read_response().status, 200)
        head, body = down.read_rest()
        self.assertEqual(len(body), n)

    def _spilled(self, hf):
        """Bytes holdfast has in temp files now (they are unlinked, so count
        what its descriptors point at)."""
        total = 0
        fd_dir = "/proc/%d/fd" % hf.pid
        for fd in os.listdir(fd_dir):
            try:
                target = os.readlink(os.path.join(fd_dir, fd))
                if target.startswith("/") and "(deleted)" in target:
                    total += os.stat(os.path.join(fd_dir, fd)).st_size
            except OSError:
                pass
        return total

    def test_hundred_slow_readers(self):
        be = self.start_backend()
        # 100 x 5 MB through one single-threaded backend takes a while on a
        # busy machine: the queue must not time out meanwhile.
        hf = self.start_holdfast(backend=be, backend_max_conns=1,
                                 queue_timeout="200s")
        if sanitized(hf.pid):
            self.skipTest("sanitizer build: RSS is the sanitizer's")
        n = 5 * MB
        readers = []
        for _ in range(100):
            s = SlowSocket(hf.port, request("GET", "/size?n=%d" % n), rcvbuf=4096)
            self.addCleanup(s.close)
            readers.append(s)
        be.wait_for_done(100, timeout=200)
        rss = rss_bytes(hf.pid)
        self.assertLess(rss, 64 * MB, "RSS %d bytes with 100 slow readers" % rss)
        # Every one of them still gets its whole response.
        for s in readers[:3]:
            head, body = s.read_rest()
            self.assertEqual(len(body), n)

    def test_unwritable_temp_dir_is_a_clean_503(self):
        be = self.start_backend()
        hf_dir = tempfile.mkdtemp(prefix="holdfast-e2e-tmp-")
        self.addCleanup(shutil.rmtree, hf_dir, True)
        not_a_dir = os.path.join(hf_dir, "file")
        with open(not_a_dir, "w") as f:
            f.write("not a directory\n")
        hf = self.start_holdfast(backend=be, global_conf={"temp_dir": not_a_dir})
        # A response bigger than body_buffer_size (64k) has to spill.
        r = harness.get(hf.port, "/size?n=%d" % MB)
        self.assertHoldfastError(r, 503)
        # So does a request body.
        r = harness.get(hf.port, "/hello", method="POST", body=b"y" * MB)
        self.assertHoldfastError(r, 503)
        self.assertIn("temp file", hf.stderr())
        # Small ones never touch the disk: holdfast keeps serving.
        self.assertEqual(harness.get(hf.port, "/hello").status, 200)
        self.assertEqual(harness.get(hf.port, "/size?n=1000").status, 200)


if __name__ == "__main__":
    harness.main()
