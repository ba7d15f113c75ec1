/* Address ranges for trusted_proxies: "10.0.0.0/8", "::1", "fc00::/7".
 * Parsing and matching only; no libuv, no sockets. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int hf_parse_cidr(const char *s, hf_cidr_t *out)
{
    char buf[64], *slash;
    uint64_t bits;
    hf_cidr_t c;
    int max;

    if (hf_trim_copy(s, buf, sizeof(buf)) < 0)
        return -1;
    memset(&c, 0, sizeof(c));
    slash = strchr(buf, '/');
    if (slash != NULL)
        *slash++ = '\0';
    if (inet_pton(AF_INET, buf, c.addr) == 1) {
        c.family = AF_INET;
        max = 32;
    } else if (inet_pton(AF_INET6, buf, c.addr) == 1) {
        c.family = AF_INET6;
        max = 128;
    } else {
        return -1;
    }
    bits = (uint64_t)max;
    if (slash != NULL &&
        (*slash == '\0' || hf_parse_uint(slash, &bits) < 0 || bits > (uint64_t)max))
        return -1;
    c.bits = (uint8_t)bits;
    /* Host bits set ("10.1.2.3/8") are cleared, as nginx's set_real_ip_from
     * takes them: the range is what the prefix says. */
    for (int i = c.bits; i < max; i++)
        c.addr[i / 8] &= (uint8_t)~(0x80u >> (i % 8));
    *out = c;
    return 0;
}

bool hf_cidr_contains(const hf_cidr_t *list, size_t n, int family,
                      const uint8_t *addr)
{
    for (size_t i = 0; i < n; i++) {
        const hf_cidr_t *c = &list[i];
        int full = c->bits / 8, rest = c->bits % 8;

        if (c->family != family || memcmp(c->addr, addr, (size_t)full) != 0)
            continue;
        if (rest == 0 ||
            ((addr[full] ^ c->addr[full]) & (uint8_t)(0xff00u >> rest)) == 0)
            return true;
    }
    return false;
}
