/* Configuration at run time: what a start and a SIGHUP reload apply. A
 * reload keeps the listening socket of every address in both the old and
 * the new file, so no connection is refused while it happens. */
#ifndef HF_RELOAD_H
#define HF_RELOAD_H

#include <stdint.h>

#include "config.h"

/* Outcomes of SIGHUP reloads, for /metrics. */
typedef struct hf_reload_stats {
    uint64_t ok, failed;
    double last_ok_unix; /* wall-clock seconds of the last good load,
                            start-up included (as Prometheus counts it) */
} hf_reload_stats_t;

extern hf_reload_stats_t hf_reload_stats;

/* Checks that this build can honour cfg, and starts the process-wide
 * services it asks for. Returns 0, or -1 after logging why not. */
int hf_reload_start(const hf_config_t *cfg);

/* Stops those services (shutdown). */
void hf_reload_stop(void);

/* Reads path again and applies it; a bad file is logged and changes
 * nothing. */
void hf_reload(const char *path);

#endif
