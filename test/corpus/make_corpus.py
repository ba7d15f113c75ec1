#!/usr/bin/env python3
"""Writes the hostile-request corpus: NAME.req (raw client bytes) and
NAME.expect (the outcome, see test/unit/test_corpus.c) for every case below.

The expectations are written by hand from SPEC.md ("HTTP behaviour",
"Rejected before the backend sees anything") and RFC 9112/9110, never
recorded from the code. Run it from anywhere after editing a case:
    python3 test/corpus/make_corpus.py
Files of cases no longer listed are not removed; the .req files are also the
fuzzer's seed corpus (test/fuzz/), so fuzzer findings are added here too.

Corpus limits (test_request_drive.h): max_header_size 1024, max_body_size
1024, body_buffer_size 100. The backend side: HTTP/1.0, X-Forwarded-For on,
client address 192.0.2.1.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = b"192.0.2.1"
MAX_HEADER = 1024
MAX_BODY = 1024

CASES = []  # (category, name, description, raw bytes, expect text)


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


def fwd(line, *fields, body=b"", cl=None, xff=None):
    """The bytes the backend receives: request line (HTTP/1.0), the kept
    fields, X-Forwarded-For, Content-Length when cl is given, close."""
    out = line + b" HTTP/1.0\r\n"
    for f in fields:
        out += f + b"\r\n"
    out += b"X-Forwarded-For: " + (xff + b", " if xff else b"") + PEER + b"\r\n"
    if cl is not None:
        out += b"Content-Length: %d\r\n" % cl
    out += b"Connection: close\r\n\r\n" + body
    return out


def accept(backend, cont=False):
    return "accept%s\n%s\n" % (" continue" if cont else "", esc(backend))


def status(n):
    return "status %d\n" % n


INCOMPLETE = "incomplete\n"


def seq(*outcomes):
    return "---\n".join(outcomes)


def case(category, name, description, raw, expect):
    CASES.append((category, name, description, raw, expect))


def req(line, *fields, body=b"", end=b"\r\n"):
    """A request: line, fields, empty line, body; end is the line end."""
    out = line + end
    for f in fields:
        out += f + end
    return out + end + body


GET = b"GET / HTTP/1.1"
POST = b"POST /p HTTP/1.1"
HOST = b"Host: a"
CHUNKED = b"Transfer-Encoding: chunked"

# ---------------------------------------------------------------- framing
C = "framing"
case(C, "cl_te", "Content-Length then Transfer-Encoding: smuggling (400)",
     req(POST, HOST, b"Content-Length: 5", CHUNKED, body=b"0\r\n\r\n"),
     status(400))
case(C, "te_cl", "Transfer-Encoding then Content-Length: smuggling (400)",
     req(POST, HOST, CHUNKED, b"Content-Length: 5", body=b"0\r\n\r\n"),
     status(400))
case(C, "cl_te_identity", "Content-Length with a non-chunked coding (400)",
     req(POST, HOST, b"Content-Length: 3", b"Transfer-Encoding: identity",
         body=b"abc"), status(400))
case(C, "cl_te_smuggled_request",
     "CL.TE smuggling: the hidden request is never parsed",
     req(POST, HOST, b"Content-Length: 35", CHUNKED,
         body=b"0\r\n\r\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\n"),
     status(400))
case(C, "cl_duplicate_same", "two identical Content-Lengths (400)",
     req(POST, HOST, b"Content-Length: 5", b"Content-Length: 5",
         body=b"hello"), status(400))
case(C, "cl_duplicate_differ", "two differing Content-Lengths (400)",
     req(POST, HOST, b"Content-Length: 5", b"Content-Length: 6",
         body=b"hello!"), status(400))
case(C, "cl_list", "Content-Length as a list (400)",
     req(POST, HOST, b"Content-Length: 5, 5", body=b"hello"), status(400))
case(C, "cl_plus", "signed Content-Length (400)",
     req(POST, HOST, b"Content-Length: +5", body=b"hello"), status(400))
case(C, "cl_minus", "negative Content-Length (400)",
     req(POST, HOST, b"Content-Length: -1", body=b"hello"), status(400))
case(C, "cl_space_inside", "space inside Content-Length (400)",
     req(POST, HOST, b"Content-Length: 1 2", body=b"hello"), status(400))
case(C, "cl_hex", "hex Content-Length (400)",
     req(POST, HOST, b"Content-Length: 0x5", body=b"hello"), status(400))
case(C, "cl_empty", "empty Content-Length (400)",
     req(POST, HOST, b"Content-Length:", body=b""), status(400))
case(C, "cl_overflow", "Content-Length past 2^64 (400)",
     req(POST, HOST, b"Content-Length: 18446744073709551617", body=b"x"),
     status(400))
case(C, "cl_huge", "Content-Length of 23 digits (400)",
     req(POST, HOST, b"Content-Length: 99999999999999999999999", body=b"x"),
     status(400))
case(C, "cl_spaces_around", "white space around Content-Length is OWS",
     req(POST, HOST, b"Content-Length:   5   ", body=b"hello"),
     accept(fwd(b"POST /p", HOST, cl=5, body=b"hello")))
case(C, "cl_leading_zeros", "Content-Length 005 is 5 (1*DIGIT)",
     req(POST, HOST, b"Content-Length: 005", body=b"hello"),
     accept(fwd(b"POST /p", HOST, cl=5, body=b"hello")))
case(C, "cl_name_case", "content-LENGTH in any case frames the body",
     req(POST, HOST, b"content-LENGTH: 2", body=b"hi"),
     accept(fwd(b"POST /p", HOST, cl=2, body=b"hi")))
case(C, "cl_too_large", "Content-Length past max_body_size (413)",
     req(POST, HOST, b"Content-Length: %d" % (MAX_BODY + 1)), status(413))
case(C, "cl_at_limit", "a body of exactly max_body_size",
     req(POST, HOST, b"Content-Length: %d" % MAX_BODY, body=b"b" * MAX_BODY),
     accept(fwd(b"POST /p", HOST, cl=MAX_BODY, body=b"b" * MAX_BODY)))
INNER = b"GET /admin HTTP/1.1\r\nHost: a\r\n\r\n"
case(C, "cl_get_body", "a GET body that looks like a request stays a body",
     req(GET, HOST, b"Content-Length: %d" % len(INNER), body=INNER),
     accept(fwd(b"GET /", HOST, cl=len(INNER), body=INNER)))
# Stricter than RFC 9110 (reported, kept: in doubt about framing, reject):
case(C, "cl_tab_ows", "Content-Length followed by HTAB: 400 (RFC: OWS)",
     req(POST, HOST, b"Content-Length: 5\t", body=b"hello"), status(400))
case(C, "cl_20_digits", "20 digits with leading zeros: 400 (RFC: valid)",
     req(POST, HOST, b"Content-Length: 00000000000000000002", body=b"hi"),
     status(400))
case(C, "te_tab_ows", "chunked followed by HTAB: 400 (RFC: OWS)",
     req(POST, HOST, b"Transfer-Encoding: chunked\t", body=b"0\r\n\r\n"),
     status(400))
case(C, "te_empty_element", "chunked, (empty list element): 400",
     req(POST, HOST, b"Transfer-Encoding: chunked,", body=b"0\r\n\r\n"),
     status(400))
case(C, "te_upper", "Transfer-Encoding: CHUNKED (codings are case-blind)",
     req(POST, HOST, b"Transfer-Encoding: CHUNKED",
         body=b"2\r\nhi\r\n0\r\n\r\n"),
     accept(fwd(b"POST /p", HOST, cl=2, body=b"hi")))
case(C, "te_trailing_space", "Transfer-Encoding: chunked followed by SP",
     req(POST, HOST, b"Transfer-Encoding: chunked  ",
         body=b"2\r\nhi\r\n0\r\n\r\n"),
     accept(fwd(b"POST /p", HOST, cl=2, body=b"hi")))
case(C, "te_gzip_chunked", "gzip, chunked: unknown coding (501)",
     req(POST, HOST, b"Transfer-Encoding: gzip, chunked",
         body=b"2\r\nhi\r\n0\r\n\r\n"), status(501))
case(C, "te_chunked_gzip", "chunked not last (400)",
     req(POST, HOST, b"Transfer-Encoding: chunked, gzip",
         body=b"2\r\nhi\r\n0\r\n\r\n"), status(400))
case(C, "te_unknown", "an unknown transfer coding (501)",
     req(POST, HOST, b"Transfer-Encoding: foo", body=b"hi"), status(501))
case(C, "te_identity", "identity is no longer a transfer coding (501)",
     req(POST, HOST, b"Transfer-Encoding: identity", body=b"hi"), status(501))
case(C, "te_xchunked", "xchunked is not chunked (501)",
     req(POST, HOST, b"Transfer-Encoding: xchunked", body=b"hi"), status(501))
case(C, "te_two_fields_chunked_last",
     "gzip then chunked in two fields: unknown coding (501)",
     req(POST, HOST, b"Transfer-Encoding: gzip", CHUNKED,
         body=b"2\r\nhi\r\n0\r\n\r\n"), status(501))
case(C, "te_two_fields_chunked_first", "chunked, then gzip (400)",
     req(POST, HOST, CHUNKED, b"Transfer-Encoding: gzip",
         body=b"2\r\nhi\r\n0\r\n\r\n"), status(400))
case(C, "te_chunked_twice", "chunked applied twice (400)",
     req(POST, HOST, b"Transfer-Encoding: chunked, chunked",
         body=b"2\r\nhi\r\n0\r\n\r\n"), status(400))
case(C, "te_empty", "empty Transfer-Encoding (400)",
     req(POST, HOST, b"Transfer-Encoding:", body=b"2\r\nhi\r\n0\r\n\r\n"),
     status(400))
case(C, "te_http10", "Transfer-Encoding in HTTP/1.0 (400)",
     req(b"POST /p HTTP/1.0", CHUNKED, body=b"2\r\nhi\r\n0\r\n\r\n"),
     status(400))
case(C, "te_vtab", "a vertical tab before chunked (400)",
     req(POST, HOST, b"Transfer-Encoding: \x0bchunked",
         body=b"2\r\nhi\r\n0\r\n\r\n"), status(400))
case(C, "te_space_before_colon", "Transfer-Encoding : chunked (400)",
     req(POST, HOST, b"Transfer-Encoding : chunked", b"Content-Length: 2",
         body=b"hi"), status(400))

# ----------------------------------------------------------------- fields
C = "fields"
case(C, "obs_fold", "obs-fold continuation line (400)",
     req(GET, HOST, b"X-A: 1", b" 2"), status(400))
case(C, "obs_fold_tab", "obs-fold with a tab (400)",
     req(GET, HOST, b"X-A: 1", b"\t2"), status(400))
case(C, "obs_fold_first_field", "white space before the first field (400)",
     req(GET, b" Host: a"), status(400))
case(C, "bare_cr_value", "bare CR inside a value (400)",
     req(GET, HOST, b"X-A: a\rb"), status(400))
case(C, "bare_cr_line_end", "CR CR LF ending a field line (400)",
     req(GET, HOST + b"\r"), status(400))
case(C, "bare_cr_head_end", "the head ended by CR alone (400)",
     GET + b"\r\nHost: a\r\n\r"+ b"GET / HTTP/1.1\r\n\r\n", status(400))
case(C, "bare_lf", "LF alone ends lines (RFC 9112 §2.2)",
     req(GET, HOST, b"X-A: 1", end=b"\n"),
     accept(fwd(b"GET /", HOST, b"X-A: 1")))
case(C, "mixed_line_ends", "CRLF and LF mixed",
     GET + b"\r\nHost: a\nX-A: 1\r\n\n",
     accept(fwd(b"GET /", HOST, b"X-A: 1")))
case(C, "nul_value", "NUL in a value (400)",
     req(GET, HOST, b"X-A: a\x00b"), status(400))
case(C, "nul_name", "NUL in a name (400)",
     req(GET, HOST, b"X-\x00A: b"), status(400))
case(C, "nul_first_byte", "NUL before the request (400)",
     b"\x00" + req(GET, HOST), status(400))
case(C, "ctl_value", "a control byte in a value (400)",
     req(GET, HOST, b"X-A: a\x01b"), status(400))
case(C, "del_value", "DEL in a value (400)",
     req(GET, HOST, b"X-A: a\x7fb"), status(400))
case(C, "esc_value", "ESC (terminal escape) in a value (400)",
     req(GET, HOST, b"User-Agent: \x1b[31mred"), status(400))
case(C, "tab_value", "HTAB inside a value is allowed",
     req(GET, HOST, b"X-A: a\tb"), accept(fwd(b"GET /", HOST, b"X-A: a\tb")))
case(C, "obs_text_value", "obs-text (UTF-8) in a value is allowed",
     req(GET, HOST, b"X-A: caf\xc3\xa9"),
     accept(fwd(b"GET /", HOST, b"X-A: caf\xc3\xa9")))
case(C, "space_before_colon", "space between name and colon (400)",
     req(GET, b"Host : a"), status(400))
case(C, "space_in_name", "space inside a name (400)",
     req(GET, HOST, b"X A: b"), status(400))
case(C, "tab_before_colon", "tab between name and colon (400)",
     req(GET, HOST, b"X-A\t: b"), status(400))
case(C, "bad_name_paren", "a separator in a name (400)",
     req(GET, HOST, b"X(A): b"), status(400))
case(C, "bad_name_at", "@ in a name (400)",
     req(GET, HOST, b"X@A: b"), status(400))
case(C, "bad_name_high", "a non-ASCII byte in a name (400)",
     req(GET, HOST, b"X-\xc3\xa9: b"), status(400))
case(C, "empty_name", "a field line starting with a colon (400)",
     req(GET, HOST, b": b"), status(400))
case(C, "no_colon", "a field line without a colon (400)",
     req(GET, HOST, b"NoColon"), status(400))
case(C, "odd_token_name", "every tchar in a name is fine",
     req(GET, HOST, b"!#$%&'*+-.^_`|~09Az: v"),
     accept(fwd(b"GET /", HOST, b"!#$%&'*+-.^_`|~09Az: v")))
case(C, "xff_spoofed", "a client's X-Forwarded-For is kept and appended to",
     req(GET, b"X-Forwarded-For: 1.2.3.4", HOST),
     accept(fwd(b"GET /", HOST, xff=b"1.2.3.4")))
# SPEC is silent on underscores; CGI-style backends map X_Forwarded_For and
# X-Forwarded-For to the same variable (nginx drops such fields by default).
case(C, "xff_underscore",
     "X_Forwarded_For, read as X-Forwarded-For by CGI-style apps, is dropped",
     req(GET, HOST, b"X_Forwarded_For: 1.2.3.4"),
     accept(fwd(b"GET /", HOST)))
case(C, "underscore_other", "other names with underscores are kept",
     req(GET, HOST, b"X_Custom: 1"),
     accept(fwd(b"GET /", HOST, b"X_Custom: 1")))
case(C, "connection_names_cl",
     "Connection naming Content-Length does not unframe the body",
     req(POST, HOST, b"Connection: Content-Length", b"Content-Length: 2",
         body=b"hi"),
     accept(fwd(b"POST /p", HOST, cl=2, body=b"hi")))
case(C, "hop_by_hop", "every hop-by-hop field is dropped",
     req(GET, HOST, b"Connection: close, X-Hop", b"X-Hop: 1",
         b"Keep-Alive: 300", b"Proxy-Connection: keep-alive", b"TE: trailers",
         b"Trailer: X-T", b"Upgrade: foo/2", b"X-End: 2"),
     accept(fwd(b"GET /", HOST, b"X-End: 2")))

# ----------------------------------------------------------- request line
C = "request-line"
case(C, "rl_double_space", "two spaces after the method (400)",
     req(b"GET  / HTTP/1.1", HOST), status(400))
case(C, "rl_space_before_version", "two spaces before the version (400)",
     req(b"GET /  HTTP/1.1", HOST), status(400))
case(C, "rl_trailing_space", "a space after the version (400)",
     req(b"GET / HTTP/1.1 ", HOST), status(400))
case(C, "rl_leading_space", "a space before the method (400)",
     req(b" GET / HTTP/1.1", HOST), status(400))
case(C, "rl_tabs", "tabs for spaces (400)",
     req(b"GET\t/\tHTTP/1.1", HOST), status(400))
case(C, "rl_http09", "HTTP/0.9 style: no version (400)",
     b"GET /\r\n\r\n", status(400))
case(C, "rl_missing_target", "no target (400)",
     req(b"GET HTTP/1.1", HOST), status(400))
case(C, "rl_http12", "HTTP/1.2 (505)", req(b"GET / HTTP/1.2", HOST),
     status(505))
case(C, "rl_http20", "HTTP/2.0 in an HTTP/1 request line (505)",
     req(b"GET / HTTP/2.0", HOST), status(505))
case(C, "rl_http09_version", "HTTP/0.9 as a version (505)",
     req(b"GET / HTTP/0.9"), status(505))
case(C, "rl_h2_preface", "the HTTP/2 connection preface (505)",
     b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", status(505))
case(C, "rl_version_lower", "http/1.1 in lower case (400)",
     req(b"GET / http/1.1", HOST), status(400))
case(C, "rl_version_long", "HTTP/1.10 (400)",
     req(b"GET / HTTP/1.10", HOST), status(400))
case(C, "rl_unknown_method", "an unknown method (501)",
     req(b"FOO / HTTP/1.1", HOST), status(501))
case(C, "rl_method_255", "a well-formed 255-byte unknown method (501)",
     req(b"M" * 255 + b" / HTTP/1.1", HOST), status(501))
# request.c counts method bytes in a uint8_t: 256 wraps to 0 and the space
# after it is taken for a second space.
case(C, "rl_method_256", "a well-formed 256-byte unknown method (501)",
     req(b"M" * 256 + b" / HTTP/1.1", HOST), status(501))
case(C, "rl_lower_method", "methods are case-sensitive: get (501)",
     req(b"get / HTTP/1.1", HOST), status(501))
case(C, "rl_connect", "CONNECT (501)",
     req(b"CONNECT a:443 HTTP/1.1", b"Host: a:443"), status(501))
case(C, "rl_target_ctl", "a control byte in the target (400)",
     req(b"GET /a\x01b HTTP/1.1", HOST), status(400))
case(C, "rl_target_high", "a raw UTF-8 byte in the target (400)",
     req(b"GET /caf\xc3\xa9 HTTP/1.1", HOST), status(400))
case(C, "rl_asterisk_get", "asterisk-form for GET (400)",
     req(b"GET * HTTP/1.1", HOST), status(400))
case(C, "rl_authority_get", "authority-form for GET (400)",
     req(b"GET a:80 HTTP/1.1", HOST), status(400))
case(C, "rl_absolute", "absolute-form: origin-form and Host from it",
     req(b"GET http://example.com/x?y=1 HTTP/1.1", b"Host: wrong", b"X-A: 1"),
     accept(fwd(b"GET /x?y=1", b"Host: example.com", b"X-A: 1")))
case(C, "rl_absolute_no_host_field",
     "absolute-form in HTTP/1.0 without Host gets one",
     req(b"GET http://example.com:8080 HTTP/1.0"),
     accept(fwd(b"GET /", b"Host: example.com:8080")))
case(C, "rl_absolute_query_only", "http://h?q becomes /?q",
     req(b"GET http://h?q=1 HTTP/1.1", b"Host: h"),
     accept(fwd(b"GET /?q=1", b"Host: h")))
case(C, "rl_absolute_userinfo", "userinfo in the target (400)",
     req(b"GET http://u@evil/ HTTP/1.1", HOST), status(400))
case(C, "rl_absolute_ftp", "a scheme other than http(s) (400)",
     req(b"GET ftp://h/ HTTP/1.1", HOST), status(400))
case(C, "rl_tls_hello", "a TLS ClientHello on the plain port (400)",
     b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(range(32)),
     status(400))
case(C, "rl_proxy_v1", "a PROXY v1 line when proxy_protocol is off (400)",
     b"PROXY TCP4 1.2.3.4 5.6.7.8 1111 80\r\n" + req(GET, HOST), status(400))
case(C, "rl_cr_only", "the request line ended by CR alone (400)",
     GET + b"\rHost: a\r\n\r\n", status(400))
case(C, "rl_empty_lines_only", "empty lines only: a request not yet begun",
     b"\r\n\r\n\n", INCOMPLETE)

# ------------------------------------------------------------------- host
C = "host"
case(C, "host_missing_11", "HTTP/1.1 without Host (400)", req(GET), status(400))
case(C, "host_missing_10", "HTTP/1.0 without Host is fine",
     req(b"GET / HTTP/1.0"), accept(fwd(b"GET /")))
case(C, "host_double", "two Hosts (400)", req(GET, HOST, b"Host: b"),
     status(400))
case(C, "host_double_same", "two identical Hosts (400)",
     req(GET, HOST, HOST), status(400))
case(C, "host_double_10", "two Hosts in HTTP/1.0 (400)",
     req(b"GET / HTTP/1.0", HOST, b"Host: b"), status(400))
case(C, "host_space", "a space inside Host (400)", req(GET, b"Host: a b"),
     status(400))
case(C, "host_slash", "a slash in Host (400)", req(GET, b"Host: a/b"),
     status(400))
case(C, "host_userinfo", "userinfo in Host (400)", req(GET, b"Host: u@a"),
     status(400))
case(C, "host_empty", "an empty Host is allowed (RFC 9112 §3.2)",
     req(GET, b"Host:"), accept(fwd(b"GET /", b"Host: ")))
case(C, "host_empty_host_port", "Host with a port and no host (400)",
     req(GET, b"Host: :80"), status(400))
case(C, "host_empty_host_colon", "Host of a lone colon (400)",
     req(GET, b"Host: :"), status(400))
case(C, "rl_absolute_empty_host", "absolute-form with an empty host (400)",
     req(b"GET http://: HTTP/1.1", b"Host: :80"), status(400))
case(C, "rl_absolute_empty_host_colon",
     "absolute-form with an empty host, Host of a lone colon (400)",
     req(b"GET http://: HTTP/1.1", b"Host: :"), status(400))
case(C, "rl_absolute_empty_host_port", "absolute-form http://:80/ (400)",
     req(b"GET http://:80/ HTTP/1.1", b"Host: a"), status(400))
case(C, "host_ipv6_port", "an IPv6 literal with a port",
     req(GET, b"Host: [::1]:8080"), accept(fwd(b"GET /", b"Host: [::1]:8080")))

# ---------------------------------------------------------------- chunked
C = "chunked"
case(C, "chunk_ext", "chunk extensions are accepted and dropped",
     req(POST, HOST, CHUNKED,
         body=b"5;a=b;c\r\nhello\r\n1;q=\"x y\"\r\n!\r\n0;end\r\n\r\n"),
     accept(fwd(b"POST /p", HOST, cl=6, body=b"hello!")))
case(C, "chunk_ext_bws", "white space before a chunk extension (BWS)",
     req(POST, HOST, CHUNKED, body=b"5 ;a=b\r\nhello\r\n0\r\n\r\n"),
     accept(fwd(b"POST /p", HOST, cl=5, body=b"hello")))
case(C, "chunk_ext_no_name", "a chunk extension without a name (400)",
     req(POST, HOST, CHUNKED, body=b"2;\r\naa\r\n0\r\n\r\n"), status(400))
case(C, "chunk_ext_no_name_bws", "only white space after ';' (400)",
     req(POST, HOST, CHUNKED, body=b"2; \r\naa\r\n0\r\n\r\n"), status(400))
case(C, "chunk_ext_value_only", "an extension of '=x' with no name (400)",
     req(POST, HOST, CHUNKED, body=b"2;=x\r\naa\r\n0\r\n\r\n"), status(400))
case(C, "chunk_size_leading_zeros", "a 23-digit chunk size with zeros",
     req(POST, HOST, CHUNKED,
         body=b"00000000000000000000002\r\nhi\r\n0\r\n\r\n"),
     accept(fwd(b"POST /p", HOST, cl=2, body=b"hi")))
case(C, "chunk_trailers", "trailer fields are dropped",
     req(POST, HOST, CHUNKED,
         body=b"2\r\nhi\r\n0\r\nX-T: 1\r\nContent-Length: 99\r\n\r\n"),
     accept(fwd(b"POST /p", HOST, cl=2, body=b"hi")))
case(C, "chunk_size_overflow", "a chunk size past 2^64 (400)",
     req(POST, HOST, CHUNKED, body=b"1ffffffffffffffff\r\nhi\r\n0\r\n\r\n"),
     status(400))
case(C, "chunk_size_junk", "junk after the chunk size (400)",
     req(POST, HOST, CHUNKED, body=b"2x\r\nhi\r\n0\r\n\r\n"), status(400))
case(C, "chunk_size_negative", "a negative chunk size (400)",
     req(POST, HOST, CHUNKED, body=b"-2\r\nhi\r\n0\r\n\r\n"), status(400))
case(C, "chunk_size_0x", "a 0x prefix on the chunk size (400)",
     req(POST, HOST, CHUNKED, body=b"0x2\r\nhi\r\n0\r\n\r\n"), status(400))
case(C, "chunk_size_empty", "an empty chunk-size line (400)",
     req(POST, HOST, CHUNKED, body=b"\r\nhi\r\n0\r\n\r\n"), status(400))
case(C, "chunk_size_leading_space", "a space before the chunk size (400)",
     req(POST, HOST, CHUNKED, body=b" 2\r\nhi\r\n0\r\n\r\n"), status(400))
case(C, "chunk_missing_final", "no last chunk: never complete",
     req(POST, HOST, CHUNKED, body=b"2\r\nhi\r\n"), INCOMPLETE)
case(C, "chunk_missing_final_crlf", "last chunk without the final CRLF",
     req(POST, HOST, CHUNKED, body=b"2\r\nhi\r\n0\r\n"), INCOMPLETE)
case(C, "chunk_body_too_large", "a chunked body past max_body_size (413)",
     req(POST, HOST, CHUNKED,
         body=(b"200\r\n" + b"c" * 0x200 + b"\r\n") * 3 + b"0\r\n\r\n"),
     status(413))
case(C, "chunk_many_small", "many one-byte chunks",
     req(POST, HOST, CHUNKED, body=b"1\r\nz\r\n" * 40 + b"0\r\n\r\n"),
     accept(fwd(b"POST /p", HOST, cl=40, body=b"z" * 40)))
# RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF.
case(C, "chunk_data_no_crlf", "chunk data not followed by CRLF (400)",
     req(POST, HOST, CHUNKED, body=b"2\r\nhiXX0\r\n\r\n"), status(400))
case(C, "chunk_size_bare_cr", "the chunk-size line ended by CR alone (400)",
     req(POST, HOST, CHUNKED, body=b"2\rXhi\r\n0\r\n\r\n"), status(400))
case(C, "chunk_size_bare_lf", "the chunk-size line ended by LF alone (400)",
     req(POST, HOST, CHUNKED, body=b"2\nhi\r\n0\r\n\r\n"), status(400))
case(C, "chunk_ext_lf", "LF inside a chunk extension (400)",
     req(POST, HOST, CHUNKED, body=b"2;a\nb\r\nhi\r\n0\r\n\r\n"), status(400))
case(C, "chunk_ext_nul", "NUL inside a chunk extension (400)",
     req(POST, HOST, CHUNKED, body=b"2;\x00\r\nhi\r\n0\r\n\r\n"), status(400))
case(C, "chunk_size_space_junk", "a chunk size, a space and junk (400)",
     req(POST, HOST, CHUNKED, body=b"2 junk\r\nhi\r\n0\r\n\r\n"), status(400))
case(C, "chunk_last_bare_cr", "the final CRLF replaced by CR and junk (400)",
     req(POST, HOST, CHUNKED, body=b"2\r\nhi\r\n0\r\n\rX"), status(400))
# The trailer section is field lines like the head (RFC 9112 §7.1.2): the
# same byte rules apply, and its end must be where a strict parser sees it.
TRAILER_BODY = b"2\r\nhi\r\n0\r\n"
case(C, "trailer_bare_lf", "trailer lines ended by LF alone",
     req(POST, HOST, CHUNKED, body=TRAILER_BODY + b"X-T: 1\n\n"),
     accept(fwd(b"POST /p", HOST, cl=2, body=b"hi")))
case(C, "trailer_ctl", "a control byte in a trailer (400)",
     req(POST, HOST, CHUNKED, body=TRAILER_BODY + b"X-T: a\x01b\r\n\r\n"),
     status(400))
case(C, "trailer_bare_cr", "a bare CR in a trailer value (400)",
     req(POST, HOST, CHUNKED, body=TRAILER_BODY + b"X-T: a\rb\r\n\r\n"),
     status(400))
case(C, "trailer_obs_fold", "obs-fold in the trailer section (400)",
     req(POST, HOST, CHUNKED, body=TRAILER_BODY + b"X-T: a\r\n b\r\n\r\n"),
     status(400))
case(C, "trailer_space_in_name", "a space inside a trailer name (400)",
     req(POST, HOST, CHUNKED, body=TRAILER_BODY + b"X T: a\r\n\r\n"),
     status(400))
case(C, "trailer_cr_cr", "a trailer line ended by CR CR (400)",
     req(POST, HOST, CHUNKED, body=TRAILER_BODY + b"X-T:\r\r\n\r\n"),
     status(400))
case(C, "trailer_end_cr_cr", "the trailer section ended by CR CR (400)",
     req(POST, HOST, CHUNKED, body=TRAILER_BODY + b"\r\r"), status(400))

# ----------------------------------------------------------------- expect
C = "expect"
case(C, "expect_100", "Expect: 100-continue is answered and stripped",
     req(POST, HOST, b"Expect: 100-continue", b"Content-Length: 2",
         body=b"hi"),
     accept(fwd(b"POST /p", HOST, cl=2, body=b"hi"), cont=True))
case(C, "expect_100_chunked", "100-continue with a chunked body",
     req(POST, HOST, b"Expect: 100-continue", CHUNKED,
         body=b"2\r\nhi\r\n0\r\n\r\n"),
     accept(fwd(b"POST /p", HOST, cl=2, body=b"hi"), cont=True))
case(C, "expect_100_no_body", "100-continue without a body: no 100",
     req(POST, HOST, b"Expect: 100-continue"),
     accept(fwd(b"POST /p", HOST, cl=0)))
case(C, "expect_other", "an expectation other than 100-continue (417)",
     req(POST, HOST, b"Expect: 200-ok", b"Content-Length: 2", body=b"hi"),
     status(417))
# RFC 9110 §10.1.1: a server MAY answer 417 to other members; holdfast
# only looks for 100-continue.
case(C, "expect_list", "100-continue among other expectations (417)",
     req(POST, HOST, b"Expect: 100-continue, foo", b"Content-Length: 2",
         body=b"hi"),
     status(417))
case(C, "expect_two_fields", "a second Expect field with another expectation (417)",
     req(POST, HOST, b"Expect: 100-continue", b"Expect: foo",
         b"Content-Length: 2", body=b"hi"),
     status(417))
case(C, "expect_100_too_large", "100-continue with a body too large (413)",
     req(POST, HOST, b"Expect: 100-continue",
         b"Content-Length: %d" % (MAX_BODY + 1)), status(413))
case(C, "expect_http10", "Expect from an HTTP/1.0 client is ignored",
     req(b"POST /p HTTP/1.0", b"Expect: 100-continue", b"Content-Length: 2",
         body=b"hi"),
     accept(fwd(b"POST /p", cl=2, body=b"hi")))

# ---------------------------------------------------------------- upgrade
C = "upgrade"
case(C, "upgrade_websocket", "Upgrade is stripped; next request parsed",
     req(b"GET /ws HTTP/1.1", HOST, b"Upgrade: websocket",
         b"Connection: Upgrade", b"Sec-WebSocket-Key: x") + req(GET, HOST),
     seq(accept(fwd(b"GET /ws", HOST, b"Sec-WebSocket-Key: x")),
         accept(fwd(b"GET /", HOST))))
case(C, "upgrade_h2c", "h2c upgrade: HTTP2-Settings named by Connection",
     req(GET, HOST, b"Connection: Upgrade, HTTP2-Settings",
         b"Upgrade: h2c", b"HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA"),
     accept(fwd(b"GET /", HOST)))
case(C, "upgrade_with_body", "an upgrade with a body: read as a body",
     req(POST, HOST, b"Upgrade: websocket", b"Connection: upgrade",
         b"Content-Length: 4", body=b"\x81\x80ab"),
     accept(fwd(b"POST /p", HOST, cl=4, body=b"\x81\x80ab")))

# ------------------------------------------------------------- pipelining
C = "pipelining"
case(C, "pipeline_two", "two requests back to back",
     req(b"GET /1 HTTP/1.1", HOST) + req(b"GET /2 HTTP/1.1", HOST),
     seq(accept(fwd(b"GET /1", HOST)), accept(fwd(b"GET /2", HOST))))
case(C, "pipeline_after_reject", "nothing after a rejected request is parsed",
     req(GET, HOST, b"Host: b") + req(b"GET /2 HTTP/1.1", HOST), status(400))
case(C, "pipeline_then_reject", "a good request, then a bad one",
     req(b"GET /1 HTTP/1.1", HOST) + req(b"GET /2 HTTP/1.1", HOST,
                                         b"X: a\x00") + req(GET, HOST),
     seq(accept(fwd(b"GET /1", HOST)), status(400)))
case(C, "pipeline_empty_lines_between", "empty lines between requests",
     req(b"GET /1 HTTP/1.0") + b"\r\n\n" + req(b"GET /2 HTTP/1.0"),
     seq(accept(fwd(b"GET /1")), accept(fwd(b"GET /2"))))
case(C, "pipeline_body_then_request", "a body, then the next request",
     req(POST, HOST, b"Content-Length: 3", body=b"abc")
     + req(b"DELETE /d HTTP/1.1", HOST),
     seq(accept(fwd(b"POST /p", HOST, cl=3, body=b"abc")),
         accept(fwd(b"DELETE /d", HOST))))
case(C, "pipeline_second_incomplete", "the second request cut short",
     req(GET, HOST) + b"GET /2 HTTP/1.1\r\nHost: a\r\n",
     seq(accept(fwd(b"GET /", HOST)), INCOMPLETE))

# ----------------------------------------------------------------- limits
C = "limits"


def head_of(size, line=GET, end=b"\r\n"):
    """A request head of exactly size bytes, padded with one field."""
    fixed = line + end + b"Host: a" + end + b"X-Pad: " + end + end
    return req(line, HOST, b"X-Pad: " + b"p" * (size - len(fixed)), end=end)


case(C, "header_at_limit", "a head of exactly max_header_size",
     head_of(MAX_HEADER),
     accept(fwd(b"GET /", HOST, b"X-Pad: " + b"p" * (MAX_HEADER - 36))))
case(C, "header_over_limit", "a head one byte past max_header_size (431)",
     head_of(MAX_HEADER + 1), status(431))
case(C, "header_many_fields", "many small fields past the limit (431)",
     req(GET, HOST, *[b"X-%03d: v" % i for i in range(120)]), status(431))
case(C, "header_long_target", "a target past the limit (431)",
     req(b"GET /" + b"t" * MAX_HEADER + b" HTTP/1.1", HOST), status(431))
case(C, "header_endless", "a head that never ends, past the limit (431)",
     GET + b"\r\nHost: a\r\nX-Long: " + b"x" * (MAX_HEADER + 200),
     status(431))
# Empty lines before a request are not part of it (RFC 9112 §2.2), and a
# limit must not depend on how the bytes arrived.
case(C, "header_at_limit_after_crlf",
     "empty lines, then a head of exactly max_header_size",
     b"\r\n" + head_of(MAX_HEADER),
     accept(fwd(b"GET /", HOST, b"X-Pad: " + b"p" * (MAX_HEADER - 36))))
# The limit is crossed before the bad byte: 431, however the bytes come.
case(C, "header_over_limit_then_bad_byte",
     "the limit passed, then a bare CR (431 first)",
     GET + b"\r\nHost: a\r\nX-Long: " + b"x" * (MAX_HEADER + 50)
     + b"\rX\r\n\r\n", status(431))

# ------------------------------------------------- fuzzer findings (strict)
# HF_FUZZ_STRICT=1 campaigns: every finding fell in one of these classes,
# minimized by hand to the bytes that matter. The outcome must not depend on
# how the bytes arrive; the expectation is the first fault in byte order,
# with a method judged unknown (501) only once its request line is whole.
C = "fuzz"
case(C, "fz_unknown_method_bad_line", "FOO then two spaces: 400, not 501",
     req(b"FOO  / HTTP/1.1", HOST), status(400))
case(C, "fz_unknown_method_then_bare_cr",
     "a whole request line with an unknown method, then a bare CR: 501",
     req(b"FOO / HTTP/1.1", b"X: a\rb"), status(501))
case(C, "fz_bad_name_then_over_limit",
     "a bad field name, then the head past the limit: 400, not 431",
     req(GET, HOST, b"Bad(name): v", b"X-Pad: " + b"p" * MAX_HEADER),
     status(400))

case(C, "fz_chunk_junk_then_too_large",
     "junk after a chunk size, then more body than max_body_size: 400 "
     "(the junk comes first), however the bytes arrive",
     req(POST, HOST, CHUNKED,
         body=b"2\xfe0\r\n" + b"c" * (MAX_BODY + 600) + b"\r\n0\r\n\r\n"),
     status(400))

case(C, "fz_te_prefix_name",
     "a field named Transfer-Encodingt, which http-parser 2.9 takes for "
     "Transfer-Encoding once a Content-Length is written: 400",
     req(POST, HOST, b"Transfer-Encodingt: a", CHUNKED,
         body=b"2\r\nhi\r\n0\r\n\r\n"),
     status(400))
case(C, "fz_cl_prefix_name", "a field named Content-Length-X: 400",
     req(GET, HOST, b"Content-Length-X: 1"), status(400))

# Found by the strict campaign and minimized (class-preserving delta
# debugging), kept byte for byte:
case(C, "fz_min_binary", "two bytes: 400 whole, 501 split at 1",
     b"-\xff", status(400))
case(C, "fz_pipelined_bare_cr",
     "after a complete request, 'd' then a bare CR: 400 (never 501)",
     b"POST / HTTP/1.1\nHost:\n\nd\r\r",
     seq(accept(fwd(b"POST /", b"Host: ", cl=0)), status(400)))
case(C, "fz_high_byte_name_then_limit",
     "a name with 0xff bytes at byte ~750, the limit crossed at 1025: 400",
     b"GET / HTTP/1.1\nHost:0a\r\nConnection: close,\x97\x97r\x97\x97"
     b"\x97\x97\x97\x97tent-Length: 0\r\nnnnnecti184H12: v\r\nX-1Connec"
     b"tion:1ep-Aliveon: keengthivv\r\nX-102: v\r\nX-103: v\r\nX-Forwar"
     b"ded-For:engthivv\r\nX-051: v\r\nX-103:\xb3\xb3\xb3\xb3\xb3\xb3"
     b"\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3"
     b"\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3"
     b"\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3"
     b"\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3PL\xb3"
     b"\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3"
     b"\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb8\xb3\xb3\xb3"
     b"\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3\xb3"
     b" v\r\nX-104: v\r\nX--1onnection: cHost:0OPTIONSecost: a\r\nst:1a"
     b"\r\nConnection: roxy-Connecveon: keengthivv\r\nX-102: v\r\nX-103"
     b": v\r\nX-Forwarded-For:engthivv\r\nX-051: v\r\nX-103: v\r\nX-104"
     b": v\r\nX--1onnection: cHost:0OPTIONX-116t: a\r\nst:1a\r\nC103: v"
     b"\r\nX-Forwarded-For:engthivv\r\nX-051: v\r\nX-10ti945Host: a\r\n"
     b"st:0a\r\nConn1ep-Aliveon: keengthivv\r\nX-102: v\r\nX-103: v\r\n"
     b"X-Forwarded-For:engthivv\r\nX-051: v\r\nX-103: v\r\nX-1\xff\xff"
     b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
     b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
     b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff04: v\r"
     b"\nX--1onneci:ton cHost v\r\nX-103: v\r\nX-Forwarded-For:enity: k"
     b"eengthivv\r\nX-102: v\r\nXe03: : 2\r\nx-forwarded-for: a\r\nX-Fo"
     b"rwarded-For:n: roxy-Connecnnecti184H12: v\r\nX-1Connection:1ep-A"
     b"liveon: keengthivv\r\nX-102: v\r\nX-103: v\r\nX-Forwarded-For:en"
     b"ity: keengthivv\r\nX-102: v\r\nXe03: : 2\r\n\r",
     status(400))
case(C, "fz_lf_then_head_at_limit",
     "one LF, then a 1024-byte head with a bad Host: 400, not 431",
     b"\nGET / HTTP/1.1\r\nHost:keep-aliX-048pppppppppppppppppppppppppp"
     b"pppppppppppppppppppppppppppppppppp~ppppppppppppppppppppppppppppT"
     b"railer:ppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
     b"ppppppppppppppppppppppppppppppppppppppppppppeppppppppppppppppppp"
     b"pppppppppppppppppppp\xff\xff\xff\xffppppppppppppppppeppppppppppp"
     b"pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
     b"ppppppppeppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
     b"ppppeppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
     b"ppppppppppppppprpppppppppppppppppppppppppppppppppppppppppppppppp"
     b"pppppppppppppppppppppppppppppppppppppppppppppppppppppt: a\r\nX-P"
     b"ad: pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
     b"pppppppppppppppkeep-alivepppppppppppppppppppp002: v\r\nX-002: \t"
     b"\t\r\nX-118: v\r\nX-119:pppppppppppppppppppppppppppppppppppppppp"
     b"pppppppppkeep-alivappppppppppppppppppppppppppppppppppppppppppppp"
     b"pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
     b"pppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
     b"pppppHostppppppppppppp\r\n\r\n",
     status(400))


def write_all():
    names = set()
    for category, name, description, raw, expect in CASES:
        assert name not in names, name
        names.add(name)
        with open(os.path.join(HERE, name + ".req"), "wb") as f:
            f.write(raw)
        with open(os.path.join(HERE, name + ".expect"), "w") as f:
            f.write("# %s: %s\n%s" % (category, description, expect))
    counts = {}
    for c in CASES:
        counts[c[0]] = counts.get(c[0], 0) + 1
    for k, v in counts.items():
        print("%-13s %3d" % (k, v))
    print("%-13s %3d" % ("total", len(CASES)))


if __name__ == "__main__":
    sys.exit(write_all())
