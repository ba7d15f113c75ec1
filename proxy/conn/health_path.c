#include "health_path.h"

#include <stdio.h>
#include <string.h>

#include "client.h"
#include "mapping.h"
#include "runtime.h"

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

void hf_health_path_answer(hf_exchange_t *ex)
{
    hf_mapping_t *m = ex->mapping;
    size_t up = hf_pool_usable(&m->pool);
    uint32_t in_flight = 0;
    uint64_t oldest_ms = 0;
    char body[256];
    bool ok;

    for (size_t i = 0; i < m->pool.naddrs; i++)
        in_flight += m->pool.addrs[i]->in_flight;
    if (!hf_list_empty(&m->queue)) {
        hf_exchange_t *first = hf_container_of(hf_list_first(&m->queue),
                                               hf_exchange_t, qlink);
        oldest_ms = (uv_hrtime() - first->t_ready) / 1000000;
    }
    /* Stopping: the load balancer must take the target out now, while
     * holdfast still serves what it sends meanwhile (drain_delay). */
    ok = up > 0 && !hf_rt.draining;
    snprintf(body, sizeof(body),
             "{\"status\":\"%s\",\"backends_up\":%zu,\"backends\":%zu,"
             "\"in_flight\":%u,\"queue_depth\":%u,\"oldest_queued_ms\":%llu}",
             hf_rt.draining ? "draining" : up > 0 ? "up" : "down", up,
             m->pool.naddrs, in_flight, m->queued,
             (unsigned long long)oldest_ms);
    ex->health = true;
    hf_client_answer(ex, ok ? 200 : 503, "health", body, true, true);
}
