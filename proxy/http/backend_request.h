/* The request as the backend sees it: written by holdfast from the parsed
 * request, never the client's bytes (RFC 9112 §11.2: an intermediary that
 * re-frames cannot be used to smuggle). */
#ifndef HF_BACKEND_REQUEST_H
#define HF_BACKEND_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "block.h"
#include "request.h"

typedef struct hf_outbuf {
    char *buf;
    size_t len;
    hf_block_t *blk; /* the block behind buf, or NULL when malloc'd */
} hf_outbuf_t;

/* What the backend request is made of, all plain values (so it can be
 * built and tested without a connection or an exchange). */
typedef struct hf_backend_request_in {
    const hf_request_t *req;  /* the parsed client request */
    const char *peer;         /* client address, appended to XFF */
    const char *host;         /* Host when the request named none: the
                                 backend address */
    const char *request_id;   /* "" or NULL: none */
    const char *id_name;      /* its field name; NULL or "": none */
    uint64_t start_unix_us;   /* X-Request-Start t=; 0: none */
    int http_minor;           /* backend_http_version */
    bool forwarded_for;       /* append peer to X-Forwarded-For */
} hf_backend_request_in_t;

/* Writes the request line and head into out. Returns 0, or -1 when out of
 * memory. */
int hf_backend_request_build(const hf_backend_request_in_t *in,
                             hf_outbuf_t *out);

/* Gives back out's block or heap buffer; out may be built into again. */
void hf_outbuf_free(hf_outbuf_t *out);

#endif
