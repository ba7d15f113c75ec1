/* The response head as the client sees it (RFC 9112 §6, §9): the backend's
 * status and fields, hop-by-hop fields dropped, and holdfast's own framing:
 * Content-Length when the length is known, chunked to an HTTP/1.1 client
 * when it is not, close-delimited to an HTTP/1.0 one. Plain inputs, no
 * connection: the client writer (conn/client_write.c) sends what this
 * writes. */
#ifndef HF_CLIENT_HEAD_H
#define HF_CLIENT_HEAD_H

#include <stdbool.h>
#include <stddef.h>

#include "response.h"

typedef struct hf_client_head_in {
    const hf_response_t *res; /* its head is in (res->head_done) */
    int client_minor;         /* the client's HTTP/1.<minor> */
    bool keep_alive;          /* the connection may stay open after it */
} hf_client_head_in_t;

/* The framing chosen. */
typedef struct hf_client_head_framing {
    bool chunked;     /* the body goes chunked */
    bool close_after; /* the connection closes after the response (asked
                         for, or the close delimits the body) */
} hf_client_head_framing_t;

/* Bytes enough for the head of res. */
size_t hf_client_head_size(const hf_response_t *res);

/* Writes the head into buf (hf_client_head_size bytes at least) and the
 * framing into fr. Returns the head's length. */
size_t hf_client_head_write(const hf_client_head_in_t *in, char *buf,
                            hf_client_head_framing_t *fr);

#endif
