/* Per-mapping counters behind /metrics, statsd and the access log. Plain
 * integers bumped on the request path; rendering lives in metrics.c. */
#ifndef HF_STATS_H
#define HF_STATS_H

#include <stdint.h>

enum hf_client_state {
    HF_CLIENT_IDLE = 0, /* no request bytes yet, or between requests */
    HF_CLIENT_READING,  /* a request is arriving */
    HF_CLIENT_QUEUED,   /* complete, waiting for a backend slot */
    HF_CLIENT_WAITING,  /* sent to the backend, no response head yet */
    HF_CLIENT_WRITING,  /* the response is going out */
    HF_CLIENT_NSTATES
};

enum hf_backend_error {
    HF_BERR_CONNECT = 0,
    HF_BERR_TIMEOUT,
    HF_BERR_RESET,
    HF_BERR_INVALID,
    HF_BERR_N
};

#define HF_HIST_BUCKETS 14
#define HF_MAX_REASONS 48

typedef struct hf_histogram {
    uint64_t counts[HF_HIST_BUCKETS + 1]; /* last: above every bound */
    uint64_t count;
    double sum;
} hf_histogram_t;

/* Upper bounds in seconds, shared by every histogram: from 0.5 ms, where a
 * loopback backend answers, to 60 s, the default backend_timeout. */
extern const double hf_hist_bounds[HF_HIST_BUCKETS];

typedef struct hf_stats {
    int64_t conns[HF_CLIENT_NSTATES]; /* client connections by state now */
    uint64_t requests[600];           /* by status code */
    hf_histogram_t queue_wait;
    hf_histogram_t backend_time;
    hf_histogram_t request_time; /* first request byte to response done */
    uint64_t accepted;           /* client connections accepted */
    uint64_t backend_errors[HF_BERR_N];
    uint64_t retries;     /* idempotent requests sent again */
    struct {
        const char *reason; /* static string */
        uint64_t n;
    } rejected[HF_MAX_REASONS];
    uint32_t nrejected;
} hf_stats_t;

/* Counts one observation in its bucket. */
void hf_hist_observe(hf_histogram_t *h, double seconds);

/* Counts a refused request under reason (a static string, kept by
 * pointer); past HF_MAX_REASONS reasons the last slot absorbs the rest. */
void hf_stats_reject(hf_stats_t *s, const char *reason);

static inline void hf_stats_request(hf_stats_t *s, int code)
{
    if (code >= 100 && code < 600)
        s->requests[code]++;
}

extern const char *const hf_client_state_names[HF_CLIENT_NSTATES];
extern const char *const hf_backend_error_names[HF_BERR_N];

#endif
