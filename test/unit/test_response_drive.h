/* Drives holdfast's response framing the way proxy/core/upstream.c does,
 * for the response unit tests and the fuzzer.
 *
 * Backend bytes arrive in pieces (all at once, split in two, one byte at a
 * time) and go to hf_response_feed() as they come; a feed that fails ends
 * the exchange (upstream.c answers 502 or 503), a complete response ends it
 * too (later bytes are never read), and otherwise the backend's close ends
 * the input with hf_response_eof().
 *
 * The result is a copy of everything the rest of holdfast reads from the
 * hf_response_t, which must not depend on how the input was cut. */
#ifndef HF_TEST_RESPONSE_DRIVE_H
#define HF_TEST_RESPONSE_DRIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rdrive_opts {
    bool head_request;         /* the request was HEAD */
    uint64_t body_buffer_size; /* bytes kept in memory; the rest spills */
    size_t split;              /* bytes of the first piece; 0 or >= len: all */
    size_t step;               /* bytes of each later piece; 0: the rest */
} rdrive_opts_t;

typedef struct rdrive_field {
    uint32_t name_off, name_len, value_off, value_len; /* into arena */
    bool kept; /* holdfast relays it (not hop-by-hop, not Content-Length) */
} rdrive_field_t;

typedef struct rdrive_result {
    int code;        /* HF_RES_OK, HF_RES_MALFORMED or HF_RES_LOCAL */
    bool at_eof;     /* the verdict came with the backend's close */
    bool head_done, complete, has_length, no_body, closes;
    int status;
    uint8_t http_major, http_minor;
    uint64_t content_length;
    char *arena;     /* the head's bytes (reason, names, values), malloc'd */
    uint32_t arena_len;
    uint32_t reason_off, reason_len;
    rdrive_field_t *fields; /* malloc'd */
    uint32_t nfields, nkept;
    char *body;      /* the de-framed body read back, malloc'd */
    size_t body_len;
    const char *error; /* static text, after an error */
} rdrive_result_t;

/* Runs the input through hf_response_*; fills res (free it with
 * rdrive_result_free). Returns 0, or -1 when memory or the spill file
 * failed in the driver itself. */
int rdrive(const char *in, size_t len, const rdrive_opts_t *o,
           rdrive_result_t *res);

void rdrive_result_free(rdrive_result_t *res);

/* Compares two results; on a difference writes a one-line description to
 * why (size n) and returns false. */
bool rdrive_result_equal(const rdrive_result_t *a, const rdrive_result_t *b,
                         char *why, size_t n);

/* Prints a result to stderr, bytes escaped. */
void rdrive_result_print(const char *title, const rdrive_result_t *r);

/* Writes a complete response as proxy/conn/client_write.c sends it to an
 * HTTP/1.1 client on a connection that closes after it: the status line
 * (the backend's reason, or holdfast's text for the status), the kept
 * fields, Content-Length (the body's, or for a body-less response the
 * backend's when it sent one and the status is not 204) or, when chunk is
 * not 0, Transfer-Encoding: chunked with chunks of that many bytes,
 * Connection: close, then the body. *out is malloc'd. Returns 0 or -1. */
int rdrive_reemit(const rdrive_result_t *r, size_t chunk, char **out,
                  size_t *len);

/* Parses what rdrive_reemit() wrote for r, as a response to the same kind
 * of request, and checks it: complete without the close, the same status,
 * the same reason (or holdfast's text), the kept fields in order byte for
 * byte followed only by holdfast's framing fields, and the same body.
 * Returns true, or false with the reason in why. */
bool rdrive_verify(const rdrive_result_t *r, const rdrive_opts_t *o,
                   size_t chunk, char *why, size_t n);

#endif
