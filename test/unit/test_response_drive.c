/* See test_response_drive.h. */
#include "test_response_drive.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exchange.h"
#include "head.h"
#include "response.h"
#include "status.h"

static int copy_head(rdrive_result_t *r, const hf_response_t *res)
{
    const hf_head_t *h = &res->head;

    r->arena_len = h->len;
    r->arena = malloc(h->len + 1);
    r->fields = calloc(h->nfields + 1, sizeof(*r->fields));
    if (r->arena == NULL || r->fields == NULL)
        return -1;
    if (h->len > 0)
        memcpy(r->arena, h->buf, h->len);
    r->reason_off = res->reason_off;
    r->reason_len = res->reason_len;
    r->nfields = h->nfields;
    for (uint32_t i = 0; i < h->nfields; i++) {
        const hf_field_t *f = &h->fields[i];
        rdrive_field_t *d = &r->fields[i];
        d->name_off = f->name_off;
        d->name_len = f->name_len;
        d->value_off = f->value_off;
        d->value_len = f->value_len;
        /* The same test as client_write.c's build_head(). */
        d->kept = !hf_field_is_hop_by_hop(h, f) &&
                  !hf_field_name_is(h, f, "content-length") &&
                  !hf_field_named_by_connection(h, f);
        r->nkept += d->kept;
    }
    return 0;
}

/* Reads the body back as client_write.c does, spill file included. */
static int copy_body(rdrive_result_t *r, hf_response_t *res)
{
    hf_body_t *b = &res->body;
    uint64_t off = 0;

    r->body = malloc((size_t)b->len + 1);
    if (r->body == NULL)
        return -1;
    while (off < b->len) {
        uv_buf_t bufs[8];
        int k = hf_body_bufs(b, off, bufs, 8);
        if (k <= 0)
            return -1;
        for (int i = 0; i < k; i++) {
            memcpy(r->body + off, bufs[i].base, bufs[i].len);
            off += bufs[i].len;
        }
    }
    r->body_len = (size_t)b->len;
    return 0;
}

static int record(rdrive_result_t *r, hf_response_t *res, int code)
{
    r->code = code;
    r->head_done = res->head_done;
    r->complete = res->complete;
    r->has_length = res->has_length;
    r->no_body = res->no_body;
    r->closes = res->closes;
    r->status = res->status;
    r->http_major = res->http_major;
    r->http_minor = res->http_minor;
    r->content_length = res->content_length;
    r->error = code == HF_RES_OK ? NULL : res->error;
    if (copy_head(r, res) != 0)
        return -1;
    return copy_body(r, res);
}

int rdrive(const char *in, size_t len, const rdrive_opts_t *o,
           rdrive_result_t *r)
{
    hf_response_t res;
    size_t pos = 0, avail;
    int code = HF_RES_OK, rc;

    memset(r, 0, sizeof(*r));
    if (hf_response_init(&res, o->head_request, o->body_buffer_size) != 0)
        return -1;
    avail = o->split == 0 || o->split > len ? len : o->split;
    while (pos < len) {
        code = hf_response_feed(&res, in + pos, avail - pos);
        pos = avail;
        if (code != HF_RES_OK || res.complete)
            break;
        avail = o->step == 0 || len - avail < o->step ? len : avail + o->step;
    }
    if (code == HF_RES_OK && !res.complete) {
        r->at_eof = true;
        code = hf_response_eof(&res);
    }
    rc = record(r, &res, code);
    hf_response_free(&res);
    return rc;
}

void rdrive_result_free(rdrive_result_t *r)
{
    free(r->arena);
    free(r->fields);
    free(r->body);
    memset(r, 0, sizeof(*r));
}

static bool same_bytes(const char *a, size_t an, const char *b, size_t bn)
{
    return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

static bool same_field(const rdrive_result_t *a, const rdrive_field_t *fa,
                       const rdrive_result_t *b, const rdrive_field_t *fb)
{
    return same_bytes(a->arena + fa->name_off, fa->name_len,
                      b->arena + fb->name_off, fb->name_len) &&
           same_bytes(a->arena + fa->value_off, fa->value_len,
                      b->arena + fb->value_off, fb->value_len);
}

#define DIFF(what)                                                             \
    do {                                                                       \
        snprintf(why, n, "%s differs", what);                                  \
        return false;                                                          \
    } while (0)

bool rdrive_result_equal(const rdrive_result_t *a, const rdrive_result_t *b,
                         char *why, size_t n)
{
    if (a->code != b->code)
        DIFF("verdict");
    if (a->code != HF_RES_OK)
        return true; /* a failed response is never relayed */
    if (a->at_eof != b->at_eof)
        DIFF("needing the close");
    if (a->head_done != b->head_done || a->complete != b->complete)
        DIFF("state");
    if (a->status != b->status || a->http_major != b->http_major ||
        a->http_minor != b->http_minor)
        DIFF("status line");
    if (!same_bytes(a->arena + a->reason_off, a->reason_len,
                    b->arena + b->reason_off, b->reason_len))
        DIFF("reason");
    if (a->has_length != b->has_length ||
        a->content_length != b->content_length || a->no_body != b->no_body ||
        a->closes != b->closes)
        DIFF("framing");
    if (a->nfields != b->nfields)
        DIFF("number of fields");
    for (uint32_t i = 0; i < a->nfields; i++)
        if (!same_field(a, &a->fields[i], b, &b->fields[i]) ||
            a->fields[i].kept != b->fields[i].kept)
            DIFF("a field");
    if (!same_bytes(a->body, a->body_len, b->body, b->body_len))
        DIFF("body");
    return true;
}

static void print_escaped(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\r')
            fputs("\\r", stderr);
        else if (c == '\n')
            fputs("\\n", stderr);
        else if (c == '\\')
            fputs("\\\\", stderr);
        else if (c < 0x20 || c >= 0x7F)
            fprintf(stderr, "\\x%02x", c);
        else
            fputc(c, stderr);
    }
}

void rdrive_result_print(const char *title, const rdrive_result_t *r)
{
    fprintf(stderr, "  %s: code %d%s%s%s error %s\n", title, r->code,
            r->at_eof ? " at-eof" : "", r->head_done ? " head" : "",
            r->complete ? " complete" : "", r->error ? r->error : "-");
    if (r->code != HF_RES_OK)
        return;
    fprintf(stderr, "    %d HTTP/%u.%u reason '", r->status, r->http_major,
            r->http_minor);
    print_escaped(r->arena + r->reason_off, r->reason_len);
    fprintf(stderr, "' length %s%llu%s%s\n", r->has_length ? "" : "none ",
            (unsigned long long)r->content_length,
            r->no_body ? " no-body" : "", r->closes ? " closes" : "");
    for (uint32_t i = 0; i < r->nfields; i++) {
        const rdrive_field_t *f = &r->fields[i];
        fputs(f->kept ? "    field '" : "    dropped '", stderr);
        print_escaped(r->arena + f->name_off, f->name_len);
        fputs("' = '", stderr);
        print_escaped(r->arena + f->value_off, f->value_len);
        fputs("'\n", stderr);
    }
    fprintf(stderr, "    body %zu '", r->body_len);
    print_escaped(r->body, r->body_len < 200 ? r->body_len : 200);
    fputs("'\n", stderr);
}

typedef struct outbuf {
    char *p;
    size_t len, cap;
    bool failed;
} outbuf_t;

static void put(outbuf_t *o, const char *p, size_t n)
{
    if (o->failed)
        return;
    if (o->len + n + 1 > o->cap) {
        size_t cap = (o->len + n + 1) * 2;
        char *q = realloc(o->p, cap);
        if (q == NULL) {
            o->failed = true;
            return;
        }
        o->p = q;
        o->cap = cap;
    }
    if (n > 0)
        memcpy(o->p + o->len, p, n);
    o->len += n;
}

static void put_number(outbuf_t *o, unsigned long long v, bool hex)
{
    char tmp[32];
    int k = snprintf(tmp, sizeof(tmp), hex ? "%llx" : "%llu", v);

    put(o, tmp, (size_t)k);
}

static void put_reason(outbuf_t *o, const rdrive_result_t *r)
{
    const char *text = hf_status_text(r->status);

    if (r->reason_len > 0)
        put(o, r->arena + r->reason_off, r->reason_len);
    else
        put(o, text, strlen(text));
}

static void put_length(outbuf_t *o, uint64_t n)
{
    put(o, "Content-Length: ", 16);
    put_number(o, (unsigned long long)n, false);
    put(o, "\r\n", 2);
}

int rdrive_reemit(const rdrive_result_t *r, size_t chunk, char **out,
                  size_t *len)
{
    outbuf_t o = {0};
    bool chunked = chunk > 0 && !r->no_body;

    put(&o, "HTTP/1.1 ", 9);
    put_number(&o, (unsigned long long)r->status, false);
    put(&o, " ", 1);
    put_reason(&o, r);
    put(&o, "\r\n", 2);
    for (uint32_t i = 0; i < r->nfields; i++) {
        const rdrive_field_t *f = &r->fields[i];
        if (!f->kept)
            continue;
        put(&o, r->arena + f->name_off, f->name_len);
        put(&o, ": ", 2);
        put(&o, r->arena + f->value_off, f->value_len);
        put(&o, "\r\n", 2);
    }
    if (r->no_body) {
        if (r->has_length && r->status != 204)
            put_length(&o, r->content_length);
    } else if (chunked) {
        put(&o, "Transfer-Encoding: chunked\r\n", 28);
    } else {
        put_length(&o, r->body_len);
    }
    put(&o, "Connection: close\r\n\r\n", 21);
    if (chunked) {
        for (size_t off = 0; off < r->body_len; off += chunk) {
            size_t k = r->body_len - off < chunk ? r->body_len - off : chunk;
            put_number(&o, (unsigned long long)k, true);
            put(&o, "\r\n", 2);
            put(&o, r->body + off, k);
            put(&o, "\r\n", 2);
        }
        put(&o, "0\r\n\r\n", 5);
    } else if (!r->no_body) {
        put(&o, r->body, r->body_len);
    }
    if (o.failed) {
        free(o.p);
        return -1;
    }
    *out = o.p;
    *len = o.len;
    return 0;
}

#define WHY(...)                                                               \
    do {                                                                       \
        snprintf(why, n, __VA_ARGS__);                                         \
        goto out;                                                              \
    } while (0)

bool rdrive_verify(const rdrive_result_t *r, const rdrive_opts_t *o,
                   size_t chunk, char *why, size_t n)
{
    rdrive_opts_t ro = {.head_request = o->head_request,
                        .body_buffer_size = o->body_buffer_size};
    rdrive_result_t p;
    char *bytes = NULL;
    size_t len, framing;
    const char *text = hf_status_text(r->status);
    bool ok = false;

    if (rdrive_reemit(r, chunk, &bytes, &len) != 0) {
        snprintf(why, n, "out of memory");
        return false;
    }
    if (rdrive(bytes, len, &ro, &p) != 0) {
        free(bytes);
        snprintf(why, n, "driver failed");
        return false;
    }
    if (p.code != HF_RES_OK)
        WHY("does not parse: %s", p.error ? p.error : "?");
    if (p.at_eof || !p.complete)
        WHY("not complete without the close");
    if (p.status != r->status || p.http_major != 1 || p.http_minor != 1)
        WHY("status line %d HTTP/%u.%u", p.status, p.http_major,
            p.http_minor);
    if (r->reason_len > 0
            ? !same_bytes(p.arena + p.reason_off, p.reason_len,
                          r->arena + r->reason_off, r->reason_len)
            : !same_bytes(p.arena + p.reason_off, p.reason_len, text,
                          strlen(text)))
        WHY("reason");
    framing = (r->no_body && !(r->has_length && r->status != 204)) ? 1 : 2;
    if (p.nfields != r->nkept + framing)
        WHY("%u fields, want %u kept and %zu of holdfast's", p.nfields,
            r->nkept, framing);
    for (uint32_t i = 0, k = 0; i < r->nfields; i++) {
        if (!r->fields[i].kept)
            continue;
        if (!same_field(r, &r->fields[i], &p, &p.fields[k]))
            WHY("field %u of the kept ones", k);
        k++;
    }
    if (p.no_body != r->no_body)
        WHY("body or not");
    if (!same_bytes(p.body, p.body_len, r->body, r->body_len))
        WHY("body (%zu bytes, want %zu)", p.body_len, r->body_len);
    ok = true;
out:
    free(bytes);
    rdrive_result_free(&p);
    return ok;
}
