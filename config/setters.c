/* Storing a value into the field a row of the key table points at, one
 * function per kind of value, with the message a person reads when the value
 * is wrong. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "table.h"

#define QUOTE_MAX 80

/* Writes n as a person would write it for this kind: "64k", "30s". */
static const char *fmt_number(enum hf_kind kind, uint64_t n, char *buf,
                              size_t size)
{
    static const struct {
        enum hf_kind kind;
        uint64_t mul;
        const char *unit;
    } units[] = {
        {HF_K_DURATION, 3600000, "h"}, {HF_K_DURATION, 60000, "m"},
        {HF_K_DURATION, 1000, "s"},    {HF_K_DURATION, 1, "ms"},
        {HF_K_SIZE, 1u << 30, "g"},    {HF_K_SIZE, 1u << 20, "m"},
        {HF_K_SIZE, 1u << 10, "k"},
    };

    for (size_t i = 0; n != 0 && i < sizeof(units) / sizeof(units[0]); i++) {
        if (units[i].kind == kind && n % units[i].mul == 0) {
            snprintf(buf, size, "%llu%s",
                     (unsigned long long)(n / units[i].mul), units[i].unit);
            return buf;
        }
    }
    snprintf(buf, size, "%llu", (unsigned long long)n);
    return buf;
}

static int set_number(const hf_key_t *k, void *field, const char *value,
                      char *msg, size_t size)
{
    char q[QUOTE_MAX], lim[32];
    uint64_t n;
    int rc;

    hf_quote(value, q, sizeof(q));
    if ((k->flags & HF_F_OFF_ZERO) && hf_trim_copy(value, lim, sizeof(lim)) > 0 &&
        strcasecmp(lim, "off") == 0) {
        n = 0;
        memcpy(field, &n, sizeof(n));
        return 0;
    }
    if (k->kind == HF_K_DURATION)
        rc = hf_parse_duration_ms(value, &n);
    else if (k->kind == HF_K_SIZE)
        rc = hf_parse_size(value, &n);
    else
        rc = hf_parse_uint(value, &n);
    if (rc < 0) {
        snprintf(msg, size, "'%s' is not %s", q,
                 k->kind == HF_K_DURATION ? "a duration (a number with ms, s, "
                                            "m or h)"
                 : k->kind == HF_K_SIZE   ? "a size (a number with k, m or g)"
                                          : "a whole number");
        return -1;
    }
    if (n == 0 && k->min == 1) {
        snprintf(msg, size, "must be more than 0");
        return -1;
    }
    if (n < k->min || n > k->max) {
        bool small = n < k->min;
        snprintf(msg, size, "'%s' is too %s (at %s %s)", q,
                 small ? "small" : "large", small ? "least" : "most",
                 fmt_number(k->kind, small ? k->min : k->max, lim,
                            sizeof(lim)));
        return -1;
    }
    if (k->kind == HF_K_UINT) {
        uint32_t v = (uint32_t)n; /* max is at most INT32_MAX */
        memcpy(field, &v, sizeof(v));
    } else {
        memcpy(field, &n, sizeof(n));
    }
    return 0;
}

static int set_enum(const hf_key_t *k, void *field, const char *value,
                    char *msg, size_t size)
{
    char buf[32], q[QUOTE_MAX];
    size_t used;

    if (hf_trim_copy(value, buf, sizeof(buf)) > 0) {
        for (int i = 0; k->choices[i]; i++) {
            if (strcasecmp(buf, k->choices[i]) == 0) {
                memcpy(field, &i, sizeof(i));
                return 0;
            }
        }
    }
    used = (size_t)snprintf(msg, size, "'%s' is not one of ",
                            hf_quote(value, q, sizeof(q)));
    for (int i = 0; k->choices[i] && used < size; i++)
        used += (size_t)snprintf(msg + used, size - used, "%s%s",
                                 i ? ", " : "", k->choices[i]);
    return -1;
}

static bool has_space_or_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || *s == 0x7f)
            return true;
    return false;
}

static int set_string(const hf_key_t *k, void *field, const char *value,
                      char *msg, size_t size)
{
    char q[QUOTE_MAX], *s, *old;
    size_t len = strlen(value);
    int rc;

    s = hf_xrealloc(NULL, len + 1);
    rc = hf_trim_copy(value, s, len + 1);
    if (rc < 0) {
        free(s);
        snprintf(msg, size, "missing value");
        return -1;
    }
    hf_quote(s, q, sizeof(q));
    if ((k->flags & HF_F_OFF_NULL) && strcasecmp(s, "off") == 0) {
        free(s);
        s = NULL;
    } else if ((k->flags & HF_F_STDOUT) && strcasecmp(s, "stdout") == 0) {
        strcpy(s, "stdout");
    } else if ((k->flags & HF_F_URL_PATH) &&
               (s[0] != '/' || has_space_or_control(s))) {
        snprintf(msg, size, "'%s' is neither off nor a path starting with "
                 "'/' (without spaces)", q);
        free(s);
        return -1;
    }
    memcpy(&old, field, sizeof(old));
    free(old);
    memcpy(field, &s, sizeof(s));
    return 0;
}

static bool is_blank(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    return *s == '\0';
}

static int set_addr(const hf_key_t *k, void *base, const char *value,
                    char *msg, size_t size)
{
    char q[QUOTE_MAX], buf[8];
    const char *why = "";
    hf_addr_t a;
    bool on = true;

    if (k->kind == HF_K_OPT_ADDR && hf_trim_copy(value, buf, sizeof(buf)) > 0 &&
        strcasecmp(buf, "off") == 0) {
        memset(&a, 0, sizeof(a));
        on = false;
    } else if (hf_parse_addr(value, k->host, &a, &why) < 0) {
        snprintf(msg, size, "'%s': %s", hf_quote(value, q, sizeof(q)), why);
        return -1;
    } else if (a.sa.ss_family == AF_UNIX) {
        /* Listeners, admin and statsd stay TCP/UDP: only a backend list
         * names Unix sockets. */
        snprintf(msg, size, "'%s': a Unix socket is only for backend "
                 "addresses; give HOST:PORT here",
                 hf_quote(value, q, sizeof(q)));
        return -1;
    }
    memcpy((char *)base + k->off, &a, sizeof(a));
    if (k->kind == HF_K_OPT_ADDR)
        memcpy((char *)base + k->off2, &on, sizeof(on));
    return 0;
}

/* A newline from a continued value separates addresses like a comma, unless
 * a comma is already next to it. */
static void newlines_to_commas(char *s)
{
    for (char *p = strchr(s, '\n'); p; p = strchr(p + 1, '\n')) {
        const char *before = p, *after = p + 1;
        while (before > s && strchr(" \t\r", before[-1]))
            before--;
        while (*after && strchr(" \t\r\n", *after))
            after++;
        *p = before > s && before[-1] != ',' && *after != ',' && *after
                 ? ','
                 : ' ';
    }
}

/* "ADDR, ADDR, ..." into a new array: every address valid, none twice, at
 * most k->max of them. */
static int parse_list(const hf_key_t *k, char *s, hf_addr_t **out, size_t *n,
                      char *msg, size_t size)
{
    char q[QUOTE_MAX];
    hf_addr_t *list = hf_xcalloc(k->max, sizeof(*list));
    const char *why;
    char *item, *next;

    *n = 0;
    for (item = s; item; item = next) {
        next = strchr(item, ',');
        if (next)
            *next++ = '\0';
        if (is_blank(item)) {
            snprintf(msg, size, "empty address in the list");
            goto fail;
        }
        if (*n == k->max) {
            snprintf(msg, size, "more than %llu addresses",
                     (unsigned long long)k->max);
            goto fail;
        }
        if (hf_parse_addr(item, k->host, &list[*n], &why) < 0) {
            while (*item == ' ' || *item == '\t')
                item++;
            snprintf(msg, size, "'%s': %s", hf_quote(item, q, sizeof(q)), why);
            goto fail;
        }
        for (size_t i = 0; i < *n; i++) {
            if (list[i].len == list[*n].len &&
                memcmp(&list[i].sa, &list[*n].sa, list[i].len) == 0) {
                snprintf(msg, size, "%s is listed twice", list[*n].text);
                goto fail;
            }
        }
        (*n)++;
    }
    *out = list;
    return 0;
fail:
    free(list);
    return -1;
}

static int set_addr_list(const hf_key_t *k, void *base, const char *value,
                         char *msg, size_t size)
{
    char *s = hf_xstrdup(value);
    hf_addr_t *list, *old;
    size_t n;
    int rc = -1;

    if (is_blank(s)) {
        snprintf(msg, size, "missing value");
        goto out;
    }
    newlines_to_commas(s);
    if (parse_list(k, s, &list, &n, msg, size) < 0)
        goto out;
    memcpy(&old, (char *)base + k->off, sizeof(old));
    free(old);
    memcpy((char *)base + k->off, &list, sizeof(list));
    memcpy((char *)base + k->off2, &n, sizeof(n));
    rc = 0;
out:
    free(s);
    return rc;
}

/* Fields holdfast writes or frames itself: naming one would let the id
 * replace them. */
static const char *const reserved_headers[] = {
    "host", "content-length", "transfer-encoding", "connection",
    "keep-alive", "proxy-connection", "te", "trailer", "upgrade", "expect",
    "x-forwarded-for", "x-request-start", NULL,
};

static int set_header(void *field, const char *value, char *msg, size_t size)
{
    char buf[HF_HEADER_NAME_MAX + 1], q[QUOTE_MAX];
    int n = hf_trim_copy(value, buf, sizeof(buf));

    if (n == -2) {
        snprintf(msg, size, "header name longer than %d bytes",
                 HF_HEADER_NAME_MAX);
        return -1;
    }
    if (n < 0) {
        snprintf(msg, size, "missing value");
        return -1;
    }
    if (strcasecmp(buf, "off") == 0) {
        memset(field, 0, HF_HEADER_NAME_MAX + 1);
        return 0;
    }
    for (int i = 0; i < n; i++) {
        /* RFC 9110 tchar */
        if (!isalnum((unsigned char)buf[i]) &&
            strchr("!#$%&'*+-.^_`|~", buf[i]) == NULL) {
            snprintf(msg, size, "'%s' is neither off nor a header name",
                     hf_quote(value, q, sizeof(q)));
            return -1;
        }
    }
    for (int i = 0; reserved_headers[i]; i++) {
        if (strcasecmp(buf, reserved_headers[i]) == 0) {
            snprintf(msg, size, "'%s' is a header holdfast writes itself",
                     buf);
            return -1;
        }
    }
    memset(field, 0, HF_HEADER_NAME_MAX + 1);
    memcpy(field, buf, (size_t)n);
    return 0;
}

/* "off", or "RANGE, RANGE, ...": at most k->max of them. */
static int set_cidr_list(const hf_key_t *k, void *base, const char *value,
                         char *msg, size_t size)
{
    char *s = hf_xstrdup(value), *item, *next, q[QUOTE_MAX], buf[8];
    hf_cidr_t *list = NULL, *old;
    size_t n = 0;
    int rc = -1;

    if (is_blank(s)) {
        snprintf(msg, size, "missing value");
        goto out;
    }
    if (!(hf_trim_copy(s, buf, sizeof(buf)) > 0 && strcasecmp(buf, "off") == 0)) {
        newlines_to_commas(s);
        list = hf_xcalloc(k->max, sizeof(*list));
        for (item = s; item; item = next) {
            next = strchr(item, ',');
            if (next)
                *next++ = '\0';
            if (n == k->max) {
                snprintf(msg, size, "more than %llu ranges",
                         (unsigned long long)k->max);
                goto out;
            }
            if (hf_parse_cidr(item, &list[n]) < 0) {
                while (*item == ' ' || *item == '\t')
                    item++;
                snprintf(msg, size, "'%s' is not an address or ADDRESS/BITS",
                         hf_quote(item, q, sizeof(q)));
                goto out;
            }
            n++;
        }
    }
    memcpy(&old, (char *)base + k->off, sizeof(old));
    free(old);
    memcpy((char *)base + k->off, &list, sizeof(list));
    memcpy((char *)base + k->off2, &n, sizeof(n));
    list = NULL;
    rc = 0;
out:
    free(list);
    free(s);
    return rc;
}

int hf_key_set(const hf_key_t *k, void *base, const char *value, char *msg,
               size_t msgsize)
{
    void *field = (char *)base + k->off;

    switch (k->kind) {
    case HF_K_DURATION:
    case HF_K_SIZE:
    case HF_K_UINT:
        return set_number(k, field, value, msg, msgsize);
    case HF_K_BOOL: {
        char q[QUOTE_MAX];
        bool b;
        if (hf_parse_bool(value, &b) == 0) {
            memcpy(field, &b, sizeof(b));
            return 0;
        }
        snprintf(msg, msgsize, "'%s' is not on/off, yes/no, true/false or 1/0",
                 hf_quote(value, q, sizeof(q)));
        return -1;
    }
    case HF_K_ENUM:
        return set_enum(k, field, value, msg, msgsize);
    case HF_K_STRING:
        return set_string(k, field, value, msg, msgsize);
    case HF_K_ADDR:
    case HF_K_OPT_ADDR:
        return set_addr(k, base, value, msg, msgsize);
    case HF_K_ADDR_LIST:
        return set_addr_list(k, base, value, msg, msgsize);
    case HF_K_HEADER:
        return set_header(field, value, msg, msgsize);
    case HF_K_CIDR_LIST:
        return set_cidr_list(k, base, value, msg, msgsize);
    }
    snprintf(msg, msgsize, "unknown kind of value");
    return -1;
}
