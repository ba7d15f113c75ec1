/* An upstream: one fresh backend connection for one request. Connects,
 * writes the whole request, reads the whole response as fast as the backend
 * sends it, and closes, freeing the backend slot the moment the response is
 * complete, however slowly the client reads it. */
#ifndef HF_UPSTREAM_H
#define HF_UPSTREAM_H

#include "exchange.h"
#include "mapping.h"

/* Opens a connection to a for ex, taking one of a's slots. The outcome
 * reaches the exchange (response, 502/504) or the mapping (connect failed,
 * retried elsewhere). */
void hf_upstream_start(hf_exchange_t *ex, hf_backend_addr_t *a);

/* Closes every upstream (forced shutdown); their exchanges fail. */
void hf_upstream_abort_all(void);

#endif
