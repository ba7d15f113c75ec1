#include "turn.h"

#include <stdbool.h>

#include "client.h"
#include "exchange.h"
#include "mapping.h"
#include "server.h"

static uv_check_t check;
static uv_idle_t idle;    /* keeps poll from blocking while work waits */
static bool check_init;
static bool closed;
static hf_list_t dispatch_list = {&dispatch_list, &dispatch_list};
static hf_list_t flush_list = {&flush_list, &flush_list};

static void on_turn_end(uv_check_t *h)
{
    /* A flush can start the next pipelined request, which can ask for
     * more: run until both lists are empty, so nothing waits for an event
     * that may never come. */
    while (!hf_list_empty(&dispatch_list) || !hf_list_empty(&flush_list)) {
        while (!hf_list_empty(&dispatch_list))
            hf_turn_dispatch_now(hf_container_of(
                hf_list_first(&dispatch_list), hf_mapping_t, dlink));
        while (!hf_list_empty(&flush_list)) {
            hf_exchange_t *ex = hf_container_of(hf_list_first(&flush_list),
                                                hf_exchange_t, flink);
            hf_list_remove(&ex->flink);
            if (ex->client != NULL)
                hf_client_flush(ex->client);
        }
    }
    uv_check_stop(h);
    uv_idle_stop(&idle);
}

static void on_idle(uv_idle_t *h) { (void)h; }

static void arm(void)
{
    if (!check_init) {
        uv_check_init(hf_server.loop, &check);
        uv_idle_init(hf_server.loop, &idle);
        check_init = true;
    }
    uv_check_start(&check, on_turn_end);
    /* Work queued before the poll phase (by a timer) must not wait there
     * for an unrelated event. */
    uv_idle_start(&idle, on_idle);
}

void hf_turn_dispatch(hf_mapping_t *m)
{
    if (closed || hf_list_linked(&m->dlink))
        return;
    hf_mapping_ref(m);
    hf_list_insert_tail(&dispatch_list, &m->dlink);
    arm();
}

void hf_turn_dispatch_now(hf_mapping_t *m)
{
    if (!hf_list_linked(&m->dlink))
        return;
    hf_list_remove(&m->dlink);
    hf_mapping_dispatch(m);
    hf_mapping_unref(m);
}

void hf_turn_flush(hf_exchange_t *ex)
{
    if (closed || hf_list_linked(&ex->flink))
        return;
    hf_list_insert_tail(&flush_list, &ex->flink);
    arm();
}

void hf_turn_forget(hf_exchange_t *ex)
{
    if (hf_list_linked(&ex->flink))
        hf_list_remove(&ex->flink);
}

static void on_check_closed(uv_handle_t *h) { (void)h; }

void hf_turn_close(void)
{
    while (!hf_list_empty(&dispatch_list)) {
        hf_mapping_t *m = hf_container_of(hf_list_first(&dispatch_list),
                                          hf_mapping_t, dlink);
        hf_list_remove(&m->dlink);
        hf_mapping_unref(m);
    }
    while (!hf_list_empty(&flush_list))
        hf_list_remove(hf_list_first(&flush_list));
    closed = true;
    if (check_init) {
        uv_close((uv_handle_t *)&check, on_check_closed);
        uv_close((uv_handle_t *)&idle, on_check_closed);
    }
}
