#include "health.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "dispatch.h"
#include "runtime.h"
#include "sock.h"

typedef struct probe {
    hf_sock_t sock;          /* TCP or Unix-domain, as the address */
    uv_timer_t timer;
    uv_connect_t creq;
    uv_write_t wreq;
    hf_mapping_t *mapping;   /* referenced */
    hf_backend_addr_t *addr; /* referenced */
    char req[512];
    char resp[64];           /* enough for the status line */
    size_t resp_len;
    int open_handles;
    bool done;
    hf_list_t link;          /* in the list of probes in flight */
} probe_t;

static hf_list_t probes = {&probes, &probes};

static void on_probe_close(uv_handle_t *h)
{
    probe_t *p = h->data;

    if (--p->open_handles > 0)
        return;
    hf_backend_addr_unref(p->addr);
    hf_mapping_unref(p->mapping);
    free(p);
}

/* Records the verdict once, frees the slot, closes. */
static void finish(probe_t *p, bool ok, const char *why)
{
    hf_backend_addr_t *a = p->addr;
    hf_mapping_t *m = p->mapping;

    if (p->done)
        return;
    p->done = true;
    hf_list_remove(&p->link);
    hf_pool_release(a, true);
    if (ok)
        hf_pool_mark_up(a, m->conf.name);
    else
        hf_pool_mark_probe_failed(a, m->conf.name, why);
    uv_close(&p->sock.handle, on_probe_close);
    uv_close((uv_handle_t *)&p->timer, on_probe_close);
    hf_dispatch_run(m);
}

static void on_probe_timer(uv_timer_t *t)
{
    finish(t->data, false, "timed out");
}

/* "HTTP/1.x NNN": 2xx and 3xx are healthy. */
static void judge(probe_t *p)
{
    char *sp = memchr(p->resp, ' ', p->resp_len);
    int code;

    if (p->resp_len < 12 || memcmp(p->resp, "HTTP/1.", 7) != 0 ||
        sp == NULL || p->resp + p->resp_len - sp < 4) {
        finish(p, false, "got no status line");
        return;
    }
    code = atoi(sp + 1);
    finish(p, code >= 200 && code < 400, "answered an error status");
}

static void on_probe_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
    probe_t *p = h->data;

    (void)size;
    *buf = uv_buf_init(p->resp + p->resp_len,
                       (unsigned)(sizeof(p->resp) - p->resp_len));
}

static void on_probe_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    probe_t *p = s->data;

    (void)buf;
    if (p->done || nread == 0)
        return;
    if (nread < 0) {
        judge(p);
        return;
    }
    p->resp_len += (size_t)nread;
    if (p->resp_len == sizeof(p->resp) ||
        memchr(p->resp, '\n', p->resp_len) != NULL)
        judge(p);
}

static void on_probe_written(uv_write_t *w, int status)
{
    probe_t *p = w->data;

    if (status < 0 && !p->done)
        finish(p, false, "could not send");
}

static void on_probe_connect(uv_connect_t *c, int status)
{
    probe_t *p = c->data;
    uv_buf_t b;

    if (p->done)
        return;
    if (status < 0) {
        finish(p, false, "could not connect");
        return;
    }
    b = uv_buf_init(p->req, (unsigned)strlen(p->req));
    p->wreq.data = p;
    if (uv_write(&p->wreq, &p->sock.stream, &b, 1,
                 on_probe_written) != 0 ||
        uv_read_start(&p->sock.stream, on_probe_alloc,
                      on_probe_read) != 0)
        finish(p, false, "could not send");
}

static void probe_start(hf_mapping_t *m, hf_backend_addr_t *a)
{
    probe_t *p = calloc(1, sizeof(*p));

    if (p == NULL)
        return;
    p->mapping = m;
    hf_mapping_ref(m);
    hf_list_insert_tail(&probes, &p->link);
    p->addr = a;
    hf_pool_take(a, true); /* the probe holds a slot like a request */
    snprintf(p->req, sizeof(p->req),
             "GET %s HTTP/1.0\r\nHost: %s\r\nUser-Agent: holdfast-health\r\n"
             "Connection: close\r\n\r\n",
             m->conf.health_check,
             /* A Unix socket has no host to name: "localhost", as nginx
              * sends for its unix: upstreams. */
             hf_sock_is_unix(&a->addr) ? "localhost" : a->addr.text);
    hf_sock_init(hf_rt.loop, &p->sock, &a->addr, p);
    uv_timer_init(hf_rt.loop, &p->timer);
    p->timer.data = p->creq.data = p;
    p->open_handles = 2;
    /* Generous enough for a busy machine or a slow app; a hung backend is
     * still found within one connect timeout and one interval. */
    uv_timer_start(&p->timer, on_probe_timer,
                   m->conf.backend_connect_timeout_ms +
                       m->conf.health_interval_ms,
                   0);
    if (hf_sock_connect(&p->creq, &p->sock, &a->addr, on_probe_connect) != 0)
        finish(p, false, "could not connect");
}

static void on_health_timer(uv_timer_t *t)
{
    hf_mapping_t *m = t->data;

    if (m->conf.health_check == NULL || hf_rt.draining)
        return;
    for (size_t i = 0; i < m->pool.naddrs; i++) {
        hf_backend_addr_t *a = m->pool.addrs[i];
        if (!a->probing && a->in_flight < m->conf.backend_max_conns &&
            hf_list_empty(&m->queue))
            probe_start(m, a);
    }
}

static void on_health_timer_close(uv_handle_t *h)
{
    hf_mapping_unref(h->data);
}

void hf_health_stop(hf_mapping_t *m)
{
    if (!m->health_timer_on)
        return;
    m->health_timer_on = false;
    uv_close((uv_handle_t *)&m->health_timer, on_health_timer_close);
}

void hf_health_configure(hf_mapping_t *m)
{
    if (m->conf.health_check == NULL) {
        hf_health_stop(m);
        return;
    }
    if (!m->health_timer_on) {
        uv_timer_init(hf_rt.loop, &m->health_timer);
        m->health_timer.data = m;
        uv_unref((uv_handle_t *)&m->health_timer);
        hf_mapping_ref(m);
        m->health_timer_on = true;
    }
    /* The first round at once, so a dead address is known before the
     * first request meets it. */
    uv_timer_start(&m->health_timer, on_health_timer, 0,
                   m->conf.health_interval_ms);
}

void hf_health_abort_all(void)
{
    while (!hf_list_empty(&probes))
        finish(hf_container_of(hf_list_first(&probes), probe_t, link), false,
               "cancelled");
}
