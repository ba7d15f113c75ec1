#!/usr/bin/env python3
"""Responses as the backend meant them (SPEC.md, "Additions of 2026-11-30"):

- Every refused response head of the corpus (test/corpus/response_rules/,
  every case of issue 13 among them) gets holdfast's own 502, nothing of the
  backend's head is relayed, the refusal is counted in
  holdfast_backend_errors_total{kind="invalid"} and its reason is in the
  access log, and the next request on the same client connection gets its
  own answer.
- An endless stream of 1xx gets a 502 after a few, and frees the slot.
- A response cut short by the backend (chunked without its last chunk;
  close-delimited, reset) is never ended cleanly toward the client: the
  client's read ends in an error.
- requests go to the backend as HTTP/1.1 by default; a small fast response
  still carries Content-Length.
"""

import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import ProtocolError, request  # noqa: E402

CORPUS = os.path.join(harness.ROOT, "test", "corpus", "response_rules")
ISSUE_CASES = ["interim_100_with_body", "space_before_colon", "space_in_name",
               "space_in_name_lang", "nul_in_reason", "version_5_6",
               "version_0_9", "double_space_after_version", "chunk_size_junk",
               "te_chunked_chunked"]
STREAM_BYTES = 200 * 1000  # past body_buffer_size: the head goes out first


def refused_cases():
    """Corpus cases that a feed refuses (not those only the close ends),
    with their reasons."""
    out = {}
    for name in sorted(os.listdir(CORPUS)):
        if not name.endswith(".expect"):
            continue
        with open(os.path.join(CORPUS, name)) as f:
            keys = dict(line.split(" ", 1) for line in f.read().splitlines()
                        if line and not line.startswith("#") and " " in line)
        if keys.get("verdict") == "invalid" and keys["reason"] != "cut_short":
            out[name[:-7]] = keys["reason"]
    return out


def metric(text, name, **labels):
    want = ",".join('%s="%s"' % kv for kv in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith(name + "{"):
            lab, _, value = line[len(name) + 1:].rpartition("} ")
            got = ",".join(sorted(lab.split(",")))
            if got == want:
                return float(value)
    return None


class ResponseStrictTest(harness.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.be = cls.class_process(lambda: harness.Backend(
            os.path.join(harness.BACKENDS, "replay_backend.py"),
            "--corpus", CORPUS))
        cls.admin_port = harness.free_port()
        cls.hf = cls.class_process(lambda: harness.Holdfast(
            backend=cls.be, body_buffer_size="16k", backend_timeout="10s",
            global_conf={"admin": "127.0.0.1:%d" % cls.admin_port}))
        harness.wait_for_port(cls.admin_port, proc=cls.hf, what="admin")

    def conn(self, timeout=8):
        return self.connect(self.hf.port, timeout=timeout)

    def invalid_count(self):
        r = harness.get(self.admin_port, "/metrics", timeout=3)
        v = metric(r.body.decode(), "holdfast_backend_errors_total",
                   mapping="app", kind="invalid")
        self.assertIsNotNone(v, "no invalid backend-error series")
        return v

    def assert_refused_and_in_sync(self, c, name):
        r = c.exchange(request("GET", "/res/" + name))
        self.assertEqual(r.status, 502, "%s: %r %r" % (name, r, r.body))
        self.assertEqual(r.body, b"Bad Gateway\n", name)
        self.assertEqual(r.header("Content-Length"), str(len(r.body)), name)
        self.assertNotIn("close", r.connection_tokens(), name)
        # Nothing of the backend's head: only holdfast's own fields.
        names = sorted(n.lower() for n, _ in r.headers)
        self.assertEqual(names, ["connection", "content-length", "content-type"],
                         "%s: %r" % (name, r.raw_head))
        r = c.exchange(request("GET", "/ok"))
        self.assertEqual(r.status, 200, "%s: next request: %r" % (name, r))
        self.assertTrue(r.body.startswith(b"ok "), name)

    def test_issue_cases_get_502_and_the_connection_goes_on(self):
        cases = refused_cases()
        for name in ISSUE_CASES:
            self.assertIn(name, cases)
        before = self.invalid_count()
        c = self.conn()
        for name in ISSUE_CASES:
            self.assert_refused_and_in_sync(c, name)
        self.assertEqual(self.invalid_count() - before, len(ISSUE_CASES))
        log = "\n".join(self.hf.access_log())
        self.assertIn('"GET /res/space_before_colon HTTP/1.1" 502', log)
        for name in ISSUE_CASES:
            harness.wait_until(
                lambda: any("/res/%s " % name in l and
                            "reason=%s" % cases[name] in l
                            for l in self.hf.access_log()),
                what="the access-log line of %s with its reason" % name)

    def test_every_refused_corpus_case_gets_502(self):
        cases = refused_cases()
        self.assertGreater(len(cases), 50)
        c = self.conn()
        for name in sorted(cases):
            if name not in ISSUE_CASES:
                self.assert_refused_and_in_sync(c, name)

    def test_endless_interim_responses_get_502_and_free_the_slot(self):
        c = self.conn()
        t0 = time.monotonic()
        r = c.exchange(request("GET", "/interim-forever"))
        self.assertEqual(r.status, 502)
        self.assertEqual(r.interim, [], "an interim response was relayed")
        # Eight 1xx at the backend's pace of one per 10 ms, far below the
        # 10 s backend_timeout that would also end it.
        self.assertLess(time.monotonic() - t0, 5)
        harness.wait_until(lambda: any(
            "/interim-forever " in l and "reason=too_many_interim" in l
            for l in self.hf.access_log()), what="too_many_interim logged")
        r = c.exchange(request("GET", "/ok"))
        self.assertEqual(r.status, 200)

    def test_fast_small_response_has_content_length(self):
        r = self.conn().exchange(request("GET", "/ok"))
        self.assertEqual((r.status, r.framing), (200, "length"), r.raw_head)
        self.assertEqual(r.header("Content-Length"), str(len(r.body)))
        self.assertFalse(r.has_header("Transfer-Encoding"))

    def test_backend_gets_http11_by_default(self):
        # No backend_http_version in this configuration.
        self.conn().exchange(request("GET", "/ok?version"))
        reqs = self.be.wait_for_requests(1)
        lines = [r["line"] for r in reqs if r["target"] == "/ok?version"]
        self.assertEqual(lines, ["GET /ok?version HTTP/1.1"])

    def read_chunked_body(self, c):
        r = c.read_head()
        self.assertEqual(r.status, 200, r.raw_head)
        self.assertEqual(r.header("Transfer-Encoding"), "chunked", r.raw_head)
        return c._read_chunked()

    def test_completed_stream_is_a_control(self):
        # The streams below differ only in their end: this one ends well.
        # Whether the head went out before the end (chunked) or after it
        # (Content-Length) depends on how fast holdfast read the backend.
        c = self.conn()
        for target in ("/stream-chunked?n=200&end=last",
                       "/stream-close?n=200&end=fin"):
            r = c.exchange(request("GET", target))
            self.assertEqual((r.status, len(r.body)), (200, STREAM_BYTES), target)
            self.assertIn(r.framing, ("chunked", "length"), target)

    def go(self):
        """Lets a stream asked with go=1 go on to its end."""
        with open(self.be.log_path + ".go", "w"):
            pass

    def assert_read_fails(self, target):
        # The backend holds its end until the client has the head and
        # some of the body: holdfast has relayed part of the response.
        c = self.conn()
        c.send(request("GET", target + "&go=1"))
        r = c.read_head()
        self.assertEqual(r.status, 200, r.raw_head)
        self.assertEqual(r.header("Transfer-Encoding"), "chunked", r.raw_head)
        line = c._read_until(b"\r\n")  # the first chunk line
        size = int(line.split(b";")[0], 16)
        self.go()
        with self.assertRaises(ProtocolError, msg=target):
            c._read_exact(size + 2)  # the rest of the first chunk
            body = c._read_chunked()
            self.fail("%s ended cleanly (%d more bytes)" % (target, len(body)))

    def test_chunked_stream_killed_is_cut(self):
        self.assert_read_fails("/stream-chunked?n=200&end=fin")

    def test_chunked_stream_reset_is_cut(self):
        self.assert_read_fails("/stream-chunked?n=200&end=rst")

    def test_close_delimited_stream_reset_is_cut(self):
        self.assert_read_fails("/stream-close?n=200&end=rst")

    def test_close_delimited_stream_reset_resets_http10_client(self):
        # To an HTTP/1.0 client the body is close-delimited too: only a
        # reset, never a FIN, tells it that the body is incomplete.
        with socket.create_connection((harness.LOCALHOST, self.hf.port),
                                      timeout=8) as s:
            s.sendall(request("GET", "/stream-close?n=200&end=rst&go=1",
                              version="HTTP/1.0"))
            got = s.recv(65536)
            self.assertTrue(got.startswith(b"HTTP/1.0 200 "), got[:100])
            self.assertNotIn(b"Content-Length", got.partition(b"\r\n\r\n")[0])
            self.go()
            with self.assertRaises(ConnectionResetError):
                while True:
                    data = s.recv(65536)
                    if not data:
                        self.fail("clean end after %d bytes" % len(got))
                    got += data

    def test_reset_right_behind_the_data_is_no_clean_end(self):
        # The reset arrives with the last bytes: libuv reports it as the
        # end of the stream, which must not end a close-delimited body.
        for version in ("HTTP/1.1", "HTTP/1.0"):
            with socket.create_connection((harness.LOCALHOST, self.hf.port),
                                          timeout=8) as s:
                s.sendall(request("GET", "/stream-close?n=200&end=rst",
                                  version=version,
                                  headers=[("Connection", "close")]))
                got = b""
                try:
                    while True:
                        data = s.recv(65536)
                        if not data:
                            break
                        got += data
                except ConnectionResetError:
                    continue  # cut after the head went out
                head, _, body = got.partition(b"\r\n\r\n")
                self.assertTrue(head.startswith(version.encode() + b" 502 "),
                                "%s: %r, %d body bytes" % (version, head, len(body)))

    def test_short_stream_cut_before_the_head_went_out_is_502(self):
        # Under body_buffer_size the head has not gone out: a 502, not a
        # short 200.
        c = self.conn()
        try:
            r = c.exchange(request("GET", "/stream-chunked?n=2&end=fin"))
        except ProtocolError:
            return
        self.assertEqual(r.status, 502, r)


if __name__ == "__main__":
    harness.main()
