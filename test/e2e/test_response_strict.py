#!/usr/bin/env python3
"""Responses as the backend meant them (SPEC.md, "Additions of 2026-11-30"):

- Every refused response head of the corpus (test/corpus/response_rules/,
  every case of issue 13 among them) gets holdfast's own 502, nothing of the
  backend's head is relayed, the refusal is counted in
  holdfast_backend_errors_total{kind="invalid"} and its reason is in the
  access log, and the next request on the same client connection gets its
  own answer.
- An endless stream of 1xx gets a 502 after a few, and frees the slot.
- A small fast response still carries Content-Length.
"""

import os
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


if __name__ == "__main__":
    harness.main()
