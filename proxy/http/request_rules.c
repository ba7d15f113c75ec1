/* The rules a request head must pass before anything of it is forwarded,
 * in one place, each with the section of RFC 9112 (HTTP/1.1 messages) or
 * RFC 9110 (HTTP semantics) it enforces. The byte-level rules (request-line
 * syntax, bare CR, obs-fold, NUL and other controls, the version, chunked
 * framing and trailers) are checked as the bytes arrive, in
 * request_scan.c; http-parser itself rejects non-token header names
 * (RFC 9110 §5.1) and unparseable Content-Length values.
 *
 * The stance is the one RFC 9112 §11.2 asks of an intermediary against
 * request smuggling: when the framing is in any doubt, reject the request
 * and close the connection, never guess. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "request.h"

struct head_facts {
    unsigned n_content_length;
    unsigned n_transfer_encoding;
    unsigned n_host;
    const hf_field_t *host;
    const hf_field_t *expect;
    bool expect_other;   /* an expectation other than 100-continue */
    bool conn_close;
    bool conn_keep_alive;
    uint64_t content_length;
};

static bool is_ows(char c) { return c == ' ' || c == '\t'; }

/* RFC 9110 §8.6: Content-Length = 1*DIGIT. No sign, no spaces inside, no
 * list: "5, 5" is refused rather than collapsed. */
static int parse_content_length(const char *v, size_t n, uint64_t *out)
{
    uint64_t x = 0;

    if (n == 0 || n > 19)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -1;
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    *out = x;
    return 0;
}

/* RFC 9112 §3.2 and RFC 3986 §3.2.2: Host = uri-host [ ":" port ]. An
 * empty value is allowed, an empty uri-host before a port (":80") is not:
 * another hop may read it as some default host. */
static bool host_value_ok(const char *v, size_t n)
{
    if (n > 0 && v[0] == ':')
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || strchr("-._~!$&'()*+,;=:[]%", c)))
            return false;
    }
    return true;
}

struct te_scan {
    unsigned count;
    bool chunked_seen;  /* chunked appeared before the current element */
    bool chunked_last;  /* the last element so far is chunked */
    bool unknown;       /* a coding other than chunked */
    bool malformed;
};

/* Any element of an Expect value but 100-continue (an empty one too). */
static int other_expectation(void *ud, const char *tok, size_t len)
{
    (void)ud;
    return !(len == 12 && strncasecmp(tok, "100-continue", 12) == 0);
}

static int scan_te(void *ud, const char *tok, size_t len)
{
    struct te_scan *t = ud;

    t->count++;
    if (len == 0) {
        t->malformed = true;
        return 0;
    }
    if (len == 7 && strncasecmp(tok, "chunked", 7) == 0) {
        if (t->chunked_seen)
            t->malformed = true; /* RFC 9112 §7: chunked only once */
        t->chunked_seen = true;
        t->chunked_last = true;
        return 0;
    }
    t->chunked_last = false;
    t->unknown = true;
    return 0;
}

/* A name that only begins with Transfer-Encoding or Content-Length
 * ("Transfer-Encoding-X") is no field a client needs, and http-parser 2.9
 * (ours, and backends built on it) takes the first for Transfer-Encoding,
 * so two parsers could frame the request differently (RFC 9112 §11.2). */
static bool confusable_name(const char *n, size_t len)
{
    return (len > 17 && strncasecmp(n, "transfer-encoding", 17) == 0) ||
           (len > 14 && strncasecmp(n, "content-length", 14) == 0);
}

/* Trims trailing white space the parser left in values (RFC 9110 §5.5). */
static void trim_values(hf_head_t *h)
{
    for (uint32_t i = 0; i < h->nfields; i++) {
        hf_field_t *f = &h->fields[i];
        while (f->value_len > 0 &&
               is_ows(h->buf[f->value_off + f->value_len - 1]))
            f->value_len--;
    }
}

static int gather(hf_request_t *r, struct head_facts *hf, struct te_scan *te,
                  const char **reason)
{
    hf_head_t *h = &r->head;

    for (uint32_t i = 0; i < h->nfields; i++) {
        const hf_field_t *f = &h->fields[i];
        const char *v = h->buf + f->value_off;

        /* RFC 9110 §5.1: a field name is a token. */
        if (f->name_len == 0) {
            *reason = "bad_header_name";
            return 400;
        }
        for (uint32_t k = 0; k < f->name_len; k++) {
            if (!hf_is_tchar((unsigned char)h->buf[f->name_off + k])) {
                *reason = "bad_header_name";
                return 400;
            }
        }
        if (confusable_name(h->buf + f->name_off, f->name_len)) {
            *reason = "confusable_header_name";
            return 400;
        }
        if (hf_field_name_is(h, f, "content-length")) {
            uint64_t cl;
            /* RFC 9112 §6.3 item 5: invalid or differing lengths are
             * unrecoverable framing errors. */
            if (parse_content_length(v, f->value_len, &cl) != 0) {
                *reason = "bad_content_length";
                return 400;
            }
            if (hf->n_content_length > 0 && cl != hf->content_length) {
                *reason = "differing_content_length";
                return 400;
            }
            hf->content_length = cl;
            hf->n_content_length++;
        } else if (hf_field_name_is(h, f, "transfer-encoding")) {
            hf->n_transfer_encoding++;
            hf_value_tokens(v, f->value_len, scan_te, te);
        } else if (hf_field_name_is(h, f, "host")) {
            hf->n_host++;
            hf->host = f;
        } else if (hf_field_name_is(h, f, "expect")) {
            hf->expect = f;
            if (hf_value_tokens(v, f->value_len, other_expectation, NULL))
                hf->expect_other = true;
        } else if (hf_field_name_is(h, f, "connection")) {
            if (hf_value_has_token(v, f->value_len, "close"))
                hf->conn_close = true;
            if (hf_value_has_token(v, f->value_len, "keep-alive"))
                hf->conn_keep_alive = true;
        }
    }
    return 0;
}

static int check_framing(hf_request_t *r, const struct head_facts *hf,
                         const struct te_scan *te, bool chunked_by_parser,
                         const hf_request_limits_t *lim, const char **reason)
{
    if (hf->n_transfer_encoding > 0) {
        /* RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message means
         * the framing is faulty. */
        if (r->http_minor == 0) {
            *reason = "te_in_http10";
            return 400;
        }
        /* RFC 9112 §6.3 item 3: both present is a smuggling attempt. */
        if (hf->n_content_length > 0) {
            *reason = "content_length_and_te";
            return 400;
        }
        /* RFC 9112 §6.3 item 4: chunked must be the final coding. */
        if (te->malformed || (te->chunked_seen && !te->chunked_last)) {
            *reason = "bad_transfer_encoding";
            return 400;
        }
        /* RFC 9112 §6.1: a coding the server does not understand: 501. */
        if (te->unknown) {
            *reason = "unknown_transfer_encoding";
            return 501;
        }
        /* The parser must agree that the body is chunked, or the two
         * would frame it differently. */
        if (!chunked_by_parser) {
            *reason = "bad_transfer_encoding";
            return 400;
        }
        r->chunked = true;
        r->framed = true;
        return 0;
    }
    if (hf->n_content_length > 0) {
        /* RFC 9110 §15.5.14: refuse before reading a body too large. */
        if (hf->content_length > lim->max_body_size) {
            *reason = "body_too_large";
            return 413;
        }
        r->content_length = hf->content_length;
        r->framed = true;
    }
    return 0;
}

/* RFC 9112 §3.2: origin-form, absolute-form (whose authority replaces
 * Host, §3.2.2) and asterisk-form for OPTIONS. Authority-form is CONNECT's,
 * refused before this. The path sent on is path?query, fragment dropped. */
static int check_target(hf_request_t *r, const char **reason)
{
    hf_head_t *h = &r->head;
    const char *t = h->buf + r->target_off;
    uint32_t n = r->target_len, i;

    if (n == 1 && t[0] == '*' && strcmp(r->method, "OPTIONS") == 0) {
        r->path_off = r->target_off;
        r->path_len = 1;
        return 0;
    }
    if (n > 0 && t[0] == '/') {
        r->path_off = r->target_off;
        for (i = 0; i < n && t[i] != '#'; i++)
            ;
        r->path_len = i;
        return 0;
    }
    if (n > 7 && (strncasecmp(t, "http://", 7) == 0 ||
                  (n > 8 && strncasecmp(t, "https://", 8) == 0))) {
        uint32_t a = t[4] == ':' ? 7 : 8, e;
        for (e = a; e < n && t[e] != '/' && t[e] != '?' && t[e] != '#'; e++)
            ;
        if (e == a || !host_value_ok(t + a, e - a) ||
            memchr(t + a, '@', e - a) != NULL) {
            *reason = "bad_target";
            return 400;
        }
        r->host_off = r->target_off + a;
        r->host_len = e - a;
        for (i = e; i < n && t[i] != '#'; i++)
            ;
        if (i == e && strcmp(r->method, "OPTIONS") == 0) {
            /* RFC 9112 §3.2.4: "OPTIONS http://h" asks about the server
             * as a whole; the last proxy sends it on as "OPTIONS *". */
            uint32_t off = h->len;
            if (hf_head_append(h, "*", 1) != 0) {
                *reason = "header_too_large";
                return 431;
            }
            r->path_off = off;
            r->path_len = 1;
        } else if (i == e || t[e] != '/') {
            /* "http://h" or "http://h?q": the path is "/" (RFC 9112
             * §3.2.1), so the query needs one in front of it. */
            uint32_t off = h->len;
            if (hf_head_append(h, "/", 1) != 0 ||
                hf_head_append_from(h, r->target_off + e, i - e) != 0) {
                *reason = "header_too_large";
                return 431;
            }
            r->path_off = off;
            r->path_len = 1 + (i - e);
        } else {
            r->path_off = r->target_off + e;
            r->path_len = i - e;
        }
        return 0;
    }
    *reason = "bad_target";
    return 400;
}

int hf_request_check_head(hf_request_t *r, bool chunked_by_parser,
                          const hf_request_limits_t *lim, const char **reason)
{
    struct head_facts hf = {0};
    struct te_scan te = {0};
    int status;

    /* RFC 9112 §2.3: holdfast speaks HTTP/1.0 and HTTP/1.1. */
    if (r->http_major != 1 || r->http_minor > 1) {
        *reason = "http_version";
        return 505;
    }
    trim_values(&r->head);
    status = gather(r, &hf, &te, reason);
    if (status != 0)
        return status;
    status = check_framing(r, &hf, &te, chunked_by_parser, lim, reason);
    if (status != 0)
        return status;
    /* RFC 9112 §3.2: exactly one Host in HTTP/1.1, at most one in 1.0. */
    if (hf.n_host > 1) {
        *reason = "duplicate_host";
        return 400;
    }
    if (hf.n_host == 0 && r->http_minor == 1) {
        *reason = "missing_host";
        return 400;
    }
    if (hf.host != NULL && !host_value_ok(r->head.buf + hf.host->value_off,
                                          hf.host->value_len)) {
        *reason = "bad_host";
        return 400;
    }
    status = check_target(r, reason);
    if (status != 0)
        return status;
    /* RFC 9110 §10.1.1: 100-continue is the only expectation; an HTTP/1.0
     * client's Expect is ignored. */
    if (hf.expect != NULL && r->http_minor == 1) {
        if (hf.expect_other) {
            *reason = "expectation_failed";
            return 417;
        }
        r->expect_continue = r->chunked || r->content_length > 0;
    }
    /* RFC 9112 §9.3: persistence is the default in 1.1, opt-in in 1.0. */
    if (r->http_minor == 1)
        r->keep_alive = !hf.conn_close;
    else
        r->keep_alive = hf.conn_keep_alive && !hf.conn_close;
    return 0;
}
