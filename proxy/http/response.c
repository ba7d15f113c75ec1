/* Response framing on top of http-parser; with request.c, the only file
 * that sees the parser. */
#include "response.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <http_parser.h>

enum field_phase { FIELD_NONE, FIELD_NAME, FIELD_VALUE };

struct hf_resparser {
    http_parser parser;
    bool head_request;
    enum field_phase phase;
    bool in_trailers; /* after the final head: fields are trailers */
};

static hf_response_t *res_of(http_parser *p) { return p->data; }

static int fail(hf_response_t *res, const char *why)
{
    if (res->error == NULL)
        res->error = why;
    return -1;
}

static int append(hf_response_t *res, const char *at, size_t n)
{
    int r = hf_head_append(&res->head, at, n);
    if (r == -1)
        return fail(res, "response head too large");
    if (r != 0)
        return fail(res, "out of memory");
    return 0;
}

static int on_status(http_parser *p, const char *at, size_t n)
{
    hf_response_t *res = res_of(p);

    if (res->reason_len == 0)
        res->reason_off = res->head.len;
    if (append(res, at, n) != 0)
        return -1;
    res->reason_len += (uint32_t)n;
    return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t n)
{
    hf_response_t *res = res_of(p);
    struct hf_resparser *rp = res->p;

    if (rp->in_trailers)
        return 0; /* trailers of a chunked body are dropped */
    if (rp->phase != FIELD_NAME) {
        if (hf_head_new_field(&res->head) != 0)
            return fail(res, "out of memory");
        rp->phase = FIELD_NAME;
    }
    if (append(res, at, n) != 0)
        return -1;
    res->head.fields[res->head.nfields - 1].name_len += (uint32_t)n;
    return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t n)
{
    hf_response_t *res = res_of(p);
    struct hf_resparser *rp = res->p;
    hf_field_t *f;

    if (rp->in_trailers || res->head.nfields == 0)
        return 0;
    f = &res->head.fields[res->head.nfields - 1];
    if (rp->phase != FIELD_VALUE) {
        f->value_off = res->head.len;
        f->value_len = 0;
        rp->phase = FIELD_VALUE;
    }
    if (append(res, at, n) != 0)
        return -1;
    f->value_len += (uint32_t)n;
    return 0;
}

static bool parse_length(const char *v, size_t n, uint64_t *out)
{
    uint64_t x = 0;

    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    if (n == 0 || n > 19)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    *out = x;
    return true;
}

/* A name that only begins with Transfer-Encoding or Content-Length: as
 * for requests (request_rules.c), http-parser 2.9 takes the first for
 * Transfer-Encoding, so the framing holdfast chose and the one a client
 * built on it would read from the relayed head could differ. */
static bool confusable_name(const hf_head_t *h)
{
    for (uint32_t i = 0; i < h->nfields; i++) {
        const char *n = h->buf + h->fields[i].name_off;
        uint32_t len = h->fields[i].name_len;
        if ((len > 17 && strncasecmp(n, "transfer-encoding", 17) == 0) ||
            (len > 14 && strncasecmp(n, "content-length", 14) == 0))
            return true;
    }
    return false;
}

static void reset_head(hf_response_t *res)
{
    uint32_t limit = res->head.limit;

    hf_head_free(&res->head);
    hf_head_init(&res->head, limit);
    res->reason_off = res->reason_len = 0;
    res->p->phase = FIELD_NONE;
}

static int on_headers_complete(http_parser *p)
{
    hf_response_t *res = res_of(p);
    struct hf_resparser *rp = res->p;
    const hf_field_t *cl;

    rp->phase = FIELD_NONE;
    if (p->status_code == 101)
        return fail(res, "backend switched protocols");
    if (p->status_code < 100 || p->status_code > 999)
        return fail(res, "bad status code");
    if (p->status_code < 200) {
        /* An interim response (100, 103): not relayed; the final one
         * follows on the same connection. It has no body whatever it
         * says (1 tells http-parser so). */
        reset_head(res);
        return 1;
    }
    res->status = p->status_code;
    res->http_major = (uint8_t)p->http_major;
    res->http_minor = (uint8_t)p->http_minor;
    if (confusable_name(&res->head))
        return fail(res, "field name mimics a framing field");
    res->head_done = true;
    rp->in_trailers = true;
    cl = hf_head_find(&res->head, "content-length");
    if (cl != NULL && !(p->flags & F_CHUNKED)) {
        if (!parse_length(res->head.buf + cl->value_off, cl->value_len,
                          &res->content_length))
            return fail(res, "bad Content-Length");
        res->has_length = true;
    }
    res->no_body = rp->head_request || res->status == 204 ||
                   res->status == 304;
    /* http-parser would read Content-Length bytes after a 204 or 304 as
     * its body, eating the next response or waiting for bytes that never
     * come (a 304 carries the length of the representation it validates). */
    return res->no_body ? 1 : 0;
}

static int on_body(http_parser *p, const char *at, size_t n)
{
    hf_response_t *res = res_of(p);
    int err;

    if (res->no_body || res->discard)
        return 0;
    err = hf_body_append(&res->body, at, n);
    if (err != 0) {
        res->error = err == -ENOMEM ? "out of memory" : "temp file failed";
        return -2;
    }
    return 0;
}

static int on_message_complete(http_parser *p)
{
    hf_response_t *res = res_of(p);

    if (!res->head_done)
        return 0; /* the end of an interim response */
    /* Asked here, not with the head: only now does the parser know that a
     * HEAD response has no body, rather than one that ends at the close. */
    res->closes = !http_should_keep_alive(p);
    res->complete = true;
    http_parser_pause(p, 1);
    return 0;
}

static const http_parser_settings settings = {
    .on_status = on_status,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

int hf_response_init(hf_response_t *res, bool head_request,
                     uint64_t body_buffer_size)
{
    memset(res, 0, sizeof(*res));
    res->p = calloc(1, sizeof(*res->p));
    if (res->p == NULL)
        return -ENOMEM;
    http_parser_init(&res->p->parser, HTTP_RESPONSE);
    res->p->parser.data = res;
    res->p->head_request = head_request;
    hf_head_init(&res->head, HF_RESPONSE_HEAD_MAX);
    hf_body_init(&res->body, body_buffer_size);
    return 0;
}

void hf_response_free(hf_response_t *res)
{
    hf_head_free(&res->head);
    hf_body_free(&res->body);
    free(res->p);
    res->p = NULL;
}

static int result(hf_response_t *res)
{
    enum http_errno e = HTTP_PARSER_ERRNO(&res->p->parser);

    if (e == HPE_OK || e == HPE_PAUSED)
        return HF_RES_OK;
    if (e == HPE_CB_body && res->error != NULL)
        return HF_RES_LOCAL;
    if (res->error == NULL)
        res->error = http_errno_description(e);
    return HF_RES_MALFORMED;
}

int hf_response_feed(hf_response_t *res, const char *data, size_t len)
{
    if (res->complete)
        return HF_RES_OK;
    http_parser_execute(&res->p->parser, &settings, data, len);
    return result(res);
}

int hf_response_eof(hf_response_t *res)
{
    int r;

    if (res->complete)
        return HF_RES_OK;
    http_parser_execute(&res->p->parser, &settings, NULL, 0);
    r = result(res);
    if (r != HF_RES_OK)
        return r;
    if (!res->complete) {
        res->error = "backend closed before the response was complete";
        return HF_RES_MALFORMED;
    }
    return HF_RES_OK;
}
