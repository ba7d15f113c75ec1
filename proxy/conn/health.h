/* Active backend health checks (mapping key health_check): every
 * health_interval each address is probed with a fresh connection and a
 * GET of the path, only while it has a free slot and nothing is queued, so
 * a probe never makes a real request wait. A 2xx or 3xx status line marks
 * the address up; anything else, or no status line within
 * backend_connect_timeout + health_interval, marks it down until a probe
 * succeeds. */
#ifndef HF_HEALTH_H
#define HF_HEALTH_H

#include "mapping.h"

/* Starts, restarts (new interval or path) or stops the probes of m,
 * following m->conf. */
void hf_health_configure(hf_mapping_t *m);

/* Stops the probes of m (mapping removed or shutdown). */
void hf_health_stop(hf_mapping_t *m);

/* Cancels every probe in flight (shutdown). */
void hf_health_abort_all(void);

#endif
