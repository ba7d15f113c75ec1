/* Request framing on top of http-parser. One of the two files that see the
 * parser: it copies what the callbacks deliver into the request's arena,
 * because the parser's pointers die with the callback.
 *
 * http-parser is lenient where RFC 9112 is not (bare CR, obs-fold, control
 * bytes), so a byte-level scan of the head runs before it, and the complete
 * head is judged by request_rules.c. */
#include "request.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <http_parser.h>

enum field_phase { FIELD_NONE, FIELD_NAME, FIELD_VALUE };

struct hf_reqparser {
    http_parser parser;
    hf_request_limits_t lim;
    enum field_phase phase;
    bool head_done;      /* on_headers_complete has run */
    bool scan_started;   /* first non-empty line seen */
    bool scan_done;      /* the empty line ending the head was seen */
    bool scan_cr;        /* the previous byte was CR */
    uint8_t rl_state;    /* where in the request line the scan is */
    uint8_t rl_len;      /* bytes of the current request-line part */
    uint32_t scan_line_len;
    uint32_t scan_lines;
};

/* RFC 9112 §3: request-line = method SP request-target SP HTTP-version,
 * single spaces, a target of visible characters, "HTTP/" DIGIT "." DIGIT.
 * http-parser is lenient about all of it (extra spaces, other protocol
 * names, a missing version taken for HTTP/0.9). */
enum rl_state { RL_METHOD, RL_TARGET, RL_VERSION, RL_END, RL_BAD };

static enum rl_state request_line_step(enum rl_state st, uint8_t *len,
                                       unsigned char c)
{
    static const char version[] = "HTTP/d.d"; /* d: a digit */

    switch (st) {
    case RL_METHOD:
        if (hf_is_tchar(c)) {
            (*len)++;
            return RL_METHOD;
        }
        if (c != ' ' || *len == 0)
            return RL_BAD;
        *len = 0;
        return RL_TARGET;
    case RL_TARGET:
        if (c > 0x20 && c < 0x7f) {
            if (*len < 255)
                (*len)++;
            return RL_TARGET;
        }
        if (c != ' ' || *len == 0)
            return RL_BAD;
        *len = 0;
        return RL_VERSION;
    case RL_VERSION:
        if (version[*len] == 'd' ? !(c >= '0' && c <= '9')
                                 : c != (unsigned char)version[*len])
            return RL_BAD;
        (*len)++;
        return *len == sizeof(version) - 1 ? RL_END : RL_VERSION;
    default:
        return RL_BAD; /* anything after the version */
    }
}

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

/* RFC 9112 §2.2 and §5: the byte-level rules http-parser does not enforce.
 * Runs over the head only, up to the empty line that ends it. Leading empty
 * lines are skipped (§2.2). Returns false with a rejection recorded. */
static bool scan_head(hf_request_t *r, const char *data, size_t len)
{
    struct hf_reqparser *rp = r->p;
    size_t i;

    for (i = 0; i < len && !rp->scan_done; i++) {
        unsigned char c = (unsigned char)data[i];

        if (rp->scan_cr) {
            rp->scan_cr = false;
            if (c != '\n') {
                hf_request_reject(r, 400, "bare_cr");
                return false;
            }
        } else if (c == '\r') {
            rp->scan_cr = true;
            continue;
        }
        if (c == '\n') {
            if (!rp->scan_started)
                continue;
            if (rp->scan_lines == 0 && rp->rl_state != RL_END) {
                hf_request_reject(r, 400, "bad_request_line");
                return false;
            }
            if (rp->scan_line_len == 0)
                rp->scan_done = true;
            rp->scan_lines++;
            rp->scan_line_len = 0;
            continue;
        }
        rp->scan_started = true;
        if (rp->scan_lines == 0) {
            rp->rl_state = request_line_step(rp->rl_state, &rp->rl_len, c);
            if (rp->rl_state == RL_BAD) {
                hf_request_reject(r, 400, "bad_request_line");
                return false;
            }
        }
        if (rp->scan_line_len == 0 && rp->scan_lines > 0 &&
            (c == ' ' || c == '\t')) {
            hf_request_reject(r, 400, "obs_fold");
            return false;
        }
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            hf_request_reject(r, 400, c == 0 ? "nul" : "control_char");
            return false;
        }
        rp->scan_line_len++;
    }
    if (rp->scan_started)
        r->head_bytes += i;
    if (r->head_bytes > rp->lim.max_header_size) {
        hf_request_reject(r, 431, "header_too_large");
        return false;
    }
    return true;
}

static void reject_parse_error(hf_request_t *r, const char *data, size_t len,
                               size_t at)
{
    enum http_errno e = HTTP_PARSER_ERRNO(&r->p->parser);
    unsigned char c = at < len ? (unsigned char)data[at] : 0;

    switch (e) {
    case HPE_HEADER_OVERFLOW:
        hf_request_reject(r, 431, "header_too_large");
        break;
    case HPE_INVALID_METHOD:
        /* A well-formed token the parser does not know is a method holdfast
         * does not implement (RFC 9110 §9.1); binary junk is a bad request. */
        if (hf_is_tchar(c) || c == ' ')
            hf_request_reject(r, 501, "unknown_method");
        else
            hf_request_reject(r, 400, "bad_request_line");
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

size_t hf_request_feed(hf_request_t *r, const char *data, size_t len)
{
    struct hf_reqparser *rp = r->p;
    size_t n;

    if (r->state == HF_REQ_DONE || r->state == HF_REQ_ERROR ||
        r->state == HF_REQ_CONTINUE || len == 0)
        return 0;
    if (!rp->scan_done && !scan_head(r, data, len))
        return 0;
    n = http_parser_execute(&rp->parser, &settings, data, len);
    if (r->state == HF_REQ_ERROR)
        return n;
    if (HTTP_PARSER_ERRNO(&rp->parser) == HPE_PAUSED)
        return n;
    if (HTTP_PARSER_ERRNO(&rp->parser) != HPE_OK)
        reject_parse_error(r, data, len, n);
    return n;
}

void hf_request_continue(hf_request_t *r)
{
    if (r->state != HF_REQ_CONTINUE)
        return;
    r->state = HF_REQ_BODY;
    http_parser_pause(&r->p->parser, 0);
}
