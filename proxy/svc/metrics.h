/* Renders the counters of every running mapping: Prometheus text format
 * for GET /metrics, and a JSON snapshot for GET /status. */
#ifndef HF_METRICS_H
#define HF_METRICS_H

#include "text.h"

/* Appends the Prometheus exposition (text format 0.0.4). */
void hf_metrics_prometheus(hf_text_t *t);

/* Appends build_info, the reload series and the process_* series
 * (process_metrics.c). */
void hf_metrics_process(hf_text_t *t);

/* Appends the /status JSON document. */
void hf_metrics_status_json(hf_text_t *t);

#endif
