/* Client connections: state, timer and close (see client.h). */
#include "client.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "exchange.h"
#include "fmt.h"
#include "log.h"
#include "dispatch.h"
#include "mapping.h"
#include "runtime.h"

char hf_client_handle_tag;

/* After an error answered before the request was read to its end, input
 * is drained this long so the close does not reset the answer away
 * (nginx's lingering close). */
#define LINGER_MS 2000

static hf_timeq_t *linger_tq;
static hf_timeq_t *hold_tq;

void hf_client_timer_start(hf_client_t *c, enum hf_client_timeout kind)
{
    hf_mapping_t *m = c->mapping;
    hf_timeq_t *q = NULL;

    switch (kind) {
    case HF_TMO_IDLE: q = m->tq_idle; break;
    case HF_TMO_HEADER: q = m->tq_header; break;
    case HF_TMO_BODY: q = m->tq_body; break;
    case HF_TMO_QUEUE: q = m->tq_queue; break;
    case HF_TMO_SEND: q = m->tq_send; break;
    case HF_TMO_LINGER:
        if (linger_tq == NULL)
            linger_tq = hf_timeq_get(LINGER_MS);
        q = linger_tq;
        break;
    case HF_TMO_HOLD:
        if (hold_tq == NULL)
            hold_tq = hf_timeq_get(HF_CLIENT_HOLD_MS);
        q = hold_tq;
        break;
    case HF_TMO_NONE: break;
    }
    if (q == NULL) {
        /* Out of memory for a new queue: no timer rather than a wrong one;
         * the connection still ends with its peer. */
        hf_client_timer_stop(c);
        return;
    }
    c->tmo = (uint8_t)kind;
    hf_timer_start(&c->timer, q);
}

void hf_client_timer_stop(hf_client_t *c)
{
    c->tmo = HF_TMO_NONE;
    hf_timer_stop(&c->timer);
}

void hf_client_set_state(hf_client_t *c, enum hf_client_state s)
{
    hf_stats_t *st = &c->mapping->stats;

    st->conns[c->state]--;
    st->conns[s]++;
    c->state = (uint8_t)s;
}

void hf_client_addr_text(const hf_client_t *c, char *buf, size_t len)
{
    if (c->family == AF_INET && len >= 16) {
        /* inet_ntop formats IPv4 through sprintf: by hand instead. */
        *hf_put_ipv4(buf, c->addr) = '\0';
        return;
    }
    if (c->family == 0 ||
        inet_ntop(c->family, c->addr, buf, (socklen_t)len) == NULL)
        snprintf(buf, len, "-");
}

static void on_client_close(uv_handle_t *h)
{
    hf_client_t *c = hf_container_of(h, hf_client_t, tcp);
    hf_mapping_t *m = c->mapping;

    m->stats.conns[c->state]--;
    if (c->pp_variant)
        hf_block_put(((hf_client_pp_t *)c)->partial);
    free(c);
    hf_mapping_unref(m);
    hf_rt.nclients--;
    hf_runtime_conn_closed();
}

void hf_client_close(hf_client_t *c)
{
    hf_exchange_t *ex = c->ex;

    if (c->closing)
        return;
    c->closing = true;
    hf_client_timer_stop(c);
    if (ex != NULL) {
        c->ex = NULL;
        ex->client = NULL;
        hf_block_put(ex->in);
        ex->in = NULL;
        hf_dispatch_unqueue(ex);
        hf_spill_cancel(&ex->spill);
        hf_exchange_release(ex);
        /* A response waiting for spill room for this client's sake now
         * only discards: let it go on. */
        hf_spill_kick();
    }
    uv_close((uv_handle_t *)&c->tcp, on_client_close);
}

