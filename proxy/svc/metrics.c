#include "metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "body.h"
#include "mapping.h"
#include "outq.h"
#include "runtime.h"
#include "server.h"


#define EACH_MAPPING(m)                                                        \
    for (hf_list_t *n_ = hf_server.mappings.next;                              \
         n_ != &hf_server.mappings &&                                          \
         ((m) = hf_container_of(n_, hf_mapping_t, link), 1);                   \
         n_ = n_->next)

static void header(hf_text_t *t, const char *name, const char *type,
                   const char *help)
{
    hf_text_printf(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void histogram(hf_text_t *t, const char *name, const char *mapping,
                      const hf_histogram_t *h)
{
    uint64_t cum = 0;

    for (int i = 0; i < HF_HIST_BUCKETS; i++) {
        cum += h->counts[i];
        hf_text_printf(t, "%s_bucket{mapping=\"%s\",le=\"%g\"} %llu\n", name,
                       mapping, hf_hist_bounds[i], (unsigned long long)cum);
    }
    hf_text_printf(t, "%s_bucket{mapping=\"%s\",le=\"+Inf\"} %llu\n", name,
                   mapping, (unsigned long long)h->count);
    hf_text_printf(t, "%s_sum{mapping=\"%s\"} %.6f\n", name, mapping, h->sum);
    hf_text_printf(t, "%s_count{mapping=\"%s\"} %llu\n", name, mapping,
                   (unsigned long long)h->count);
}

static void backend_series(hf_text_t *t);
static void process_series(hf_text_t *t);

/* Client side: connections, requests, the queue, whole-request times. */
static void client_series(hf_text_t *t)
{
    hf_mapping_t *m;

    header(t, "holdfast_client_connections", "gauge",
           "Client connections held, by state.");
    EACH_MAPPING(m)
    for (int s = 0; s < HF_CLIENT_NSTATES; s++)
        hf_text_printf(t,
                       "holdfast_client_connections{mapping=\"%s\","
                       "state=\"%s\"} %lld\n",
                       m->conf.name, hf_client_state_names[s],
                       (long long)m->stats.conns[s]);

    header(t, "holdfast_requests_total", "counter",
           "Requests answered, by status code (health_path answers not "
           "included).");
    EACH_MAPPING(m)
    for (int code = 100; code < 600; code++)
        if (m->stats.requests[code] != 0)
            hf_text_printf(t,
                           "holdfast_requests_total{mapping=\"%s\","
                           "code=\"%d\"} %llu\n",
                           m->conf.name, code,
                           (unsigned long long)m->stats.requests[code]);

    header(t, "holdfast_queue_depth", "gauge",
           "Complete requests waiting for a backend slot.");
    EACH_MAPPING(m)
    hf_text_printf(t, "holdfast_queue_depth{mapping=\"%s\"} %u\n",
                   m->conf.name, m->queued);

    header(t, "holdfast_queue_wait_seconds", "histogram",
           "Time complete requests waited for a backend slot.");
    EACH_MAPPING(m)
    histogram(t, "holdfast_queue_wait_seconds", m->conf.name,
              &m->stats.queue_wait);

    header(t, "holdfast_rejected_total", "counter",
           "Requests refused before reaching the backend, by reason.");
    EACH_MAPPING(m)
    for (uint32_t i = 0; i < m->stats.nrejected; i++)
        hf_text_printf(t,
                       "holdfast_rejected_total{mapping=\"%s\","
                       "reason=\"%s\"} %llu\n",
                       m->conf.name, m->stats.rejected[i].reason,
                       (unsigned long long)m->stats.rejected[i].n);

    header(t, "holdfast_request_duration_seconds", "histogram",
           "Time from the first byte of a request to the end of its "
           "response (health_path answers not included).");
    EACH_MAPPING(m)
    histogram(t, "holdfast_request_duration_seconds", m->conf.name,
              &m->stats.request_time);

    header(t, "holdfast_connections_accepted_total", "counter",
           "Client connections accepted.");
    EACH_MAPPING(m)
    hf_text_printf(t, "holdfast_connections_accepted_total{mapping=\"%s\"} "
                      "%llu\n",
                   m->conf.name, (unsigned long long)m->stats.accepted);
}

/* Backend side: response times, errors and retries. */
static void backend_error_series(hf_text_t *t)
{
    hf_mapping_t *m;

    header(t, "holdfast_backend_seconds", "histogram",
           "Time from sending a request to the backend to its complete "
           "response.");
    EACH_MAPPING(m)
    histogram(t, "holdfast_backend_seconds", m->conf.name,
              &m->stats.backend_time);

    header(t, "holdfast_backend_errors_total", "counter",
           "Backend failures, by kind.");
    EACH_MAPPING(m)
    for (int k = 0; k < HF_BERR_N; k++)
        hf_text_printf(t,
                       "holdfast_backend_errors_total{mapping=\"%s\","
                       "kind=\"%s\"} %llu\n",
                       m->conf.name, hf_backend_error_names[k],
                       (unsigned long long)m->stats.backend_errors[k]);

    header(t, "holdfast_backend_retries_total", "counter",
           "Idempotent requests sent again after the backend closed or "
           "reset their connection before answering.");
    EACH_MAPPING(m)
    hf_text_printf(t, "holdfast_backend_retries_total{mapping=\"%s\"} %llu\n",
                   m->conf.name, (unsigned long long)m->stats.retries);
}

void hf_metrics_prometheus(hf_text_t *t)
{
    client_series(t);
    backend_error_series(t);
    backend_series(t);
    process_series(t);
    hf_metrics_process(t);
}

static void backend_series(hf_text_t *t)
{
    hf_mapping_t *m;

    header(t, "holdfast_backends_up", "gauge",
           "Backend addresses usable now.");
    EACH_MAPPING(m)
    hf_text_printf(t, "holdfast_backends_up{mapping=\"%s\"} %zu\n",
                   m->conf.name,
                   hf_pool_usable(&m->pool));

    header(t, "holdfast_backend_in_flight", "gauge",
           "Requests at each backend address now.");
    EACH_MAPPING(m)
    for (size_t i = 0; i < m->pool.naddrs; i++)
        hf_text_printf(t,
                       "holdfast_backend_in_flight{mapping=\"%s\","
                       "backend=\"%s\"} %u\n",
                       m->conf.name, m->pool.addrs[i]->addr.text,
                       m->pool.addrs[i]->in_flight);

}

static void process_series(hf_text_t *t)
{
    header(t, "holdfast_spill_bytes", "gauge",
           "Body bytes spilled to temp files now.");
    hf_text_printf(t, "holdfast_spill_bytes %llu\n",
                   (unsigned long long)hf_spill_bytes);
    header(t, "holdfast_spill_errors_total", "counter",
           "Temp files that could not be created or written.");
    hf_text_printf(t, "holdfast_spill_errors_total %llu\n",
                   (unsigned long long)hf_spill_errors);
    header(t, "holdfast_max_clients", "gauge",
           "Client connections allowed at once, after fitting the "
           "descriptor limit.");
    hf_text_printf(t, "holdfast_max_clients %u\n", hf_server.max_clients);
    header(t, "holdfast_idle_closed_total", "counter",
           "Idle client connections closed to make room at max_clients.");
    hf_text_printf(t, "holdfast_idle_closed_total %llu\n",
                   (unsigned long long)hf_server.idle_closed);
    header(t, "holdfast_log_lines_dropped_total", "counter",
           "Log lines dropped because their output could not keep up.");
    hf_text_printf(t, "holdfast_log_lines_dropped_total %llu\n",
                   (unsigned long long)hf_outq_lines_dropped);
    header(t, "holdfast_draining", "gauge", "1 while shutting down.");
    hf_text_printf(t, "holdfast_draining %d\n", hf_rt.draining ? 1 : 0);
}

void hf_metrics_status_json(hf_text_t *t)
{
    hf_mapping_t *m;
    bool first = true;

    hf_text_printf(t, "{\"draining\":%s,\"clients\":%u,\"max_clients\":%u,"
                      "\"spill_bytes\":%llu,\"mappings\":[",
                   hf_rt.draining ? "true" : "false", hf_rt.nclients,
                   hf_server.max_clients, (unsigned long long)hf_spill_bytes);
    EACH_MAPPING(m)
    {
        hf_text_printf(t, "%s{\"name\":\"%s\",\"listen\":\"%s\","
                          "\"queued\":%u,\"connections\":{",
                       first ? "" : ",", m->conf.name, m->conf.listen.text,
                       m->queued);
        first = false;
        for (int s = 0; s < HF_CLIENT_NSTATES; s++)
            hf_text_printf(t, "%s\"%s\":%lld", s ? "," : "",
                           hf_client_state_names[s],
                           (long long)m->stats.conns[s]);
        hf_text_printf(t, "},\"backends\":[");
        for (size_t i = 0; i < m->pool.naddrs; i++) {
            const hf_backend_addr_t *a = m->pool.addrs[i];
            bool up = hf_pool_addr_usable(a);
            hf_text_printf(t, "%s{\"address\":\"%s\",\"up\":%s,"
                              "\"in_flight\":%u,\"requests\":%llu}",
                           i ? "," : "", a->addr.text, up ? "true" : "false",
                           a->in_flight, (unsigned long long)a->requests);
        }
        hf_text_printf(t, "]}");
    }
    hf_text_printf(t, "]}\n");
}
