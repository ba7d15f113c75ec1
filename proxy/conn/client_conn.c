/* A client connection's life: accepted, timed out, and after each
 * response either read again or closed. The layer's top: it starts reading
 * (client_read.c) and is told by the writer (client_write.c) when a
 * response is done. */
#include <arpa/inet.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "client.h"
#include "dispatch.h"
#include "exchange.h"
#include "log.h"
#include "mapping.h"
#include "runtime.h"

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

/* With proxy_protocol and trusted_proxies, only a listed source may say
 * who the client is: any other could forge the PROXY header. */
static bool source_allowed(const hf_client_t *c)
{
    const hf_mapping_conf_t *conf = &c->mapping->conf;
    char text[48];

    if (!conf->proxy_protocol || conf->ntrusted_proxies == 0 ||
        hf_cidr_contains(conf->trusted_proxies, conf->ntrusted_proxies,
                         c->family, c->addr))
        return true;
    hf_client_addr_text(c, text, sizeof(text));
    hf_log(HF_LOG_INFO, c->id,
           "%s is not in trusted_proxies: PROXY header refused", text);
    return false;
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
    uv_shutdown_t *req = malloc(sizeof(*req));

    if (req == NULL ||
        uv_shutdown(req, (uv_stream_t *)&c->tcp, on_client_shutdown) != 0) {
        free(req);
        hf_client_close(c);
        return;
    }
    c->lingering = true;
    hf_client_timer_start(c, HF_TMO_LINGER);
    /* Reading may have been stopped (pipelined bytes, spill wait). */
    c->read_paused = false;
    if (hf_client_read_start(c) != 0)
        hf_client_close(c);
}

/* The response of c->ex is fully written: read the next request, or
 * close. */
static void on_response_done(hf_client_t *c)
{
    hf_exchange_t *ex = c->ex;
    bool complete = ex->req.state == HF_REQ_DONE;
    bool close = ex->close_after || !ex->req.keep_alive || c->eof ||
                 hf_rt.draining || !complete;
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
    hf_client_timer_start(c, HF_TMO_IDLE);
    hf_runtime_conn_idle();
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

/* Request bytes the kernel holds for c that holdfast has not read yet. */
static bool input_pending(const hf_client_t *c)
{
    uv_os_fd_t fd;
    int n = 0;

    return uv_fileno((const uv_handle_t *)&c->tcp, &fd) == 0 &&
           ioctl(fd, FIONREAD, &n) == 0 && n > 0;
}

void hf_client_close_if_idle(hf_client_t *c)
{
    if (c->state != HF_CLIENT_IDLE || c->ex != NULL)
        return;
    /* A request already on its way is read and answered (with
     * Connection: close) rather than met by a reset. */
    if (input_pending(c))
        return;
    /* A connection accepted a moment ago is about to carry its first
     * request, which would meet a reset if it crossed the close: it gets
     * LINGER_MS to send it. */
    if (!c->used) {
        hf_client_timer_start(c, HF_TMO_LINGER);
        return;
    }
    hf_client_close(c);
}

static bool is_idle(const hf_client_t *c)
{
    return c->tmo == HF_TMO_IDLE && c->state == HF_CLIENT_IDLE &&
           c->ex == NULL && !c->closing && !c->lingering && !input_pending(c);
}

/* The queue may be shared with other kinds of the same duration (a header
 * timeout equal to the idle one): those are stepped over. Every timer of q
 * was started one duration before its deadline, so the first idle one met
 * is the one idle longest. */
hf_client_t *hf_client_idle_oldest(hf_timeq_t *q, uint64_t *since)
{
    for (hf_timer_t *t = q != NULL ? hf_timeq_first(q) : NULL; t != NULL;
         t = hf_timeq_next(q, t)) {
        hf_client_t *c = hf_container_of(t, hf_client_t, timer);
        if (is_idle(c)) {
            *since = t->deadline - hf_timeq_timeout(q);
            return c;
        }
    }
    return NULL;
}

int hf_client_accept(hf_mapping_t *m, uv_stream_t *listener, int fd)
{
    size_t size = m->conf.proxy_protocol ? sizeof(hf_client_pp_t)
                                         : sizeof(hf_client_t);
    hf_client_t *c = calloc(1, size);
    int err;

    if (c == NULL)
        return UV_ENOMEM;
    uv_tcp_init(hf_rt.loop, &c->tcp);
    c->tcp.data = &hf_client_handle_tag;
    c->mapping = m;
    hf_mapping_ref(m);
    hf_timer_init(&c->timer);
    hf_rt.nclients++;
    m->stats.conns[HF_CLIENT_IDLE]++;
    c->state = HF_CLIENT_IDLE;
    c->pp_variant = m->conf.proxy_protocol;
    c->proxy_pending = m->conf.proxy_protocol;
    err = fd >= 0 ? uv_tcp_open(&c->tcp, fd)
                  : uv_accept(listener, (uv_stream_t *)&c->tcp);
    if (err != 0) {
        if (fd >= 0)
            close(fd);
        hf_client_close(c);
        return err;
    }
    c->id = (uint32_t)++hf_rt.next_conn_id;
    m->stats.accepted++;
    remember_peer(c);
    if (!source_allowed(c)) {
        hf_client_close(c);
        return 0; /* taken from the backlog all the same */
    }
    uv_tcp_nodelay(&c->tcp, 1);
    hf_client_timer_start(c, HF_TMO_IDLE);
    if (hf_client_read_start(c) != 0)
        hf_client_close(c);
    return 0;
}

/* Every client timeout lands here; the kind the timer was started for
 * says what it means. */
void hf_client_on_timeout(hf_timer_t *t)
{
    hf_client_t *c = hf_container_of(t, hf_client_t, timer);
    hf_exchange_t *ex = c->ex;
    enum hf_client_timeout kind = c->tmo;

    c->tmo = HF_TMO_NONE;
    switch (kind) {
    case HF_TMO_HEADER:
    case HF_TMO_BODY:
        hf_request_reject(&ex->req, 408, "client_timeout");
        hf_client_answer(ex, 408, "client_timeout", "Request Timeout", false,
                         false);
        break;
    case HF_TMO_QUEUE:
        hf_dispatch_unqueue(ex);
        hf_client_answer(ex, 503, "queue_timeout",
                         "Service Unavailable: queue timeout", false, false);
        break;
    case HF_TMO_SEND:
        hf_log(HF_LOG_DEBUG, c->id, "send timeout");
        hf_client_close(c);
        break;
    case HF_TMO_HOLD:
        /* Waited long enough for the length: the head goes out with
         * what is in, at the end of this turn (after this turn's reads,
         * which may still complete the response). */
        if (ex != NULL) {
            ex->hold_over = true;
            hf_client_progress(ex);
        }
        break;
    default:
        /* Idle: closed silently, as a load balancer logs a 408 on a
         * pre-opened connection as an error. Lingering: done. */
        hf_client_close(c);
        break;
    }
}

/* Exchange events: the exchange entered the queue, or left it. */
static void on_exchange_queued(hf_exchange_t *ex)
{
    hf_client_set_state(ex->client, HF_CLIENT_QUEUED);
    hf_client_timer_start(ex->client, HF_TMO_QUEUE);
}

static void on_exchange_sent(hf_exchange_t *ex)
{
    hf_client_timer_stop(ex->client);
    hf_client_set_state(ex->client, HF_CLIENT_WAITING);
}

void hf_client_exchange_events(hf_exchange_events_t *ev)
{
    ev->queued = on_exchange_queued;
    ev->sent = on_exchange_sent;
    ev->progress = hf_client_progress;
    ev->respond = hf_client_answer;
    ev->fail = hf_client_fail;
    hf_client_write_on_done(on_response_done);
}
