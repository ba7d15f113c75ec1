#include "statsd.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "mapping.h"
#include "runtime.h"
#include "server.h"

/* Fits one unfragmented datagram on any path holdfast's statsd agent is
 * likely to sit on (it is usually on the same host). */
#define DGRAM_MAX 1400
#define GAUGE_INTERVAL_MS 10000

static uv_udp_t sock;
static uv_prepare_t flusher;
static uv_timer_t gauges;
static bool running;
static struct sockaddr_storage dest;
static char dgram[DGRAM_MAX];
static size_t dgram_len;

static void flush(void)
{
    uv_buf_t b;

    if (!running || dgram_len == 0)
        return;
    b = uv_buf_init(dgram, (unsigned)dgram_len);
    /* Synchronous and best effort: a full socket buffer drops the lines. */
    (void)uv_udp_try_send(&sock, &b, 1, (const struct sockaddr *)&dest);
    dgram_len = 0;
}

static void line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void line(const char *fmt, ...)
{
    char l[256];
    va_list ap;
    int n;

    if (!running)
        return;
    va_start(ap, fmt);
    n = vsnprintf(l, sizeof(l), fmt, ap);
    va_end(ap);
    if (n <= 0 || (size_t)n >= sizeof(l))
        return;
    if (dgram_len + (size_t)n + 1 > DGRAM_MAX)
        flush();
    if (dgram_len > 0)
        dgram[dgram_len++] = '\n';
    memcpy(dgram + dgram_len, l, (size_t)n);
    dgram_len += (size_t)n;
}

static void on_prepare(uv_prepare_t *h)
{
    (void)h;
    flush();
}

static void on_gauges(uv_timer_t *t)
{
    (void)t;
    for (hf_list_t *n = hf_server.mappings.next; n != &hf_server.mappings;
         n = n->next) {
        hf_mapping_t *m = hf_container_of(n, hf_mapping_t, link);
        line("holdfast.queue_depth:%u|g|#mapping:%s", m->queued, m->conf.name);
        line("holdfast.backends_up:%zu|g|#mapping:%s",
             hf_pool_usable(&m->pool), m->conf.name);
        for (int s = 0; s < HF_CLIENT_NSTATES; s++)
            line("holdfast.client_connections:%lld|g|#mapping:%s,state:%s",
                 (long long)m->stats.conns[s], m->conf.name,
                 hf_client_state_names[s]);
    }
}

void hf_statsd_request(const hf_exchange_t *ex)
{
    const char *name = ex->mapping->conf.name;
    uint64_t now;

    if (!running)
        return;
    now = uv_hrtime();
    line("holdfast.requests:1|c|#mapping:%s,code:%d", name, ex->status);
    if (ex->t_sent != 0) {
        line("holdfast.queue_wait:%.3f|ms|#mapping:%s",
             (double)(ex->t_sent - ex->t_ready) / 1e6, name);
        if (ex->t_backend_done != 0)
            line("holdfast.backend_time:%.3f|ms|#mapping:%s",
                 (double)(ex->t_backend_done - ex->t_sent) / 1e6, name);
    }
    line("holdfast.request_time:%.3f|ms|#mapping:%s",
         (double)(now - ex->t_begin) / 1e6, name);
    if (ex->reason != NULL && ex->req.state != HF_REQ_DONE)
        line("holdfast.rejected:1|c|#mapping:%s,reason:%s", name, ex->reason);
}

void hf_statsd_backend_error(const char *mapping, const char *kind)
{
    line("holdfast.backend_errors:1|c|#mapping:%s,kind:%s", mapping, kind);
}

static void on_closed(uv_handle_t *h) { (void)h; }

void hf_statsd_stop(void)
{
    if (!running)
        return;
    flush();
    running = false;
    uv_close((uv_handle_t *)&sock, on_closed);
    uv_close((uv_handle_t *)&flusher, on_closed);
    uv_close((uv_handle_t *)&gauges, on_closed);
}

int hf_statsd_configure(uv_loop_t *loop, const hf_addr_t *addr)
{
    int err;

    if (addr == NULL) {
        hf_statsd_stop();
        return 0;
    }
    if (running) {
        flush();
        memcpy(&dest, &addr->sa, addr->len);
        return 0;
    }
    err = uv_udp_init(loop, &sock);
    if (err != 0) {
        hf_log_error("statsd %s: %s", addr->text, uv_strerror(err));
        return err;
    }
    memcpy(&dest, &addr->sa, addr->len);
    uv_prepare_init(loop, &flusher);
    uv_prepare_start(&flusher, on_prepare);
    uv_timer_init(loop, &gauges);
    uv_timer_start(&gauges, on_gauges, GAUGE_INTERVAL_MS, GAUGE_INTERVAL_MS);
    uv_unref((uv_handle_t *)&sock);
    uv_unref((uv_handle_t *)&flusher);
    uv_unref((uv_handle_t *)&gauges);
    running = true;
    hf_log_info("statsd lines to %s", addr->text);
    return 0;
}
