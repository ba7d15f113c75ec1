#include "exchange.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "access_log.h"
#include "client.h"
#include "log.h"
#include "mapping.h"
#include "server.h"
#include "statsd.h"
#include "turn.h"
#include "upstream.h"

hf_exchange_t *hf_exchange_new(hf_client_t *c)
{
    hf_mapping_t *m = c->mapping;
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
    hf_list_init(&ex->flink);
    hf_list_init(&ex->spill.link);
    ex->t_begin = uv_hrtime();
    hf_client_addr_text(c, ex->peer, sizeof(ex->peer));
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
        if (!ex->health) {
            hf_stats_request(&m->stats, ex->status);
            hf_hist_observe(&m->stats.request_time,
                            (double)(uv_hrtime() - ex->t_begin) / 1e9);
        }
        hf_access_log_write(ex);
        if (!ex->health)
            hf_statsd_request(ex);
    }
    if (hf_list_linked(&ex->qlink))
        hf_mapping_unqueue(ex);
    hf_turn_forget(ex);
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
