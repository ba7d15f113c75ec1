/* A mapping at run time: one listening address in front of one legacy
 * application, with its backend addresses, its queue of complete requests
 * waiting for a backend slot, and its counters. */
#ifndef HF_MAPPING_H
#define HF_MAPPING_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "config.h"
#include "list.h"
#include "stats.h"
#include "timeq.h"

struct hf_exchange;

typedef struct hf_backend_addr {
    hf_addr_t addr;
    uint32_t in_flight;   /* upstream connections open to it now */
    uint32_t fails;       /* consecutive connect failures (back-off) */
    uint64_t down_until;  /* loop ms; passive check retries after it */
    bool down;
    bool probing;         /* an active health probe is in flight */
    int refs;             /* the mapping and each upstream holding it */
    uint64_t requests;    /* requests sent to it */
} hf_backend_addr_t;

typedef struct hf_mapping {
    hf_mapping_conf_t conf;  /* own copy; replaced on reload */
    uv_tcp_t listener;
    bool listening;          /* listener open */
    bool accept_paused;      /* a connection waits for max_clients room */
    bool removed;            /* gone from the config: draining */
    int refs;                /* listener + clients + exchanges */
    hf_backend_addr_t **addrs;
    size_t naddrs;
    hf_list_t queue;         /* hf_exchange_t.qlink, oldest first */
    uint32_t queued;
    hf_timeq_t *tq_idle, *tq_header, *tq_body, *tq_queue, *tq_send;
    uv_timer_t health_timer; /* active probes, when health_check is on */
    bool health_timer_on;
    hf_list_t link;          /* in the server's mappings */
    hf_list_t dlink;         /* waiting for the turn's dispatch (turn.h) */
    hf_stats_t stats;
} hf_mapping_t;

/* Creates a mapping from conf (copied). Returns NULL when out of memory. */
hf_mapping_t *hf_mapping_new(const hf_mapping_conf_t *conf);

/* Opens the listening socket. Returns 0 or a negative UV error, and logs
 * the address and the reason. */
int hf_mapping_listen(hf_mapping_t *m);

/* Applies a new conf to a mapping that keeps its listener (reload). */
int hf_mapping_update(hf_mapping_t *m, const hf_mapping_conf_t *conf);

/* Stops accepting (drain or removal); the mapping is freed when its last
 * client and exchange are gone. */
void hf_mapping_stop_listening(hf_mapping_t *m);

void hf_mapping_ref(hf_mapping_t *m);
void hf_mapping_unref(hf_mapping_t *m);

/* Hands a complete request to the mapping: answered locally (health_path),
 * sent to a backend, queued, or refused (503). May complete the exchange. */
void hf_mapping_submit(struct hf_exchange *ex);

/* Starts as many queued requests as there are free backend slots. */
void hf_mapping_dispatch(hf_mapping_t *m);

/* Takes a queued exchange out of the queue (client left or timed out). */
void hf_mapping_unqueue(struct hf_exchange *ex);

/* An upstream to addr could not connect: mark it down and try the request
 * elsewhere, or fail it with 502. */
void hf_mapping_connect_failed(struct hf_exchange *ex, hf_backend_addr_t *a);

/* An upstream to addr connected: it is up. */
void hf_mapping_connect_ok(hf_mapping_t *m, hf_backend_addr_t *a);

/* Backend addresses usable now (up, or whose back-off has passed). */
size_t hf_mapping_backends_up(const hf_mapping_t *m);

void hf_backend_addr_unref(hf_backend_addr_t *a);

/* Resumes accepting on paused listeners while there is room. */
void hf_mappings_resume_accept(void);

#endif
