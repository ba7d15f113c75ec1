/* Where a complete request goes: straight to a free backend slot, into the
 * queue, or back with 502/503; and the queue's dispatch as slots free up.
 * The one place that moves exchanges into and out of the queue. */
#ifndef HF_DISPATCH_H
#define HF_DISPATCH_H

#include "exchange.h"
#include "mapping.h"

/* Hands a complete request to its mapping: sent to a backend, queued, or
 * refused (502 with no backend up, 503 with the queue full). */
void hf_dispatch_submit(hf_exchange_t *ex);

/* Starts as many queued requests as there are free slots, now. */
void hf_dispatch_run(hf_mapping_t *m);

/* The same at the end of this loop turn (turn.h), once however often it is
 * asked for; m is referenced until then. */
void hf_dispatch_later(hf_mapping_t *m);

/* Takes ex out of the queue (its client left or timed out). */
void hf_dispatch_unqueue(hf_exchange_t *ex);

/* Upstream events (upstream.h): a slot freed, a connect failed. */
void hf_dispatch_slot_freed(hf_mapping_t *m);
void hf_dispatch_connect_failed(hf_exchange_t *ex, hf_backend_addr_t *a);

#endif
