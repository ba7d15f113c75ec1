#include "revive.h"

#include <stdlib.h>

#include "log.h"
#include "runtime.h"
#include "sock.h"

typedef struct attempt {
    hf_sock_t sock;          /* TCP or Unix-domain, as the address */
    uv_connect_t creq;
    hf_mapping_t *mapping;   /* referenced */
    hf_backend_addr_t *addr; /* referenced */
    hf_list_t link;          /* in the attempts in flight */
    bool done;
} attempt_t;

static const hf_revive_events_t *events;
static hf_list_t attempts = {&attempts, &attempts};
static bool closed; /* the process is stopping: no new attempts */

void hf_revive_set_events(const hf_revive_events_t *ev) { events = ev; }

static void on_attempt_close(uv_handle_t *h)
{
    attempt_t *at = h->data;

    hf_backend_addr_unref(at->addr);
    hf_mapping_unref(at->mapping);
    free(at);
}

/* Records the outcome once and closes; an accepted connection is reset,
 * so neither side keeps a TIME_WAIT socket for it. */
static void finish(attempt_t *at, bool ok)
{
    if (at->done)
        return;
    at->done = true;
    hf_list_remove(&at->link);
    hf_pool_set_reviving(at->addr, false);
    hf_sock_close(&at->sock, ok, on_attempt_close);
    if (ok && at->addr->down) {
        hf_pool_mark_up(at->addr, at->mapping->conf.name);
        events->revived(at->mapping);
    }
}

static void on_attempt_connect(uv_connect_t *req, int status)
{
    finish(req->data, status == 0);
}

static void attempt(hf_mapping_t *m, hf_backend_addr_t *a)
{
    attempt_t *at = calloc(1, sizeof(*at));

    if (at == NULL)
        return;
    at->mapping = m;
    hf_mapping_ref(m);
    at->addr = a;
    a->refs++;
    hf_pool_set_reviving(a, true);
    hf_list_insert_tail(&attempts, &at->link);
    hf_sock_init(hf_rt.loop, &at->sock, &a->addr, at);
    at->creq.data = at;
    if (hf_sock_connect(&at->creq, &at->sock, &a->addr, on_attempt_connect) !=
        0)
        finish(at, false);
}

static void on_revive_timer_close(uv_handle_t *h)
{
    hf_mapping_unref(h->data);
}

void hf_revive_stop(hf_mapping_t *m)
{
    if (!m->revive_on)
        return;
    m->revive_on = false;
    uv_close((uv_handle_t *)&m->revive_timer, on_revive_timer_close);
}

static void on_revive_timer(uv_timer_t *t)
{
    hf_mapping_t *m = t->data;

    /* Nothing to bring back and nobody waiting for it (addresses a
     * health probe took down still have requests waiting out their bound
     * here), nobody left to serve (a removed mapping with an empty queue),
     * or the process stopping. */
    if (closed || (!m->listening && m->queued == 0) ||
        (hf_pool_revivable(&m->pool) == 0 &&
         (m->queued == 0 || hf_pool_usable(&m->pool) > 0))) {
        hf_revive_stop(m);
        return;
    }
    for (size_t i = 0; i < m->pool.naddrs; i++) {
        hf_backend_addr_t *a = m->pool.addrs[i];
        /* One attempt at a time: a backend that neither accepts nor
         * refuses must not collect a connection every interval. */
        if (a->down && !a->probe_down && !a->reviving)
            attempt(m, a);
    }
    events->tick(m);
}

void hf_revive_start(hf_mapping_t *m)
{
    if (m->revive_on || closed)
        return;
    uv_timer_init(hf_rt.loop, &m->revive_timer);
    m->revive_timer.data = m;
    hf_mapping_ref(m);
    m->revive_on = true;
    uv_timer_start(&m->revive_timer, on_revive_timer, HF_REVIVE_MS,
                   HF_REVIVE_MS);
}

void hf_revive_abort_all(void)
{
    closed = true;
    while (!hf_list_empty(&attempts))
        finish(hf_container_of(hf_list_first(&attempts), attempt_t, link),
               false);
}
