/* Response framing: turns backend bytes into an hf_response_t. The parser
 * (http-parser) is private to response.c. Interim 1xx responses are
 * dropped; the body is de-framed (Content-Length, chunked or until close)
 * into res->body as it arrives. */
#ifndef HF_RESPONSE_H
#define HF_RESPONSE_H

#include <stdbool.h>
#include <stdint.h>

#include "body.h"
#include "head.h"

#define HF_RESPONSE_HEAD_MAX (64 * 1024)

enum {
    HF_RES_OK = 0,
    HF_RES_MALFORMED = -1, /* the backend broke HTTP: 502 */
    HF_RES_LOCAL = -2,     /* holdfast could not keep the body: 503 */
};

typedef struct hf_response {
    hf_head_t head;
    uint32_t reason_off, reason_len;
    int status;
    uint8_t http_major, http_minor;
    bool head_done;      /* the final head is parsed */
    bool complete;       /* the whole response is in */
    bool has_length;     /* the backend sent Content-Length */
    bool no_body;        /* HEAD, 1xx, 204, 304: no body whatever it says */
    bool discard;        /* nobody will read the body: parse, don't keep */
    bool closes;         /* the backend closes after it (1.0, or close) */
    uint64_t content_length;
    uint64_t discarded;  /* body bytes parsed but not kept (discard) */
    hf_body_t body;
    const char *error;   /* why, after an error */
    struct hf_resparser *p; /* private */
} hf_response_t;

/* Returns 0 or a negative errno. head_request: the request was HEAD. */
int hf_response_init(hf_response_t *res, bool head_request,
                     uint64_t body_buffer_size);

/* Frees the head arena, the body (blocks and spill file) and the parser. */
void hf_response_free(hf_response_t *res);

/* Feeds backend bytes. Returns HF_RES_OK, HF_RES_MALFORMED or HF_RES_LOCAL.
 * Bytes after a complete response are ignored. */
int hf_response_feed(hf_response_t *res, const char *data, size_t len);

/* The backend closed. Returns HF_RES_OK if that completed the response (a
 * body delimited by the close), HF_RES_MALFORMED if it was cut short. */
int hf_response_eof(hf_response_t *res);

#endif
