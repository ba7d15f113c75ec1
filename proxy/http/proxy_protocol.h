/* The PROXY protocol header (v1 text, v2 binary) that an NLB or an ELB TCP
 * listener puts in front of every connection, carrying the real client
 * address. A pure parser: bytes in, verdict and address out. */
#ifndef HF_PROXY_PROTOCOL_H
#define HF_PROXY_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>

#define HF_PROXY_V1_MAX 107 /* the spec's longest v1 line, CRLF included */
#define HF_PROXY_V2_MAX 4096 /* header and TLVs; AWS sends well under 100 */

typedef struct hf_proxy_addr {
    int family;       /* AF_INET, AF_INET6, or 0 for LOCAL/UNKNOWN */
    uint8_t addr[16]; /* source address, network order */
    uint16_t port;    /* source port, host order */
} hf_proxy_addr_t;

/* Parses a header at the start of buf. Returns its length (consumed) with
 * *out filled, 0 when more bytes are needed, -1 when buf does not start
 * with a valid header. A LOCAL (v2) or UNKNOWN (v1) header, as health checks
 * send, succeeds with family 0: the connection's own address stands. v2
 * TLVs (AWS puts the VPC endpoint id in 0xEA) are skipped. */
int hf_proxy_parse(const char *buf, size_t len, hf_proxy_addr_t *out);

#endif
