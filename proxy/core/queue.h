/* A mapping's queue of complete requests waiting for a backend slot, in
 * arrival order. Only a list: dispatch.c decides when an exchange enters
 * and leaves it. */
#ifndef HF_QUEUE_H
#define HF_QUEUE_H

#include <stdbool.h>

#include "exchange.h"
#include "mapping.h"

/* Adds ex at the tail, or at the head (a request that must keep its turn,
 * as one whose address refused). ex must not be queued. */
void hf_queue_push(hf_mapping_t *m, hf_exchange_t *ex, bool at_head);

/* Takes ex out of its mapping's queue, if it is in it. */
void hf_queue_remove(hf_exchange_t *ex);

/* The oldest waiting exchange, or NULL. */
hf_exchange_t *hf_queue_first(const hf_mapping_t *m);

#endif
