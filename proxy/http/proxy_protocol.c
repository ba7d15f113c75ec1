/* PROXY protocol, per haproxy's proxy-protocol.txt (versions 1 and 2). */
#include "proxy_protocol.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

static const char v2_sig[12] = "\r\n\r\n\0\r\nQUIT\n";

static int parse_port(const char *s, size_t n, uint16_t *out)
{
    unsigned v = 0;

    if (n == 0 || n > 5 || (n > 1 && s[0] == '0'))
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v > 65535)
        return -1;
    *out = (uint16_t)v;
    return 0;
}

/* "PROXY TCP4 SRC DST SPORT DPORT\r\n" or "PROXY UNKNOWN ...\r\n". */
static int parse_v1(const char *buf, size_t len, hf_proxy_addr_t *out)
{
    const char *end = memchr(buf, '\n', len < HF_PROXY_V1_MAX ? len
                                                               : HF_PROXY_V1_MAX);
    char line[HF_PROXY_V1_MAX + 1], *fields[6], *save = NULL, *tok;
    size_t n;
    int nf = 0, family;

    if (end == NULL)
        return len >= HF_PROXY_V1_MAX ? -1 : 0;
    n = (size_t)(end - buf);
    if (n == 0 || buf[n - 1] != '\r')
        return -1;
    memcpy(line, buf, n - 1);
    line[n - 1] = '\0';
    for (tok = strtok_r(line, " ", &save); tok != NULL && nf < 6;
         tok = strtok_r(NULL, " ", &save))
        fields[nf++] = tok;
    if (nf < 2 || strcmp(fields[0], "PROXY") != 0)
        return -1;
    memset(out, 0, sizeof(*out));
    if (strcmp(fields[1], "UNKNOWN") == 0)
        return (int)n + 1;
    if (nf != 6 || tok != NULL)
        return -1;
    if (strcmp(fields[1], "TCP4") == 0)
        family = AF_INET;
    else if (strcmp(fields[1], "TCP6") == 0)
        family = AF_INET6;
    else
        return -1;
    {
        uint8_t dst[16];
        uint16_t dport;
        if (inet_pton(family, fields[2], out->addr) != 1 ||
            inet_pton(family, fields[3], dst) != 1 ||
            parse_port(fields[4], strlen(fields[4]), &out->port) != 0 ||
            parse_port(fields[5], strlen(fields[5]), &dport) != 0)
            return -1;
    }
    out->family = family;
    return (int)n + 1;
}

static int parse_v2(const uint8_t *b, size_t len, hf_proxy_addr_t *out)
{
    size_t total;
    uint8_t ver_cmd, fam;
    uint16_t alen;

    if (len < 16)
        return 0;
    ver_cmd = b[12];
    fam = b[13];
    alen = (uint16_t)((b[14] << 8) | b[15]);
    total = 16 + (size_t)alen;
    if ((ver_cmd & 0xF0) != 0x20 || total > HF_PROXY_V2_MAX)
        return -1;
    if (len < total)
        return 0;
    memset(out, 0, sizeof(*out));
    switch (ver_cmd & 0x0F) {
    case 0x0: /* LOCAL: the balancer's own connection (health checks) */
        return (int)total;
    case 0x1: /* PROXY */
        break;
    default:
        return -1;
    }
    switch (fam) {
    case 0x11: /* TCP over IPv4: src, dst, sport, dport = 12 bytes */
        if (alen < 12)
            return -1;
        out->family = AF_INET;
        memcpy(out->addr, b + 16, 4);
        out->port = (uint16_t)((b[24] << 8) | b[25]);
        break;
    case 0x21: /* TCP over IPv6: 36 bytes */
        if (alen < 36)
            return -1;
        out->family = AF_INET6;
        memcpy(out->addr, b + 16, 16);
        out->port = (uint16_t)((b[48] << 8) | b[49]);
        break;
    case 0x00: /* UNSPEC: keep the connection's address */
        break;
    default:
        return -1; /* UDP or unix sockets make no sense for HTTP */
    }
    /* What follows the addresses, up to total, is TLVs: skipped. */
    return (int)total;
}

int hf_proxy_parse(const char *buf, size_t len, hf_proxy_addr_t *out)
{
    size_t k = len < sizeof(v2_sig) ? len : sizeof(v2_sig);

    if (len == 0)
        return 0;
    if (memcmp(buf, v2_sig, k) == 0)
        return len < sizeof(v2_sig) ? 0 : parse_v2((const uint8_t *)buf, len, out);
    k = len < 6 ? len : 6;
    if (memcmp(buf, "PROXY ", k) == 0)
        return len < 6 ? 0 : parse_v1(buf, len, out);
    return -1;
}
