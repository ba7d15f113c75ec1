/* Response framing on top of http-parser; with request.c, the only file
 * that sees the parser.
 *
 * As on the request side, every byte the parser is given has first passed
 * a byte-level scanner (response_rules.c for heads, request_scan.c's chunk
 * scanner for a chunked body), the complete head is judged by
 * response_rules.c, and the first fault in byte order decides the reason. */
#include "response.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <http_parser.h>

#include "request_scan.h"
#include "response_rules.h"

enum field_phase { FIELD_NONE, FIELD_NAME, FIELD_VALUE };

struct hf_resparser {
    http_parser parser;
    bool head_request;
    enum field_phase phase;
    bool in_trailers; /* after the final head: fields are trailers */
    bool chunked;     /* the final response's body is chunked */
    unsigned interim; /* 1xx responses so far */
    hf_res_scan_t scan;     /* the head being received */
    hf_chunk_scan_t chunks; /* the chunked body's framing */
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
        return fail(res, "header_too_large");
    if (r != 0)
        return fail(res, "out_of_memory");
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
            return fail(res, "out_of_memory");
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
    hf_res_head_info_t info = {
        .status = p->status_code,
        .http_major = p->http_major,
        .http_minor = p->http_minor,
        .chunked_by_parser = (p->flags & F_CHUNKED) != 0,
        .head_request = rp->head_request,
    };
    const char *why = NULL;

    rp->phase = FIELD_NONE;
    /* The scanner ends a head where the parser does, or the two would
     * frame what follows differently. */
    if (!rp->scan.done)
        return fail(res, "bad_head");
    if (p->status_code == 101)
        return fail(res, "switching_protocols");
    if (p->status_code < 100 || p->status_code > 599)
        return fail(res, "bad_status");
    if (hf_response_check_head(&res->head, &info, &why) != 0)
        return fail(res, why);
    if (p->status_code < 200) {
        /* An interim response (100, 103): not relayed; the final one
         * follows on the same connection. It has no body whatever it
         * says (1 tells http-parser so). A backend that sends them without
         * end holds the slot: a few, then 502. */
        if (++rp->interim > HF_RESPONSE_MAX_INTERIM)
            return fail(res, "too_many_interim");
        reset_head(res);
        hf_res_scan_reset(&rp->scan);
        return 1;
    }
    res->status = p->status_code;
    res->http_major = (uint8_t)p->http_major;
    res->http_minor = (uint8_t)p->http_minor;
    if (confusable_name(&res->head))
        return fail(res, "field name mimics a framing field");
    res->head_done = true;
    rp->in_trailers = true;
    rp->chunked = info.chunked_by_parser;
    cl = hf_head_find(&res->head, "content-length");
    if (cl != NULL && !(p->flags & F_CHUNKED)) {
        if (!hf_response_parse_length(res->head.buf + cl->value_off, cl->value_len,
                          &res->content_length))
            return fail(res, "bad Content-Length");
        res->has_length = true;
    }
    res->no_body = rp->head_request || res->status == 204 ||
                   res->status == 304;
    /* RFC 9110 §6.4.1: these have no content whatever their fields say;
     * 1 tells the parser so (it would read a 304's Content-Length). */
    return res->no_body ? 1 : 0;
}

static int on_body(http_parser *p, const char *at, size_t n)
{
    hf_response_t *res = res_of(p);
    int err;

    if (res->no_body)
        return 0;
    if (res->discard) {
        res->discarded += n;
        return 0;
    }
    err = hf_body_append(&res->body, at, n);
    if (err != 0) {
        res->error = err == -ENOMEM ? "out_of_memory" : "temp_file_error";
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
    hf_res_scan_reset(&res->p->scan);
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

/* The parser's error as a reason token, for the logs. */
static const char *parse_error(enum http_errno e)
{
    switch (e) {
    case HPE_INVALID_CONTENT_LENGTH:
        return "bad_content_length";
    case HPE_UNEXPECTED_CONTENT_LENGTH:
        return "unexpected_content_length"; /* twice, or with chunked */
    case HPE_INVALID_HEADER_TOKEN:
        return "bad_header_name";
    case HPE_INVALID_CHUNK_SIZE:
        return "bad_chunk";
    case HPE_HEADER_OVERFLOW:
        return "header_too_large";
    case HPE_INVALID_EOF_STATE:
        return "cut_short";
    default:
        return http_errno_name(e);
    }
}

static int result(hf_response_t *res)
{
    enum http_errno e = HTTP_PARSER_ERRNO(&res->p->parser);

    if (e == HPE_OK || e == HPE_PAUSED)
        return HF_RES_OK;
    if (e == HPE_CB_body && res->error != NULL)
        return HF_RES_LOCAL;
    if (res->error == NULL)
        res->error = parse_error(e);
    return HF_RES_MALFORMED;
}

static int malformed(hf_response_t *res, const char *why)
{
    fail(res, why);
    return HF_RES_MALFORMED;
}

enum segment { SEG_HEAD, SEG_CHUNKED, SEG_PLAIN };

/* How many of the len bytes at data the parser may take next: the scanner
 * for that part of the message reads them first and stops at a fault,
 * which *fault then names. */
static size_t next_segment(hf_response_t *res, const char *data, size_t len,
                           const char **fault, enum segment *kind)
{
    struct hf_resparser *rp = res->p;
    hf_scan_fault_t f = {0};
    size_t k;

    if (!res->head_done) {
        *kind = SEG_HEAD;
        return hf_res_scan(&rp->scan, data, len, fault);
    }
    if (!rp->chunked) {
        *kind = SEG_PLAIN;
        return len;
    }
    *kind = SEG_CHUNKED;
    /* RFC 9112 §7.1: hex size, optional extensions, CRLF; trailers of
     * well-formed field lines, bounded like a head. */
    k = hf_chunk_scan(&rp->chunks, data, len, HF_RESPONSE_HEAD_MAX, &f);
    if (f.status != 0)
        *fault = "bad_chunk";
    return k;
}

/* After the parser took n of the seg bytes: HF_RES_OK to go on (or stop,
 * when the response is complete), or the verdict. */
static int judge_segment(hf_response_t *res, size_t n, size_t seg,
                         enum segment kind, const char *fault)
{
    struct hf_resparser *rp = res->p;
    enum http_errno e = HTTP_PARSER_ERRNO(&rp->parser);

    if (e != HPE_OK && e != HPE_PAUSED)
        return result(res);
    if (fault != NULL && n == seg)
        return malformed(res, fault);
    if (kind == SEG_HEAD && rp->scan.done && !res->head_done)
        return malformed(res, "bad_head"); /* the parser saw no end */
    /* The chunk scanner and the parser must agree on where the body
     * ends. */
    if (kind == SEG_CHUNKED &&
        (res->complete ? n != seg || !hf_chunk_scan_done(&rp->chunks)
                       : n == seg && hf_chunk_scan_done(&rp->chunks)))
        return malformed(res, "bad_chunk");
    return HF_RES_OK;
}

int hf_response_feed(hf_response_t *res, const char *data, size_t len)
{
    size_t off = 0;

    while (off < len && !res->complete) {
        const char *fault = NULL;
        enum segment kind;
        size_t seg = next_segment(res, data + off, len - off, &fault, &kind);
        /* No bytes at all would tell the parser the connection ended. */
        size_t n = seg > 0 ? http_parser_execute(&res->p->parser, &settings,
                                                 data + off, seg)
                           : 0;
        int r = judge_segment(res, n, seg, kind, fault);

        if (r != HF_RES_OK)
            return r;
        if (n == 0 && !res->complete)
            return malformed(res, "bad_head"); /* no progress */
        off += n;
    }
    return HF_RES_OK;
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
        res->error = "cut_short";
        return HF_RES_MALFORMED;
    }
    return HF_RES_OK;
}
