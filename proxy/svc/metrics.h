/* Renders the counters of every running mapping: Prometheus text format
 * for GET /metrics, and a JSON snapshot for GET /status. */
#ifndef HF_METRICS_H
#define HF_METRICS_H

#include <stddef.h>

typedef struct hf_text {
    char *buf;
    size_t len;
    size_t cap;
    int failed; /* out of memory: buf holds what fit */
} hf_text_t;

void hf_text_printf(hf_text_t *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void hf_text_free(hf_text_t *t);

/* Appends the Prometheus exposition (text format 0.0.4). */
void hf_metrics_prometheus(hf_text_t *t);

/* Appends build_info, the reload series and the process_* series
 * (process_metrics.c). */
void hf_metrics_process(hf_text_t *t);

/* Appends the /status JSON document. */
void hf_metrics_status_json(hf_text_t *t);

#endif
