/* Small formatters for the request path. printf's general machinery costs
 * more per request than the rest of the path together (callgrind), so
 * heads, log lines and addresses are written with these. Each writes at w
 * and returns the end; the caller sized the buffer. */
#ifndef HF_FMT_H
#define HF_FMT_H

#include <stdint.h>
#include <string.h>

static inline char *hf_put_mem(char *w, const void *p, size_t n)
{
    memcpy(w, p, n);
    return w + n;
}

static inline char *hf_put_str(char *w, const char *s)
{
    return hf_put_mem(w, s, strlen(s));
}

static inline char *hf_put_u64(char *w, uint64_t v)
{
    char tmp[20];
    int i = 0;

    do
        tmp[i++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    while (i > 0)
        *w++ = tmp[--i];
    return w;
}

static inline char *hf_put_hex(char *w, uint64_t v)
{
    static const char digits[] = "0123456789abcdef";
    char tmp[16];
    int i = 0;

    do
        tmp[i++] = digits[v & 15];
    while ((v >>= 4) != 0);
    while (i > 0)
        *w++ = tmp[--i];
    return w;
}

/* Dotted quad of a network-order IPv4 address. */
static inline char *hf_put_ipv4(char *w, const uint8_t a[4])
{
    for (int i = 0; i < 4; i++) {
        if (i > 0)
            *w++ = '.';
        w = hf_put_u64(w, a[i]);
    }
    return w;
}

#endif
