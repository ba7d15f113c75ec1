/* The mapping's health_path: answered by holdfast itself from the pool and
 * the queue, never queued and never sent to the backend. */
#ifndef HF_HEALTH_PATH_H
#define HF_HEALTH_PATH_H

#include <stdbool.h>

#include "exchange.h"

/* The request is a GET or HEAD of the mapping's health_path. */
bool hf_health_path_match(const hf_exchange_t *ex);

/* Answers it: 200 with a JSON body while an address is usable, else 503.
 * The answer goes out at the end of the turn. */
void hf_health_path_answer(hf_exchange_t *ex);

#endif
