/* A mapping at run time: one listening address in front of one legacy
 * application. This is the object every connection of the mapping holds a
 * reference to; it carries the conf in force, the backend pool, the queue,
 * the timeout queues and the counters. Each part has one writer:
 * the pool pool.c, the queue queue.c and dispatch.c, reconnects revive.c,
 * the listener fields
 * svc/listener.c, the health timer conn/health.c. */
#ifndef HF_MAPPING_H
#define HF_MAPPING_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "config.h"
#include "list.h"
#include "pool.h"
#include "stats.h"
#include "timeq.h"
#include "turn.h"

typedef struct hf_mapping {
    hf_mapping_conf_t conf;  /* own copy; replaced on reload */
    int refs;                /* the running config, listener, clients,
                                exchanges, upstreams, probes */
    hf_pool_t pool;          /* backend addresses (pool.c) */
    hf_list_t queue;         /* hf_exchange_t.qlink, oldest first */
    uint32_t queued;
    hf_deferred_t dispatch;  /* the queue's dispatch at the end of the turn */
    hf_timeq_t *tq_idle, *tq_header, *tq_body, *tq_queue, *tq_send;
    hf_stats_t stats;
    uint64_t down_since;     /* loop ms every address went down, or 0
                                (dispatch.c) */

    /* core/revive.c */
    uv_timer_t revive_timer; /* reconnect attempts while an address is down */
    bool revive_on;

    /* svc/listener.c */
    uv_tcp_t listener;
    bool listening;          /* listener open */
    bool accept_paused;      /* a connection waits for max_clients room */
    bool removed;            /* gone from the config: draining */
    hf_list_t link;          /* in the running mappings */

    /* conn/health.c */
    uv_timer_t health_timer; /* active probes, when health_check is on */
    bool health_timer_on;
} hf_mapping_t;

/* Creates a mapping from conf (copied), holding one reference for the
 * caller. Returns NULL when out of memory. */
hf_mapping_t *hf_mapping_new(const hf_mapping_conf_t *conf);

/* Applies a new conf (copied) in place (reload): addresses in both keep
 * their state. Returns 0, or -1 out of memory with the old conf kept. */
int hf_mapping_update(hf_mapping_t *m, const hf_mapping_conf_t *conf);

/* Takes a reference (a connection, a timer, a deferred dispatch). */
void hf_mapping_ref(hf_mapping_t *m);

/* Drops a reference; frees the mapping at the last. */
void hf_mapping_unref(hf_mapping_t *m);

#endif
