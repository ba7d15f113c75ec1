#!/usr/bin/env python3
"""Writes the response corpus: NAME.res (the raw bytes a backend sends
before it closes) and NAME.expect (the outcome, see
test/unit/test_response_rules.c) for every case below.

The expectations are written by hand from SPEC.md ("Responses as the
backend meant them") and RFC 9112/9110, never recorded from the code. They
include every case of issue 13 (responses other proxies refuse and holdfast
used to relay). Run it from anywhere after editing a case:
    python3 test/corpus/response_rules/make_corpus.py
Files of cases no longer listed are not removed.
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = []  # (name, description, raw bytes, expect text)


def esc(b):
    """Bytes as .expect text: escapes, and a line break after each \\n."""
    out = []
    for c in b:
        if c == 0x0D:
            out.append("\\r")
        elif c == 0x0A:
            out.append("\\n\n")
        elif c == 0x09:
            out.append("\\t")
        elif c == 0x5C:
            out.append("\\\\")
        elif c < 0x20 or c >= 0x7F:
            out.append("\\x%02x" % c)
        else:
            out.append(chr(c))
    return "".join(out)


def res(status_line, *fields, body=b"", end=b"\r\n"):
    """A response: status line, fields, empty line, body."""
    out = status_line + end
    for f in fields:
        out += f + end
    return out + end + body


def ok(status, body=b"", length=None, at_eof=False, head=False):
    """Accepted: complete before the close (or at it, when at_eof)."""
    text = "request HEAD\n" if head else ""
    text += "verdict %s\nstatus %d\nlength %s\nbody\n%s\n" % (
        "eof" if at_eof else "complete", status,
        "none" if length is None else length, esc(body))
    return text


def invalid(reason):
    return "verdict invalid\nreason %s\n" % reason


def cut(reason="cut_short"):
    return "verdict cut\nreason %s\n" % reason


def case(name, description, raw, expect):
    CASES.append((name, description, raw, expect))


CL5 = b"Content-Length: 5"
TE = b"Transfer-Encoding: chunked"
HELLO_CHUNKED = b"5\r\nhello\r\n0\r\n\r\n"

# ------------------------------------------------------------ accepted
case("ok_length", "Content-Length body",
     res(b"HTTP/1.1 200 OK", CL5, body=b"hello"), ok(200, b"hello", 5))
case("ok_http10_close", "HTTP/1.0, no length: the close ends the body",
     res(b"HTTP/1.0 200 OK", body=b"hello"), ok(200, b"hello", at_eof=True))
case("ok_http11_close", "HTTP/1.1, no length: the close ends the body",
     res(b"HTTP/1.1 200 OK", b"Connection: close", body=b"hello"),
     ok(200, b"hello", at_eof=True))
case("ok_chunked", "chunked body, de-framed",
     res(b"HTTP/1.1 200 OK", TE, body=b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
     ok(200, b"hello world"))
case("ok_chunked_upper", "chunked in any case (RFC 9112 \u00a77)",
     res(b"HTTP/1.1 200 OK", b"Transfer-Encoding: Chunked", body=HELLO_CHUNKED),
     ok(200, b"hello"))
case("ok_chunk_ext", "chunk extensions are allowed (RFC 9112 \u00a77.1.1)",
     res(b"HTTP/1.1 200 OK", TE,
         body=b"5;name=value\r\nhello\r\n0;x\r\n\r\n"), ok(200, b"hello"))
case("ok_chunk_hex_upper", "hex chunk size in upper case",
     res(b"HTTP/1.1 200 OK", TE, body=b"A\r\n0123456789\r\n0\r\n\r\n"),
     ok(200, b"0123456789"))
case("ok_chunk_trailers", "trailer fields are read and dropped",
     res(b"HTTP/1.1 200 OK", TE,
         body=b"5\r\nhello\r\n0\r\nX-Checksum: 1\r\n\r\n"), ok(200, b"hello"))
case("ok_no_reason", "no reason phrase and no space after the code",
     res(b"HTTP/1.1 200", b"Content-Length: 2", body=b"hi"), ok(200, b"hi", 2))
case("ok_empty_reason", "empty reason phrase (RFC 9112 \u00a74)",
     res(b"HTTP/1.1 404 ", b"Content-Length: 2", body=b"no"), ok(404, b"no", 2))
case("ok_reason_spaces_tab", "a reason phrase of SP, HTAB and VCHAR",
     res(b"HTTP/1.1 200 All\tquite  fine", b"Content-Length: 0"), ok(200, b"", 0))
case("ok_reason_obs_text", "obs-text in the reason phrase (RFC 9112 \u00a74)",
     res(b"HTTP/1.1 200 \xc3\x9cberall OK", b"Content-Length: 0"), ok(200, b"", 0))
case("ok_value_obs_text", "obs-text in a field value",
     res(b"HTTP/1.1 200 OK", b"X-Name: J\xc3\xb6rg", b"Content-Length: 0"),
     ok(200, b"", 0))
case("ok_bare_lf", "lines ending in a bare LF (RFC 9112 \u00a72.2)",
     res(b"HTTP/1.1 200 OK", CL5, body=b"hello", end=b"\n"), ok(200, b"hello", 5))
case("ok_empty_value", "a field with an empty value",
     res(b"HTTP/1.1 200 OK", b"X-Empty:", CL5, body=b"hello"),
     ok(200, b"hello", 5))
case("ok_length_trailing_ows", "Content-Length with trailing white space",
     res(b"HTTP/1.1 200 OK", b"Content-Length: 5  ", body=b"hello"),
     ok(200, b"hello", 5))
case("ok_extra_after_length", "bytes after a complete response are ignored",
     res(b"HTTP/1.1 200 OK", CL5, body=b"helloHTTP/1.1 200 OK\r\n\r\n"),
     ok(200, b"hello", 5))
case("ok_interim_100", "a 100 Continue, then the final response",
     b"HTTP/1.1 100 Continue\r\n\r\n" + res(b"HTTP/1.1 200 OK", CL5, body=b"hello"),
     ok(200, b"hello", 5))
case("ok_interim_103", "a 103 with fields, then the final response",
     b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n" +
     res(b"HTTP/1.1 201 Created", CL5, body=b"hello"), ok(201, b"hello", 5))
case("ok_interim_eight", "eight interim responses are still taken",
     b"HTTP/1.1 100 Continue\r\n\r\n" * 8 + res(b"HTTP/1.1 200 OK", CL5, body=b"hello"),
     ok(200, b"hello", 5))
case("ok_204", "204 without framing",
     res(b"HTTP/1.1 204 No Content", b"X-A: b"), ok(204))
case("ok_204_length_zero", "204 with Content-Length: 0, as Django sends it",
     res(b"HTTP/1.1 204 No Content", b"Content-Length: 0"), ok(204, length=0))
case("ok_304_length", "304 with the length a 200 would have (RFC 9110 \u00a78.6)",
     res(b"HTTP/1.1 304 Not Modified", b"Content-Length: 1234"),
     ok(304, length=1234))
case("ok_304_bytes_after", "a 304 ends at its head: what follows is ignored",
     res(b"HTTP/1.1 304 Not Modified", CL5, body=b"hello"), ok(304, length=5))
case("ok_head_length", "a HEAD response: Content-Length, no body",
     res(b"HTTP/1.1 200 OK", CL5), ok(200, length=5, head=True))
case("ok_head_chunked", "a HEAD response may say chunked (RFC 9112 \u00a76.1)",
     res(b"HTTP/1.1 200 OK", TE), ok(200, head=True))
case("ok_head_no_length", "a HEAD response without a length ends at its head",
     res(b"HTTP/1.0 200 OK", b"Content-Type: text/plain"), ok(200, head=True))
case("ok_500", "an error status is relayed like any other",
     res(b"HTTP/1.1 500 Internal Server Error", CL5, body=b"oops!"),
     ok(500, b"oops!", 5))
case("ok_599", "the highest valid status code",
     res(b"HTTP/1.1 599 Odd", b"Content-Length: 0"), ok(599, length=0))

# ------------------------------------------------------------ cut short
case("cut_chunked_no_last", "chunked without its last chunk, then the close",
     res(b"HTTP/1.1 200 OK", TE, body=b"5\r\nhello\r\n"), cut())
case("cut_chunk_data", "the close inside a chunk's data",
     res(b"HTTP/1.1 200 OK", TE, body=b"a\r\nhello"), cut())
case("cut_trailers", "the close inside the trailers",
     res(b"HTTP/1.1 200 OK", TE, body=b"5\r\nhello\r\n0\r\nX-A: b\r\n"), cut())
case("cut_length", "fewer bytes than Content-Length",
     res(b"HTTP/1.1 200 OK", b"Content-Length: 10", body=b"hello"), cut())
case("cut_head", "the close inside the head",
     b"HTTP/1.1 200 OK\r\nContent-Le", invalid("cut_short"))
case("cut_after_interim", "the close after an interim response",
     b"HTTP/1.1 100 Continue\r\n\r\n", invalid("cut_short"))
case("empty", "the close before any byte", b"", invalid("cut_short"))

# ------------------------------------------------------------ issue 13
case("interim_100_with_body", "issue 13: a 100 with a body, spliced before",
     b"HTTP/1.1 100 Continue\r\nContent-Length: 4\r\n\r\nevil" +
     res(b"HTTP/1.1 200 OK", CL5, body=b"hello"), invalid("interim_with_body"))
case("space_before_colon", "issue 13: 'Content-Length : 5' (RFC 9112 \u00a75.1)",
     res(b"HTTP/1.1 200 OK", b"Content-Length : 5", body=b"hello"),
     invalid("bad_header_name"))
case("space_in_name", "issue 13: 'X A: b'",
     res(b"HTTP/1.1 200 OK", b"X A: b", CL5, body=b"hello"),
     invalid("bad_header_name"))
case("space_in_name_lang", "issue 13: 'en-US Content-Type: text/xml'",
     res(b"HTTP/1.1 200 OK", b"en-US Content-Type: text/xml", CL5, body=b"hello"),
     invalid("bad_header_name"))
case("nul_in_reason", "issue 13: a NUL in the reason phrase",
     res(b"HTTP/1.1 200 O\x00K", CL5, body=b"hello"), invalid("nul"))
case("version_5_6", "issue 13: HTTP/5.6",
     res(b"HTTP/5.6 200 OK", CL5, body=b"hello"), invalid("http_version"))
case("version_0_9", "issue 13: HTTP/0.9",
     res(b"HTTP/0.9 200 OK", CL5, body=b"hello"), invalid("http_version"))
case("double_space_after_version", "issue 13: two spaces after the version",
     res(b"HTTP/1.1  200 OK", CL5, body=b"hello"), invalid("bad_status_line"))
case("chunk_size_junk", "issue 13: chunk-size line '2 erfrferferf'",
     res(b"HTTP/1.1 200 OK", TE, body=b"2 erfrferferf\r\nhi\r\n0\r\n\r\n"),
     invalid("bad_chunk"))
case("te_chunked_chunked", "issue 13: 'Transfer-Encoding: chunked, chunked'",
     res(b"HTTP/1.1 200 OK", b"Transfer-Encoding: chunked, chunked",
         body=b"5\r\nhello\r\n0\r\n\r\n"), invalid("bad_transfer_encoding"))

# ------------------------------------------------------------ status line
case("version_2_0", "HTTP/2.0 is no HTTP/1 response",
     res(b"HTTP/2.0 200 OK", CL5, body=b"hello"), invalid("http_version"))
case("version_1_2", "HTTP/1.2", res(b"HTTP/1.2 200 OK", CL5, body=b"hello"),
     invalid("http_version"))
case("version_two_digits", "HTTP/1.10",
     res(b"HTTP/1.10 200 OK", CL5, body=b"hello"), invalid("bad_status_line"))
case("version_lower_case", "http/1.1 (the name is case-sensitive, RFC 9112 \u00a72.3)",
     res(b"http/1.1 200 OK", CL5, body=b"hello"), invalid("bad_status_line"))
case("version_missing_minor", "HTTP/1 200",
     res(b"HTTP/1 200 OK", CL5, body=b"hello"), invalid("bad_status_line"))
case("not_http", "ICY 200 OK (SHOUTcast)",
     res(b"ICY 200 OK", CL5, body=b"hello"), invalid("bad_status_line"))
case("leading_empty_line", "an empty line before the status line",
     b"\r\n" + res(b"HTTP/1.1 200 OK", CL5, body=b"hello"),
     invalid("bad_status_line"))
case("leading_space", "a space before the status line",
     b" " + res(b"HTTP/1.1 200 OK", CL5, body=b"hello"), invalid("bad_status_line"))
case("status_two_digits", "a two-digit status code",
     res(b"HTTP/1.1 20 OK", CL5, body=b"hello"), invalid("bad_status_line"))
case("status_four_digits", "a four-digit status code",
     res(b"HTTP/1.1 2000 OK", CL5, body=b"hello"), invalid("bad_status_line"))
case("status_letter", "a letter in the status code",
     res(b"HTTP/1.1 2x0 OK", CL5, body=b"hello"), invalid("bad_status_line"))
case("status_600", "600 is outside 100..599 (RFC 9110 \u00a715)",
     res(b"HTTP/1.1 600 Odd", CL5, body=b"hello"), invalid("bad_status"))
case("status_099", "099 is outside 100..599",
     res(b"HTTP/1.1 099 Odd", CL5, body=b"hello"), invalid("bad_status"))
case("status_no_space_reason", "no space between code and reason",
     res(b"HTTP/1.1 200OK", CL5, body=b"hello"), invalid("bad_status_line"))
case("status_tab_after_version", "a tab instead of the space",
     res(b"HTTP/1.1\t200 OK", CL5, body=b"hello"), invalid("bad_status_line"))
case("reason_control", "a control byte in the reason phrase",
     res(b"HTTP/1.1 200 O\x01K", CL5, body=b"hello"), invalid("control_char"))
case("reason_del", "DEL in the reason phrase",
     res(b"HTTP/1.1 200 O\x7fK", CL5, body=b"hello"), invalid("control_char"))
case("reason_bare_cr", "a bare CR in the reason phrase",
     res(b"HTTP/1.1 200 O\rK", CL5, body=b"hello"), invalid("bare_cr"))
case("switching_protocols", "101: holdfast forwards no upgrade",
     res(b"HTTP/1.1 101 Switching Protocols", b"Upgrade: websocket"),
     invalid("switching_protocols"))

# ------------------------------------------------------------ field lines
case("nul_in_value", "a NUL in a field value",
     res(b"HTTP/1.1 200 OK", b"X-A: a\x00b", CL5, body=b"hello"), invalid("nul"))
case("control_in_value", "a control byte in a field value",
     res(b"HTTP/1.1 200 OK", b"X-A: a\x0bb", CL5, body=b"hello"),
     invalid("control_char"))
case("del_in_value", "DEL in a field value",
     res(b"HTTP/1.1 200 OK", b"X-A: a\x7fb", CL5, body=b"hello"),
     invalid("control_char"))
case("bare_cr_in_value", "a bare CR inside a field value",
     res(b"HTTP/1.1 200 OK", b"X-A: a\rb", CL5, body=b"hello"), invalid("bare_cr"))
case("bare_cr_head_end", "the head ends in CR CR LF",
     b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\r\nhello", invalid("bare_cr"))
case("nul_in_name", "a NUL in a field name",
     res(b"HTTP/1.1 200 OK", b"X\x00A: b", CL5, body=b"hello"), invalid("nul"))
case("obs_fold", "a folded field line (RFC 9112 \u00a75.2: 502 is allowed)",
     res(b"HTTP/1.1 200 OK", b"X-A: a", b" b", CL5, body=b"hello"),
     invalid("obs_fold"))
case("obs_fold_tab", "a field line folded with a tab",
     res(b"HTTP/1.1 200 OK", b"X-A: a", b"\tb", CL5, body=b"hello"),
     invalid("obs_fold"))
case("no_colon", "a field line without a colon",
     res(b"HTTP/1.1 200 OK", b"X-A", CL5, body=b"hello"), invalid("bad_header_name"))
case("empty_name", "a field line that starts with the colon",
     res(b"HTTP/1.1 200 OK", b": b", CL5, body=b"hello"), invalid("bad_header_name"))
case("tab_before_colon", "a tab before the colon",
     res(b"HTTP/1.1 200 OK", b"Content-Length\t: 5", body=b"hello"),
     invalid("bad_header_name"))
case("name_high_byte", "a byte above 0x7f in a field name",
     res(b"HTTP/1.1 200 OK", b"X-\xc3\xa4: b", CL5, body=b"hello"),
     invalid("bad_header_name"))
case("name_at_sign", "'@' is no tchar",
     res(b"HTTP/1.1 200 OK", b"X@A: b", CL5, body=b"hello"),
     invalid("bad_header_name"))
case("confusable_te", "'Transfer-Encoding-X' could be taken for the field",
     res(b"HTTP/1.1 200 OK", b"Transfer-Encoding-X: chunked", body=HELLO_CHUNKED),
     invalid("confusable_header_name"))
case("confusable_cl", "'Content-Length-X' could be taken for the field",
     res(b"HTTP/1.1 200 OK", b"Content-Length-X: 9", CL5, body=b"hello"),
     invalid("confusable_header_name"))

# ------------------------------------------------------------ framing
case("length_letters", "Content-Length: abc",
     res(b"HTTP/1.1 200 OK", b"Content-Length: abc", body=b"hi"),
     invalid("bad_content_length"))
case("length_plus", "Content-Length: +5",
     res(b"HTTP/1.1 200 OK", b"Content-Length: +5", body=b"hello"),
     invalid("bad_content_length"))
case("length_list", "Content-Length: 5, 5",
     res(b"HTTP/1.1 200 OK", b"Content-Length: 5, 5", body=b"hello"),
     invalid("bad_content_length"))
case("length_twice_differing", "two different Content-Lengths",
     res(b"HTTP/1.1 200 OK", b"Content-Length: 2", b"Content-Length: 3", body=b"hi!"),
     invalid("unexpected_content_length"))
case("length_twice_same", "two equal Content-Lengths: refused all the same",
     res(b"HTTP/1.1 200 OK", CL5, CL5, body=b"hello"),
     invalid("unexpected_content_length"))
case("te_gzip", "a last coding other than chunked (SPEC: 502)",
     res(b"HTTP/1.1 200 OK", b"Transfer-Encoding: gzip", body=b"hello"),
     invalid("bad_transfer_encoding"))
case("te_chunked_gzip", "chunked, then another coding",
     res(b"HTTP/1.1 200 OK", b"Transfer-Encoding: chunked, gzip", body=b"hello"),
     invalid("bad_transfer_encoding"))
case("te_gzip_chunked", "a coding holdfast cannot undo, before chunked",
     res(b"HTTP/1.1 200 OK", b"Transfer-Encoding: gzip, chunked",
         body=HELLO_CHUNKED), invalid("unknown_transfer_encoding"))
case("te_two_fields", "chunked in two fields is chunked twice",
     res(b"HTTP/1.1 200 OK", TE, TE, body=HELLO_CHUNKED),
     invalid("bad_transfer_encoding"))
case("te_empty_element", "an empty element in Transfer-Encoding",
     res(b"HTTP/1.1 200 OK", b"Transfer-Encoding: ,chunked", body=HELLO_CHUNKED),
     invalid("bad_transfer_encoding"))
case("te_and_length", "Transfer-Encoding and Content-Length (RFC 9112 \u00a76.3)",
     res(b"HTTP/1.1 200 OK", TE, CL5, body=HELLO_CHUNKED),
     invalid("unexpected_content_length"))
case("length_then_te", "Content-Length, then Transfer-Encoding",
     res(b"HTTP/1.1 200 OK", CL5, TE, body=HELLO_CHUNKED),
     invalid("unexpected_content_length"))
case("te_in_http10", "Transfer-Encoding in an HTTP/1.0 response (RFC 9112 \u00a76.1)",
     res(b"HTTP/1.0 200 OK", TE, body=HELLO_CHUNKED), invalid("te_in_http10"))
case("chunk_not_hex", "a chunk size that is not hex",
     res(b"HTTP/1.1 200 OK", TE, body=b"zz\r\nhello\r\n0\r\n\r\n"), invalid("bad_chunk"))
case("chunk_negative", "a signed chunk size",
     res(b"HTTP/1.1 200 OK", TE, body=b"-5\r\nhello\r\n0\r\n\r\n"), invalid("bad_chunk"))
case("chunk_size_0x", "a 0x prefix",
     res(b"HTTP/1.1 200 OK", TE, body=b"0x5\r\nhello\r\n0\r\n\r\n"), invalid("bad_chunk"))
case("chunk_bare_lf", "a chunk line ending in a bare LF",
     res(b"HTTP/1.1 200 OK", TE, body=b"5\nhello\r\n0\r\n\r\n"), invalid("bad_chunk"))
case("chunk_data_too_long", "more data than the chunk size",
     res(b"HTTP/1.1 200 OK", TE, body=b"3\r\nhello\r\n0\r\n\r\n"), invalid("bad_chunk"))
case("chunk_overflow", "a chunk size past 64 bits",
     res(b"HTTP/1.1 200 OK", TE, body=b"10000000000000000\r\nx\r\n"),
     invalid("bad_chunk"))
case("chunk_ext_control", "a control byte in a chunk extension",
     res(b"HTTP/1.1 200 OK", TE, body=b"5;a\x01\r\nhello\r\n0\r\n\r\n"),
     invalid("bad_chunk"))
case("chunk_trailer_fold", "a folded trailer line",
     res(b"HTTP/1.1 200 OK", TE, body=b"5\r\nhello\r\n0\r\nX-A: a\r\n b\r\n\r\n"),
     invalid("bad_chunk"))

# ------------------------------------------------------------ bodyless
case("interim_100_length_zero", "a 100 with Content-Length: 0 (RFC 9110 \u00a78.6)",
     b"HTTP/1.1 100 Continue\r\nContent-Length: 0\r\n\r\n" +
     res(b"HTTP/1.1 200 OK", CL5, body=b"hello"), invalid("interim_with_body"))
case("interim_103_chunked", "a 103 with Transfer-Encoding",
     b"HTTP/1.1 103 Early Hints\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
     res(b"HTTP/1.1 200 OK", CL5, body=b"hello"), invalid("interim_with_body"))
case("interim_nine", "nine interim responses: the backend is looping",
     b"HTTP/1.1 100 Continue\r\n\r\n" * 9 + res(b"HTTP/1.1 200 OK", CL5, body=b"hello"),
     invalid("too_many_interim"))
case("status_204_length", "a 204 with a non-zero Content-Length",
     res(b"HTTP/1.1 204 No Content", CL5, body=b"hello"),
     invalid("bodyless_with_framing"))
case("status_204_chunked", "a 204 with Transfer-Encoding",
     res(b"HTTP/1.1 204 No Content", TE, body=b"0\r\n\r\n"),
     invalid("bodyless_with_framing"))
case("status_304_chunked", "a 304 with Transfer-Encoding",
     res(b"HTTP/1.1 304 Not Modified", TE, body=b"0\r\n\r\n"),
     invalid("bodyless_with_framing"))


def main():
    names = set()
    for name, description, raw, expect in CASES:
        assert name not in names, name
        names.add(name)
        with open(os.path.join(HERE, name + ".res"), "wb") as f:
            f.write(raw)
        with open(os.path.join(HERE, name + ".expect"), "w") as f:
            f.write("# %s\n%s" % (description, expect))
    print("%d cases written to %s" % (len(CASES), HERE))


if __name__ == "__main__":
    main()
