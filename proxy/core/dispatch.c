#include "dispatch.h"

#include "log.h"
#include "queue.h"
#include "revive.h"
#include "runtime.h"
#include "upstream.h"

static hf_backend_addr_t *pick(hf_mapping_t *m, const hf_exchange_t *ex,
                               bool *all_down)
{
    return hf_pool_pick(&m->pool, ex->tried, m->conf.backend_max_conns,
                        all_down);
}

/* Every address is down: requests wait for one to come back (revive.c),
 * from now on at most backend_connect_timeout each. */
static void all_down_now(hf_mapping_t *m)
{
    if (m->down_since == 0)
        m->down_since = uv_hrtime();
    hf_revive_start(m);
}

static void start(hf_exchange_t *ex, hf_backend_addr_t *a)
{
    hf_mapping_t *m = ex->mapping;

    ex->t_sent = uv_hrtime();
    hf_hist_observe(&m->stats.queue_wait,
                    (double)(ex->t_sent - ex->t_ready) / 1e9);
    if (ex->client != NULL)
        hf_exchange_sent(ex);
    hf_upstream_start(ex, a);
}

static void enqueue(hf_exchange_t *ex, bool at_head)
{
    hf_queue_push(ex->mapping, ex, at_head);
    if (ex->client != NULL)
        hf_exchange_queued(ex);
}

void hf_dispatch_unqueue(hf_exchange_t *ex) { hf_queue_remove(ex); }

/* Never re-entered: an upstream that fails at once puts its exchange back
 * at the head of the queue and asks for a later dispatch (which this loop
 * makes moot), and the client side posts its answers to the end of the
 * turn instead of writing them here. */
void hf_dispatch_run(hf_mapping_t *m)
{
    hf_exchange_t *ex;

    while ((ex = hf_queue_first(m)) != NULL) {
        bool all_down;
        hf_backend_addr_t *a = pick(m, ex, &all_down);

        if (a == NULL) {
            /* Every slot busy, or every address down: wait, in order. */
            if (all_down)
                all_down_now(m);
            break;
        }
        hf_queue_remove(ex);
        start(ex, a);
    }
}

static void on_dispatch(hf_deferred_t *d, bool cancel)
{
    hf_mapping_t *m = hf_container_of(d, hf_mapping_t, dispatch);

    if (!cancel)
        hf_dispatch_run(m);
    hf_mapping_unref(m);
}

void hf_dispatch_later(hf_mapping_t *m)
{
    if (hf_turn_post(&m->dispatch, HF_TURN_CONNECT, on_dispatch))
        hf_mapping_ref(m);
}

void hf_dispatch_slot_freed(hf_mapping_t *m) { hf_dispatch_later(m); }

void hf_dispatch_submit(hf_exchange_t *ex)
{
    hf_mapping_t *m = ex->mapping;
    hf_backend_addr_t *a;
    bool all_down;

    /* A dispatch still waiting for the end of the turn goes first: the
     * request must not find the queue full while a slot is free. The
     * caller's exchange holds a reference, so m outlives it. */
    hf_turn_run_now(&m->dispatch);
    if (hf_list_empty(&m->queue)) {
        a = pick(m, ex, &all_down);
        if (a != NULL) {
            start(ex, a);
            return;
        }
        if (all_down)
            all_down_now(m);
    }
    if (m->queued >= m->conf.queue_size) {
        hf_exchange_respond(ex, 503, "queue_full",
                            "Service Unavailable: queue full", false, false);
        return;
    }
    enqueue(ex, false);
}

void hf_dispatch_connect_failed(hf_exchange_t *ex, hf_backend_addr_t *a)
{
    hf_mapping_t *m = ex->mapping;
    bool all_down;

    hf_pool_mark_failed(a, m->conf.name);
    hf_revive_start(m);
    ex->tried |= hf_pool_bit(&m->pool, a);
    if (ex->client == NULL) {
        hf_exchange_release(ex);
        return;
    }
    /* Never written, so safe to send elsewhere: back to the head of the
     * queue, for the next untried address; with none left it keeps its
     * turn there until an address is back. */
    (void)pick(m, ex, &all_down);
    if (all_down)
        ex->tried = 0;
    enqueue(ex, true);
    hf_dispatch_later(m);
}

void hf_dispatch_retry(hf_exchange_t *ex)
{
    hf_mapping_t *m = ex->mapping;

    if (ex->client == NULL) {
        hf_exchange_release(ex);
        return;
    }
    m->stats.retries++;
    ex->tried = 0;
    enqueue(ex, true);
    hf_dispatch_later(m);
}

void hf_dispatch_revived(hf_mapping_t *m)
{
    m->down_since = 0;
    hf_dispatch_later(m);
}

void hf_dispatch_tick(hf_mapping_t *m)
{
    uint64_t now = uv_hrtime(), limit;
    hf_list_t *n;

    if (hf_pool_usable(&m->pool) > 0) {
        m->down_since = 0;
        return;
    }
    if (m->down_since == 0)
        m->down_since = now;
    limit = m->conf.backend_connect_timeout_ms * 1000000;
    n = m->queue.next;
    while (n != &m->queue) {
        hf_exchange_t *ex = hf_container_of(n, hf_exchange_t, qlink);
        uint64_t since = ex->t_ready > m->down_since ? ex->t_ready
                                                     : m->down_since;
        n = n->next;
        if (now - since < limit)
            continue;
        hf_queue_remove(ex);
        hf_exchange_fail(ex, 502, "no backend up");
    }
}
