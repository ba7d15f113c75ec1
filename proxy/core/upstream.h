/* An upstream: one fresh backend connection for one request. Connects,
 * writes the whole request, reads the whole response as fast as the backend
 * sends it, and closes, freeing the backend slot the moment the response is
 * complete, however slowly the client reads it. Outcomes go to the
 * exchange (response, 502/504) or, through the events below, to whoever
 * dispatches requests (a slot freed, a connect failed). */
#ifndef HF_UPSTREAM_H
#define HF_UPSTREAM_H

#include "exchange.h"
#include "mapping.h"
#include "stats.h"

typedef struct hf_upstream_events {
    /* A slot of one of m's addresses is free again. */
    void (*slot_freed)(hf_mapping_t *m);
    /* The connect for ex (never written) to a failed; ex is detached and
     * its slot still held until this returns. */
    void (*connect_failed)(hf_exchange_t *ex, hf_backend_addr_t *a);
    /* The backend closed or reset ex's connection before any response
     * byte, and ex is idempotent and was not sent again yet: ex is
     * detached, to be sent once more on a fresh connection. */
    void (*retry)(hf_exchange_t *ex);
    /* A backend error of this kind on m (counted already). */
    void (*backend_error)(hf_mapping_t *m, enum hf_backend_error kind);
} hf_upstream_events_t;

/* Registers the events (kept by pointer). */
void hf_upstream_set_events(const hf_upstream_events_t *ev);

/* Opens a connection to a for ex, taking one of a's slots. */
void hf_upstream_start(hf_exchange_t *ex, hf_backend_addr_t *a);

/* When the oldest request of m still on a backend connection was sent
 * (uv_hrtime() ns), or 0 when none is: the health path's "degraded". */
uint64_t hf_upstream_oldest_sent(const hf_mapping_t *m);

/* Closes every upstream (forced shutdown); their exchanges fail. */
void hf_upstream_abort_all(void);

#endif
