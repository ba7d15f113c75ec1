/* Request framing on top of http-parser. One of the two files that see the
 * parser: it copies what the callbacks deliver into the request's arena,
 * because the parser's pointers die with the callback.
 *
 * http-parser is lenient where RFC 9112 is not, so every byte it is given
 * has also passed the byte-level scanners of request_scan.c (head, chunked
 * framing), the complete head is judged by request_rules.c, and the first
 * fault in byte order, the parser's or a scanner's, decides the answer. */
#include "request.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <http_parser.h>

#include "request_scan.h"

enum field_phase { FIELD_NONE, FIELD_NAME, FIELD_VALUE };

struct hf_reqparser {
    http_parser parser;
    hf_request_limits_t lim;
    enum field_phase phase;
    bool head_done;       /* on_headers_complete has run */
    bool method_unknown;  /* the parser refused the method: the verdict
                             waits for the request line to complete */
    uint64_t parsed;      /* bytes the parser consumed so far */
    hf_head_scan_t head;
    hf_chunk_scan_t chunks;
};

static hf_request_t *req_of(http_parser *p) { return p->data; }

void hf_request_reject(hf_request_t *r, int status, const char *reason)
{
    if (r->state == HF_REQ_ERROR)
        return;
    r->state = HF_REQ_ERROR;
    r->error_status = status;
    r->error_reason = reason;
}

static int on_url(http_parser *p, const char *at, size_t n)
{
    hf_request_t *r = req_of(p);

    if (r->target_len == 0)
        r->target_off = r->head.len;
    if (hf_head_append(&r->head, at, n) != 0) {
        hf_request_reject(r, 431, "header_too_large");
        return -1;
    }
    r->target_len += (uint32_t)n;
    return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t n)
{
    hf_request_t *r = req_of(p);
    struct hf_reqparser *rp = r->p;

    if (rp->head_done)
        return 0; /* a trailer field of a chunked body: not forwarded */
    if (rp->phase != FIELD_NAME) {
        if (hf_head_new_field(&r->head) != 0) {
            hf_request_reject(r, 503, "out_of_memory");
            return -1;
        }
        rp->phase = FIELD_NAME;
    }
    if (hf_head_append(&r->head, at, n) != 0) {
        hf_request_reject(r, 431, "header_too_large");
        return -1;
    }
    r->head.fields[r->head.nfields - 1].name_len += (uint32_t)n;
    return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t n)
{
    hf_request_t *r = req_of(p);
    struct hf_reqparser *rp = r->p;
    hf_field_t *f;

    if (rp->head_done)
        return 0;
    if (r->head.nfields == 0)
        return 0;
    f = &r->head.fields[r->head.nfields - 1];
    if (rp->phase != FIELD_VALUE) {
        f->value_off = r->head.len;
        f->value_len = 0;
        rp->phase = FIELD_VALUE;
    }
    if (hf_head_append(&r->head, at, n) != 0) {
        hf_request_reject(r, 431, "header_too_large");
        return -1;
    }
    f->value_len += (uint32_t)n;
    return 0;
}

static int on_headers_complete(http_parser *p)
{
    hf_request_t *r = req_of(p);
    struct hf_reqparser *rp = r->p;
    const char *reason = NULL;
    int status;

    rp->head_done = true;
    r->method = http_method_str((enum http_method)p->method);
    r->is_head = p->method == HTTP_HEAD;
    r->http_major = (uint8_t)p->http_major;
    r->http_minor = (uint8_t)p->http_minor;
    if (p->method == HTTP_CONNECT) {
        hf_request_reject(r, 501, "connect");
        return -1;
    }
    status = hf_request_check_head(r, (p->flags & F_CHUNKED) != 0, &rp->lim,
                                   &reason);
    if (status != 0) {
        hf_request_reject(r, status, reason);
        return -1;
    }
    /* An Upgrade is refused by not forwarding it (hop-by-hop): the body, if
     * any, is read as an ordinary body, never as another protocol. */
    p->upgrade = 0;
    if (r->expect_continue) {
        r->state = HF_REQ_CONTINUE;
        http_parser_pause(p, 1);
    } else {
        r->state = HF_REQ_BODY;
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t n)
{
    hf_request_t *r = req_of(p);
    int err;

    if (r->body.len + n > r->p->lim.max_body_size) {
        hf_request_reject(r, 413, "body_too_large");
        return -1;
    }
    err = hf_body_append(&r->body, at, n);
    if (err != 0) {
        hf_request_reject(r, 503, err == -ENOMEM ? "out_of_memory"
                                                 : "temp_file_error");
        return -1;
    }
    return 0;
}

static int on_message_complete(http_parser *p)
{
    hf_request_t *r = req_of(p);

    r->state = HF_REQ_DONE;
    /* Stop here: what follows is the next pipelined request. */
    http_parser_pause(p, 1);
    return 0;
}

static const http_parser_settings settings = {
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

int hf_request_init(hf_request_t *r, const hf_request_limits_t *lim)
{
    memset(r, 0, sizeof(*r));
    r->p = calloc(1, sizeof(*r->p));
    if (r->p == NULL)
        return -ENOMEM;
    r->p->lim = *lim;
    http_parser_init(&r->p->parser, HTTP_REQUEST);
    r->p->parser.data = r;
    hf_head_init(&r->head, (uint32_t)lim->max_header_size);
    hf_body_init(&r->body, lim->body_buffer_size);
    r->body.request = true;
    r->state = HF_REQ_HEAD;
    return 0;
}

void hf_request_free(hf_request_t *r)
{
    hf_head_free(&r->head);
    hf_body_free(&r->body);
    free(r->p);
    r->p = NULL;
}

static void reject_parse_error(hf_request_t *r, enum http_errno e)
{
    switch (e) {
    case HPE_HEADER_OVERFLOW:
        hf_request_reject(r, 431, "header_too_large");
        break;
    case HPE_INVALID_VERSION:
        hf_request_reject(r, 400, "bad_version");
        break;
    case HPE_INVALID_URL:
        hf_request_reject(r, 400, "bad_target");
        break;
    case HPE_INVALID_HEADER_TOKEN:
        hf_request_reject(r, 400, "bad_header_name");
        break;
    case HPE_INVALID_CONTENT_LENGTH:
    case HPE_UNEXPECTED_CONTENT_LENGTH:
        hf_request_reject(r, 400, "bad_content_length");
        break;
    case HPE_INVALID_CHUNK_SIZE:
        hf_request_reject(r, 400, "bad_chunk");
        break;
    default:
        hf_request_reject(r, 400, http_errno_name(e));
        break;
    }
}

/* The parser refused the method. A well-formed request line with a token
 * the parser does not know is a method holdfast does not implement
 * (RFC 9110 §9.1: 501); until the line is complete, the scanner may still
 * find it malformed (400). */
static void judge_unknown_method(hf_request_t *r, const hf_scan_fault_t *f)
{
    /* A fault after the complete line comes later in the stream. */
    if (hf_head_scan_line_done(&r->p->head))
        hf_request_reject(r, 501, "unknown_method");
    else if (f->status != 0)
        hf_request_reject(r, f->status, f->reason);
}

enum segment { SEG_HEAD, SEG_HEAD_END, SEG_CHUNKED, SEG_PLAIN };

/* How many of the len bytes at data the parser may take next: the scanner
 * for that part of the message (head, chunked body) reads them first and
 * stops at a fault, which *fault then holds. */
static size_t next_segment(hf_request_t *r, const char *data, size_t len,
                           hf_scan_fault_t *fault, enum segment *kind)
{
    struct hf_reqparser *rp = r->p;

    if (!rp->head.done) {
        size_t k = hf_head_scan(&rp->head, data, len,
                                rp->lim.max_header_size, fault);
        if (rp->head.started)
            r->head_bytes = rp->head.pos - rp->head.head_start;
        *kind = SEG_HEAD;
        return k;
    }
    if (rp->parsed < rp->head.head_end) {
        /* The end of a head the scanner has seen and the parser has not
         * taken yet (it paused for 100-continue). */
        uint64_t left = rp->head.head_end - rp->parsed;
        *kind = SEG_HEAD_END;
        return left < len ? (size_t)left : len;
    }
    if (r->chunked) {
        *kind = SEG_CHUNKED;
        return hf_chunk_scan(&rp->chunks, data, len, rp->lim.max_header_size,
                             fault);
    }
    *kind = SEG_PLAIN;
    return len;
}

/* After the parser took n of the seg bytes of a segment: rejects what must
 * be, and says whether to go on with the next segment. */
static bool judge_segment(hf_request_t *r, size_t n, size_t seg,
                          enum segment kind, const hf_scan_fault_t *fault)
{
    struct hf_reqparser *rp = r->p;
    enum http_errno e = HTTP_PARSER_ERRNO(&rp->parser);

    if (r->state == HF_REQ_ERROR)
        return false;
    if (e == HPE_INVALID_METHOD) {
        rp->method_unknown = true;
        judge_unknown_method(r, fault);
        return false;
    }
    if (e != HPE_OK && e != HPE_PAUSED) {
        reject_parse_error(r, e);
        return false;
    }
    if (fault->status != 0 && n == seg) {
        hf_request_reject(r, fault->status, fault->reason);
        return false;
    }
    /* The chunk scanner and the parser must agree on where the message
     * ends, or the two would frame it differently. */
    if (kind == SEG_CHUNKED &&
        (r->state == HF_REQ_DONE
             ? n != seg || !hf_chunk_scan_done(&rp->chunks)
             : n == seg && hf_chunk_scan_done(&rp->chunks))) {
        hf_request_reject(r, 400, "bad_chunk");
        return false;
    }
    return n == seg && n > 0 && r->state != HF_REQ_DONE &&
           r->state != HF_REQ_CONTINUE;
}

size_t hf_request_feed(hf_request_t *r, const char *data, size_t len)
{
    struct hf_reqparser *rp = r->p;
    size_t off = 0;

    if (r->state == HF_REQ_DONE || r->state == HF_REQ_ERROR ||
        r->state == HF_REQ_CONTINUE || len == 0)
        return 0;
    while (off < len) {
        hf_scan_fault_t fault = {0};
        enum segment kind;
        size_t seg = next_segment(r, data + off, len - off, &fault, &kind);
        size_t n;

        if (rp->method_unknown) {
            judge_unknown_method(r, &fault);
            break;
        }
        /* No bytes at all would tell the parser the connection ended. */
        n = seg > 0 ? http_parser_execute(&rp->parser, &settings, data + off,
                                          seg)
                    : 0;
        rp->parsed += n;
        off += n;
        if (!judge_segment(r, n, seg, kind, &fault))
            break;
    }
    /* Scanned bytes are never given back: after a rejection nothing more
     * is parsed, and a refused method waits only on the scanner. */
    return r->state == HF_REQ_ERROR || rp->method_unknown ? len : off;
}

void hf_request_continue(hf_request_t *r)
{
    if (r->state != HF_REQ_CONTINUE)
        return;
    r->state = HF_REQ_BODY;
    http_parser_pause(&r->p->parser, 0);
}
