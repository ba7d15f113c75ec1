/* One request and its response, kept apart from the connections that carry
 * them (as h2o does): the client connection may go while the backend is
 * still answering, and the backend connection is gone long before a slow
 * client has read the answer.
 *
 * Ownership: the exchange lives while any of these holds it: its client
 * (ex->client), its upstream (ex->up), or a client write in flight
 * (ex->writing). Each side detaches itself and calls hf_exchange_release(),
 * which frees the exchange when nothing holds it any more. */
#ifndef HF_EXCHANGE_H
#define HF_EXCHANGE_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "list.h"
#include "request.h"
#include "request_id.h"
#include "response.h"
#include "turn.h"

struct hf_client;
struct hf_mapping;
struct hf_upstream;
struct hf_backend_addr;

typedef struct hf_exchange {
    struct hf_client *client;     /* NULL once the client has gone */
    struct hf_mapping *mapping;   /* referenced */
    struct hf_upstream *up;       /* backend connection, while open */
    struct hf_backend_addr *addr; /* the address it was sent to, or NULL */
    hf_request_t req;
    hf_response_t res;            /* initialised when the upstream starts */
    bool res_ready;               /* res is initialised */
    hf_list_t qlink;              /* in the mapping's queue */
    hf_deferred_t flush;          /* the client write at the end of the turn */
    uint64_t tried;               /* backend addresses tried, by index */
    bool retried;                 /* sent again after a reset (once) */

    /* Times, uv_hrtime() ns. */
    uint64_t t_begin;             /* first byte of the request */
    uint64_t t_ready;             /* request complete */
    uint64_t t_sent;              /* left the queue for a backend */
    uint64_t t_backend_done;      /* response complete, or failed */
    uint64_t t_ready_unix_us;     /* request complete, wall clock, when
                                     request_start is on */

    /* The client side of the response. */
    uv_write_t wreq;
    bool writing;                 /* wreq in flight */
    bool local;                   /* holdfast's own answer, in out_head */
    bool head_sent;
    bool chunked_out;             /* body framed chunked toward the client */
    bool hold_started;            /* the head's wait for the length began */
    bool hold_over;               /* ... and ended: the body streams */
    bool last_sent;               /* the final bytes are queued */
    bool close_after;             /* the connection closes after this */
    bool health;                  /* the health path's answer: logged, but
                                     not counted as a request */
    int status;                   /* status sent to the client */
    const char *reason;           /* why holdfast answered itself, if so */
    uint64_t body_sent;           /* bytes of res.body queued to the client */
    uint64_t bytes_out;           /* bytes written to the client */
    char *out_buf;                /* the head (or whole local answer) */
    hf_block_t *out_blk;          /* the block behind out_buf, if one */
    uint32_t out_len;
    uint32_t out_body;            /* body bytes of a local answer in out_buf */
    hf_spill_waiter_t spill;      /* the request body waits for spill room */
    hf_block_t *in;               /* client bytes pipelined behind it */
    char peer[48];                /* client address, for logs and XFF */
    char real_ip[48];             /* the client behind trusted proxies
                                     (X-Forwarded-For), for the log; ""
                                     when the peer is the client */
    char backend[128];            /* backend address used, for the log (as
                                     hf_addr_t.text: unix: paths are long) */
    char chunk_line[20];          /* "%x\r\n" of the chunk in flight */
    char request_id[HF_REQUEST_ID_MAX + 1]; /* "" unless request_id is on */
} hf_exchange_t;

/* What happens to an exchange that the layers above act on, registered
 * once by the server at start-up: core/ reports through these and never
 * names the client connection or the logs. */
typedef struct hf_exchange_events {
    /* Entered the queue (may have been failed or answered since). */
    void (*queued)(hf_exchange_t *ex);
    /* Left the queue for a backend. */
    void (*sent)(hf_exchange_t *ex);
    /* New response bytes, or the end of the response, may go out. */
    void (*progress)(hf_exchange_t *ex);
    /* holdfast answers itself (see hf_exchange_respond). */
    void (*respond)(hf_exchange_t *ex, int status, const char *reason,
                    const char *body, bool json, bool keep);
    /* The backend failed (see hf_exchange_fail). */
    void (*fail)(hf_exchange_t *ex, int status, const char *reason);
    /* The exchange is about to be freed, a request having been read whole
     * or answered: log it. */
    void (*finished)(hf_exchange_t *ex);
} hf_exchange_events_t;

/* Registers the events (kept by pointer). */
void hf_exchange_set_events(const hf_exchange_events_t *ev);

/* A new exchange for client c's next request on m (referenced); NULL when
 * out of memory. The caller fills in peer. */
hf_exchange_t *hf_exchange_new(struct hf_client *c, struct hf_mapping *m);

/* Drops the exchange if nothing holds it any more (see above); logs the
 * access line when it goes. */
void hf_exchange_release(hf_exchange_t *ex);

/* The backend side is over for this exchange: unhooks the upstream. */
void hf_exchange_backend_done(hf_exchange_t *ex);

/* Reported through the events above (the client side acts on them). */
void hf_exchange_queued(hf_exchange_t *ex);
void hf_exchange_sent(hf_exchange_t *ex);

/* holdfast answers the request itself: an error, a 503, the health path.
 * body is plain text (a newline is added) or JSON when json is true. The
 * connection closes after the answer unless keep is true (the health path):
 * after an error, a load balancer opens a fresh connection anyway. */
void hf_exchange_respond(hf_exchange_t *ex, int status, const char *reason,
                         const char *body, bool json, bool keep);

/* The backend failed before any of the response went out: answer status;
 * after the head went out, the client connection is cut instead. */
void hf_exchange_fail(hf_exchange_t *ex, int status, const char *reason);

/* New response bytes (head, body, completion) may be sent: they are, at
 * the end of this loop turn (turn.h). */
void hf_exchange_progress(hf_exchange_t *ex);

#endif
