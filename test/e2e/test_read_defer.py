#!/usr/bin/env python3
"""Deferred backend reads (proxy/io/read_defer.c): with backend_max_conns
above 1, holdfast holds back the reads of a backend whose small responses
arrive in pieces (head and body written apart, as Python's HTTPServer
does) until the backend closes, 64 KiB are in, or 5 ms have passed.

- A backend that writes head and body apart and closes: every answer is
  whole and right, over more requests than one sampling period (32).
- The same backend ignoring Connection: close (it keeps the connection
  open, so no FIN ever ends the deferral): every answer still arrives at
  once, far inside backend_timeout. Without the time limit the deferred
  reads would wait for 64 KiB that never come, and each request would end
  in a 504 after backend_timeout.
"""

import os
import time

import harness

SPLIT_BACKEND = os.path.join(harness.BACKENDS, "split_backend.py")
REQUESTS = 40  # more than one sampling period: deferred connections too
BACKEND_TIMEOUT = 20.0


class ReadDeferTest(harness.TestCase):
    def split_backend(self, *args):
        be = harness.Backend(SPLIT_BACKEND, *args)
        self.addCleanup(be.close)
        return be

    def check_answers(self, hf):
        for i in range(REQUESTS):
            t0 = time.monotonic()
            r = harness.get(hf.port, "/r%d" % i, timeout=BACKEND_TIMEOUT / 2)
            took = time.monotonic() - t0
            self.assertEqual(r.status, 200, r.raw_head)
            self.assertEqual(r.body, b"answer for /r%d\n" % i)
            self.assertEqual(int(r.header("Content-Length")), len(r.body))
            # A deferral that never ended would take backend_timeout.
            self.assertLess(took, BACKEND_TIMEOUT / 4,
                            "request %d took %.2f s" % (i, took))

    def test_closing_backend_answers_whole(self):
        be = self.split_backend()
        hf = self.start_holdfast(be.addr, backend_max_conns=2,
                                 backend_timeout="%ds" % BACKEND_TIMEOUT)
        self.check_answers(hf)
        be.wait_for_done(REQUESTS)

    def test_backend_keeping_connections_is_not_held(self):
        be = self.split_backend("--keep")
        hf = self.start_holdfast(be.addr, backend_max_conns=2,
                                 backend_timeout="%ds" % BACKEND_TIMEOUT)
        self.check_answers(hf)
        be.wait_for_done(REQUESTS)


if __name__ == "__main__":
    harness.main()
