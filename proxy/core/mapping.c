#include "mapping.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "exchange.h"
#include "health.h"
#include "log.h"
#include "server.h"
#include "turn.h"
#include "upstream.h"

/* Passive health: an address that refused is skipped for 1 s, then 2 s,
 * 4 s, at most 5 s; the next request after that tries it again. */
#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 5000
#define LISTEN_BACKLOG 4096

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static void conf_free(hf_mapping_conf_t *c)
{
    free(c->name);
    free(c->backends);
    free(c->health_path);
    free(c->health_check);
    memset(c, 0, sizeof(*c));
}

static int conf_copy(hf_mapping_conf_t *dst, const hf_mapping_conf_t *src)
{
    *dst = *src;
    dst->name = strdup(src->name);
    dst->backends = malloc(src->nbackends * sizeof(*src->backends));
    dst->health_path = dup_or_null(src->health_path);
    dst->health_check = dup_or_null(src->health_check);
    if (dst->name == NULL || dst->backends == NULL ||
        (src->health_path && !dst->health_path) ||
        (src->health_check && !dst->health_check)) {
        conf_free(dst);
        return -1;
    }
    memcpy(dst->backends, src->backends,
           src->nbackends * sizeof(*src->backends));
    return 0;
}

void hf_backend_addr_unref(hf_backend_addr_t *a)
{
    if (--a->refs == 0)
        free(a);
}

/* Builds the address array for conf, keeping the state (slots in use,
 * health) of addresses the old array already had. */
static int set_addrs(hf_mapping_t *m, const hf_mapping_conf_t *conf)
{
    hf_backend_addr_t **na = calloc(conf->nbackends, sizeof(*na));

    if (na == NULL)
        return -1;
    for (size_t i = 0; i < conf->nbackends; i++) {
        for (size_t j = 0; j < m->naddrs && na[i] == NULL; j++)
            if (m->addrs[j] != NULL &&
                hf_addr_equal(&m->addrs[j]->addr, &conf->backends[i])) {
                na[i] = m->addrs[j];
                m->addrs[j] = NULL;
            }
        if (na[i] == NULL) {
            na[i] = calloc(1, sizeof(**na));
            if (na[i] == NULL) {
                for (size_t k = 0; k < i; k++)
                    hf_backend_addr_unref(na[k]);
                free(na);
                return -1;
            }
            na[i]->addr = conf->backends[i];
            na[i]->refs = 1;
        }
    }
    for (size_t j = 0; j < m->naddrs; j++)
        if (m->addrs[j] != NULL)
            hf_backend_addr_unref(m->addrs[j]);
    free(m->addrs);
    m->addrs = na;
    m->naddrs = conf->nbackends;
    return 0;
}

static int set_timeqs(hf_mapping_t *m)
{
    m->tq_idle = hf_timeq_get(m->conf.client_idle_timeout_ms);
    m->tq_header = hf_timeq_get(m->conf.client_header_timeout_ms);
    m->tq_body = hf_timeq_get(m->conf.client_body_timeout_ms);
    m->tq_queue = hf_timeq_get(m->conf.queue_timeout_ms);
    /* A client that takes no response bytes for as long as an idle one
     * may stay is gone (nginx's send_timeout, in the same spirit). */
    m->tq_send = m->tq_idle;
    if (!m->tq_idle || !m->tq_header || !m->tq_body || !m->tq_queue)
        return -1;
    return 0;
}

hf_mapping_t *hf_mapping_new(const hf_mapping_conf_t *conf)
{
    hf_mapping_t *m = calloc(1, sizeof(*m));

    if (m == NULL)
        return NULL;
    if (conf_copy(&m->conf, conf) != 0)
        goto fail;
    if (set_addrs(m, conf) != 0 || set_timeqs(m) != 0)
        goto fail;
    hf_list_init(&m->queue);
    hf_list_init(&m->link);
    hf_list_init(&m->dlink);
    m->refs = 1; /* the server's, while the mapping is configured */
    return m;
fail:
    conf_free(&m->conf);
    free(m->addrs);
    free(m);
    return NULL;
}

int hf_mapping_update(hf_mapping_t *m, const hf_mapping_conf_t *conf)
{
    hf_mapping_conf_t copy;

    if (conf_copy(&copy, conf) != 0)
        return -1;
    if (set_addrs(m, conf) != 0) {
        conf_free(&copy);
        return -1;
    }
    conf_free(&m->conf);
    m->conf = copy;
    if (set_timeqs(m) != 0)
        return -1;
    hf_health_configure(m);
    hf_mapping_dispatch(m);
    return 0;
}

void hf_mapping_ref(hf_mapping_t *m) { m->refs++; }

void hf_mapping_unref(hf_mapping_t *m)
{
    if (--m->refs > 0)
        return;
    for (size_t i = 0; i < m->naddrs; i++)
        hf_backend_addr_unref(m->addrs[i]);
    free(m->addrs);
    conf_free(&m->conf);
    free(m);
}

static void on_listener_connection(uv_stream_t *s, int status)
{
    hf_mapping_t *m = hf_container_of(s, hf_mapping_t, listener);

    if (status < 0) {
        /* EMFILE and the like: libuv has already shed the pending
         * connection; accepting resumes when descriptors free up. */
        hf_log_warn("%s: accept: %s", m->conf.listen.text,
                    uv_strerror(status));
        return;
    }
    if (hf_server.nclients >= hf_server.max_clients) {
        /* Leave it pending: libuv stops polling this listener until
         * uv_accept() is called, when a client closes. */
        if (!m->accept_paused)
            hf_log_debug("%s: max_clients reached, accept paused",
                         m->conf.listen.text);
        m->accept_paused = true;
        return;
    }
    hf_client_accept(m);
}

int hf_mapping_listen(hf_mapping_t *m)
{
    int err;

    uv_tcp_init(hf_server.loop, &m->listener);
    m->listener.data = m;
    m->listening = true;
    hf_mapping_ref(m);
    /* IPv6 only, as nginx does: [::]:P and 0.0.0.0:P can then both be
     * listened on instead of the second failing with EADDRINUSE. */
    err = uv_tcp_bind(&m->listener, (const struct sockaddr *)&m->conf.listen.sa,
                      m->conf.listen.sa.ss_family == AF_INET6
                          ? UV_TCP_IPV6ONLY
                          : 0);
    if (err == 0)
        err = uv_listen((uv_stream_t *)&m->listener, LISTEN_BACKLOG,
                        on_listener_connection);
    if (err != 0) {
        hf_log_error("[%s] listen %s: %s", m->conf.name,
                     m->conf.listen.text, uv_strerror(err));
        hf_mapping_stop_listening(m);
        return err;
    }
    hf_health_configure(m);
    return 0;
}

static void on_listener_close(uv_handle_t *h)
{
    hf_mapping_unref(h->data);
}

void hf_mapping_stop_listening(hf_mapping_t *m)
{
    hf_health_stop(m);
    if (!m->listening)
        return;
    m->listening = false;
    m->accept_paused = false;
    uv_close((uv_handle_t *)&m->listener, on_listener_close);
}

void hf_mappings_resume_accept(void)
{
    for (hf_list_t *n = hf_server.mappings.next; n != &hf_server.mappings;
         n = n->next) {
        hf_mapping_t *m = hf_container_of(n, hf_mapping_t, link);
        if (hf_server.nclients >= hf_server.max_clients)
            return;
        if (m->accept_paused && m->listening) {
            m->accept_paused = false;
            hf_client_accept(m);
        }
    }
}

static bool addr_usable(const hf_backend_addr_t *a, uint64_t now)
{
    return !a->down || now >= a->down_until;
}

size_t hf_mapping_backends_up(const hf_mapping_t *m)
{
    uint64_t now = uv_now(hf_server.loop);
    size_t n = 0;

    for (size_t i = 0; i < m->naddrs; i++)
        n += addr_usable(m->addrs[i], now);
    return n;
}

/* Least connections over the addresses this request has not tried; ties
 * go to the address that has served fewest, which spreads an idle pool
 * round-robin. *all_down: no untried address is usable at all. */
static hf_backend_addr_t *pick(hf_mapping_t *m, const hf_exchange_t *ex,
                               bool *all_down)
{
    uint64_t now = uv_now(hf_server.loop);
    hf_backend_addr_t *best = NULL;

    *all_down = true;
    for (size_t i = 0; i < m->naddrs; i++) {
        hf_backend_addr_t *a = m->addrs[i];
        if (i < 64 && (ex->tried & (UINT64_C(1) << i)))
            continue;
        if (!addr_usable(a, now))
            continue;
        *all_down = false;
        if (a->in_flight >= m->conf.backend_max_conns)
            continue;
        if (best == NULL || a->in_flight < best->in_flight ||
            (a->in_flight == best->in_flight && a->requests < best->requests))
            best = a;
    }
    return best;
}

static void start(hf_exchange_t *ex, hf_backend_addr_t *a)
{
    hf_mapping_t *m = ex->mapping;

    ex->t_sent = uv_hrtime();
    hf_hist_observe(&m->stats.queue_wait,
                    (double)(ex->t_sent - ex->t_ready) / 1e9);
    if (ex->client != NULL) {
        hf_timer_stop(&ex->client->timer);
        hf_client_set_state(ex->client, HF_CLIENT_WAITING);
    }
    hf_upstream_start(ex, a);
}

static void enqueue(hf_exchange_t *ex, bool at_head)
{
    hf_mapping_t *m = ex->mapping;

    if (at_head)
        hf_list_insert_head(&m->queue, &ex->qlink);
    else
        hf_list_insert_tail(&m->queue, &ex->qlink);
    m->queued++;
    if (ex->client != NULL) {
        hf_client_set_state(ex->client, HF_CLIENT_QUEUED);
        hf_timer_start(&ex->client->timer, m->tq_queue);
    }
}

void hf_mapping_unqueue(hf_exchange_t *ex)
{
    if (!hf_list_linked(&ex->qlink))
        return;
    hf_list_remove(&ex->qlink);
    ex->mapping->queued--;
}

static bool dispatching;
static bool dispatch_again;

void hf_mapping_dispatch(hf_mapping_t *m)
{
    /* Starting an upstream can fail at once and re-enter here; the outer
     * call loops instead of recursing. */
    if (dispatching) {
        dispatch_again = true;
        return;
    }
    dispatching = true;
    do {
        dispatch_again = false;
        while (!hf_list_empty(&m->queue)) {
            hf_exchange_t *ex = hf_container_of(hf_list_first(&m->queue),
                                                hf_exchange_t, qlink);
            bool all_down;
            hf_backend_addr_t *a = pick(m, ex, &all_down);

            if (a == NULL && !all_down)
                break;
            hf_mapping_unqueue(ex);
            if (a == NULL)
                hf_exchange_fail(ex, 502, "no backend up");
            else
                start(ex, a);
        }
    } while (dispatch_again);
    dispatching = false;
}

static void answer_health(hf_exchange_t *ex)
{
    hf_mapping_t *m = ex->mapping;
    size_t up = hf_mapping_backends_up(m);
    uint32_t in_flight = 0;
    uint64_t oldest_ms = 0;
    char body[256];

    for (size_t i = 0; i < m->naddrs; i++)
        in_flight += m->addrs[i]->in_flight;
    if (!hf_list_empty(&m->queue)) {
        hf_exchange_t *first = hf_container_of(hf_list_first(&m->queue),
                                               hf_exchange_t, qlink);
        oldest_ms = (uv_hrtime() - first->t_ready) / 1000000;
    }
    snprintf(body, sizeof(body),
             "{\"status\":\"%s\",\"backends_up\":%zu,\"backends\":%zu,"
             "\"in_flight\":%u,\"queue_depth\":%u,\"oldest_queued_ms\":%llu}",
             up > 0 ? "up" : "down", up, m->naddrs, in_flight, m->queued,
             (unsigned long long)oldest_ms);
    ex->health = true;
    hf_exchange_respond(ex, up > 0 ? 200 : 503, "health", body, true, true);
}

static bool is_health_request(const hf_exchange_t *ex)
{
    const char *hp = ex->mapping->conf.health_path;
    const char *path = ex->req.head.buf + ex->req.path_off;
    size_t n = 0;

    if (hp == NULL)
        return false;
    while (n < ex->req.path_len && path[n] != '?')
        n++;
    return n == strlen(hp) && memcmp(path, hp, n) == 0 &&
           (strcmp(ex->req.method, "GET") == 0 || ex->req.is_head);
}

void hf_mapping_submit(hf_exchange_t *ex)
{
    hf_mapping_t *m = ex->mapping;
    hf_backend_addr_t *a;
    bool all_down;

    ex->t_ready = uv_hrtime();
    if (m->conf.request_start)
        ex->t_ready_unix_us = hf_request_id_unix_us();
    if (m->conf.request_id[0] != '\0')
        hf_request_id_pick(&ex->req.head, m->conf.request_id, ex->request_id);
    if (is_health_request(ex)) {
        answer_health(ex);
        return;
    }
    /* The caller's exchange holds a reference: m outlives the unref. */
    hf_turn_dispatch_now(m);
    if (hf_list_empty(&m->queue)) {
        a = pick(m, ex, &all_down);
        if (a != NULL) {
            start(ex, a);
            return;
        }
        if (all_down) {
            hf_exchange_fail(ex, 502, "no backend up");
            return;
        }
    }
    if (m->queued >= m->conf.queue_size) {
        hf_exchange_respond(ex, 503, "queue_full",
                            "Service Unavailable: queue full", false, false);
        return;
    }
    enqueue(ex, false);
}

void hf_mapping_connect_failed(hf_exchange_t *ex, hf_backend_addr_t *a)
{
    hf_mapping_t *m = ex->mapping;
    uint64_t backoff = BACKOFF_FIRST_MS;
    bool all_down;

    a->fails++;
    for (uint32_t i = 1; i < a->fails && backoff < BACKOFF_MAX_MS; i++)
        backoff *= 2;
    if (backoff > BACKOFF_MAX_MS)
        backoff = BACKOFF_MAX_MS;
    if (!a->down)
        hf_log_warn("[%s] backend %s down, retried in %llu ms", m->conf.name,
                    a->addr.text, (unsigned long long)backoff);
    a->down = true;
    a->down_until = uv_now(hf_server.loop) + backoff;
    for (size_t i = 0; i < m->naddrs && i < 64; i++)
        if (m->addrs[i] == a)
            ex->tried |= UINT64_C(1) << i;
    if (ex->client == NULL) {
        hf_exchange_release(ex);
        return;
    }
    /* Never written, so safe to send elsewhere: back to the head of the
     * queue, for the next untried address. */
    (void)pick(m, ex, &all_down);
    if (all_down) {
        hf_exchange_fail(ex, 502, "backend connect failed");
        return;
    }
    enqueue(ex, true);
    hf_mapping_dispatch(m);
}

void hf_mapping_connect_ok(hf_mapping_t *m, hf_backend_addr_t *a)
{
    if (a->down)
        hf_log_info("[%s] backend %s up", m->conf.name, a->addr.text);
    a->down = false;
    a->fails = 0;
}
