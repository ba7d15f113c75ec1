#include "turn.h"

#include <uv.h>

#include "runtime.h"

static uv_check_t check;
static uv_idle_t idle;    /* keeps poll from blocking while work waits */
static bool check_init;
static bool closed;
static hf_list_t lists[HF_TURN_NPHASES] = {
    {&lists[0], &lists[0]},
    {&lists[1], &lists[1]},
};

static bool all_empty(void)
{
    for (int p = 0; p < HF_TURN_NPHASES; p++)
        if (!hf_list_empty(&lists[p]))
            return false;
    return true;
}

static void run(hf_deferred_t *d, bool cancel)
{
    hf_list_remove(&d->link);
    d->cb(d, cancel);
}

static void on_turn_end(uv_check_t *h)
{
    /* A write can start the next pipelined request, which can ask for a
     * connect: run until every list is empty, so nothing waits for an
     * event that may never come. */
    while (!all_empty())
        for (int p = 0; p < HF_TURN_NPHASES; p++)
            while (!hf_list_empty(&lists[p]))
                run(hf_container_of(hf_list_first(&lists[p]),
                                    hf_deferred_t, link),
                    false);
    uv_check_stop(h);
    uv_idle_stop(&idle);
}

static void on_idle(uv_idle_t *h) { (void)h; }

static void arm(void)
{
    if (!check_init) {
        uv_check_init(hf_rt.loop, &check);
        uv_idle_init(hf_rt.loop, &idle);
        check_init = true;
    }
    uv_check_start(&check, on_turn_end);
    /* Work queued before the poll phase (by a timer) must not wait there
     * for an unrelated event. */
    uv_idle_start(&idle, on_idle);
}

bool hf_turn_post(hf_deferred_t *d, enum hf_turn_phase phase,
                  hf_deferred_cb cb)
{
    if (closed || hf_list_linked(&d->link))
        return false;
    d->cb = cb;
    hf_list_insert_tail(&lists[phase], &d->link);
    arm();
    return true;
}

void hf_turn_run_now(hf_deferred_t *d)
{
    if (hf_list_linked(&d->link))
        run(d, false);
}

static void on_check_closed(uv_handle_t *h) { (void)h; }

void hf_turn_close(void)
{
    for (int p = 0; p < HF_TURN_NPHASES; p++)
        while (!hf_list_empty(&lists[p]))
            run(hf_container_of(hf_list_first(&lists[p]), hf_deferred_t,
                                link),
                true);
    closed = true;
    if (check_init) {
        uv_close((uv_handle_t *)&check, on_check_closed);
        uv_close((uv_handle_t *)&idle, on_check_closed);
    }
}
