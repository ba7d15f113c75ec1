/* The admin listener: GET /metrics (Prometheus), /healthz (200 running,
 * 503 draining), /status (JSON). One request per connection, answered and
 * closed; it stays open while the proxy drains, so /healthz can say so. */
#ifndef HF_ADMIN_H
#define HF_ADMIN_H

#include <uv.h>

#include "config.h"

/* Opens the listener (or keeps it, when addr is unchanged). NULL closes it.
 * A listener on another address is closed first and freed by its close
 * callback; connections it accepted are answered to the end. Returns 0 or
 * a negative UV error, logged with the address. */
int hf_admin_configure(uv_loop_t *loop, const hf_addr_t *addr);

/* Closes the listener, every admin connection and the deadline timer;
 * each is freed by its close callback. */
void hf_admin_stop(void);

#endif
