/* Where a complete request goes: straight to a free backend slot, into the
 * queue, or back with 502/503; and the queue's dispatch as slots free up.
 * The one place that moves exchanges into and out of the queue. */
#ifndef HF_DISPATCH_H
#define HF_DISPATCH_H

#include "exchange.h"
#include "mapping.h"

/* Hands a complete request to its mapping: sent to a backend, or queued
 * (for a free slot, or for an address to come back), or refused (503 with
 * the queue full). */
void hf_dispatch_submit(hf_exchange_t *ex);

/* Starts as many queued requests as there are free slots, now. */
void hf_dispatch_run(hf_mapping_t *m);

/* The same at the end of this loop turn (turn.h), once however often it is
 * asked for; m is referenced until then. */
void hf_dispatch_later(hf_mapping_t *m);

/* Takes ex out of the queue (its client left or timed out). */
void hf_dispatch_unqueue(hf_exchange_t *ex);

/* Upstream events (upstream.h): a slot freed; a connect failed (the
 * request waits for another address or for this one to come back); an
 * idempotent request to be sent again on a fresh connection. */
void hf_dispatch_slot_freed(hf_mapping_t *m);
void hf_dispatch_connect_failed(hf_exchange_t *ex, hf_backend_addr_t *a);
void hf_dispatch_retry(hf_exchange_t *ex);

/* Revive events (revive.h): an address is back; and, every interval while
 * every address is down, requests that waited backend_connect_timeout for
 * one get 502. */
void hf_dispatch_revived(hf_mapping_t *m);
void hf_dispatch_tick(hf_mapping_t *m);

#endif
