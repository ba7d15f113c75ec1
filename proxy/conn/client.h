/* A client connection, the sole owner of its state and its timer: both are
 * changed only through the functions here. It costs the struct below and
 * nothing else while idle: no read buffer (taken on the first byte, given
 * back when the request is done), no timer of its own (a shared timeout
 * queue entry). Reading is client_read.c, writing client_write.c, the
 * connection's life (accept, timeouts, the next request) client_conn.c. */
#ifndef HF_CLIENT_H
#define HF_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "block.h"
#include "stats.h"
#include "timeq.h"

struct hf_mapping;
struct hf_exchange;
struct hf_exchange_events;

/* What the one timer is running for; what its expiry means. */
enum hf_client_timeout {
    HF_TMO_NONE = 0,
    HF_TMO_IDLE,     /* no request bytes: close silently */
    HF_TMO_HEADER,   /* request head not complete: 408 */
    HF_TMO_BODY,     /* no body bytes for a while: 408 */
    HF_TMO_QUEUE,    /* waited too long for a backend slot: 503 */
    HF_TMO_SEND,     /* the client takes no response bytes: close */
    HF_TMO_LINGER,   /* draining input after an error answer: close */
    HF_TMO_HOLD,     /* the response head waits to learn the body's length:
                        send what is in and stream the rest */
};

/* How long a response head may wait for the rest of its body, so that a
 * response complete by then goes out in one write with Content-Length;
 * past it the body streams (SPEC: "within about 100 ms"). */
#define HF_CLIENT_HOLD_MS 100

typedef struct hf_client {
    uv_tcp_t tcp;
    hf_timer_t timer;           /* in one of the mapping's timeout queues */
    struct hf_mapping *mapping; /* referenced */
    struct hf_exchange *ex;     /* the request being worked on, or NULL */
    uint32_t id;                /* connection number, for logs */
    uint8_t addr[16];           /* peer (or PROXY source) address */
    uint8_t family;             /* AF_INET, AF_INET6; 0: unknown */
    uint8_t state;              /* enum hf_client_state */
    uint8_t tmo;                /* enum hf_client_timeout */
    bool closing : 1;
    bool read_paused : 1;       /* pipelined bytes filled their block */
    bool lingering : 1;         /* draining input before the close */
    bool eof : 1;               /* the client closed its side */
    bool proxy_pending : 1;     /* a PROXY protocol header must come first */
    bool pp_variant : 1;         /* allocated as an hf_client_pp_t */
    bool used : 1;              /* a request has begun on it */
} hf_client_t;

/* A client of a proxy_protocol mapping keeps the header's bytes while they
 * arrive; only these pay for the pointer. */
typedef struct hf_client_pp {
    hf_client_t c;
    hf_block_t *partial;        /* header bytes so far */
} hf_client_pp_t;

/* Sets the state, keeping the per-state counters right. */
void hf_client_set_state(hf_client_t *c, enum hf_client_state s);

/* (Re)starts the timer for kind, from the mapping's timeouts. */
void hf_client_timer_start(hf_client_t *c, enum hf_client_timeout kind);

/* Stops the timer. */
void hf_client_timer_stop(hf_client_t *c);

/* Closes the connection; safe to call more than once. Releases the
 * exchange in hand; the struct is freed in the close callback. */
void hf_client_close(hf_client_t *c);

/* Formats the peer address ("203.0.113.7") into buf: the PROXY header's
 * source, or the socket's peer. */
void hf_client_addr_text(const hf_client_t *c, char *buf, size_t len);

/* client_read.c: starts reading. Returns 0 or a negative UV error. */
int hf_client_read_start(hf_client_t *c);

/* client_read.c: feeds what the last response left pipelined, now that
 * the connection is idle again. Takes the block; may close c. */
void hf_client_feed_pending(hf_client_t *c, hf_block_t *blk);

/* client_write.c: holdfast answers the request itself (an error, a 503,
 * the health path): body is plain text (a newline is added) or JSON. The
 * connection closes after the answer unless keep is true. The write goes
 * out at the end of the turn, never inside the caller. */
void hf_client_answer(struct hf_exchange *ex, int status, const char *reason,
                      const char *body, bool json, bool keep);

/* client_write.c: the backend failed: answer status if nothing went out
 * yet, else cut the connection. */
void hf_client_fail(struct hf_exchange *ex, int status, const char *reason);

/* client_write.c: new response bytes may go out: at the end of the turn. */
void hf_client_progress(struct hf_exchange *ex);

/* client_write.c: writes whatever of the response can go now. May close
 * c, or end the response (the registered done callback). */
void hf_client_flush(hf_client_t *c);

/* client_write.c: registers what runs when a response is fully written
 * (client_conn.c: log, then the next request or the close). */
void hf_client_write_on_done(void (*done)(hf_client_t *c));

/* client_conn.c: takes a new client connection of mapping m: the one
 * pending on listener (fd < 0), or fd, accepted already (takes it).
 * Returns 0, or a negative UV error (UV_EAGAIN: none was pending). */
int hf_client_accept(struct hf_mapping *m, uv_stream_t *listener, int fd);

/* client_conn.c: a timer of the mapping's timeout queues expired. */
void hf_client_on_timeout(hf_timer_t *t);

/* client_conn.c: the drain: closes c if it is idle with no input waiting;
 * one that never carried a request gets a short grace for its first. */
void hf_client_close_if_idle(hf_client_t *c);

/* client_conn.c: of the clients whose timer runs in q, the one idle
 * longest (no request bytes yet, or between requests), or NULL; *since
 * gets the loop time in ms it went idle. Changes nothing. */
hf_client_t *hf_client_idle_oldest(hf_timeq_t *q, uint64_t *since);

/* client_conn.c: registers the client side's part of the exchange events
 * into ev (queued, sent, progress, respond, fail). */
void hf_client_exchange_events(struct hf_exchange_events *ev);

/* Every client handle has this as its data, so uv_walk can find them. */
extern char hf_client_handle_tag;

#endif
