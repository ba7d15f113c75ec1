#!/usr/bin/env python3
"""Writes the seed corpus of test/fuzz/fuzz_response.c: NAME.resp, the raw
bytes a backend sends. The fuzzer reads each as the answer to a GET and to
a HEAD. Verdicts are checked by test/unit/test_response.c, not here; these
are starting points covering every framing, and the fuzzer's findings.
    python3 test/corpus/response/make_corpus.py
"""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
BIG = bytes((ord("a") + i % 26) for i in range(300))  # spills past 100

CASES = {
    # Content-Length
    "cl": b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
          b"Content-Length: 5\r\n\r\nhello",
    "cl_zero": b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    "cl_spill": b"HTTP/1.1 200 OK\r\nContent-Length: 300\r\n\r\n" + BIG,
    "cl_bytes_after": b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"
                      b"okHTTP/1.1 200 OK\r\n\r\n",
    "cl_short": b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
    "cl_bad": b"HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\na",
    "cl_twice_differ": b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
                       b"Content-Length: 2\r\n\r\nab",
    "cl_and_te": b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    "cl_trailing_space": b"HTTP/1.1 200 OK\r\nContent-Length: 3 \r\n\r\nabc",
    # chunked
    "chunked": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
    "chunked_ext": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"5;name=value;q=\"x\"\r\nhello\r\n0;end\r\n\r\n",
    "chunked_trailers": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                        b"Trailer: X-Sum\r\n\r\n3\r\nabc\r\n0\r\n"
                        b"X-Sum: 42\r\nX-More: y\r\n\r\n",
    "chunked_upper_hex": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                         b"\r\n1A\r\n" + BIG[:26] + b"\r\n0\r\n\r\n",
    "chunked_spill": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     b"12c\r\n" + BIG + b"\r\n0\r\n\r\n",
    "chunked_cut": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                   b"5\r\nhel",
    "chunked_bad_size": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                        b"\r\nzz\r\nhello\r\n0\r\n\r\n",
    # close-delimited
    "close_10": b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n"
                b"until the close",
    "close_11": b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close",
    "close_spill": b"HTTP/1.0 200 OK\r\n\r\n" + BIG,
    "keep_alive_10": b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
                     b"Content-Length: 2\r\n\r\nok",
    # no body
    "204": b"HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n",
    "204_cl": b"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
    "304": b"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n"
           b"Content-Length: 42\r\n\r\n",
    # Found by the fuzzer: http-parser read Content-Length bytes after a
    # 304 (and a 204, and a 1xx) as its body, eating the next bytes.
    "fz_304_cl_then_response": b"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n"
                               b"Content-Length: 42\r\n\r\n"
                               b"HTTP/1.0 200 OK\r\n\r\n" + BIG[:60],
    "100_cl_then_200": b"HTTP/1.1 100 Continue\r\nContent-Length: 5\r\n\r\n"
                       b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    # Found by the fuzzer: http-parser 2.9 takes a name that begins with
    # Transfer-Encoding for it; relayed beside holdfast's Content-Length,
    # a client on the same parser rejects the response.
    "fz_te_prefix_name": b"HTTP/1.1 200 OK\r\nTransfer-Encodingech:kun d\r\n\r\n"
                         b"1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n",
    "cl_prefix_name": b"HTTP/1.1 200 OK\r\nContent-Length-X: 3\r\n"
                      b"Content-Length: 2\r\n\r\nok",
    "head_like": b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n",
    # interim responses
    "100_then_200": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"
                    b"Content-Length: 2\r\n\r\nok",
    "103_then_200": b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
                    b"HTTP/1.1 200 OK\r\nLink: </a.css>\r\n"
                    b"Content-Length: 0\r\n\r\n",
    "100_100_200": b"HTTP/1.1 100 Continue\r\n\r\n"
                   b"HTTP/1.1 100 Continue\r\n\r\n"
                   b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx",
    "100_only": b"HTTP/1.1 100 Continue\r\n\r\n",
    "101": b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
           b"Connection: Upgrade\r\n\r\n",
    # heads
    "no_reason": b"HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n",
    "no_reason_no_space": b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
    "long_reason": b"HTTP/1.1 404 Not Found Here Or Anywhere\r\n"
                   b"Content-Length: 0\r\n\r\n",
    "hop_by_hop": b"HTTP/1.1 200 OK\r\nConnection: X-Private, keep-alive\r\n"
                  b"X-Private: secret\r\nKeep-Alive: timeout=5\r\n"
                  b"Proxy-Connection: x\r\nX-Public: yes\r\n"
                  b"Content-Length: 0\r\n\r\n",
    "empty_value": b"HTTP/1.1 200 OK\r\nX-Empty:\r\nX-Sp:   \r\n"
                   b"Content-Length: 0\r\n\r\n",
    "lf_only": b"HTTP/1.1 200 OK\nContent-Length: 2\n\nok",
    "obs_fold": b"HTTP/1.1 200 OK\r\nX-Fold: a\r\n b\r\n"
                b"Content-Length: 0\r\n\r\n",
    "no_colon": b"HTTP/1.1 200 OK\r\nNoColon\r\nContent-Length: 0\r\n\r\n",
    "space_in_name": b"HTTP/1.1 200 OK\r\nX Y: 1\r\nContent-Length: 0\r\n\r\n",
    "nul_value": b"HTTP/1.1 200 OK\r\nX-A: a\x00b\r\nContent-Length: 0\r\n\r\n",
    "status_abc": b"HTTP/1.1 abc OK\r\n\r\n",
    "status_999": b"HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n",
    "status_99": b"HTTP/1.1 099 Low\r\nContent-Length: 0\r\n\r\n",
    "http20": b"HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n",
    "http09_body": b"<html>hello</html>",
    "head_cut": b"HTTP/1.1 200 OK\r\nContent-Le",
    "empty": b"",
}


def main():
    for name, raw in CASES.items():
        with open(os.path.join(HERE, name + ".resp"), "wb") as f:
            f.write(raw)


if __name__ == "__main__":
    main()
