/* A client connection: accepted, read, timed out and closed here. It costs
 * the struct below and nothing else while idle: no read buffer (taken on the
 * first byte, given back when the request is done), no timer of its own (a
 * shared timeout queue entry). */
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

typedef struct hf_client {
    uv_tcp_t tcp;
    hf_timer_t timer;           /* in one of the mapping's timeout queues */
    struct hf_mapping *mapping; /* referenced */
    struct hf_exchange *ex;     /* the request being worked on, or NULL */
    uint32_t id;                /* connection number, for logs */
    uint8_t addr[16];           /* peer (or PROXY source) address */
    uint8_t family;             /* AF_INET, AF_INET6; 0: unknown */
    uint8_t state;              /* enum hf_client_state */
    bool closing : 1;
    bool read_paused : 1;       /* pipelined bytes filled their block */
    bool lingering : 1;         /* draining input before the close */
    bool eof : 1;               /* the client closed its side */
    bool proxy_pending : 1;     /* a PROXY protocol header must come first */
    bool proxied : 1;           /* an hf_client_pp_t */
} hf_client_t;

/* A client of a proxy_protocol mapping keeps the header's bytes while they
 * arrive; only these pay for the pointer. */
typedef struct hf_client_pp {
    hf_client_t c;
    hf_block_t *partial;        /* header bytes so far */
} hf_client_pp_t;

/* Accepts one pending connection on the mapping's listener. */
void hf_client_accept(struct hf_mapping *m);

/* Closes the connection; safe to call more than once. */
void hf_client_close(hf_client_t *c);

/* Sets the state, keeping the per-state counters right. */
void hf_client_set_state(hf_client_t *c, enum hf_client_state s);

/* The response of c->ex is fully written: log, and read the next request
 * or close. */
void hf_client_response_done(hf_client_t *c);

/* Writes whatever of the response can go now (respond.c). */
void hf_client_flush(hf_client_t *c);

/* Formats the peer address ("203.0.113.7") into buf: the PROXY header's
 * source, or the socket's peer. */
void hf_client_addr_text(const hf_client_t *c, char *buf, size_t len);

/* Starts reading (client_read.c). Returns 0 or a negative UV error. */
int hf_client_read_start(hf_client_t *c);

/* Feeds what the last response left pipelined in ex->in, now that the
 * connection is idle again (client_read.c). Takes the block. */
void hf_client_feed_pending(hf_client_t *c, hf_block_t *blk);

/* Client timeouts, by state (client.c). */
void hf_client_on_timeout(hf_timer_t *t);

/* Server drain: closes c if it is idle. */
void hf_client_close_if_idle(hf_client_t *c);

/* Every client handle has this as its data, so uv_walk can find them. */
extern char hf_client_handle_tag;

#endif
