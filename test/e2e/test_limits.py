#!/usr/bin/env python3
"""Resource exhaustion: at max_clients, and with a small open-files limit,
holdfast keeps running, keeps serving the connections it holds, does not spin
on accept, and accepts again when connections close.
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Conn, request  # noqa: E402


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # utime and stime, fields 14 and 15 of proc(5), after the command name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class LimitsTest(harness.TestCase):

    def start_limited(self, be, nofile):
        hf = harness.Holdfast(backend=be, start=False)
        self.addCleanup(hf.close)
        hf.spawn(["prlimit", "--nofile=%d:%d" % (nofile, nofile),
                  harness.holdfast_path(), "-c", hf.config_path])
        harness.wait_for_port(hf.port, proc=hf, what="holdfast")
        return hf

    def exercise_cap(self, hf, cap):
        held = [Conn(hf.port) for _ in range(cap)]
        for c in held:
            self.addCleanup(c.close)
            # Inside a request head, so not idle: none is closed to make
            # room (test_idle_flood.py covers that).
            c.send(b"GET /hello HTTP/1.1\r\n")
        # Beyond the cap: the kernel completes the handshake (backlog), but
        # holdfast does not accept until one of the held ones closes or
        # goes idle.
        extra = [Conn(hf.port) for _ in range(10)]
        for c in extra:
            self.addCleanup(c.close)
        # Paused, not spinning: next to no CPU while connections wait.
        before = cpu_seconds(hf.pid)
        time.sleep(1.5)
        self.assertLess(cpu_seconds(hf.pid) - before, 0.2, "busy loop on accept")
        extra[0].send(request("GET", "/hello"))
        extra[0].settimeout(0.5)
        with self.assertRaises(OSError):
            extra[0].read_head()
        # What it holds is still served; once answered, that connection is
        # idle, and it is closed to make room for the one waiting longest.
        held[0].send(b"Host: a\r\n\r\n")
        r = held[0].read_response()
        self.assertEqual(r.status, 200)
        extra[0].settimeout(5)
        self.assertEqual(extra[0].read_response().status, 200)
        self.assertTrue(held[0].closed_within(3))
        # Room again as held ones close: a connection still inside its
        # request head is kept and served.
        for c in held[1:12]:
            c.close()
        held[12].send(b"Host: a\r\n\r\n")
        self.assertEqual(held[12].read_response().status, 200)

    def test_max_clients_cap(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, global_conf={"max_clients": 20})
        self.exercise_cap(hf, 20)

    def test_small_descriptor_limit_lowers_max_clients(self):
        be = self.start_backend()
        hf = self.start_limited(be, 128)
        m = harness.wait_until(
            lambda: re.search(r"max_clients \d+ does not fit the open-files limit 128: "
                              r"lowered to (\d+)", hf.stderr()),
            what="the lowered max_clients in the log")
        cap = int(m.group(1))
        self.assertGreater(cap, 10)
        self.exercise_cap(hf, cap)


if __name__ == "__main__":
    harness.main()
