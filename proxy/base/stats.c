#include "stats.h"

#include <string.h>

const double hf_hist_bounds[HF_HIST_BUCKETS] = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
    0.1,    0.25,  0.5,    1,     2.5,  10,    60,
};

const char *const hf_client_state_names[HF_CLIENT_NSTATES] = {
    "idle", "reading", "queued", "waiting", "writing",
};

const char *const hf_backend_error_names[HF_BERR_N] = {
    "connect", "timeout", "reset", "invalid",
};

void hf_hist_observe(hf_histogram_t *h, double seconds)
{
    int i;

    for (i = 0; i < HF_HIST_BUCKETS; i++)
        if (seconds <= hf_hist_bounds[i])
            break;
    h->counts[i]++;
    h->count++;
    h->sum += seconds;
}

void hf_stats_reject(hf_stats_t *s, const char *reason)
{
    uint32_t i;

    for (i = 0; i < s->nrejected; i++)
        if (s->rejected[i].reason == reason ||
            strcmp(s->rejected[i].reason, reason) == 0)
            break;
    if (i == s->nrejected) {
        if (i == HF_MAX_REASONS)
            i = HF_MAX_REASONS - 1; /* "other" absorbs the overflow */
        else
            s->nrejected++;
        if (s->rejected[i].reason == NULL || i < HF_MAX_REASONS - 1)
            s->rejected[i].reason =
                i == HF_MAX_REASONS - 1 ? "other" : reason;
    }
    s->rejected[i].n++;
}
