#include "health_path.h"

#include <stdio.h>
#include <string.h>

#include "client.h"
#include "mapping.h"
#include "runtime.h"
#include "upstream.h"

bool hf_health_path_match(const hf_exchange_t *ex)
{
    const char *hp = ex->mapping->conf.health_path;
    const char *path = ex->req.head.buf + ex->req.path_off;
    size_t n = 0;

    if (hp == NULL)
        return false;
    while (n < ex->req.path_len && path[n] != '?')
        n++;
    return n == strlen(hp) && memcmp(path, hp, n) == 0 &&
           (strcmp(ex->req.method, "GET") == 0 || ex->req.is_head);
}

/* "degraded": a backend holds a request past backend_timeout (one that
 * trickles bytes never trips its own timer, which measures silence), or
 * the queue head has waited past half of queue_timeout. Still a 200: one
 * slow request alone must not fail the load balancer's check. */
static bool degraded(const hf_mapping_t *m, uint64_t in_flight_ms,
                     uint64_t queued_ms)
{
    return in_flight_ms > m->conf.backend_timeout_ms ||
           queued_ms > m->conf.queue_timeout_ms / 2;
}

void hf_health_path_answer(hf_exchange_t *ex)
{
    hf_mapping_t *m = ex->mapping;
    size_t up = hf_pool_usable(&m->pool);
    uint32_t in_flight = 0;
    uint64_t now = uv_hrtime(), oldest_ms = 0, sent_ms = 0;
    uint64_t sent = hf_upstream_oldest_sent(m);
    const char *status;
    char body[320];

    for (size_t i = 0; i < m->pool.naddrs; i++)
        in_flight += m->pool.addrs[i]->in_flight;
    if (!hf_list_empty(&m->queue)) {
        hf_exchange_t *first = hf_container_of(hf_list_first(&m->queue),
                                               hf_exchange_t, qlink);
        oldest_ms = (now - first->t_ready) / 1000000;
    }
    if (sent != 0 && now > sent)
        sent_ms = (now - sent) / 1000000;
    /* Stopping: the load balancer must take the target out now, while
     * holdfast still serves what it sends meanwhile (drain_delay). */
    status = hf_rt.draining ? "draining"
             : up == 0      ? "down"
             : degraded(m, sent_ms, oldest_ms) ? "degraded"
                                               : "up";
    snprintf(body, sizeof(body),
             "{\"status\":\"%s\",\"backends_up\":%zu,\"backends\":%zu,"
             "\"in_flight\":%u,\"queue_depth\":%u,\"oldest_queued_ms\":%llu,"
             "\"oldest_in_flight_ms\":%llu}",
             status, up, m->pool.naddrs, in_flight, m->queued,
             (unsigned long long)oldest_ms, (unsigned long long)sent_ms);
    ex->health = true;
    hf_client_answer(ex, up > 0 && !hf_rt.draining ? 200 : 503, "health",
                     body, true, true);
}
