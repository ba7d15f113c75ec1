#include "realip.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

/* The last XFF_KEEP elements are all a walk from the right can use: more
 * trusted hops than that in front of one host is not a real chain. */
#define XFF_KEEP 32

typedef struct xff_tokens {
    struct {
        const char *p;
        size_t len;
    } t[XFF_KEEP];
    size_t n; /* elements seen; the last min(n, XFF_KEEP) are kept */
} xff_tokens_t;

static int keep_token(void *ud, const char *tok, size_t len)
{
    xff_tokens_t *x = ud;

    x->t[x->n % XFF_KEEP].p = tok;
    x->t[x->n % XFF_KEEP].len = len;
    x->n++;
    return 0;
}

/* An IPv4 or IPv6 address, the latter optionally in brackets. */
static bool parse_ip(const char *p, size_t len, int *family, uint8_t *addr,
                     char *text, size_t tlen)
{
    char buf[INET6_ADDRSTRLEN + 2];

    if (len >= 2 && p[0] == '[' && p[len - 1] == ']') {
        p++;
        len -= 2;
    }
    if (len == 0 || len >= sizeof(buf) || len >= tlen)
        return false;
    memcpy(buf, p, len);
    buf[len] = '\0';
    if (inet_pton(AF_INET, buf, addr) == 1)
        *family = AF_INET;
    else if (inet_pton(AF_INET6, buf, addr) == 1)
        *family = AF_INET6;
    else
        return false;
    memcpy(text, buf, len + 1);
    return true;
}

bool hf_realip_find(const hf_head_t *h, const hf_cidr_t *trusted, size_t n,
                    int family, const uint8_t *addr, char *out, size_t len)
{
    xff_tokens_t x = {.n = 0};
    char text[INET6_ADDRSTRLEN + 2];
    bool found = false;
    size_t first;

    if (n == 0 || !hf_cidr_contains(trusted, n, family, addr))
        return false;
    for (uint32_t i = 0; i < h->nfields; i++) {
        const hf_field_t *f = &h->fields[i];
        if (hf_field_name_is(h, f, "x-forwarded-for"))
            hf_value_tokens(h->buf + f->value_off, f->value_len, keep_token,
                            &x);
    }
    first = x.n > XFF_KEEP ? x.n - XFF_KEEP : 0;
    for (size_t i = x.n; i > first; i--) {
        int fam;
        uint8_t a[16];

        if (!parse_ip(x.t[(i - 1) % XFF_KEEP].p, x.t[(i - 1) % XFF_KEEP].len,
                      &fam, a, text, sizeof(text)))
            break;
        snprintf(out, len, "%s", text);
        found = true;
        if (!hf_cidr_contains(trusted, n, fam, a))
            break;
    }
    return found;
}
