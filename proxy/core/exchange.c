#include "exchange.h"

#include <stdlib.h>

#include "block.h"
#include "mapping.h"
#include "queue.h"

static const hf_exchange_events_t *events;

void hf_exchange_set_events(const hf_exchange_events_t *ev) { events = ev; }

hf_exchange_t *hf_exchange_new(struct hf_client *c, hf_mapping_t *m)
{
    hf_request_limits_t lim = {
        .max_header_size = m->conf.max_header_size,
        .max_body_size = m->conf.max_body_size,
        .body_buffer_size = m->conf.body_buffer_size,
    };
    hf_exchange_t *ex = calloc(1, sizeof(*ex));

    if (ex == NULL)
        return NULL;
    if (hf_request_init(&ex->req, &lim) != 0) {
        free(ex);
        return NULL;
    }
    ex->client = c;
    ex->mapping = m;
    hf_mapping_ref(m);
    hf_list_init(&ex->qlink);
    hf_deferred_init(&ex->flush);
    hf_list_init(&ex->spill.link);
    ex->t_begin = uv_hrtime();
    return ex;
}

static void free_out(hf_exchange_t *ex)
{
    if (ex->out_blk != NULL)
        hf_block_put(ex->out_blk);
    else
        free(ex->out_buf);
    ex->out_blk = NULL;
    ex->out_buf = NULL;
    ex->out_len = 0;
}

void hf_exchange_release(hf_exchange_t *ex)
{
    hf_mapping_t *m = ex->mapping;

    if (ex->client != NULL || ex->up != NULL || ex->writing)
        return;
    /* A request that never completed is no request: nothing to log. */
    if (ex->req.state == HF_REQ_DONE || ex->status != 0) {
        if (ex->status == 0)
            ex->status = 499; /* the client left before any answer */
        events->finished(ex);
    }
    hf_queue_remove(ex);
    hf_turn_forget(&ex->flush);
    hf_spill_cancel(&ex->spill);
    hf_block_put(ex->in);
    free_out(ex);
    hf_request_free(&ex->req);
    if (ex->res_ready)
        hf_response_free(&ex->res);
    free(ex);
    hf_mapping_unref(m);
}

void hf_exchange_backend_done(hf_exchange_t *ex)
{
    if (ex->t_backend_done == 0)
        ex->t_backend_done = uv_hrtime();
    ex->up = NULL;
}

void hf_exchange_queued(hf_exchange_t *ex) { events->queued(ex); }

void hf_exchange_sent(hf_exchange_t *ex) { events->sent(ex); }

void hf_exchange_respond(hf_exchange_t *ex, int status, const char *reason,
                         const char *body, bool json, bool keep)
{
    events->respond(ex, status, reason, body, json, keep);
}

void hf_exchange_fail(hf_exchange_t *ex, int status, const char *reason)
{
    events->fail(ex, status, reason);
}

void hf_exchange_progress(hf_exchange_t *ex) { events->progress(ex); }
