#!/usr/bin/env python3
"""Running out of descriptors is holdfast's own fault, never the backend's.

With holdfast's descriptor limit lowered at run time to what it holds (idle
client connections fill it), socket() for the backend fails with EMFILE:
the request gets a 503, no backend connect error is counted, the backend
stays up, and once descriptors are free again requests succeed.
"""

import os
import re
import resource
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import request  # noqa: E402


def open_fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


class EmfileTest(harness.TestCase):

    def test_emfile_leaves_backend_up(self):
        be = self.start_backend()
        admin = harness.free_port()
        hf = self.start_holdfast(backend=be,
                                 global_conf={"admin": "127.0.0.1:%d" % admin})
        harness.wait_for_port(admin, proc=hf, what="admin listener")
        self.assertEqual(harness.get(hf.port, "/hello").status, 200)
        held = [self.connect(hf.port) for _ in range(20)]
        harness.wait_until(lambda: open_fds(hf.pid) >= 20 + 5, 5,
                           what="the idle connections to be accepted")
        saved = resource.prlimit(hf.pid, resource.RLIMIT_NOFILE)
        # No descriptor left: the next socket() fails with EMFILE.
        resource.prlimit(hf.pid, resource.RLIMIT_NOFILE,
                         (open_fds(hf.pid), saved[1]))
        try:
            r = held[0].exchange(request("GET", "/hello?emfile"))
            self.assertHoldfastError(r, 503)
        finally:
            resource.prlimit(hf.pid, resource.RLIMIT_NOFILE, saved)
        m = harness.get(admin, "/metrics", timeout=5).body.decode()
        errs = re.findall(r'^holdfast_backend_errors_total\{[^}]*kind="connect"[^}]*\} (\S+)$',
                          m, re.M)
        self.assertTrue(errs, "no connect error series")
        self.assertEqual(sum(float(v) for v in errs), 0.0, "EMFILE counted against the backend")
        up = re.findall(r'^holdfast_backends_up\{[^}]*\} (\S+)$', m, re.M)
        self.assertEqual([float(v) for v in up], [1.0], "backend not reported up")
        for c in held[1:4]:
            self.assertEqual(c.exchange(request("GET", "/hello?after")).status, 200)
        self.assertIn("socket:", hf.stderr())


if __name__ == "__main__":
    harness.main()
