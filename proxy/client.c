#include "client.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "exchange.h"
#include "log.h"
#include "mapping.h"
#include "proxy_protocol.h"
#include "server.h"

char hf_client_handle_tag;

static const char continue_100[] = "HTTP/1.1 100 Continue\r\n\r\n";

/* After an error answered before the request was read to its end, input
 * is drained this long so the close does not reset the answer away
 * (nginx's lingering close). */
#define LINGER_MS 2000

static void process_input(hf_client_t *c);
static void on_client_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf);
static void on_client_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b);

void hf_client_set_state(hf_client_t *c, enum hf_client_state s)
{
    hf_stats_t *st = &c->mapping->stats;

    st->conns[c->state]--;
    st->conns[s]++;
    c->state = (uint8_t)s;
}

void hf_client_addr_text(const hf_client_t *c, char *buf, size_t len)
{
    if (inet_ntop(c->family, c->addr, buf, (socklen_t)len) == NULL)
        snprintf(buf, len, "-");
}

static void release_input(hf_client_t *c)
{
    if (c->in != NULL && c->in->pos == c->in->last) {
        hf_block_put(c->in);
        c->in = NULL;
    }
}

static void on_client_close(uv_handle_t *h)
{
    hf_client_t *c = hf_container_of(h, hf_client_t, tcp);
    hf_mapping_t *m = c->mapping;

    m->stats.conns[c->state]--;
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
        hf_mapping_unqueue(ex);
        hf_spill_cancel(&ex->spill);
        hf_exchange_release(ex);
    }
    hf_block_put(c->in);
    c->in = NULL;
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
    if (c->in != NULL)
        c->in->pos = c->in->last;
    /* Reading may have been stopped (pipelined bytes, spill wait); the
     * error is irrelevant: a stream that still reads says EALREADY. */
    c->read_paused = false;
    (void)uv_read_start((uv_stream_t *)&c->tcp, on_client_alloc,
                        on_client_read);
}

void hf_client_response_done(hf_client_t *c)
{
    hf_exchange_t *ex = c->ex;
    bool complete = ex->req.state == HF_REQ_DONE;
    bool close = ex->close_after || !ex->req.keep_alive || c->eof ||
                 hf_server.draining || !complete;

    c->ex = NULL;
    ex->client = NULL;
    hf_exchange_release(ex);
    if (close) {
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
        (void)uv_read_start((uv_stream_t *)&c->tcp, on_client_alloc,
                            on_client_read);
    }
    release_input(c);
    if (c->in != NULL)
        process_input(c);
}

void hf_client_close_if_idle(hf_client_t *c)
{
    if (c->state == HF_CLIENT_IDLE && c->ex == NULL)
        hf_client_close(c);
}

/* The request is complete: hand it to the mapping. */
static void request_complete(hf_client_t *c)
{
    hf_timer_stop(&c->timer);
    hf_client_set_state(c, HF_CLIENT_QUEUED);
    hf_mapping_submit(c->ex);
}

static void reject(hf_client_t *c)
{
    hf_exchange_t *ex = c->ex;

    hf_log(HF_LOG_DEBUG, c->id, "rejected: %d %s", ex->req.error_status,
           ex->req.error_reason);
    hf_exchange_respond(ex, ex->req.error_status, ex->req.error_reason,
                        hf_status_text(ex->req.error_status), false, false);
}

static void on_client_write_100(uv_write_t *req, int status)
{
    hf_exchange_t *ex = hf_container_of(req, hf_exchange_t, wreq);

    ex->writing = false;
    if (ex->client == NULL) {
        hf_exchange_release(ex);
        return;
    }
    if (status < 0) {
        hf_client_close(ex->client);
        return;
    }
    hf_client_flush(ex->client);
}

static void send_100(hf_client_t *c)
{
    hf_exchange_t *ex = c->ex;
    uv_buf_t b = uv_buf_init((char *)continue_100, sizeof(continue_100) - 1);

    if (uv_write(&ex->wreq, (uv_stream_t *)&c->tcp, &b, 1,
                 on_client_write_100) != 0) {
        hf_client_close(c);
        return;
    }
    ex->writing = true;
}

static void on_spill_room(hf_spill_waiter_t *w);

/* Takes the PROXY protocol header off the front of the input; its source
 * address becomes the client's. Returns false when it is not complete yet
 * or the connection was closed for a bad one. */
static bool take_proxy_header(hf_client_t *c)
{
    hf_proxy_addr_t pa;
    int n = hf_proxy_parse(c->in->data + c->in->pos, c->in->last - c->in->pos,
                           &pa);

    if (n == 0 && c->in->last - c->in->pos < HF_PROXY_V2_MAX)
        return false;
    if (n <= 0) {
        hf_log(HF_LOG_DEBUG, c->id, "no valid PROXY protocol header");
        hf_stats_reject(&c->mapping->stats, "proxy_protocol");
        hf_client_close(c);
        return false;
    }
    c->in->pos += (uint32_t)n;
    c->proxy_pending = false;
    if (pa.family != 0) {
        c->family = (uint8_t)pa.family;
        memcpy(c->addr, pa.addr, sizeof(c->addr));
        c->port = pa.port;
    }
    return true;
}

static void process_input(hf_client_t *c)
{
    hf_mapping_t *m = c->mapping;

    if (c->proxy_pending && c->in != NULL && !take_proxy_header(c))
        return;

    while (!c->closing && c->in != NULL && c->in->pos < c->in->last &&
           (c->state == HF_CLIENT_IDLE || c->state == HF_CLIENT_READING)) {
        hf_exchange_t *ex = c->ex;
        enum hf_req_state before;
        size_t n;

        if (ex == NULL) {
            ex = hf_exchange_new(c);
            if (ex == NULL) {
                hf_client_close(c);
                return;
            }
            c->ex = ex;
            ex->spill.resume = on_spill_room;
            hf_client_set_state(c, HF_CLIENT_READING);
            hf_timer_start(&c->timer, m->tq_header);
        }
        before = ex->req.state;
        n = hf_request_feed(&ex->req, c->in->data + c->in->pos,
                            c->in->last - c->in->pos);
        c->in->pos += (uint32_t)n;
        switch (ex->req.state) {
        case HF_REQ_ERROR:
            reject(c);
            return;
        case HF_REQ_CONTINUE:
            send_100(c);
            hf_request_continue(&ex->req);
            hf_timer_start(&c->timer, m->tq_body);
            break;
        case HF_REQ_BODY:
            /* The header timer runs from the first byte to the end of
             * the head; the body timer restarts on every read. */
            if (before == HF_REQ_HEAD || n > 0)
                hf_timer_start(&c->timer, m->tq_body);
            if (!hf_body_may_grow(&ex->req.body)) {
                /* holdfast is what waits now, not the client. */
                uv_read_stop((uv_stream_t *)&c->tcp);
                hf_timer_stop(&c->timer);
                hf_spill_wait(&ex->spill);
                return;
            }
            break;
        case HF_REQ_DONE:
            request_complete(c);
            release_input(c);
            return;
        case HF_REQ_HEAD:
            break;
        }
    }
    release_input(c);
}

static void on_spill_room(hf_spill_waiter_t *w)
{
    hf_exchange_t *ex = hf_container_of(w, hf_exchange_t, spill);
    hf_client_t *c = ex->client;

    if (c == NULL || c->closing)
        return;
    hf_timer_start(&c->timer, c->mapping->tq_body);
    uv_read_start((uv_stream_t *)&c->tcp, on_client_alloc, on_client_read);
    process_input(c);
}

static void on_client_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
    hf_client_t *c = hf_container_of(h, hf_client_t, tcp);
    hf_block_t *in;

    (void)size;
    if (c->in == NULL)
        c->in = hf_block_get();
    in = c->in;
    if (in == NULL) {
        *buf = uv_buf_init(NULL, 0);
        return;
    }
    if (in->pos == in->last) {
        in->pos = in->last = 0;
    } else if (in->last == HF_BLOCK_SIZE && in->pos > 0) {
        memmove(in->data, in->data + in->pos, in->last - in->pos);
        in->last -= in->pos;
        in->pos = 0;
    }
    *buf = uv_buf_init(in->data + in->last, HF_BLOCK_SIZE - in->last);
}

/* The client closed or failed. A request still being read or waiting in
 * the queue goes with it; one already at the backend runs to its end and
 * its answer is written if the socket still takes it. */
static void client_gone(hf_client_t *c, ssize_t err)
{
    if (err != UV_EOF || c->lingering) {
        hf_client_close(c);
        return;
    }
    c->eof = true;
    switch (c->state) {
    case HF_CLIENT_WAITING:
    case HF_CLIENT_WRITING:
        uv_read_stop((uv_stream_t *)&c->tcp);
        release_input(c);
        break;
    default:
        hf_client_close(c);
        break;
    }
}

static void on_client_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
    hf_client_t *c = hf_container_of(s, hf_client_t, tcp);

    (void)b;
    if (c->closing)
        return;
    if (nread < 0) {
        client_gone(c, nread);
        return;
    }
    if (nread == 0) {
        release_input(c);
        return;
    }
    c->in->last += (uint32_t)nread;
    if (c->lingering) {
        c->in->pos = c->in->last;
        return;
    }
    if (c->state == HF_CLIENT_IDLE || c->state == HF_CLIENT_READING) {
        process_input(c);
        return;
    }
    /* Pipelined behind the request being worked on: keep the bytes, and
     * stop reading once they fill the block. */
    if (c->in->last == HF_BLOCK_SIZE && c->in->pos == 0) {
        uv_read_stop(s);
        c->read_paused = true;
    }
}

void hf_client_accept(hf_mapping_t *m)
{
    hf_client_t *c = calloc(1, sizeof(*c));
    struct sockaddr_storage ss;
    int len = sizeof(ss);

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
    if (uv_accept((uv_stream_t *)&m->listener, (uv_stream_t *)&c->tcp) != 0) {
        c->closing = true;
        uv_close((uv_handle_t *)&c->tcp, on_client_close);
        return;
    }
    c->id = ++hf_server.next_conn_id;
    c->proxy_pending = m->conf.proxy_protocol;
    if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
        c->family = (uint8_t)ss.ss_family;
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
            memcpy(c->addr, &sin->sin_addr, 4);
            c->port = ntohs(sin->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
            memcpy(c->addr, &sin6->sin6_addr, 16);
            c->port = ntohs(sin6->sin6_port);
        }
    }
    uv_tcp_nodelay(&c->tcp, 1);
    hf_timer_start(&c->timer, m->tq_idle);
    if (uv_read_start((uv_stream_t *)&c->tcp, on_client_alloc,
                      on_client_read) != 0)
        hf_client_close(c);
}

/* Every client timeout lands here; what it means depends on the state. */
void hf_client_on_timeout(hf_timer_t *t);
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
