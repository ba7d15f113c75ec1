/* See test_proxy_drive.h. */
#include "test_proxy_drive.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

void pdrive(const char *in, size_t len, size_t split, size_t step,
            pdrive_result_t *r)
{
    size_t avail = split == 0 || split > len ? len : split;

    memset(r, 0, sizeof(*r));
    r->kind = PDRIVE_INCOMPLETE;
    if (len == 0)
        return;
    for (;;) {
        int n = hf_proxy_parse(in, avail, &r->addr);
        if (n > 0) {
            r->kind = PDRIVE_ACCEPT;
            r->consumed = (size_t)n;
            return;
        }
        if (n < 0 || avail >= HF_PROXY_V2_MAX) {
            memset(r, 0, sizeof(*r));
            r->kind = PDRIVE_REJECT;
            return;
        }
        if (avail == len)
            break;
        avail = step == 0 || len - avail < step ? len : avail + step;
    }
    memset(r, 0, sizeof(*r));
    r->kind = PDRIVE_INCOMPLETE;
}

static size_t addr_len(int family)
{
    return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

bool pdrive_result_equal(const pdrive_result_t *a, const pdrive_result_t *b)
{
    if (a->kind != b->kind)
        return false;
    if (a->kind != PDRIVE_ACCEPT)
        return true;
    return a->consumed == b->consumed && a->addr.family == b->addr.family &&
           a->addr.port == b->addr.port &&
           memcmp(a->addr.addr, b->addr.addr, addr_len(a->addr.family)) == 0;
}

void pdrive_result_print(const char *title, const pdrive_result_t *r)
{
    char text[INET6_ADDRSTRLEN] = "-";
    static const char *kinds[] = {"accept", "reject", "incomplete"};

    if (r->addr.family != 0)
        inet_ntop(r->addr.family, r->addr.addr, text, sizeof(text));
    fprintf(stderr, "  %s: %s %zu family %d %s port %u\n", title,
            kinds[r->kind], r->consumed, r->addr.family, text, r->addr.port);
}

static size_t write_v1(const hf_proxy_addr_t *a, char *out)
{
    char src[INET6_ADDRSTRLEN];
    int k;

    if (a->family == 0)
        return (size_t)snprintf(out, HF_PROXY_V1_MAX, "PROXY UNKNOWN\r\n");
    inet_ntop(a->family, a->addr, src, sizeof(src));
    k = snprintf(out, HF_PROXY_V1_MAX, "PROXY %s %s %s %u 80\r\n",
                 a->family == AF_INET ? "TCP4" : "TCP6", src,
                 a->family == AF_INET ? "192.0.2.2" : "2001:db8::2",
                 a->port);
    return (size_t)k;
}

static size_t write_v2(const hf_proxy_addr_t *a, bool tlv, char *out)
{
    static const char sig[12] = "\r\n\r\n\0\r\nQUIT\n";
    static const uint8_t tlv_bytes[] = {0xEA, 0x00, 0x04, 0x01, 'v', 'p',
                                        'c'};
    size_t alen = a->family == AF_INET ? 12 : a->family == AF_INET6 ? 36 : 0;
    size_t n = addr_len(a->family), extra = tlv ? sizeof(tlv_bytes) : 0;
    uint8_t *p = (uint8_t *)out;

    memcpy(p, sig, sizeof(sig));
    p[12] = a->family == 0 ? 0x20 : 0x21;
    p[13] = a->family == AF_INET ? 0x11 : a->family == AF_INET6 ? 0x21 : 0;
    p[14] = (uint8_t)((alen + extra) >> 8);
    p[15] = (uint8_t)(alen + extra);
    p += 16;
    if (n > 0) {
        memcpy(p, a->addr, n);   /* source */
        memset(p + n, 0x5A, n);  /* destination */
        p += 2 * n;
        *p++ = (uint8_t)(a->port >> 8);
        *p++ = (uint8_t)a->port;
        *p++ = 0;
        *p++ = 80;
    }
    memcpy(p, tlv_bytes, extra);
    return 16 + alen + extra;
}

size_t pdrive_write(const hf_proxy_addr_t *a, int version, bool tlv,
                    char *out)
{
    return version == 1 ? write_v1(a, out) : write_v2(a, tlv, out);
}
