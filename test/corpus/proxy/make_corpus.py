#!/usr/bin/env python3
"""Writes the seed corpus of test/fuzz/fuzz_proxy.c: NAME.pp, the first
bytes of a connection that starts with a PROXY protocol header (haproxy's
proxy-protocol.txt, versions 1 and 2), usually followed by a request.
Verdicts are checked by test/unit/test_proxy_protocol.c, not here.
    python3 test/corpus/proxy/make_corpus.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SIG = b"\r\n\r\n\x00\r\nQUIT\n"
REQ = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"
V4 = bytes([192, 0, 2, 1, 192, 0, 2, 2]) + struct.pack(">HH", 40000, 80)
V6 = (bytes.fromhex("20010db8000000000000000000000001") +
      bytes.fromhex("20010db8000000000000000000000002") +
      struct.pack(">HH", 40000, 443))
TLV_VPCE = b"\xea" + struct.pack(">H", 23) + b"\x01vpce-0123456789abcdef"
TLV_ALPN = b"\x01" + struct.pack(">H", 2) + b"h2"


def v2(ver_cmd, fam, body):
    return SIG + bytes([ver_cmd, fam]) + struct.pack(">H", len(body)) + body


CASES = {
    # version 1
    "v1_tcp4": b"PROXY TCP4 192.0.2.1 192.0.2.2 40000 80\r\n" + REQ,
    "v1_tcp6": b"PROXY TCP6 2001:db8::1 2001:db8::2 40000 443\r\n" + REQ,
    "v1_tcp6_mapped": b"PROXY TCP6 ::ffff:192.0.2.1 ::1 1 2\r\n",
    "v1_unknown": b"PROXY UNKNOWN\r\n" + REQ,
    "v1_unknown_addrs": b"PROXY UNKNOWN ffff:f::1 ffff:f::2 1 2\r\n",
    "v1_longest": b"PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
                  b"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n",
    "v1_too_long": b"PROXY UNKNOWN " + b"x" * 100 + b"\r\n",
    "v1_no_cr": b"PROXY TCP4 192.0.2.1 192.0.2.2 40000 80\n",
    "v1_port_high": b"PROXY TCP4 192.0.2.1 192.0.2.2 65536 80\r\n",
    "v1_port_zero_lead": b"PROXY TCP4 192.0.2.1 192.0.2.2 080 80\r\n",
    "v1_port_zero": b"PROXY TCP4 192.0.2.1 192.0.2.2 0 80\r\n",
    "v1_bad_ip": b"PROXY TCP4 192.0.2.256 192.0.2.2 1 80\r\n",
    "v1_v6_in_tcp4": b"PROXY TCP4 ::1 ::1 1 80\r\n",
    "v1_extra_field": b"PROXY TCP4 192.0.2.1 192.0.2.2 1 80 x\r\n",
    "v1_few_fields": b"PROXY TCP4 192.0.2.1 192.0.2.2 1\r\n",
    "v1_double_space": b"PROXY  TCP4 192.0.2.1 192.0.2.2 1 80\r\n",
    "v1_lower": b"proxy TCP4 192.0.2.1 192.0.2.2 1 80\r\n",
    "v1_udp4": b"PROXY UDP4 192.0.2.1 192.0.2.2 1 80\r\n",
    "v1_prefix": b"PROXY TCP4 192.0.2",
    "v1_word": b"PROXY",
    "v1_nul": b"PROXY TCP4 192.0.2.1\x00 192.0.2.2 1 80\r\n",
    "not_proxy": REQ,
    # version 2
    "v2_tcp4": v2(0x21, 0x11, V4) + REQ,
    "v2_tcp6": v2(0x21, 0x21, V6) + REQ,
    "v2_tcp4_tlv": v2(0x21, 0x11, V4 + TLV_ALPN + TLV_VPCE) + REQ,
    "v2_local": v2(0x20, 0x00, b"") + REQ,
    "v2_local_tcp4": v2(0x20, 0x11, V4),
    "v2_unspec": v2(0x21, 0x00, b""),
    "v2_udp4": v2(0x21, 0x12, V4),
    "v2_unix": v2(0x21, 0x31, b"\x00" * 216),
    "v2_version1": v2(0x11, 0x11, V4),
    "v2_command2": v2(0x22, 0x11, V4),
    "v2_tcp4_short": v2(0x21, 0x11, V4[:11]),
    "v2_tcp6_short": v2(0x21, 0x21, V6[:35]),
    "v2_truncated": v2(0x21, 0x11, V4)[:20],
    "v2_sig_only": SIG,
    "v2_sig_prefix": SIG[:7],
    "v2_at_limit": v2(0x21, 0x11, V4 + b"\x00" * (4096 - 16 - 12)),
    "v2_over_limit": v2(0x21, 0x11, V4 + b"\x00" * (4096 - 16 - 11)),
    "v2_bad_sig": b"\r\n\r\n\x00\r\nQUIT\r" + bytes([0x21, 0x11, 0, 12]) + V4,
}


def main():
    for name, raw in CASES.items():
        with open(os.path.join(HERE, name + ".pp"), "wb") as f:
            f.write(raw)


if __name__ == "__main__":
    main()
