#!/usr/bin/env python3
"""proxy_protocol = on: every client connection starts with a PROXY v1 or v2
header, and its source address is the client address (X-Forwarded-For, the
access log). A connection without one is refused service; the backend never
sees the header. (The addresses below are documentation addresses carried as
data inside the header, never connected to.)"""

import os
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import header_values, request  # noqa: E402

V2_SIG = b"\r\n\r\n\x00\r\nQUIT\n"


def v2_header(src, dst, sport, dport, command=0x1):
    """A PROXY v2 header for TCP over IPv4 (command 1 = PROXY, 0 = LOCAL)."""
    addrs = bytes(map(int, src.split("."))) + bytes(map(int, dst.split("."))) \
        + struct.pack("!HH", sport, dport)
    return V2_SIG + bytes([0x20 | command, 0x11]) + struct.pack("!H", len(addrs)) + addrs


class ProxyProtocolTest(harness.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.be = cls.class_process(harness.recording_backend)
        cls.hf = cls.class_process(lambda: harness.Holdfast(
            backend=cls.be, proxy_protocol=True))

    def forwarded_for(self, preamble, target, split=False):
        """Sends preamble + a request on a new connection; returns (the
        response, the X-Forwarded-For the backend saw)."""
        before = len(self.be.requests())
        c = self.connect(self.hf.port)
        data = preamble + request("GET", target)
        if split:
            for i in range(len(data)):
                c.send(data[i:i + 1])
                time.sleep(0.001)  # separate segments; not a wait for anything
        else:
            c.send(data)
        r = c.read_response()
        self.assertEqual(r.status, 200, r)
        rec = self.be.wait_for_requests(before + 1)[-1]
        self.assertEqual(rec["target"], target)
        self.assertNotIn("PROXY", rec["raw_head"])
        return r, header_values(rec["headers"], "X-Forwarded-For")

    def test_v1_tcp4(self):
        r, xff = self.forwarded_for(b"PROXY TCP4 192.0.2.1 192.0.2.2 56324 443\r\n",
                                    "/hello?v1")
        self.assertEqual(xff, ["192.0.2.1"])
        harness.wait_until(lambda: any("/hello?v1" in l and "192.0.2.1" in l
                                       for l in self.hf.access_log()),
                           what="the access log to show the PROXY source address")

    def test_v1_tcp6(self):
        r, xff = self.forwarded_for(
            b"PROXY TCP6 2001:db8::1 2001:db8::2 56324 443\r\n", "/hello?v1-6")
        self.assertEqual(xff, ["2001:db8::1"])

    def test_v1_unknown_uses_connection_address(self):
        r, xff = self.forwarded_for(b"PROXY UNKNOWN\r\n", "/hello?unknown")
        self.assertEqual(xff, ["127.0.0.1"])

    def test_v2_proxy(self):
        r, xff = self.forwarded_for(v2_header("198.51.100.7", "198.51.100.8", 40000, 80),
                                    "/hello?v2")
        self.assertEqual(xff, ["198.51.100.7"])

    def test_v2_local_uses_connection_address(self):
        r, xff = self.forwarded_for(
            v2_header("198.51.100.7", "198.51.100.8", 40000, 80, command=0x0),
            "/hello?v2-local")
        self.assertEqual(xff, ["127.0.0.1"])

    def test_header_split_byte_by_byte(self):
        r, xff = self.forwarded_for(b"PROXY TCP4 192.0.2.9 192.0.2.2 1234 443\r\n",
                                    "/hello?split", split=True)
        self.assertEqual(xff, ["192.0.2.9"])

    def test_address_kept_for_keepalive_requests(self):
        c = self.connect(self.hf.port)
        c.send(b"PROXY TCP4 192.0.2.5 192.0.2.2 1111 443\r\n")
        for i in range(2):
            r = c.exchange(request("GET", "/hello?ka=%d" % i))
            self.assertEqual(r.status, 200)
        recs = [q for q in self.be.requests() if q["target"].startswith("/hello?ka=")]
        self.assertEqual([header_values(q["headers"], "X-Forwarded-For") for q in recs],
                         [["192.0.2.5"], ["192.0.2.5"]])

    def test_missing_header_is_refused(self):
        before = len(self.be.requests())
        c = self.connect(self.hf.port)
        c.send(request("GET", "/hello?no-proxy-header"))
        try:
            data = c.read_all()
        except OSError:
            data = b""
        # Closed, with at most an error response: never a 200.
        if data:
            r = harness.parse_head(data.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n")
            self.assertGreaterEqual(r.status, 400, data[:200])
        self.assertEqual(len(self.be.requests()), before)

    def test_garbage_header_is_refused(self):
        before = len(self.be.requests())
        c = self.connect(self.hf.port)
        c.send(b"PROXY TCP4 not-an-address 192.0.2.2 1 2\r\n" + request("GET", "/hello?bad"))
        try:
            data = c.read_all()
        except OSError:
            data = b""
        self.assertNotIn(b" 200 ", data[:20])
        self.assertEqual(len(self.be.requests()), before)


if __name__ == "__main__":
    harness.main()
