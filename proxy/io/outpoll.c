#include "outpoll.h"

#include <stdlib.h>

typedef struct outpoll {
    uv_poll_t poll;
    hf_outq_t *q;
} outpoll_t;

static void on_out_writable(uv_poll_t *p, int status, int events)
{
    outpoll_t *op = p->data;

    (void)events;
    /* An error (the reader left) is found by the write too: flush drops. */
    (void)status;
    if (!hf_outq_flush(op->q))
        uv_poll_stop(p);
}

static void on_pending(hf_outq_t *q)
{
    outpoll_t *op = q->watch;

    if (uv_poll_start(&op->poll, UV_WRITABLE, on_out_writable) != 0)
        hf_outq_flush(q);
}

int hf_outpoll_watch(uv_loop_t *loop, hf_outq_t *q)
{
    outpoll_t *op;
    int err;

    if (q->watch != NULL || !q->nonblocking)
        return 0;
    op = calloc(1, sizeof(*op));
    if (op == NULL)
        return UV_ENOMEM;
    err = uv_poll_init(loop, &op->poll, q->fd);
    if (err != 0) {
        free(op);
        return err == UV_EPERM ? 0 : err;
    }
    /* Pending log lines alone must not keep the loop alive. */
    uv_unref((uv_handle_t *)&op->poll);
    op->poll.data = op;
    op->q = q;
    q->watch = op;
    q->on_pending = on_pending;
    if (q->off < q->len)
        on_pending(q);
    return 0;
}

static void on_outpoll_close(uv_handle_t *h) { free(h->data); }

void hf_outpoll_unwatch(hf_outq_t *q)
{
    outpoll_t *op = q->watch;

    if (op == NULL)
        return;
    q->watch = NULL;
    q->on_pending = NULL;
    uv_close((uv_handle_t *)&op->poll, on_outpoll_close);
}
