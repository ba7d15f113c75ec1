#include "dispatch.h"

#include "queue.h"
#include "runtime.h"
#include "upstream.h"

static uint64_t now_ms(void) { return uv_now(hf_rt.loop); }

static hf_backend_addr_t *pick(hf_mapping_t *m, const hf_exchange_t *ex,
                               bool *all_down)
{
    return hf_pool_pick(&m->pool, ex->tried, m->conf.backend_max_conns,
                        now_ms(), all_down);
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

        if (a == NULL && !all_down)
            break;
        hf_queue_remove(ex);
        if (a == NULL)
            hf_exchange_fail(ex, 502, "no backend up");
        else
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
        if (all_down) {
            hf_exchange_fail(ex, 502, "no backend up");
            return;
        }
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

    hf_pool_mark_failed(a, m->conf.name, now_ms());
    ex->tried |= hf_pool_bit(&m->pool, a);
    if (ex->client == NULL) {
        hf_exchange_release(ex);
        return;
    }
    /* Never written, so safe to send elsewhere: back to the head of the
     * queue, for the next untried address. */
    (void)pick(m, ex, &all_down);
    if (all_down) {
        hf_exchange_fail(ex, 502, "backend connect failed");
        return;
    }
    enqueue(ex, true);
    hf_dispatch_later(m);
}
