/* statsd output (global `statsd = host:port`): the same counters and
 * timings as /metrics, as UDP lines with DogStatsD tags. Lines gather in
 * one datagram that is sent once per loop turn or when full; a lost
 * datagram is lost, as statsd intends. */
#ifndef HF_STATSD_H
#define HF_STATSD_H

#include <uv.h>

#include "config.h"
#include "exchange.h"

/* Starts (or retargets, or with NULL stops) the sender. Returns 0 or a
 * negative UV error, logged. */
int hf_statsd_configure(uv_loop_t *loop, const hf_addr_t *addr);

/* Closes the sender's socket (shutdown). */
void hf_statsd_stop(void);

/* One finished request: count by code, timings. */
void hf_statsd_request(const hf_exchange_t *ex);

/* A backend failure of the given kind on the mapping. */
void hf_statsd_backend_error(const char *mapping, const char *kind);

#endif
