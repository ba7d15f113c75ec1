#include "timeq.h"

#include <stdlib.h>

struct hf_timeq {
    uv_timer_t timer;
    uint64_t timeout_ms;
    hf_list_t timers; /* sorted by deadline, earliest first */
    hf_timeq_t *next; /* registry */
};

static uv_loop_t *tq_loop;
static hf_timer_cb tq_cb;
static hf_timeq_t *registry;

static void on_timeq_timer(uv_timer_t *handle);

void hf_timeq_init(uv_loop_t *loop, hf_timer_cb cb)
{
    tq_loop = loop;
    tq_cb = cb;
}

/* Arms the libuv timer for the earliest deadline. A stopped head is not
 * chased: the timer then fires early, finds nothing due and re-arms. */
static void arm(hf_timeq_t *q)
{
    hf_timer_t *first;
    uint64_t now, due;

    if (hf_list_empty(&q->timers))
        return;
    first = hf_container_of(hf_list_first(&q->timers), hf_timer_t, link);
    now = uv_now(tq_loop);
    due = first->deadline > now ? first->deadline - now : 0;
    uv_timer_start(&q->timer, on_timeq_timer, due, 0);
}

static void on_timeq_timer(uv_timer_t *handle)
{
    hf_timeq_t *q = hf_container_of(handle, hf_timeq_t, timer);
    uint64_t now = uv_now(tq_loop);

    while (!hf_list_empty(&q->timers)) {
        hf_timer_t *t =
            hf_container_of(hf_list_first(&q->timers), hf_timer_t, link);
        if (t->deadline > now)
            break;
        hf_list_remove(&t->link);
        tq_cb(t);
    }
    arm(q);
}

hf_timeq_t *hf_timeq_get(uint64_t timeout_ms)
{
    hf_timeq_t *q;

    for (q = registry; q != NULL; q = q->next)
        if (q->timeout_ms == timeout_ms)
            return q;
    q = calloc(1, sizeof(*q));
    if (q == NULL)
        return NULL;
    uv_timer_init(tq_loop, &q->timer);
    /* The queues must not keep the loop alive by themselves. */
    uv_unref((uv_handle_t *)&q->timer);
    q->timeout_ms = timeout_ms;
    hf_list_init(&q->timers);
    q->next = registry;
    registry = q;
    return q;
}

uint64_t hf_timeq_timeout(const hf_timeq_t *q) { return q->timeout_ms; }

hf_timer_t *hf_timeq_first(hf_timeq_t *q)
{
    if (hf_list_empty(&q->timers))
        return NULL;
    return hf_container_of(hf_list_first(&q->timers), hf_timer_t, link);
}

hf_timer_t *hf_timeq_next(hf_timeq_t *q, hf_timer_t *t)
{
    if (t->link.next == &q->timers)
        return NULL;
    return hf_container_of(t->link.next, hf_timer_t, link);
}

void hf_timer_start(hf_timer_t *t, hf_timeq_t *q)
{
    if (hf_list_linked(&t->link))
        hf_list_remove(&t->link);
    t->deadline = uv_now(tq_loop) + q->timeout_ms;
    hf_list_insert_tail(&q->timers, &t->link);
    if (!uv_is_active((uv_handle_t *)&q->timer))
        arm(q);
}

static void on_timeq_close(uv_handle_t *handle)
{
    free(hf_container_of(handle, hf_timeq_t, timer));
}

void hf_timeq_close_all(void)
{
    while (registry != NULL) {
        hf_timeq_t *q = registry;
        registry = q->next;
        uv_close((uv_handle_t *)&q->timer, on_timeq_close);
    }
}
