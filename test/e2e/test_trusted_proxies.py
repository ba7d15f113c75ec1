#!/usr/bin/env python3
"""trusted_proxies: who may say who the client is.

- With proxy_protocol = on and the list set, a connection whose source is
  not in the list is closed before anything is read: a forged PROXY header
  never reaches the backend. From a listed source it works as before.
- Without PROXY protocol, the access log's client address is the right-most
  X-Forwarded-For address that is not trusted, walking left from a trusted
  peer (nginx's realip, real_ip_recursive on); the backend still sees the
  whole chain plus the peer. From an untrusted peer X-Forwarded-For is
  ignored for the log.
(The addresses are documentation addresses carried as data, never connected
to; every connection comes from 127.0.0.1.)"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import header_values, request  # noqa: E402

PROXY_V1 = b"PROXY TCP4 6.6.6.6 192.0.2.2 56324 443\r\n"


class TrustedProxiesTest(harness.TestCase):

    def logged_addr(self, hf, target):
        """The client address of target's access-log line."""
        lines = harness.wait_until(
            lambda: [l for l in hf.access_log() if target in l], 5,
            what="the access-log line of %s" % target)
        return lines[-1].split(" ", 1)[0]

    def test_proxy_header_from_outside_the_list_refused(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, proxy_protocol=True,
                                 trusted_proxies="10.0.0.0/8, 192.0.2.0/24")
        c = self.connect(hf.port)
        try:
            c.send(PROXY_V1 + request("GET", "/forged"))
        except OSError:
            pass  # already closed: refused all the same
        self.assertEqual(c.read_all(), b"")
        harness.wait_until(lambda: "not in trusted_proxies" in hf.stderr(), 5,
                           what="the refusal in the log")
        self.assertEqual(be.requests(), [], "a forged source reached the backend")

    def test_proxy_header_from_a_listed_source(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, proxy_protocol=True,
                                 trusted_proxies="10.0.0.0/8, 127.0.0.0/8")
        c = self.connect(hf.port)
        c.send(PROXY_V1 + request("GET", "/hello?listed"))
        self.assertEqual(c.read_response().status, 200)
        rec = be.wait_for_requests(1)[-1]
        self.assertEqual(header_values(rec["headers"], "X-Forwarded-For"),
                         ["6.6.6.6"])

    def test_xff_from_a_trusted_peer(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be,
                                 trusted_proxies="127.0.0.1, 10.0.0.0/8")
        cases = [
            # (X-Forwarded-For fields, the client address logged)
            (["203.0.113.9, 198.51.100.1, 10.1.1.1"], "198.51.100.1"),
            # Several fields are one list.
            (["203.0.113.9", "198.51.100.2,10.2.2.2"], "198.51.100.2"),
            # Every hop trusted: the left-most.
            (["10.3.3.3, 10.4.4.4"], "10.3.3.3"),
            # Not an address: the walk ends at the last address read.
            (["198.51.100.3, garbage, 10.5.5.5"], "10.5.5.5"),
            (["2001:db8::7, [2001:db8::8]"], "2001:db8::8"),
            # No X-Forwarded-For: the peer.
            ([], "127.0.0.1"),
        ]
        for i, (fields, want) in enumerate(cases):
            target = "/hello?case=%d" % i
            r = harness.get(hf.port, target, headers=[
                ("X-Forwarded-For", v) for v in fields])
            self.assertEqual(r.status, 200)
            self.assertEqual(self.logged_addr(hf, target), want, fields)
            rec = be.wait_for_requests(i + 1)[-1]
            # The backend still sees the whole chain plus the peer.
            self.assertEqual(header_values(rec["headers"], "X-Forwarded-For"),
                             [", ".join(fields + ["127.0.0.1"])])

    def test_xff_from_an_untrusted_peer_ignored(self):
        be = self.start_backend()
        hf = self.start_holdfast(backend=be, trusted_proxies="10.0.0.0/8")
        r = harness.get(hf.port, "/hello?untrusted", headers=[
            ("X-Forwarded-For", "198.51.100.1")])
        self.assertEqual(r.status, 200)
        self.assertEqual(self.logged_addr(hf, "/hello?untrusted"), "127.0.0.1")


if __name__ == "__main__":
    harness.main()
