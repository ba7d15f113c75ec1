/* Request framing: turns client bytes into an hf_request_t, strictly.
 *
 * The parser behind it (http-parser) is private to request.c; the rest of
 * the daemon sees only this struct. hf_request_feed() takes bytes as they
 * arrive and stops at three points: the head needs a 100-continue decision
 * (HF_REQ_CONTINUE), the request is complete (HF_REQ_DONE), or it was
 * rejected (HF_REQ_ERROR, with the status to answer). Bytes after a
 * complete request are left unconsumed: they belong to the next request. */
#ifndef HF_REQUEST_H
#define HF_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "body.h"
#include "head.h"

enum hf_req_state {
    HF_REQ_HEAD = 0,  /* reading the request line and headers */
    HF_REQ_CONTINUE,  /* head done, Expect: 100-continue awaits an answer */
    HF_REQ_BODY,      /* reading the body */
    HF_REQ_DONE,      /* complete */
    HF_REQ_ERROR,     /* rejected: error_status, error_reason */
};

typedef struct hf_request_limits {
    uint64_t max_header_size;
    uint64_t max_body_size;
    uint64_t body_buffer_size;
} hf_request_limits_t;

typedef struct hf_request {
    enum hf_req_state state;
    hf_head_t head;            /* fields; target and host live in its arena */
    const char *method;        /* static name, "GET" */
    uint32_t target_off, target_len; /* as received */
    uint32_t path_off, path_len;     /* origin-form to send: path?query */
    uint32_t host_off, host_len;     /* authority from an absolute-form
                                        target; len 0 when none */
    uint8_t http_major, http_minor;
    bool is_head;              /* HEAD: the response has no body */
    bool keep_alive;           /* the client allows another request */
    bool expect_continue;      /* answered 100 before the body is read */
    bool chunked;              /* body came chunked (forwarded de-chunked) */
    bool framed;               /* the client sent Content-Length or TE */
    uint64_t content_length;   /* declared, when !chunked */
    uint64_t head_bytes;       /* bytes of request line and headers */
    hf_body_t body;
    int error_status;          /* with HF_REQ_ERROR */
    const char *error_reason;  /* short token, for logs and metrics */
    struct hf_reqparser *p;    /* private */
} hf_request_t;

/* Returns 0 or a negative errno. */
int hf_request_init(hf_request_t *r, const hf_request_limits_t *lim);

/* Frees the head arena, the body (blocks and spill file) and the parser. */
void hf_request_free(hf_request_t *r);

/* Feeds bytes; returns how many were consumed. Look at r->state after. */
size_t hf_request_feed(hf_request_t *r, const char *data, size_t len);

/* After HF_REQ_CONTINUE: the body may come; the state moves on to
 * HF_REQ_BODY (or HF_REQ_DONE for an empty body). */
void hf_request_continue(hf_request_t *r);

/* Marks the request rejected. */
void hf_request_reject(hf_request_t *r, int status, const char *reason);

/* Checks a complete head against the framing and field rules of RFC 9112
 * and 9110 (request_rules.c). Returns 0 or the status to answer, with
 * *reason set. Also settles keep_alive, expect_continue, path and host. */
int hf_request_check_head(hf_request_t *r, bool chunked_by_parser,
                          const hf_request_limits_t *lim,
                          const char **reason);

#endif
