#!/usr/bin/env python3
"""Streaming: the client no longer waits for the whole response.

- A backend that writes a line every 300 ms (chunked, close-delimited or
  with Content-Length): each line reaches the client within 0.5 s of the
  backend writing it; Content-Length is kept when the backend sent one,
  otherwise the client gets chunked (HTTP/1.1) or close-delimited (1.0).
- `X-Accel-Buffering: no`: the head goes out at once, without the short
  wait for the length, and the field is not relayed.
- A fast small response still carries Content-Length and arrives in one
  piece (one TCP segment), even when the backend wrote it in two.
- A backend killed or reset mid-stream: the client's read ends in an
  error (a reset), never in a clean end, and no last chunk is sent.
- A stream that is silent for longer than client_idle_timeout (but within
  backend_timeout) is not cut: the client is owed nothing while it waits.

Times are time.monotonic() on both sides (CLOCK_MONOTONIC, one clock for
every process): the backend logs when it wrote each line, the client when
each line was in.
"""

import os
import signal
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

STREAM_BACKEND = os.path.join(harness.BACKENDS, "stream_backend.py")
LATE = 0.5  # a line must be at the client this soon after it was written


def lines(n):
    return b"".join(b"line %d\n" % i for i in range(1, n + 1))


class Reply:
    """A response read by Stream: its head, framing, body, how it ended and
    when each line of the body was in."""

    def __init__(self):
        self.head = None        # harness.Response (status, headers)
        self.head_at = None     # monotonic time the head was in
        self.framing = None     # "length", "chunked" or "close"
        self.body = b""
        self.line_at = {}       # line number -> monotonic time it was in
        self.complete = False   # ended as framed (last chunk, length, close)
        self.ended = None       # "reset", "eof" or None (still open)
        self.raw = b""


class Stream:
    """A client connection that records when each received byte arrived,
    and decodes the response as it comes."""

    def __init__(self, port, timeout=harness.IO_TIMEOUT):
        self.sock = socket.create_connection((harness.LOCALHOST, port),
                                             timeout=timeout)
        self.raw = bytearray()
        self.arrived = []  # (end offset in raw, monotonic time)
        self.ended = None

    def close(self):
        self.sock.close()

    def send(self, target, version="HTTP/1.1"):
        self.sock.sendall(("GET %s %s\r\nHost: t\r\n\r\n" % (target, version))
                          .encode())

    def _time_of(self, offset):
        """When the byte at offset arrived."""
        for end, t in self.arrived:
            if offset < end:
                return t
        raise AssertionError("byte %d never arrived" % offset)

    def decode(self, method="GET"):
        """Decodes what has arrived so far."""
        r = Reply()
        r.raw = bytes(self.raw)
        r.ended = self.ended
        end = r.raw.find(b"\r\n\r\n")
        if end < 0:
            return r
        r.head = harness.parse_head(r.raw[:end + 4])
        r.head_at = self._time_of(end + 3)
        pos = end + 4
        offsets = []  # raw offset of each body byte
        te = r.head.header("Transfer-Encoding")
        cl = r.head.header("Content-Length")
        if te:
            r.framing = "chunked"
            while True:
                eol = r.raw.find(b"\r\n", pos)
                if eol < 0:
                    break
                size = int(r.raw[pos:eol].split(b";")[0], 16)
                if size == 0:
                    r.complete = r.raw.endswith(b"\r\n\r\n", eol)
                    break
                if len(r.raw) < eol + 2 + size + 2:
                    offsets += range(eol + 2, len(r.raw))
                    break
                offsets += range(eol + 2, eol + 2 + size)
                pos = eol + 2 + size + 2
        elif cl is not None:
            r.framing = "length"
            offsets = range(pos, min(len(r.raw), pos + int(cl)))
            r.complete = len(offsets) == int(cl)
        else:
            r.framing = "close"
            offsets = range(pos, len(r.raw))
            r.complete = self.ended == "eof"
        r.body = bytes(r.raw[i] for i in offsets)
        at = 0
        for i, ch in enumerate(r.body):
            if ch == 0x0A:  # a line is in when its newline is
                at += 1
                r.line_at[at] = self._time_of(offsets[i])
        return r

    def read(self, until=None, method="GET"):
        """Reads until the response is complete, the connection ends, or
        until(reply) is true; returns the decoded Reply."""
        while True:
            r = self.decode(method)
            if r.complete or self.ended or (until and until(r)):
                return r
            try:
                data = self.sock.recv(65536)
            except ConnectionResetError:
                self.ended = "reset"
                continue
            if not data:
                self.ended = "eof"
                continue
            self.raw += data
            self.arrived.append((len(self.raw), time.monotonic()))

    def data_segments_in(self):
        """Segments carrying data that this socket received (tcp_info's
        tcpi_data_segs_in, Linux 4.6 and later)."""
        info = self.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
        return struct.unpack_from("I", info, 152)[0]


class StreamingTest(harness.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.be = cls.class_process(lambda: harness.Backend(STREAM_BACKEND))
        cls.hf = cls.class_process(lambda: harness.Holdfast(backend=cls.be))

    def stream(self, port=None):
        s = Stream(port or self.hf.port, timeout=10)
        self.addCleanup(s.close)
        return s

    def backend_times(self, be, n_before):
        """The backend's log records of the response it started after n_before
        records: {"head": t, 1: t, 2: t, ..., "end": t}."""
        def records():
            # The previous response's "end" may be logged after its client
            # was done: this one starts at its "head".
            recs = be.records()[n_before:]
            heads = [i for i, r in enumerate(recs) if r["type"] == "head"]
            recs = recs[heads[0]:] if heads else []
            return recs if any(r["type"] == "end" for r in recs) else None

        times = {}
        for r in harness.wait_until(records, what="the backend's end record"):
            times[r["i"] if r["type"] == "line" else r["type"]] = r["t"]
            if r["type"] == "end":
                break
        return times

    def assert_streamed(self, r, be_times, n):
        self.assertEqual(r.body, lines(n))
        for i in range(1, n + 1):
            late = r.line_at[i] - be_times[i]
            self.assertLess(late, LATE, "line %d reached the client %.3f s "
                            "after the backend wrote it" % (i, late))

    def run_stream(self, query, version="HTTP/1.1", n=4):
        before = len(self.be.records())
        s = self.stream()
        s.send("/s?lines=%d&every_ms=300&%s" % (n, query), version)
        r = s.read()
        self.assertTrue(r.complete, "not complete: %r" % r.raw[-200:])
        self.assertEqual(r.head.status, 200)
        self.assert_streamed(r, self.backend_times(self.be, before), n)
        return r

    def test_chunked_backend_streams_chunked(self):
        r = self.run_stream("framing=chunked")
        self.assertEqual(r.framing, "chunked", r.head.raw_head)
        self.assertIsNone(r.head.header("Content-Length"))

    def test_close_delimited_backend_streams_chunked_to_http11(self):
        r = self.run_stream("framing=close")
        self.assertEqual(r.framing, "chunked", r.head.raw_head)

    def test_close_delimited_backend_streams_close_delimited_to_http10(self):
        r = self.run_stream("framing=close", version="HTTP/1.0")
        self.assertEqual(r.head.version, "HTTP/1.0")
        self.assertEqual(r.framing, "close", r.head.raw_head)
        self.assertEqual(r.ended, "eof")

    def test_chunked_backend_streams_close_delimited_to_http10(self):
        r = self.run_stream("framing=chunked", version="HTTP/1.0")
        self.assertEqual(r.framing, "close", r.head.raw_head)
        self.assertEqual(r.ended, "eof")

    def test_content_length_kept_while_streaming(self):
        r = self.run_stream("framing=length")
        self.assertEqual(r.framing, "length", r.head.raw_head)
        self.assertEqual(r.head.header("Content-Length"), str(len(lines(4))))

    def test_x_accel_buffering_no_streams_at_once_and_is_stripped(self):
        # Without the field the head waits up to 100 ms for the length;
        # with it, the head leaves as soon as holdfast has it. The best of
        # a few tries is compared, so one slow scheduling cannot fail it.
        best = None
        for _ in range(10):
            before = len(self.be.records())
            s = self.stream()
            s.send("/s?lines=2&every_ms=300&framing=close&xab=no")
            r = s.read()
            t = self.backend_times(self.be, before)
            self.assertTrue(r.complete)
            self.assert_streamed(r, t, 2)
            self.assertEqual(r.framing, "chunked", r.head.raw_head)
            self.assertIsNone(r.head.header("X-Accel-Buffering"),
                              r.head.raw_head)
            delay = r.head_at - t["head"]
            best = delay if best is None else min(best, delay)
            if best < 0.05:
                break
        self.assertLess(best, 0.05, "the head waited %.3f s" % best)

    def test_x_accel_buffering_yes_is_stripped(self):
        r = self.run_stream("framing=chunked&xab=yes", n=1)
        self.assertIsNone(r.head.header("X-Accel-Buffering"), r.head.raw_head)

    def fast_small(self, framing, n, every_ms):
        """A response the backend writes in n+1 writes every_ms apart, done
        within holdfast's short wait: one segment with Content-Length.
        Tries again when the backend itself was descheduled long enough to
        stretch its writes past the wait (only the backend's own log says
        so); fails if it never once was quick."""
        for _ in range(5):
            before = len(self.be.records())
            s = self.stream()
            s.send("/s?lines=%d&every_ms=%d&framing=%s" % (n, every_ms, framing))
            r = s.read()
            t = self.backend_times(self.be, before)
            if t["end"] - t["head"] > 0.06:
                continue
            self.assertTrue(r.complete)
            self.assertEqual(r.body, lines(n))
            self.assertEqual(r.framing, "length", r.head.raw_head)
            self.assertEqual(r.head.header("Content-Length"), str(len(lines(n))))
            self.assertEqual(s.data_segments_in(), 1,
                             "the response came in several writes")
            self.assertIsNone(r.ended, "the connection should stay open")
            return
        self.fail("the backend never wrote its response within 60 ms")

    def test_fast_small_response_with_length_is_one_write(self):
        self.fast_small("length", 1, 20)

    def test_fast_small_chunked_response_gets_length_in_one_write(self):
        self.fast_small("chunked", 2, 10)

    def test_fast_small_close_delimited_response_gets_length_in_one_write(self):
        self.fast_small("close", 1, 20)

    def test_silent_stream_outlives_the_client_send_timer(self):
        # The send timer runs while the client owes holdfast reads; while
        # the client has everything and the backend is quiet, only
        # backend_timeout bounds the wait.
        hf = self.start_holdfast(backend=self.be, client_idle_timeout="1s",
                                 backend_timeout="10s")
        before = len(self.be.records())
        s = self.stream(hf.port)
        s.send("/s?lines=2&every_ms=1600&framing=chunked")
        r = s.read()
        self.assertTrue(r.complete, "cut: %r" % r.raw[-200:])
        self.assert_streamed(r, self.backend_times(self.be, before), 2)


class StreamCutTest(harness.TestCase):
    """A backend that dies mid-stream: the client sees a reset."""

    def setUp(self):
        self.be = harness.Backend(STREAM_BACKEND)
        self.addCleanup(self.be.close)
        self.hf = self.start_holdfast(backend=self.be)

    def cut_stream(self, query, version="HTTP/1.1", kill=False):
        # The lines come after holdfast's short wait for the length, so the
        # head is out when the backend dies (before it, the client gets a
        # clean 502 instead: test_backend_errors).
        s = Stream(self.hf.port, timeout=10)
        self.addCleanup(s.close)
        s.send("/s?lines=2&every_ms=250&" + query, version)
        r = s.read(until=lambda r: 1 in r.line_at)
        self.assertIn(1, r.line_at, "the stream did not start: %r" % r.raw)
        if kill:
            r = s.read(until=lambda r: 2 in r.line_at)
            self.assertIn(2, r.line_at, "no line 2: %r" % r.raw)
            harness.wait_until(
                lambda: any(x["type"] == "end" for x in self.be.records()),
                what="the backend to hang")
            self.be.stop(signal.SIGKILL)
        r = s.read()
        self.assertEqual(r.ended, "reset",
                         "the stream ended cleanly: %r" % r.raw[-200:])
        self.assertFalse(r.complete)
        # What holdfast had is passed on before the cut, as far as the
        # socket takes it before the reset.
        self.assertTrue(lines(2).startswith(r.body) and len(r.body) >= 7,
                        r.body)
        return r

    def test_killed_chunked_stream_is_cut(self):
        r = self.cut_stream("framing=chunked&end=hang", kill=True)
        self.assertEqual(r.framing, "chunked")
        self.assertNotIn(b"0\r\n\r\n", r.raw)

    def test_reset_close_delimited_stream_is_cut_http11(self):
        r = self.cut_stream("framing=close&end=reset")
        self.assertEqual(r.framing, "chunked")
        self.assertNotIn(b"0\r\n\r\n", r.raw)

    def test_reset_close_delimited_stream_is_cut_http10(self):
        r = self.cut_stream("framing=close&end=reset", version="HTTP/1.0")
        self.assertEqual(r.framing, "close")


if __name__ == "__main__":
    harness.main()
