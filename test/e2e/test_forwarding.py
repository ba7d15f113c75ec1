#!/usr/bin/env python3
"""What the backend receives: a request holdfast wrote itself.

Checked in the recording backend's log: request line in origin form with
HTTP/1.0 (or 1.1), CRLF header lines, hop-by-hop headers removed,
X-Forwarded-For appended, bodies framed by Content-Length (chunked bodies
de-chunked, large bodies spilled and forwarded intact), absolute-form targets
rewritten, `Connection: close` last, a fresh connection per request, and
nothing forwarded before the request is complete.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import body_of, chunked, header_values, request  # noqa: E402


def head_lines(rec):
    raw = rec["raw_head"]
    assert raw.endswith("\r\n\r\n"), "head does not end with CRLF CRLF: %r" % raw
    return raw[:-4].split("\r\n")


class ForwardingTest(harness.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.be = cls.class_process(harness.recording_backend)
        # HTTP/1.0 to the backend, set, so the rewriting tests see the
        # request line that differs most from the client's.
        cls.hf = cls.class_process(
            lambda: harness.Holdfast(backend=cls.be, body_buffer_size="4k",
                                     backend_http_version="1.0"))
        # The default: HTTP/1.1.
        cls.hf11 = cls.class_process(
            lambda: harness.Holdfast(backend=cls.be))
        cls.hf_noxff = cls.class_process(
            lambda: harness.Holdfast(backend=cls.be, forwarded_for=False))

    def send(self, data, hf=None, method=None):
        """Sends one request on a fresh connection; returns (response, the
        backend's record of it)."""
        hf = hf or self.hf
        before = len(self.be.requests())
        with hf.connect() as c:
            c.send(data)
            r = c.read_response(method=method or data.split(b" ", 1)[0].decode())
        reqs = self.be.wait_for_requests(before + 1)
        self.assertEqual(len(reqs), before + 1, "backend got more than one request")
        return r, reqs[-1]

    def test_request_line_is_origin_form_http10(self):
        r, rec = self.send(request("GET", "/hello?x=1&y=%20z"))
        self.assertEqual(r.status, 200)
        self.assertEqual(rec["request_line"], "GET /hello?x=1&y=%20z HTTP/1.0")

    def test_backend_http_version_11(self):
        r, rec = self.send(request("GET", "/hello"), hf=self.hf11)
        self.assertEqual(r.status, 200)
        self.assertEqual(rec["request_line"], "GET /hello HTTP/1.1")
        self.assertEqual(header_values(rec["headers"], "Host"), ["test.example"])
        self.assertEqual(head_lines(rec)[-1].lower(), "connection: close")

    def test_head_is_crlf_lines_with_connection_close_last(self):
        r, rec = self.send(request("GET", "/hello", headers=[
            ("X-One", "1"), ("Connection", "keep-alive")]))
        raw = rec["raw_head"]
        self.assertEqual(raw.count("\n"), raw.count("\r\n"), "bare LF in %r" % raw)
        lines = head_lines(rec)
        self.assertEqual(lines[0], "GET /hello HTTP/1.0")
        self.assertEqual(lines[-1].lower(), "connection: close", raw)
        self.assertEqual(len(header_values(rec["headers"], "Connection")), 1, raw)
        for line in lines[1:]:
            self.assertRegex(line, r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+: \S", raw)

    def test_hop_by_hop_request_headers_removed(self):
        r, rec = self.send(request("GET", "/hello", headers=[
            ("Connection", "keep-alive, X-Hop"),
            ("X-Hop", "must not pass"),
            ("Keep-Alive", "timeout=30"),
            ("Proxy-Connection", "keep-alive"),
            ("TE", "trailers"),
            ("Trailer", "X-Checksum"),
            ("Upgrade", "websocket"),
            ("X-End", "kept"),
        ]))
        self.assertEqual(r.status, 200)
        names = [n.lower() for n, _ in rec["headers"]]
        for gone in ("x-hop", "keep-alive", "proxy-connection", "te", "trailer",
                     "upgrade", "transfer-encoding", "expect"):
            self.assertNotIn(gone, names, rec["raw_head"])
        self.assertEqual(header_values(rec["headers"], "Connection"), ["close"])
        self.assertEqual(header_values(rec["headers"], "X-End"), ["kept"])

    def test_end_to_end_headers_kept(self):
        r, rec = self.send(request("GET", "/hello", headers=[
            ("User-Agent", "e2e/1.0"),
            ("Accept", "*/*"),
            ("X-Multi", "first"),
            ("Cookie", "a=1; b=2"),
            ("X-Multi", "second"),
            ("X-Empty", ""),
        ]))
        self.assertEqual(r.status, 200)
        h = rec["headers"]
        self.assertEqual(header_values(h, "Host"), ["test.example"])
        self.assertEqual(header_values(h, "User-Agent"), ["e2e/1.0"])
        self.assertEqual(header_values(h, "Cookie"), ["a=1; b=2"])
        multi = header_values(h, "X-Multi")
        # Either kept as two fields in order, or joined with a comma.
        self.assertIn(multi, (["first", "second"], ["first, second"]))

    def test_x_forwarded_for_added(self):
        r, rec = self.send(request("GET", "/hello"))
        self.assertEqual(header_values(rec["headers"], "X-Forwarded-For"), ["127.0.0.1"])

    def test_x_forwarded_for_appended(self):
        r, rec = self.send(request("GET", "/hello", headers=[
            ("X-Forwarded-For", "10.1.2.3")]))
        self.assertEqual(header_values(rec["headers"], "X-Forwarded-For"),
                         ["10.1.2.3, 127.0.0.1"])

    def test_x_forwarded_for_off(self):
        r, rec = self.send(request("GET", "/hello"), hf=self.hf_noxff)
        self.assertEqual(r.status, 200)
        self.assertEqual(header_values(rec["headers"], "X-Forwarded-For"), [])
        r, rec = self.send(request("GET", "/hello", headers=[
            ("X-Forwarded-For", "10.1.2.3")]), hf=self.hf_noxff)
        self.assertEqual(header_values(rec["headers"], "X-Forwarded-For"), ["10.1.2.3"])

    def test_content_length_body_forwarded_exactly(self):
        body = bytes(range(256)) * 8
        r, rec = self.send(request("POST", "/echo", body=body))
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, body)
        self.assertEqual(body_of(rec), body)
        self.assertEqual(header_values(rec["headers"], "Content-Length"), [str(len(body))])

    def test_chunked_body_dechunked(self):
        body = b"The quick brown fox jumps over the lazy dog. " * 40
        data = request("POST", "/echo", headers=[("Transfer-Encoding", "chunked")])
        wire = chunked(body, sizes=(1, 7, 300, 64))
        # A chunk extension and a trailer field must not confuse the framing.
        wire = wire.replace(b"\r\n", b";ext=1\r\n", 1)
        wire = wire[:-2] + b"X-Trailer: t\r\n\r\n"
        r, rec = self.send(data + wire)
        self.assertEqual(r.status, 200)
        self.assertEqual(body_of(rec), body)
        h = rec["headers"]
        self.assertEqual(header_values(h, "Content-Length"), [str(len(body))])
        self.assertEqual(header_values(h, "Transfer-Encoding"), [])

    def test_large_body_spilled_and_forwarded_intact(self):
        # body_buffer_size is 4k here: most of this goes through a temp file.
        body = bytes((i * 31 + 7) % 256 for i in range(300 * 1024))
        r, rec = self.send(request("PUT", "/echo", body=body))
        self.assertEqual(r.status, 200)
        self.assertEqual(len(r.body), len(body))
        self.assertTrue(r.body == body, "response body differs")
        self.assertTrue(body_of(rec) == body, "body received by the backend differs")

    def test_large_chunked_body_spilled_and_forwarded_intact(self):
        body = bytes((i * 13 + 1) % 256 for i in range(200 * 1024))
        data = request("POST", "/echo", headers=[("Transfer-Encoding", "chunked")])
        r, rec = self.send(data + chunked(body, sizes=(8192, 3, 40000)))
        self.assertEqual(r.status, 200)
        self.assertTrue(body_of(rec) == body, "body received by the backend differs")
        self.assertEqual(header_values(rec["headers"], "Content-Length"), [str(len(body))])

    def test_absolute_form_becomes_origin_form(self):
        data = (b"GET http://h.example/x?y HTTP/1.1\r\n"
                b"Host: other.example\r\n\r\n")
        r, rec = self.send(data)
        self.assertEqual(r.status, 404)  # /x is not a route: the backend answered
        self.assertEqual(rec["request_line"], "GET /x?y HTTP/1.0")
        self.assertEqual(header_values(rec["headers"], "Host"), ["h.example"])

    def test_methods_preserved(self):
        for method in ("PUT", "DELETE", "OPTIONS", "PATCH"):
            r, rec = self.send(request(method, "/echo", body=b"m=" + method.encode()))
            self.assertEqual(r.status, 200, method)
            self.assertEqual(rec["method"], method)
            self.assertEqual(body_of(rec), b"m=" + method.encode())
            self.assertEqual(r.header("X-Echo-Method"), method)

    def test_fresh_backend_connection_per_request(self):
        before = len(self.be.requests())
        with self.hf.connect() as c:
            for i in range(3):
                r = c.exchange(request("GET", "/hello?n=%d" % i))
                self.assertEqual(r.status, 200)
        reqs = self.be.wait_for_requests(before + 3)[before:]
        self.assertEqual([q["target"] for q in reqs], ["/hello?n=0", "/hello?n=1",
                                                       "/hello?n=2"])
        ports = {q["peer_port"] for q in reqs}
        self.assertEqual(len(ports), 3, "backend connection reused: %r" % ports)

    def test_forwarded_only_when_complete(self):
        before = len(self.be.requests())
        c = self.connect(self.hf.port)
        c.send(request("POST", "/echo", headers=[("Content-Length", "10")]) + b"01234")
        # The body is incomplete: nothing may reach the backend. (A window to
        # observe an absence; not a readiness wait.)
        time.sleep(0.4)
        self.assertEqual(len(self.be.requests()), before,
                         "an incomplete request reached the backend")
        c.send(b"56789")
        r = c.read_response()
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"0123456789")
        rec = self.be.requests()[-1]
        self.assertEqual(body_of(rec), b"0123456789")

    def test_headers_trickled_byte_by_byte(self):
        data = request("POST", "/echo", body=b"trickle")
        before = len(self.be.requests())
        c = self.connect(self.hf.port)
        for i in range(len(data)):
            c.send(data[i:i + 1])
            time.sleep(0.002)  # forces separate reads; not a wait for anything
        r = c.read_response()
        self.assertEqual(r.status, 200)
        self.assertEqual(r.body, b"trickle")
        self.assertEqual(len(self.be.wait_for_requests(before + 1)), before + 1)


if __name__ == "__main__":
    harness.main()
