/* Client connections: accept, state, timeouts, the end of a response, and
 * the close. Reading and framing input is client_read.c. */
#include "client.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "exchange.h"
#include "fmt.h"
#include "log.h"
#include "mapping.h"
#include "server.h"

char hf_client_handle_tag;

/* After an error answered before the request was read to its end, input
 * is drained this long so the close does not reset the answer away
 * (nginx's lingering close). */
#define LINGER_MS 2000

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

/* Asked of the kernel once per connection: a getpeername per request
 * cost more than the 16 bytes an idle connection keeps for it. */
static void remember_peer(hf_client_t *c)
{
    struct sockaddr_storage ss;
    int sl = sizeof(ss);

    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &sl) != 0)
        return;
    if (ss.ss_family == AF_INET) {
        memcpy(c->addr, &((struct sockaddr_in *)&ss)->sin_addr, 4);
        c->family = AF_INET;
    } else if (ss.ss_family == AF_INET6) {
        memcpy(c->addr, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
        c->family = AF_INET6;
    }
}

static void on_client_close(uv_handle_t *h)
{
    hf_client_t *c = hf_container_of(h, hf_client_t, tcp);
    hf_mapping_t *m = c->mapping;

    m->stats.conns[c->state]--;
    if (c->proxied)
        hf_block_put(((hf_client_pp_t *)c)->partial);
    free(c);
    hf_mapping_unref(m);
    hf_server.nclients--;
    hf_mappings_resume_accept();
    hf_server_maybe_done();
}

void hf_client_close(hf_client_t *c)
{
    hf_exchange_t *ex = c->ex;

    if (c->closing)
        return;
    c->closing = true;
    hf_timer_stop(&c->timer);
    if (ex != NULL) {
        c->ex = NULL;
        ex->client = NULL;
        hf_block_put(ex->in);
        ex->in = NULL;
        hf_mapping_unqueue(ex);
        hf_spill_cancel(&ex->spill);
        hf_exchange_release(ex);
    }
    uv_close((uv_handle_t *)&c->tcp, on_client_close);
}

static void on_client_shutdown(uv_shutdown_t *req, int status)
{
    (void)status;
    free(req);
}

/* Half-closes after an error answer and drains what the client still
 * sends, until it closes or LINGER_MS pass. */
static void linger(hf_client_t *c)
{
    static hf_timeq_t *tq;
    uv_shutdown_t *req = malloc(sizeof(*req));

    if (tq == NULL)
        tq = hf_timeq_get(LINGER_MS);
    if (req == NULL || tq == NULL ||
        uv_shutdown(req, (uv_stream_t *)&c->tcp, on_client_shutdown) != 0) {
        free(req);
        hf_client_close(c);
        return;
    }
    c->lingering = true;
    hf_timer_start(&c->timer, tq);
    /* Reading may have been stopped (pipelined bytes, spill wait). */
    c->read_paused = false;
    if (hf_client_read_start(c) != 0)
        hf_client_close(c);
}

void hf_client_response_done(hf_client_t *c)
{
    hf_exchange_t *ex = c->ex;
    bool complete = ex->req.state == HF_REQ_DONE;
    bool close = ex->close_after || !ex->req.keep_alive || c->eof ||
                 hf_server.draining || !complete;
    hf_block_t *pending = ex->in;

    ex->in = NULL;
    c->ex = NULL;
    ex->client = NULL;
    hf_exchange_release(ex);
    if (close) {
        hf_block_put(pending);
        if (!complete && !c->eof)
            linger(c);
        else
            hf_client_close(c);
        return;
    }
    hf_client_set_state(c, HF_CLIENT_IDLE);
    hf_timer_start(&c->timer, c->mapping->tq_idle);
    if (c->read_paused) {
        c->read_paused = false;
        if (hf_client_read_start(c) != 0) {
            hf_block_put(pending);
            hf_client_close(c);
            return;
        }
    }
    if (pending != NULL)
        hf_client_feed_pending(c, pending);
}

void hf_client_close_if_idle(hf_client_t *c)
{
    if (c->state == HF_CLIENT_IDLE && c->ex == NULL)
        hf_client_close(c);
}

void hf_client_accept(hf_mapping_t *m)
{
    size_t size = m->conf.proxy_protocol ? sizeof(hf_client_pp_t)
                                         : sizeof(hf_client_t);
    hf_client_t *c = calloc(1, size);

    if (c == NULL)
        return;
    uv_tcp_init(hf_server.loop, &c->tcp);
    c->tcp.data = &hf_client_handle_tag;
    c->mapping = m;
    hf_mapping_ref(m);
    hf_timer_init(&c->timer);
    hf_server.nclients++;
    m->stats.conns[HF_CLIENT_IDLE]++;
    c->state = HF_CLIENT_IDLE;
    c->proxied = m->conf.proxy_protocol;
    c->proxy_pending = m->conf.proxy_protocol;
    if (uv_accept((uv_stream_t *)&m->listener, (uv_stream_t *)&c->tcp) != 0) {
        c->closing = true;
        uv_close((uv_handle_t *)&c->tcp, on_client_close);
        return;
    }
    m->stats.accepted++;
    c->id = (uint32_t)++hf_server.next_conn_id;
    remember_peer(c);
    uv_tcp_nodelay(&c->tcp, 1);
    hf_timer_start(&c->timer, m->tq_idle);
    if (hf_client_read_start(c) != 0)
        hf_client_close(c);
}

/* Every client timeout lands here; what it means depends on the state. */
void hf_client_on_timeout(hf_timer_t *t)
{
    hf_client_t *c = hf_container_of(t, hf_client_t, timer);
    hf_exchange_t *ex = c->ex;

    if (c->lingering) {
        hf_client_close(c);
        return;
    }
    switch (c->state) {
    case HF_CLIENT_IDLE:
        /* Silent: a load balancer logs a 408 on a pre-opened connection
         * as an error. */
        hf_client_close(c);
        break;
    case HF_CLIENT_READING:
        hf_request_reject(&ex->req, 408, "client_timeout");
        hf_exchange_respond(ex, 408, "client_timeout", "Request Timeout",
                            false, false);
        break;
    case HF_CLIENT_QUEUED:
        hf_mapping_unqueue(ex);
        hf_exchange_respond(ex, 503, "queue_timeout",
                            "Service Unavailable: queue timeout", false,
                            false);
        break;
    default:
        hf_log(HF_LOG_DEBUG, c->id, "send timeout");
        hf_client_close(c);
        break;
    }
}
