#!/usr/bin/env python3
"""/metrics as a Prometheus user reads it.

- Every series SPEC.md names is there with the right TYPE, and the whole
  exposition passes a strict text-format (0.0.4) parser written here; when
  `promtool` is on PATH, `promtool check metrics` passes too (that part is
  skipped otherwise).
- The process_* series, holdfast_build_info and the reload series say true
  things; connections_accepted_total and request_duration_seconds move with
  the traffic; health_path answers are not counted as requests.
"""

import math
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

# Family -> TYPE, for every series SPEC.md names.
SPEC_SERIES = {
    "holdfast_client_connections": "gauge",
    "holdfast_requests_total": "counter",
    "holdfast_queue_depth": "gauge",
    "holdfast_queue_wait_seconds": "histogram",
    "holdfast_backend_seconds": "histogram",
    "holdfast_backend_errors_total": "counter",
    "holdfast_rejected_total": "counter",
    "holdfast_build_info": "gauge",
    "process_cpu_seconds_total": "counter",
    "process_open_fds": "gauge",
    "process_max_fds": "gauge",
    "process_resident_memory_bytes": "gauge",
    "process_start_time_seconds": "gauge",
    "holdfast_config_reloads_total": "counter",
    "holdfast_config_last_reload_success_timestamp_seconds": "gauge",
    "holdfast_request_duration_seconds": "histogram",
    "holdfast_connections_accepted_total": "counter",
}

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*\Z")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*\Z")
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")


class FormatError(AssertionError):
    pass


def parse_value(text, where):
    if text in ("+Inf", "-Inf", "NaN"):
        return float(text.replace("Inf", "inf").replace("NaN", "nan"))
    if not re.match(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\Z", text):
        raise FormatError("%s: bad value %r" % (where, text))
    return float(text)


def parse_labels(text, where):
    """The inside of {...}: name="value" pairs, values escaped with \\\\, \\"
    and \\n only. Returns a dict; duplicate names are an error."""
    labels = {}
    i = 0
    while i < len(text):
        m = re.match(r"([a-zA-Z_][a-zA-Z0-9_]*)=\"", text[i:])
        if not m:
            raise FormatError("%s: bad label at %r" % (where, text[i:]))
        name = m.group(1)
        i += m.end()
        value = []
        while True:
            if i >= len(text):
                raise FormatError("%s: unterminated label value" % where)
            c = text[i]
            if c == "\\":
                if i + 1 >= len(text) or text[i + 1] not in "\\\"n":
                    raise FormatError("%s: bad escape in label value" % where)
                value.append({"\\": "\\", '"': '"', "n": "\n"}[text[i + 1]])
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                raise FormatError("%s: newline in label value" % where)
            else:
                value.append(c)
                i += 1
        if name in labels:
            raise FormatError("%s: label %s twice" % (where, name))
        labels[name] = "".join(value)
        if i < len(text):
            if text[i] != ",":
                raise FormatError("%s: expected ',' at %r" % (where, text[i:]))
            i += 1
    return labels


def family_of(name, types):
    """The family a sample name belongs to (histogram suffixes stripped)."""
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and types.get(name[:-len(suffix)]) in (
                "histogram", "summary"):
            return name[:-len(suffix)]
    return name


def parse_exposition(text):
    """Strict Prometheus text format 0.0.4. Returns (types, samples) where
    types maps family -> TYPE and samples is a list of (name, labels, value).
    Raises FormatError on anything a scraper could reject or misread."""
    if text and not text.endswith("\n"):
        raise FormatError("exposition does not end with a newline")
    types, helps, samples = {}, {}, []
    seen_series = set()
    done_families = set()
    current = None
    for n, line in enumerate(text.split("\n")[:-1], 1):
        where = "line %d %r" % (n, line)
        if line == "":
            continue
        if line != line.rstrip() or line != line.lstrip():
            raise FormatError("%s: surrounding whitespace" % where)
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 2 and parts[1] in ("HELP", "TYPE"):
                if len(parts) < 3 or not NAME.match(parts[2]):
                    raise FormatError("%s: bad metric name" % where)
                fam = parts[2]
                if fam in done_families or fam in (helps if parts[1] == "HELP"
                                                   else types):
                    raise FormatError("%s: %s for %s given twice or after its "
                                      "samples" % (where, parts[1], fam))
                if parts[1] == "TYPE":
                    if len(parts) != 4 or parts[3] not in TYPES:
                        raise FormatError("%s: bad type" % where)
                    if any(family_of(s[0], {fam: parts[3]}) == fam for s in samples):
                        raise FormatError("%s: TYPE after samples" % where)
                    types[fam] = parts[3]
                else:
                    helps[fam] = parts[3] if len(parts) > 3 else ""
            continue
        m = re.match(r"([^{\s]+)(\{(.*)\})?\s+(\S+)(\s+(-?\d+))?\Z", line)
        if not m:
            raise FormatError("%s: not a sample line" % where)
        name = m.group(1)
        if not NAME.match(name):
            raise FormatError("%s: bad metric name" % where)
        labels = parse_labels(m.group(3) or "", where)
        value = parse_value(m.group(4), where)
        fam = family_of(name, types)
        if fam != current:
            if fam in done_families:
                raise FormatError("%s: samples of %s are not together" % (where, fam))
            if current is not None:
                done_families.add(current)
            current = fam
        key = (name, tuple(sorted(labels.items())))
        if key in seen_series:
            raise FormatError("%s: series given twice" % where)
        seen_series.add(key)
        if types.get(fam) == "counter" and not (value >= 0 or math.isnan(value)):
            raise FormatError("%s: negative counter" % where)
        samples.append((name, labels, value))
    check_histograms(types, samples)
    return types, samples


def check_histograms(types, samples):
    """Every histogram series: buckets with le, cumulative, ascending, a
    +Inf bucket equal to _count, and a _sum."""
    for fam, t in types.items():
        if t != "histogram":
            continue
        groups = {}
        for name, labels, value in samples:
            if family_of(name, types) != fam:
                continue
            rest = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
            g = groups.setdefault(rest, {"buckets": [], "sum": None, "count": None})
            if name == fam + "_bucket":
                if "le" not in labels:
                    raise FormatError("%s bucket without le" % fam)
                g["buckets"].append((parse_value(labels["le"], fam), value))
            elif name == fam + "_sum":
                g["sum"] = value
            elif name == fam + "_count":
                g["count"] = value
            else:
                raise FormatError("%s: stray sample %s" % (fam, name))
        for rest, g in groups.items():
            les = [le for le, _ in g["buckets"]]
            if les != sorted(les) or len(set(les)) != len(les):
                raise FormatError("%s%r: buckets not ascending" % (fam, rest))
            counts = [v for _, v in g["buckets"]]
            if counts != sorted(counts):
                raise FormatError("%s%r: buckets not cumulative" % (fam, rest))
            if not les or les[-1] != float("inf"):
                raise FormatError("%s%r: no +Inf bucket" % (fam, rest))
            if g["count"] != counts[-1] or g["sum"] is None:
                raise FormatError("%s%r: _count/_sum missing or not +Inf" % (fam, rest))


def value(samples, name, **labels):
    found = [v for n, l, v in samples
             if n == name and all(l.get(k) == str(x) for k, x in labels.items())]
    return sum(found) if found else None


class ParserSelfTest(unittest.TestCase):
    """The parser must reject what it is there to catch."""

    def test_rejects(self):
        good = ("# HELP a_total A.\n# TYPE a_total counter\n"
                'a_total{x="1"} 3\n')
        parse_exposition(good)
        for bad in (good + 'a_total{x="1"} 4\n',                 # series twice
                    good + "# TYPE a_total counter\n",             # TYPE twice
                    good.replace("3\n", "three\n"),                # bad value
                    good.replace('"1"', '"\\q"'),                  # bad escape
                    good.replace("counter", "countr"),             # bad type
                    good + "# TYPE b gauge\nb 1\na_total 1\n",     # not together
                    good.rstrip("\n"),                             # no newline
                    "# TYPE h histogram\n"                         # not cumulative
                    'h_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\n'
                    "h_sum 1\nh_count 1\n"):
            with self.subTest(bad=bad):
                self.assertRaises(FormatError, parse_exposition, bad)


class MetricsTest(harness.TestCase):

    def setUp(self):
        self.be = self.start_backend()
        self.admin_port = harness.free_port()
        self.t0 = time.time()
        self.hf = self.start_holdfast(
            mappings={"app": {"backend": self.be, "health_path": "/healthz"}},
            global_conf={"admin": "127.0.0.1:%d" % self.admin_port})
        harness.wait_for_port(self.admin_port, proc=self.hf, what="admin listener")

    def scrape(self):
        r = harness.get(self.admin_port, "/metrics", timeout=3)
        self.assertEqual(r.status, 200)
        return r.body.decode("utf-8")

    def metrics(self):
        return parse_exposition(self.scrape())[1]

    def test_every_series_with_its_type_and_a_valid_exposition(self):
        # Traffic so every family has samples (histograms, codes, rejects).
        self.assertEqual(harness.get(self.hf.port, "/hello").status, 200)
        c = self.connect(self.hf.port)
        c.send(b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n")
        self.assertEqual(c.read_response().status, 400)
        harness.wait_until(lambda: value(self.metrics(), "holdfast_requests_total",
                                         code="400"), what="the 400 counted")
        text = self.scrape()
        types, samples = parse_exposition(text)
        for fam, t in SPEC_SERIES.items():
            self.assertEqual(types.get(fam), t, "TYPE of %s" % fam)
            self.assertTrue(any(n == fam or n.startswith(fam + "_") for n, _, _ in samples),
                            "no samples of %s" % fam)
        for fam in ("holdfast_request_duration_seconds",
                    "holdfast_connections_accepted_total"):
            self.assertIsNotNone(value(samples, fam if "total" in fam else fam + "_count",
                                       mapping="app"), fam + " per mapping")
        self.check_promtool(text)

    def check_promtool(self, text):
        promtool = shutil.which("promtool")
        if promtool is None:
            # Only this part; the strict parser above has already run.
            sys.stderr.write("promtool not on PATH: `promtool check metrics` skipped\n")
            return
        p = subprocess.run([promtool, "check", "metrics"], input=text.encode(),
                           capture_output=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stdout.decode() + p.stderr.decode())

    def test_process_and_build_series_are_true(self):
        s = self.metrics()
        status = subprocess.run([harness.holdfast_path(), "-V"], capture_output=True,
                                timeout=10).stdout.decode().split()[-1]
        self.assertEqual(value(s, "holdfast_build_info", version=status), 1)
        fds = value(s, "process_open_fds")
        max_fds = value(s, "process_max_fds")
        real = len(os.listdir("/proc/%d/fd" % self.hf.pid))
        # Listeners, the loop's own descriptors, an admin connection: a few,
        # and about what the kernel says (connections come and go).
        self.assertGreater(fds, 3)
        self.assertLess(abs(fds - real), 8, (fds, real))
        self.assertLessEqual(fds, max_fds)
        with open("/proc/%d/status" % self.hf.pid) as f:
            rss_kb = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
        rss = value(s, "process_resident_memory_bytes")
        self.assertGreater(rss, 0)
        self.assertLess(abs(rss - rss_kb * 1024), 16 << 20, (rss, rss_kb))
        start = value(s, "process_start_time_seconds")
        # btime is whole seconds: allow for it either side.
        self.assertGreaterEqual(start, self.t0 - 2)
        self.assertLessEqual(start, time.time() + 2)
        self.assertGreaterEqual(value(s, "process_cpu_seconds_total"), 0)
        last = value(s, "holdfast_config_last_reload_success_timestamp_seconds")
        self.assertGreaterEqual(last, self.t0 - 1)
        self.assertLessEqual(last, time.time() + 1)

    def test_reload_series(self):
        def reloads(result):
            return value(self.metrics(), "holdfast_config_reloads_total", result=result)
        self.assertEqual((reloads("success"), reloads("failure")), (0, 0))
        first = value(self.metrics(),
                      "holdfast_config_last_reload_success_timestamp_seconds")
        self.hf.send_signal(signal.SIGHUP)
        harness.wait_until(lambda: reloads("success") == 1, what="a good reload counted")
        after = value(self.metrics(),
                      "holdfast_config_last_reload_success_timestamp_seconds")
        self.assertGreaterEqual(after, first)
        good = self.hf.config_text
        self.hf.write_config_text(good + "no_such_key = 1\n")
        self.hf.send_signal(signal.SIGHUP)
        harness.wait_until(lambda: reloads("failure") == 1, what="a bad reload counted")
        self.assertEqual(reloads("success"), 1)
        self.assertEqual(value(self.metrics(),
                               "holdfast_config_last_reload_success_timestamp_seconds"),
                         after)

    def test_accepted_duration_and_health_not_counted(self):
        port = self.hf.port
        # The harness's readiness probe is the one connection so far; wait
        # until holdfast has accepted it so it is not counted below.
        before = harness.wait_until(
            lambda: (lambda s: s if value(s, "holdfast_connections_accepted_total",
                                          mapping="app") == 1 else None)(self.metrics()),
            what="the readiness probe accepted")
        acc0 = value(before, "holdfast_connections_accepted_total", mapping="app")
        ok0 = value(before, "holdfast_requests_total", mapping="app", code="200") or 0
        n0 = value(before, "holdfast_request_duration_seconds_count", mapping="app")
        fast0 = value(before, "holdfast_request_duration_seconds_bucket",
                      mapping="app", le="0.1")
        # Three health answers on one connection, one real request on another.
        with harness.Conn(port) as c:
            for _ in range(3):
                c.send(harness.request(target="/healthz"))
                self.assertEqual(c.read_response().status, 200)
        self.assertEqual(harness.get(port, "/sleep?ms=250").status, 200)

        def settled():
            s = self.metrics()
            return s if value(s, "holdfast_request_duration_seconds_count",
                              mapping="app") == n0 + 1 else None
        s = harness.wait_until(settled, what="the request observed")
        self.assertEqual(value(s, "holdfast_connections_accepted_total", mapping="app"),
                         acc0 + 2)
        self.assertEqual(value(s, "holdfast_requests_total", mapping="app", code="200"),
                         ok0 + 1, "health answers counted as requests")
        self.assertEqual(value(s, "holdfast_request_duration_seconds_bucket",
                               mapping="app", le="0.1"), fast0,
                         "a 250 ms request in the 0.1 s bucket")
        self.assertGreaterEqual(value(s, "holdfast_request_duration_seconds_sum",
                                      mapping="app"), 0.25)
        # The health answers are still in the access log.
        harness.wait_until(lambda: sum("/healthz" in l for l in self.hf.access_log()) == 3,
                           what="3 health lines in the access log")


if __name__ == "__main__":
    harness.main()
