#include "admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"
#include "log.h"
#include "runtime.h"
#include "metrics.h"
#include "request.h"
#include "sd_listen.h"
#include "server.h"

#define ADMIN_HEAD_MAX 8192
/* Scrapers and operators, not clients: a few at once. At the cap the
 * longest-waiting unanswered connection is closed to make room, so idle
 * connections can never lock out /metrics or /healthz, and the admin port
 * can never eat the descriptors budgeted for clients. */
#define ADMIN_CONNS_MAX 16
/* Time from accept to the first request byte, from the first byte to the
 * end of the head, and to write the answer. A scraper sends at once. */
#define ADMIN_IDLE_MS 5000
#define ADMIN_HEADER_MS 10000
#define ADMIN_WRITE_MS 10000
/* How often deadlines are checked: one timer for all admin connections. */
#define ADMIN_SWEEP_MS 250

typedef struct admin_conn {
    uv_tcp_t tcp;
    uv_write_t wreq;
    hf_request_t req;
    char in[ADMIN_HEAD_MAX];
    size_t in_len;
    hf_text_t out;
    bool responded;
    bool started;      /* a request byte has arrived */
    uint64_t deadline; /* uv_now() at which the connection is closed */
    hf_list_t link;    /* in conns, oldest first */
} admin_conn_t;

/* One per configured address, on the heap: a reload that moves the admin
 * address closes the old one and opens a new one at once, and the old one
 * is freed only by its close callback. */
typedef struct admin_listener {
    uv_tcp_t tcp;
    hf_addr_t addr;
} admin_listener_t;

static admin_listener_t *listener;
static hf_list_t conns = {&conns, &conns};
/* Connections in conns: uv_close releases the descriptor at once, so a
 * closing connection no longer counts against the cap. */
static unsigned nconns;
static uv_timer_t sweeper;
static enum { SWEEP_NONE, SWEEP_READY, SWEEP_CLOSED } sweep_state;

static void on_conn_close(uv_handle_t *h)
{
    admin_conn_t *a = h->data;

    hf_request_free(&a->req);
    hf_text_free(&a->out);
    free(a);
}

static void conn_close(admin_conn_t *a)
{
    if (uv_is_closing((uv_handle_t *)&a->tcp))
        return;
    hf_list_remove(&a->link);
    nconns--;
    uv_close((uv_handle_t *)&a->tcp, on_conn_close);
    if (hf_list_empty(&conns) && sweep_state == SWEEP_READY)
        uv_timer_stop(&sweeper);
}

static void on_sweep(uv_timer_t *t)
{
    uint64_t now = uv_now(t->loop);
    hf_list_t *n = conns.next;

    while (n != &conns) {
        admin_conn_t *a = hf_container_of(n, admin_conn_t, link);
        n = n->next;
        if (a->deadline <= now)
            conn_close(a);
    }
}

static void set_deadline(admin_conn_t *a, uint64_t ms)
{
    a->deadline = uv_now(a->tcp.loop) + ms;
    if (sweep_state == SWEEP_READY && !uv_is_active((uv_handle_t *)&sweeper))
        uv_timer_start(&sweeper, on_sweep, ADMIN_SWEEP_MS, ADMIN_SWEEP_MS);
}

/* At the cap: closes the oldest connection still waiting for its request,
 * since a scraper's request follows its connect at once. Returns false
 * when every connection is being answered. */
static bool make_room(void)
{
    for (hf_list_t *n = conns.next; n != &conns; n = n->next) {
        admin_conn_t *a = hf_container_of(n, admin_conn_t, link);
        if (!a->responded) {
            conn_close(a);
            return true;
        }
    }
    return false;
}

static void on_written(uv_write_t *w, int status)
{
    (void)status;
    conn_close(w->data);
}

static void respond(admin_conn_t *a, int status, const char *type,
                    const char *body, size_t len)
{
    hf_text_t head = {0};
    uv_buf_t bufs[2];

    a->responded = true;
    set_deadline(a, ADMIN_WRITE_MS);
    hf_text_printf(&head,
                   "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
                   "Content-Length: %zu\r\nCache-Control: no-store\r\n"
                   "Connection: close\r\n\r\n",
                   status, status == 200   ? "OK"
                           : status == 404 ? "Not Found"
                           : status == 405 ? "Method Not Allowed"
                           : status == 503 ? "Service Unavailable"
                                           : "Bad Request",
                   type, len);
    if (head.failed) {
        hf_text_free(&head);
        conn_close(a);
        return;
    }
    if (a->req.is_head || body == NULL)
        len = 0;
    hf_text_printf(&head, "%.*s", (int)len, len ? body : "");
    hf_text_free(&a->out);
    a->out = head;
    bufs[0] = uv_buf_init(a->out.buf, (unsigned)a->out.len);
    a->wreq.data = a;
    if (uv_write(&a->wreq, (uv_stream_t *)&a->tcp, bufs, 1, on_written) != 0)
        conn_close(a);
}

static void route(admin_conn_t *a)
{
    const hf_request_t *r = &a->req;
    const char *path = r->head.buf + r->path_off;
    size_t n = 0;
    hf_text_t body = {0};

    while (n < r->path_len && path[n] != '?')
        n++;
    if (strcmp(r->method, "GET") != 0 && !r->is_head) {
        respond(a, 405, "text/plain", "GET only\n", 9);
        return;
    }
    if (n == 8 && memcmp(path, "/metrics", 8) == 0) {
        hf_metrics_prometheus(&body);
        respond(a, 200, "text/plain; version=0.0.4; charset=utf-8", body.buf,
                body.len);
    } else if (n == 8 && memcmp(path, "/healthz", 8) == 0) {
        if (hf_rt.draining)
            respond(a, 503, "text/plain", "draining\n", 9);
        else
            respond(a, 200, "text/plain", "ok\n", 3);
    } else if (n == 7 && memcmp(path, "/status", 7) == 0) {
        hf_metrics_status_json(&body);
        respond(a, 200, "application/json", body.buf, body.len);
    } else {
        respond(a, 404, "text/plain", "/metrics, /healthz, /status\n", 28);
    }
    hf_text_free(&body);
}

static void on_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
    admin_conn_t *a = h->data;

    (void)size;
    *buf = uv_buf_init(a->in + a->in_len,
                       (unsigned)(sizeof(a->in) - a->in_len));
}

static void on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    admin_conn_t *a = s->data;
    size_t used;

    (void)buf;
    if (nread == 0)
        return;
    if (nread < 0 || a->responded) {
        if (!a->responded)
            conn_close(a);
        return;
    }
    if (!a->started) {
        a->started = true;
        set_deadline(a, ADMIN_HEADER_MS);
    }
    used = hf_request_feed(&a->req, a->in + a->in_len, (size_t)nread);
    a->in_len += used;
    if (a->req.state == HF_REQ_DONE) {
        uv_read_stop(s);
        route(a);
    } else if (a->req.state == HF_REQ_ERROR || a->req.state == HF_REQ_BODY ||
               a->req.state == HF_REQ_CONTINUE ||
               a->in_len >= sizeof(a->in)) {
        uv_read_stop(s);
        respond(a, 400, "text/plain", "bad request\n", 12);
    } else {
        /* Bytes consumed are in req's arena; reuse the read buffer. */
        a->in_len = 0;
    }
}

static void on_connection(uv_stream_t *s, int status)
{
    hf_request_limits_t lim = {ADMIN_HEAD_MAX, 0, 1024};
    admin_conn_t *a;

    if (status < 0)
        return;
    if (nconns >= ADMIN_CONNS_MAX)
        make_room();
    a = calloc(1, sizeof(*a));
    if (a == NULL || hf_request_init(&a->req, &lim) != 0) {
        free(a);
        return;
    }
    uv_tcp_init(s->loop, &a->tcp);
    a->tcp.data = a;
    nconns++;
    hf_list_insert_tail(&conns, &a->link);
    set_deadline(a, ADMIN_IDLE_MS);
    if (uv_accept(s, (uv_stream_t *)&a->tcp) != 0 ||
        nconns > ADMIN_CONNS_MAX ||
        uv_read_start((uv_stream_t *)&a->tcp, on_alloc, on_read) != 0)
        conn_close(a);
}

static void on_listener_close(uv_handle_t *h)
{
    free(hf_container_of(h, admin_listener_t, tcp));
}

/* Starts closing the current listener; its memory goes in the callback. */
static void close_listener(void)
{
    if (listener == NULL)
        return;
    uv_close((uv_handle_t *)&listener->tcp, on_listener_close);
    listener = NULL;
}

static void on_sweeper_close(uv_handle_t *h) { (void)h; }

int hf_admin_configure(uv_loop_t *loop, const hf_addr_t *addr)
{
    admin_listener_t *l;
    int err;

    if (addr != NULL && listener != NULL &&
        hf_addr_equal(addr, &listener->addr))
        return 0;
    close_listener();
    if (addr == NULL)
        return 0;
    if (sweep_state == SWEEP_NONE) {
        uv_timer_init(loop, &sweeper);
        uv_unref((uv_handle_t *)&sweeper);
        sweep_state = SWEEP_READY;
    }
    l = calloc(1, sizeof(*l));
    if (l == NULL)
        return UV_ENOMEM;
    uv_tcp_init(loop, &l->tcp);
    l->addr = *addr;
    /* IPv6 only, like the mappings' listeners (listener.c). */
    err = hf_sd_listen_bind(&l->tcp, addr,
                            addr->sa.ss_family == AF_INET6 ? UV_TCP_IPV6ONLY
                                                           : 0);
    if (err == 0)
        err = uv_listen((uv_stream_t *)&l->tcp, 128, on_connection);
    if (err != 0) {
        hf_log_error("admin %s: %s", addr->text, uv_strerror(err));
        uv_close((uv_handle_t *)&l->tcp, on_listener_close);
        return err;
    }
    /* Only the proxy's own listeners keep the process running. */
    uv_unref((uv_handle_t *)&l->tcp);
    listener = l;
    hf_log_info("admin listener on %s", addr->text);
    return 0;
}

void hf_admin_stop(void)
{
    close_listener();
    while (!hf_list_empty(&conns))
        conn_close(hf_container_of(hf_list_first(&conns), admin_conn_t, link));
    if (sweep_state == SWEEP_READY)
        uv_close((uv_handle_t *)&sweeper, on_sweeper_close);
    sweep_state = SWEEP_CLOSED;
}
