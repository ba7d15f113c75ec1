#!/usr/bin/env python3
"""`Expect: 100-continue` is answered by holdfast and never forwarded.

100 Continue when the body may come; 413 (no 100) when Content-Length is over
max_body_size; 417 for any other expectation. The backend never sees an
Expect header, nor a rejected request.
"""

import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import body_of, header_values, request  # noqa: E402


class ExpectTest(harness.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.be = cls.class_process(harness.recording_backend)
        cls.hf = cls.class_process(
            lambda: harness.Holdfast(backend=cls.be, max_body_size="1k"))

    def test_100_continue_then_body(self):
        before = len(self.be.requests())
        c = self.connect(self.hf.port, timeout=3)
        c.send(request("POST", "/echo", headers=[
            ("Expect", "100-continue"), ("Content-Length", "11")]))
        interim = c.read_response(interim=True)
        self.assertEqual(interim.status, 100)
        self.assertEqual(interim.raw_head.split(b"\r\n")[0], b"HTTP/1.1 100 Continue")
        # Nothing reached the backend yet: the body has not been sent.
        self.assertEqual(len(self.be.requests()), before)
        c.send(b"hello world")
        r = c.read_response()
        self.assertEqual((r.status, r.body), (200, b"hello world"))
        rec = self.be.wait_for_requests(before + 1)[-1]
        self.assertEqual(body_of(rec), b"hello world")
        self.assertEqual(header_values(rec["headers"], "Expect"), [])
        # The connection is still usable.
        r = c.exchange(request("GET", "/hello"))
        self.assertEqual(r.status, 200)

    def test_body_sent_without_waiting_for_100(self):
        before = len(self.be.requests())
        c = self.connect(self.hf.port)
        r = c.exchange(request("POST", "/echo", headers=[("Expect", "100-continue")],
                               body=b"eager"))
        self.assertEqual((r.status, r.body), (200, b"eager"))
        for i in r.interim:
            self.assertEqual(i.status, 100)
        rec = self.be.wait_for_requests(before + 1)[-1]
        self.assertEqual(header_values(rec["headers"], "Expect"), [])
        r = c.exchange(request("GET", "/hello"))
        self.assertEqual((r.status, r.body), (200, b"hello\n"), "out of sync after 100")

    def test_expect_case_insensitive(self):
        c = self.connect(self.hf.port, timeout=3)
        c.send(request("PUT", "/echo", headers=[
            ("expect", "100-Continue"), ("Content-Length", "2")]))
        self.assertEqual(c.read_response(interim=True).status, 100)
        c.send(b"ok")
        self.assertEqual(c.read_response().body, b"ok")

    def test_too_large_gets_413_without_100(self):
        before = len(self.be.requests())
        c = self.connect(self.hf.port, timeout=3)
        c.send(request("POST", "/echo", headers=[
            ("Expect", "100-continue"), ("Content-Length", "4096")]))
        r = c.read_response(interim=True)
        self.assertHoldfastError(r, 413)
        self.assertTrue(c.closed_within(3))
        self.assertEqual(len(self.be.requests()), before)

    def test_unknown_expectation_gets_417(self):
        before = len(self.be.requests())
        c = self.connect(self.hf.port, timeout=3)
        c.send(request("POST", "/echo", headers=[
            ("Expect", "something-else"), ("Content-Length", "5")]))
        r = c.read_response(interim=True)
        self.assertHoldfastError(r, 417)
        self.assertTrue(c.closed_within(3))
        self.assertEqual(len(self.be.requests()), before)

    def test_no_100_without_expect(self):
        c = self.connect(self.hf.port, timeout=0.5)
        c.send(request("POST", "/echo", headers=[("Content-Length", "5")]))
        with self.assertRaises(socket.timeout, msg="answered before the body came"):
            c.read_some()
        c.settimeout(3)
        c.send(b"later")
        r = c.read_response()
        self.assertEqual(r.interim, [])
        self.assertEqual(r.body, b"later")


if __name__ == "__main__":
    harness.main()
