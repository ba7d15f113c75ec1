#!/usr/bin/env python3
"""max_spill as a hard bound, max_response_size, and full temp files.

- An endless response to a client that reads nothing never puts more than
  max_spill in temp_dir (the sizes of holdfast's open temp files, read from
  /proc/PID/fd): the backend is read only as room allows.
- max_response_size: a response body past it is cut, 502 when nothing went
  out yet; one under it passes.
- The spill-budget deadlock: max_spill = 1m, one slot, a 2 MB response in
  flight while two 1 MB request bodies queue behind it. Request bodies may
  not take the last few reads' worth of the budget and a response gives back
  what its client took, so the GET finishes within 1 s of the backend
  answering and every request gets its 200 (no 503).
- A file-size limit on holdfast (RLIMIT_FSIZE, standing in for a tiny
  temp_dir): a body that cannot be spilled gets a clean 503, and the next
  requests are served.
"""

import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import request  # noqa: E402

MIB = 1024 * 1024


def spill_sizes(pid, temp_dir):
    """Bytes on disk of the temp files holdfast has open in temp_dir (what
    its client took is given back as holes), each rounded up to a page."""
    out = []
    fd_dir = "/proc/%d/fd" % pid
    for name in os.listdir(fd_dir):
        try:
            target = os.readlink(os.path.join(fd_dir, name))
            if target.startswith(temp_dir + "/"):
                st = os.stat(os.path.join(fd_dir, name))
                out.append(min(st.st_blocks * 512,
                               (st.st_size + 4095) // 4096 * 4096))
        except OSError:
            pass  # closed meanwhile
    return out


class SpillBoundTest(harness.TestCase):

    def test_endless_response_stalled_client_bounded(self):
        be = self.start_raw_backend("endless")
        hf = self.start_holdfast(backend=be, admin=True,
                                 global_conf={"max_spill": "1m"},
                                 body_buffer_size="64k",
                                 # Once the client goes, the rest is read and
                                 # dropped up to here, so the test ends.
                                 max_response_size="64m")
        temp_dir = os.path.join(hf.dir, "spill")
        c = harness.Conn(hf.port, rcvbuf=4096)
        self.addCleanup(c.close)
        c.send(request("GET", "/endless"))
        seen = []

        def near_full():
            seen.append(sum(spill_sizes(hf.pid, temp_dir)))
            # A file's last page counts whole on disk.
            self.assertLessEqual(seen[-1], MIB + 4096, "spilled past max_spill")
            return seen[-1] >= MIB - 2 * 16384
        harness.wait_until(near_full, 10, what="the spill to reach max_spill")
        # Held there while the client reads nothing.
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            self.assertLessEqual(sum(spill_sizes(hf.pid, temp_dir)), MIB + 4096)
            self.assertLessEqual(hf.metric("holdfast_spill_bytes"), MIB)
        self.assertEqual(hf.metric("holdfast_backend_errors_total"), 0)

    def test_max_response_size(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, max_response_size="100k")
        r = harness.get(hf.port, "/size?n=300000")
        self.assertHoldfastError(r, 502, closes=False)
        r = harness.get(hf.port, "/size?n=100000")
        self.assertEqual((r.status, r.body), (200, harness.pattern(100000)))

    def test_max_response_size_cut_after_head(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, max_response_size="100k")
        # Streamed slowly: the head is out before the body passes the size.
        c = self.connect(hf.port)
        c.send(request("GET", "/chunked?n=400000&chunk=16384&delay_ms=5"))
        data = c.read_all()
        self.assertTrue(data.startswith(b"HTTP/1.1 "), data[:40])
        if data.startswith(b"HTTP/1.1 200"):
            # Cut: never a complete chunked body.
            self.assertFalse(data.endswith(b"0\r\n\r\n"), "relayed as complete")
        else:
            self.assertTrue(data.startswith(b"HTTP/1.1 502"), data[:40])

    def test_no_deadlock_behind_queued_bodies(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, admin=True,
                                 global_conf={"max_spill": "1m"},
                                 body_buffer_size="64k", queue_timeout="8s")
        be.pause()
        get = self.connect(hf.port, timeout=10)
        get.send(request("GET", "/size?n=2000000"))
        hf.wait_metric("holdfast_client_connections", 1, mapping="app",
                       state="waiting")
        body = b"p" * 1000000
        posts = [self.connect(hf.port, timeout=10) for _ in range(2)]
        senders = [threading.Thread(target=p.send, daemon=True,
                                    args=(request("POST", "/echo", body=body),))
                   for p in posts]
        for t in senders:
            t.start()
        # The first body is spilled and queued; the second waits for room.
        hf.wait_metric("holdfast_client_connections", 1, mapping="app",
                       state="queued")
        t0 = time.monotonic()
        be.resume()
        r = get.read_response()
        took = time.monotonic() - t0
        self.assertEqual((r.status, len(r.body)), (200, 2000000))
        self.assertLess(took, 1.0, "the GET took %.2fs" % took)
        for p in posts:
            r = p.read_response()
            self.assertEqual((r.status, len(r.body)), (200, 1000000))
        for t in senders:
            t.join(5)
        self.assertEqual(hf.metric("holdfast_requests_total", code="503"), 0)

    def test_file_size_limit_gives_503_then_recovers(self):
        be = self.start_backend()
        hf = harness.Holdfast(backend=be, start=False, body_buffer_size="64k",
                              max_body_size="10m")
        self.addCleanup(hf.close)
        hf.spawn(["prlimit", "--fsize=%d" % (2 * MIB), harness.holdfast_path(),
                  "-c", hf.config_path])
        harness.wait_for_port(hf.port, proc=hf, what="holdfast")
        for _ in range(2):
            with harness.Conn(hf.port) as c:
                c.send(request("POST", "/echo", body=b"q" * (3 * MIB)))
                r = c.read_response()
            self.assertHoldfastError(r, 503)
            # Recovery: a body that fits, and a plain request.
            with harness.Conn(hf.port) as c:
                r = c.exchange(request("POST", "/echo", body=b"s" * MIB))
            self.assertEqual((r.status, len(r.body)), (200, MIB))
            self.assertEqual(harness.get(hf.port, "/hello").status, 200)


if __name__ == "__main__":
    harness.main()
