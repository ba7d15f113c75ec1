/* The request as the backend sees it: written by holdfast from the parsed
 * request, never the client's bytes (RFC 9112 §11.2: an intermediary that
 * re-frames cannot be used to smuggle). */
#ifndef HF_BACKEND_REQUEST_H
#define HF_BACKEND_REQUEST_H

#include <stddef.h>

#include "block.h"
#include "exchange.h"

typedef struct hf_outbuf {
    char *buf;
    size_t len;
    hf_block_t *blk; /* the block behind buf, or NULL when malloc'd */
} hf_outbuf_t;

/* Writes the request line and head for ex into out, with ex's request id
 * in a field named id_name (when both are set) and X-Request-Start (when
 * ex->t_ready_unix_us is). Returns 0, or -1 when out of memory. */
int hf_backend_request_build(const hf_exchange_t *ex, int http_minor,
                             bool forwarded_for, const char *id_name,
                             hf_outbuf_t *out);

void hf_outbuf_free(hf_outbuf_t *out);

#endif
