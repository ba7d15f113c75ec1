/* See test_request_drive.h. */
#include "test_request_drive.h"

#include <stdint.h>
#include <stdio.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "backend_request.h"
#include "head.h"

hf_request_limits_t drive_corpus_limits(void)
{
    hf_request_limits_t lim = {
        .max_header_size = DRIVE_CORPUS_MAX_HEADER,
        .max_body_size = DRIVE_CORPUS_MAX_BODY,
        .body_buffer_size = DRIVE_CORPUS_BODY_BUFFER,
    };
    return lim;
}

int drive_build(hf_exchange_t *ex, int http_minor, bool forwarded_for,
                char **out, size_t *len)
{
    hf_outbuf_t ob = {0};
    hf_body_t *b = &ex->req.body;
    uint64_t off = 0;
    char *buf;
    size_t n;

    hf_backend_request_in_t in = {
        .req = &ex->req,
        .peer = ex->peer,
        .host = ex->backend,
        .http_minor = http_minor,
        .forwarded_for = forwarded_for,
    };

    if (hf_backend_request_build(&in, &ob) != 0)
        return -1;
    buf = malloc(ob.len + b->len + 1);
    if (buf == NULL) {
        hf_outbuf_free(&ob);
        return -1;
    }
    memcpy(buf, ob.buf, ob.len);
    n = ob.len;
    hf_outbuf_free(&ob);
    while (off < b->len) {
        uv_buf_t bufs[8];
        int k = hf_body_bufs(b, off, bufs, 8);
        if (k <= 0) {
            free(buf);
            return -1;
        }
        for (int i = 0; i < k; i++) {
            memcpy(buf + n, bufs[i].base, bufs[i].len);
            n += bufs[i].len;
            off += bufs[i].len;
        }
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

static hf_exchange_t *exchange_new(const hf_request_limits_t *lim)
{
    hf_exchange_t *ex = calloc(1, sizeof(*ex));

    if (ex == NULL)
        return NULL;
    if (hf_request_init(&ex->req, lim) != 0) {
        free(ex);
        return NULL;
    }
    snprintf(ex->peer, sizeof(ex->peer), "%s", DRIVE_PEER);
    return ex;
}

static void exchange_free(hf_exchange_t *ex)
{
    if (ex == NULL)
        return;
    hf_request_free(&ex->req);
    free(ex);
}

/* The request is complete: record it and write its backend bytes. */
static int record_done(drive_result_t *res, hf_exchange_t *ex,
                       const drive_opts_t *o, bool via_continue,
                       size_t consumed, drive_done_fn fn, void *ud)
{
    drive_req_t *d = &res->req[res->n++];

    d->kind = DRIVE_ACCEPT;
    d->via_continue = via_continue;
    d->keep_alive = ex->req.keep_alive;
    d->consumed = consumed;
    if (drive_build(ex, o->http_minor, o->forwarded_for, &d->bytes,
                    &d->len) != 0)
        return -1;
    if (fn != NULL)
        fn(ud, ex, d->bytes, d->len);
    return 0;
}

int drive(const char *in, size_t len, const drive_opts_t *o,
          drive_result_t *res, drive_done_fn fn, void *ud)
{
    hf_exchange_t *ex = NULL;
    size_t avail, pos = 0, start = 0;
    bool via_continue = false;
    int rc = 0;

    memset(res, 0, sizeof(*res));
    avail = o->split == 0 || o->split > len ? len : o->split;
    for (;;) {
        enum hf_req_state before;
        size_t n;

        if (pos == avail) {
            if (avail == len)
                break;
            avail = o->step == 0 || len - avail < o->step ? len
                                                          : avail + o->step;
            continue;
        }
        if (ex == NULL) {
            ex = exchange_new(&o->lim);
            if (ex == NULL)
                return -1;
            start = pos;
            via_continue = false;
        }
        before = ex->req.state;
        n = hf_request_feed(&ex->req, in + pos, avail - pos);
        pos += n;
        switch (ex->req.state) {
        case HF_REQ_ERROR: {
            drive_req_t *d = &res->req[res->n++];
            d->kind = DRIVE_REJECT;
            d->status = ex->req.error_status;
            d->reason = ex->req.error_reason;
            d->via_continue = via_continue;
            goto out; /* the connection closes */
        }
        case HF_REQ_CONTINUE:
            via_continue = true;
            hf_request_continue(&ex->req);
            break;
        case HF_REQ_DONE:
            if (record_done(res, ex, o, via_continue, pos - start, fn, ud) !=
                0) {
                rc = -1;
                goto out;
            }
            exchange_free(ex);
            ex = NULL;
            if (res->n == DRIVE_MAX_REQS) {
                res->truncated = true;
                goto out;
            }
            break;
        case HF_REQ_HEAD:
        case HF_REQ_BODY:
            /* client.c would call hf_request_feed() again at once: a feed
             * that takes nothing and changes nothing would spin it. */
            if (n == 0 && before == ex->req.state) {
                res->stuck = true;
                goto out;
            }
            break;
        }
    }
    if (ex != NULL && pos > start) {
        drive_req_t *d = &res->req[res->n++];
        d->kind = DRIVE_INCOMPLETE;
        d->via_continue = via_continue;
    }
out:
    exchange_free(ex);
    return rc;
}

void drive_result_free(drive_result_t *res)
{
    for (int i = 0; i < res->n; i++)
        free(res->req[i].bytes);
    res->n = 0;
}

static const char *kind_name(enum drive_kind k)
{
    switch (k) {
    case DRIVE_ACCEPT:
        return "accept";
    case DRIVE_REJECT:
        return "status";
    default:
        return "incomplete";
    }
}

bool drive_result_equal(const drive_result_t *a, const drive_result_t *b,
                        char *why, size_t n)
{
    if (a->stuck != b->stuck) {
        snprintf(why, n, "stuck %d vs %d", a->stuck, b->stuck);
        return false;
    }
    if (a->n != b->n) {
        snprintf(why, n, "%d requests vs %d", a->n, b->n);
        return false;
    }
    for (int i = 0; i < a->n; i++) {
        const drive_req_t *x = &a->req[i], *y = &b->req[i];
        if (x->kind != y->kind) {
            snprintf(why, n, "request %d: %s vs %s", i + 1, kind_name(x->kind),
                     kind_name(y->kind));
            return false;
        }
        if (x->kind == DRIVE_REJECT && x->status != y->status) {
            snprintf(why, n, "request %d: status %d (%s) vs %d (%s)", i + 1,
                     x->status, x->reason, y->status, y->reason);
            return false;
        }
        if (x->via_continue != y->via_continue) {
            snprintf(why, n, "request %d: continue %d vs %d", i + 1,
                     x->via_continue, y->via_continue);
            return false;
        }
        if (x->kind != DRIVE_ACCEPT)
            continue;
        if (x->consumed != y->consumed || x->keep_alive != y->keep_alive) {
            snprintf(why, n, "request %d: consumed %zu/%zu keep-alive %d/%d",
                     i + 1, x->consumed, y->consumed, x->keep_alive,
                     y->keep_alive);
            return false;
        }
        if (x->len != y->len || memcmp(x->bytes, y->bytes, x->len) != 0) {
            snprintf(why, n, "request %d: backend bytes differ", i + 1);
            return false;
        }
    }
    return true;
}

void drive_print_escaped(FILE *f, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\r')
            fputs("\\r", f);
        else if (c == '\n')
            fputs("\\n\n", f);
        else if (c == '\t')
            fputs("\\t", f);
        else if (c == '\\')
            fputs("\\\\", f);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(f, "\\x%02x", c);
        else
            fputc(c, f);
    }
}

void drive_result_print(const char *title, const drive_result_t *r)
{
    fprintf(stderr, "--- %s:%s\n", title, r->stuck ? " (stuck)" : "");
    for (int i = 0; i < r->n; i++) {
        const drive_req_t *d = &r->req[i];
        if (i > 0)
            fputs("---\n", stderr);
        switch (d->kind) {
        case DRIVE_ACCEPT:
            fprintf(stderr, "accept%s\n", d->via_continue ? " continue" : "");
            drive_print_escaped(stderr, d->bytes, d->len);
            fputc('\n', stderr);
            break;
        case DRIVE_REJECT:
            fprintf(stderr, "status %d (%s)\n", d->status, d->reason);
            break;
        case DRIVE_INCOMPLETE:
            fputs("incomplete\n", stderr);
            break;
        }
    }
}

/* ------------------------------------------------------------ verifying */

#define FAIL(...)                                                              \
    do {                                                                       \
        snprintf(why, n, __VA_ARGS__);                                         \
        return false;                                                          \
    } while (0)

/* The body of r, copied out (malloc'd; NULL when it cannot be read). */
static char *body_bytes(hf_request_t *r)
{
    char *out = malloc(r->body.len + 1);
    uint64_t off = 0;

    while (out != NULL && off < r->body.len) {
        uv_buf_t bufs[8];
        int k = hf_body_bufs(&r->body, off, bufs, 8);
        if (k <= 0) {
            free(out);
            return NULL;
        }
        for (int i = 0; i < k; i++) {
            memcpy(out + off, bufs[i].base, bufs[i].len);
            off += bufs[i].len;
        }
    }
    return out;
}

static bool field_is(const hf_head_t *h, const hf_field_t *f,
                     const char *lower, const char *value, size_t vlen)
{
    return hf_field_name_is(h, f, lower) && f->value_len == vlen &&
           memcmp(h->buf + f->value_off, value, vlen) == 0;
}

static bool same_field(const hf_head_t *a, const hf_field_t *fa,
                       const hf_head_t *b, const hf_field_t *fb)
{
    return fa->name_len == fb->name_len && fa->value_len == fb->value_len &&
           memcmp(a->buf + fa->name_off, b->buf + fb->name_off,
                  fa->name_len) == 0 &&
           memcmp(a->buf + fa->value_off, b->buf + fb->value_off,
                  fa->value_len) == 0;
}

/* X-Forwarded-For, X_Forwarded_For, x_forwarded-FOR...: the names a
 * CGI-style backend reads as the same variable. */
static bool is_xff_name(const hf_head_t *h, const hf_field_t *f)
{
    char name[16];

    if (f->name_len != 15)
        return false;
    for (int i = 0; i < 15; i++) {
        char c = (char)tolower((unsigned char)h->buf[f->name_off + i]);
        name[i] = c == '_' ? '-' : c;
    }
    name[15] = '\0';
    return strcmp(name, "x-forwarded-for") == 0;
}

/* A field of the client's request the backend must get as it came. Host
 * is kept unless an absolute-form target replaced it, even when
 * Connection names it. */
static bool kept(const hf_request_t *r, const hf_field_t *f, bool xff)
{
    const hf_head_t *h = &r->head;

    if (hf_field_name_is(h, f, "host"))
        return r->host_len == 0;
    return !hf_field_is_hop_by_hop(h, f) &&
           !hf_field_named_by_connection(h, f) &&
           !hf_field_name_is(h, f, "content-length") &&
           !(xff && is_xff_name(h, f));
}

/* The X-Forwarded-For value to send: the client's fields as one list, then
 * the peer. malloc'd. */
static char *xff_value(const hf_request_t *r, const char *peer, size_t *len)
{
    const hf_head_t *h = &r->head;
    size_t cap = strlen(peer) + 1, k = 0;
    char *v;

    for (uint32_t i = 0; i < h->nfields; i++)
        cap += h->fields[i].value_len + 2;
    v = malloc(cap);
    if (v == NULL)
        return NULL;
    for (uint32_t i = 0; i < h->nfields; i++) {
        const hf_field_t *f = &h->fields[i];
        if (!hf_field_name_is(h, f, "x-forwarded-for") || f->value_len == 0)
            continue;
        memcpy(v + k, h->buf + f->value_off, f->value_len);
        k += f->value_len;
        memcpy(v + k, ", ", 2);
        k += 2;
    }
    memcpy(v + k, peer, strlen(peer));
    *len = k + strlen(peer);
    return v;
}

static bool compare_fields(const hf_request_t *r1, const hf_request_t *r2,
                           bool xff, const char *peer, char *why, size_t n)
{
    const hf_head_t *h1 = &r1->head, *h2 = &r2->head;
    uint32_t i2 = 0, end = h2->nfields;
    char num[24];

    /* From the end: Connection: close, Content-Length, X-Forwarded-For. */
    if (end == 0 ||
        !field_is(h2, &h2->fields[end - 1], "connection", "close", 5))
        FAIL("the last field is not Connection: close");
    end--;
    snprintf(num, sizeof(num), "%llu", (unsigned long long)r1->body.len);
    if (end > 0 &&
        hf_field_name_is(h2, &h2->fields[end - 1], "content-length")) {
        if (!field_is(h2, &h2->fields[end - 1], "content-length", num,
                      strlen(num)))
            FAIL("Content-Length is not the body length %s", num);
        end--;
    } else if (r1->body.len > 0) {
        FAIL("a body of %s bytes without Content-Length", num);
    }
    if (xff) {
        size_t vlen = 0;
        char *v = xff_value(r1, peer, &vlen);
        bool ok = v != NULL && end > 0 &&
                  field_is(h2, &h2->fields[end - 1], "x-forwarded-for", v,
                           vlen);
        free(v);
        if (!ok)
            FAIL("X-Forwarded-For is not the merged list and the peer");
        end--;
    }
    /* From the start: Host from an absolute-form target, or the one
     * holdfast adds for an HTTP/1.1 backend when the client sent none. */
    if (r1->host_len > 0) {
        if (end == 0 || !field_is(h2, &h2->fields[0], "host",
                                  h1->buf + r1->host_off, r1->host_len))
            FAIL("Host is not the absolute-form authority");
        i2 = 1;
    } else if (r2->http_minor == 1 && hf_head_find(h1, "host") == NULL) {
        if (end == 0 || !hf_field_name_is(h2, &h2->fields[0], "host"))
            FAIL("no Host for an HTTP/1.1 backend");
        i2 = 1;
    }
    for (uint32_t i1 = 0; i1 < h1->nfields; i1++) {
        const hf_field_t *f = &h1->fields[i1];
        if (!kept(r1, f, xff))
            continue;
        if (i2 == end || !same_field(h1, f, h2, &h2->fields[i2]))
            FAIL("field %u (%.*s) not forwarded as it came", i1 + 1,
                 (int)f->name_len, h1->buf + f->name_off);
        i2++;
    }
    if (i2 != end)
        FAIL("%u fields forwarded that the client did not send", end - i2);
    return true;
}

/* Parses bytes as one complete request into r2, initialised here. */
static bool parse_backend(hf_request_t *r2, const char *bytes, size_t len,
                          char *why, size_t n)
{
    hf_request_limits_t lim = {
        .max_header_size = len + 1,
        .max_body_size = UINT64_MAX,
        .body_buffer_size = 64 * 1024,
    };
    size_t used = 0;

    if (hf_request_init(r2, &lim) != 0)
        abort(); /* out of memory: nothing sensible to report */
    while (used < len && r2->state != HF_REQ_DONE &&
           r2->state != HF_REQ_ERROR) {
        size_t k = hf_request_feed(r2, bytes + used, len - used);
        if (r2->state == HF_REQ_CONTINUE)
            FAIL("it asks for 100-continue");
        if (k == 0 && r2->state != HF_REQ_DONE && r2->state != HF_REQ_ERROR)
            FAIL("no progress parsing it");
        used += k;
    }
    if (r2->state != HF_REQ_DONE)
        FAIL("it does not parse: state %d, status %d (%s)", r2->state,
             r2->error_status, r2->error_reason ? r2->error_reason : "");
    if (used != len)
        FAIL("%zu bytes after it", len - used);
    return true;
}

static bool verify_parsed(hf_request_t *r1, hf_request_t *r2, int minor,
                          bool xff, const char *peer, char *why, size_t n)
{
    char *b1, *b2;
    bool same;

    if (strcmp(r1->method, r2->method) != 0)
        FAIL("method %s became %s", r1->method, r2->method);
    if (r2->http_major != 1 || r2->http_minor != minor)
        FAIL("version 1.%d, want 1.%d", r2->http_minor, minor);
    if (r2->target_len != r1->path_len ||
        memcmp(r2->head.buf + r2->target_off, r1->head.buf + r1->path_off,
               r1->path_len) != 0)
        FAIL("the target is not the origin-form path");
    if (r2->host_len != 0 || r2->chunked)
        FAIL("it is absolute-form or chunked");
    if (!compare_fields(r1, r2, xff, peer, why, n))
        return false;
    if (r2->body.len != r1->body.len)
        FAIL("a body of %llu bytes became %llu",
             (unsigned long long)r1->body.len,
             (unsigned long long)r2->body.len);
    b1 = body_bytes(r1);
    b2 = body_bytes(r2);
    same = b1 != NULL && b2 != NULL &&
           memcmp(b1, b2, (size_t)r1->body.len) == 0;
    free(b1);
    free(b2);
    if (!same)
        FAIL("the body changed");
    return true;
}

bool drive_verify(hf_exchange_t *ex, int minor, bool xff, char *why,
                  size_t n)
{
    hf_request_t r2;
    char *bytes;
    size_t len;
    bool ok;

    if (drive_build(ex, minor, xff, &bytes, &len) != 0)
        FAIL("cannot write the backend request");
    ok = parse_backend(&r2, bytes, len, why, n) &&
         verify_parsed(&ex->req, &r2, minor, xff, ex->peer, why, n);
    hf_request_free(&r2);
    free(bytes);
    return ok;
}
