/* Shared timeout queues: one libuv timer per distinct duration, not one per
 * connection. Every timer in a queue has the same duration, so appending at
 * the tail keeps the queue sorted by deadline and arming, re-arming and
 * stopping are O(1) list moves. A connection carries one hf_timer_t (24
 * bytes) instead of a uv_timer_t (152 bytes). */
#ifndef HF_TIMEQ_H
#define HF_TIMEQ_H

#include <stdint.h>

#include <uv.h>

#include "list.h"

typedef struct hf_timeq hf_timeq_t;

typedef struct hf_timer {
    hf_list_t link;    /* in its queue, sorted by deadline */
    uint64_t deadline; /* loop time in ms */
} hf_timer_t;

/* Called for each expired timer, already stopped. May start it again, stop
 * or free it, and start or stop others. */
typedef void (*hf_timer_cb)(hf_timer_t *t);

/* Every queue's expiries go to cb; call once, before hf_timeq_get. */
void hf_timeq_init(uv_loop_t *loop, hf_timer_cb cb);

/* The queue for a duration, created on first use; NULL if out of memory.
 * Queues live until hf_timeq_close_all(). */
hf_timeq_t *hf_timeq_get(uint64_t timeout_ms);

/* Closes every queue's libuv timer (at exit; the timers must be stopped). */
void hf_timeq_close_all(void);

/* The duration of q's timers, in ms. */
uint64_t hf_timeq_timeout(const hf_timeq_t *q);

/* Walks q oldest first (earliest deadline, so the longest-running timer):
 * the first timer, or NULL when q is empty; the timer after t, or NULL at
 * the end. The queue must not change during the walk. */
hf_timer_t *hf_timeq_first(hf_timeq_t *q);
hf_timer_t *hf_timeq_next(hf_timeq_t *q, hf_timer_t *t);

static inline void hf_timer_init(hf_timer_t *t) { hf_list_init(&t->link); }

/* (Re)starts t to expire one duration of q from now. */
void hf_timer_start(hf_timer_t *t, hf_timeq_t *q);

static inline void hf_timer_stop(hf_timer_t *t)
{
    if (hf_list_linked(&t->link))
        hf_list_remove(&t->link);
}

#endif
