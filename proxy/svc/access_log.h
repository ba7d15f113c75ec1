/* The access log: one line per request, text (nginx's combined format and
 * holdfast's own fields) or JSON. Lines are gathered in a buffer and
 * written once per event-loop turn, so a busy loop makes one write(2) for
 * many requests and an idle one writes at once. */
#ifndef HF_ACCESS_LOG_H
#define HF_ACCESS_LOG_H

#include <uv.h>

#include "config.h"
#include "exchange.h"

/* Opens the log the config names ("stdout", a path, or off). Returns 0 or
 * a negative errno, and logs the path and the reason. */
int hf_access_log_open(uv_loop_t *loop, const hf_global_conf_t *g);

/* Reopens the file (SIGUSR1, after a rotation); keeps the old one open if
 * the new cannot be. */
int hf_access_log_reopen(void);

/* Queues ex's line (text or JSON, as configured); never blocks. */
void hf_access_log_write(const hf_exchange_t *ex);

/* Writes what is queued as far as the output takes it now (exit). */
void hf_access_log_flush(void);

/* Flushes, closes the file and the loop handle. */
void hf_access_log_close(void);

#endif
