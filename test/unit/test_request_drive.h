/* Drives holdfast's request framing the way proxy/conn/client_read.c does, for the
 * request unit tests, the corpus runner and the fuzzer.
 *
 * Input arrives in pieces (all at once, split in two, one byte at a time);
 * every unconsumed byte is fed again with the next piece, as client.c keeps
 * them in its read block. HF_REQ_CONTINUE is answered at once; HF_REQ_DONE
 * ends one request and the bytes after it start the next; HF_REQ_ERROR ends
 * the input (the connection closes: nothing after it is parsed). Each
 * complete request is written for the backend with
 * hf_backend_request_build() and its body appended, as upstream.c sends it.
 *
 * The result is a transcript: one entry per request, which must not depend
 * on how the input was split. */
#ifndef HF_TEST_REQUEST_DRIVE_H
#define HF_TEST_REQUEST_DRIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "exchange.h"
#include "request.h"

/* Requests recorded per input at most; the rest of the input is dropped. */
#define DRIVE_MAX_REQS 64

/* The client address the tests put in X-Forwarded-For. */
#define DRIVE_PEER "192.0.2.1"

/* Limits the corpus cases and the fuzzer run with: small enough that 431 and
 * 413 cases fit in a few hundred bytes, with a body buffer small enough that
 * bodies spill to a temp file. */
#define DRIVE_CORPUS_MAX_HEADER 1024
#define DRIVE_CORPUS_MAX_BODY 1024
#define DRIVE_CORPUS_BODY_BUFFER 100

typedef struct drive_opts {
    hf_request_limits_t lim;
    size_t split;       /* bytes of the first piece; 0 or >= len: all */
    size_t step;        /* bytes of each later piece; 0: all the rest */
    int http_minor;     /* backend_http_version 1.<minor> */
    bool forwarded_for;
} drive_opts_t;

enum drive_kind { DRIVE_ACCEPT, DRIVE_REJECT, DRIVE_INCOMPLETE };

typedef struct drive_req {
    enum drive_kind kind;
    int status;          /* DRIVE_REJECT: the status to answer */
    const char *reason;  /* DRIVE_REJECT: the request's error_reason */
    bool via_continue;   /* the state went through HF_REQ_CONTINUE */
    bool keep_alive;     /* DRIVE_ACCEPT */
    char *bytes;         /* DRIVE_ACCEPT: backend head and body, malloc'd */
    size_t len;
    size_t consumed;     /* DRIVE_ACCEPT: input bytes of this request */
} drive_req_t;

typedef struct drive_result {
    drive_req_t req[DRIVE_MAX_REQS];
    int n;
    bool stuck; /* a feed consumed nothing and did not change state */
    bool truncated; /* DRIVE_MAX_REQS reached */
} drive_result_t;

/* Called for each complete request while its exchange is alive, with the
 * bytes written for the backend (as drive_build() writes them). */
typedef void (*drive_done_fn)(void *ud, hf_exchange_t *ex, const char *bytes,
                              size_t len);

/* Runs the input through hf_request_*; fills res (free it with
 * drive_result_free). Returns 0, or -1 when memory ran out. */
int drive(const char *in, size_t len, const drive_opts_t *o,
          drive_result_t *res, drive_done_fn fn, void *ud);

void drive_result_free(drive_result_t *res);

/* Writes what the backend receives for ex: hf_backend_request_build()'s
 * head, then the body read back with hf_body_bufs(). *out is malloc'd.
 * Returns 0 or -1. */
int drive_build(hf_exchange_t *ex, int http_minor, bool forwarded_for,
                char **out, size_t *len);

/* Compares two transcripts; on a difference writes a one-line description
 * to why (size n) and returns false. */
bool drive_result_equal(const drive_result_t *a, const drive_result_t *b,
                        char *why, size_t n);

/* Prints a transcript to stderr, bytes escaped. */
void drive_result_print(const char *title, const drive_result_t *r);

/* Prints bytes escaped (\r \n \t \xHH) to f. */
void drive_print_escaped(FILE *f, const char *p, size_t n);

/* Writes ex->req for the backend (HTTP/1.<minor>, X-Forwarded-For on or
 * off), parses that as a fresh request and checks it against ex->req: it
 * is complete with every byte used; same method; the target is the
 * origin-form path; the same fields in the same order, minus hop-by-hop
 * ones, those Connection names, and those holdfast adds or replaces (Host
 * on absolute-form first, then X-Forwarded-For with the merged list and
 * the peer, Content-Length equal to the body, Connection: close last); the
 * same body. An HTTP/1.1 request without Host does not parse, so it fails
 * too. Returns true, or false with the reason in why. */
bool drive_verify(hf_exchange_t *ex, int minor, bool xff, char *why,
                  size_t n);

/* Limits for the corpus and the fuzzer. */
hf_request_limits_t drive_corpus_limits(void);

#endif
