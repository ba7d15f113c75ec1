#include "server.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "access_log.h"
#include "block.h"
#include "body.h"
#include "client.h"
#include "dispatch.h"
#include "exchange.h"
#include "listener.h"
#include "log.h"
#include "log_output.h"
#include "mapping.h"
#include "read_defer.h"
#include "reload.h"
#include "revive.h"
#include "runtime.h"
#include "sd_listen.h"
#include "sd_notify.h"
#include "statsd.h"
#include "timeq.h"
#include "turn.h"
#include "upstream.h"


static uv_signal_t sig_term, sig_int, sig_hup, sig_usr1;
static uv_timer_t drain_timer;
static bool stopping; /* handles are being closed; the loop is ending */
static bool accepting_stopped; /* listeners closed: the drain proper */

static void close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (h->data == &hf_client_handle_tag && !uv_is_closing(h))
        hf_client_close(hf_container_of(h, hf_client_t, tcp));
}

static void idle_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (h->data == &hf_client_handle_tag && !uv_is_closing(h))
        hf_client_close_if_idle(hf_container_of(h, hf_client_t, tcp));
}

static void on_handle_closed(uv_handle_t *h) { (void)h; }

/* Everything is done, or given up on: close what is left so the loop
 * ends with every handle closed. */
static void stop_all(void)
{
    if (stopping)
        return;
    stopping = true;
    uv_walk(hf_rt.loop, close_walk, NULL);
    while (!hf_list_empty(&hf_server.mappings)) {
        hf_mapping_t *m = hf_container_of(hf_list_first(&hf_server.mappings),
                                          hf_mapping_t, link);
        hf_list_remove(&m->link);
        hf_listener_close(m);
        hf_revive_stop(m);
        hf_mapping_unref(m);
    }
    hf_revive_abort_all();
    uv_close((uv_handle_t *)&sig_term, on_handle_closed);
    uv_close((uv_handle_t *)&sig_int, on_handle_closed);
    uv_close((uv_handle_t *)&sig_hup, on_handle_closed);
    uv_close((uv_handle_t *)&sig_usr1, on_handle_closed);
    uv_close((uv_handle_t *)&drain_timer, on_handle_closed);
    hf_upstream_abort_all();
    hf_services_stop();
    hf_timeq_close_all();
    hf_read_defer_close();
    hf_access_log_close();
    hf_log_output_stop();
    hf_turn_close();
}

static void maybe_done(void)
{
    if (accepting_stopped && !stopping && hf_rt.nclients == 0 &&
        hf_rt.nupstreams == 0) {
        hf_log_info("drained, exiting");
        stop_all();
    }
}

/* A client or upstream closed: room to accept, and the drain may be
 * complete. */
static void on_conn_closed(void)
{
    hf_listener_resume_all();
    maybe_done();
}

/* The exchange is done with: count and log it. */
static void on_exchange_finished(hf_exchange_t *ex)
{
    hf_mapping_t *m = ex->mapping;

    /* health_path answers are logged but not counted as requests. */
    if (!ex->health) {
        hf_stats_request(&m->stats, ex->status);
        hf_hist_observe(&m->stats.request_time,
                        (double)(uv_hrtime() - ex->t_begin) / 1e9);
    }
    hf_access_log_write(ex);
    if (!ex->health)
        hf_statsd_request(ex);
}

static void on_backend_error(hf_mapping_t *m, enum hf_backend_error kind)
{
    hf_statsd_backend_error(m->conf.name, hf_backend_error_names[kind]);
}

static hf_exchange_events_t exchange_events;

static const hf_upstream_events_t upstream_events = {
    .slot_freed = hf_dispatch_slot_freed,
    .connect_failed = hf_dispatch_connect_failed,
    .retry = hf_dispatch_retry,
    .backend_error = on_backend_error,
};

static const hf_revive_events_t revive_events = {
    .revived = hf_dispatch_revived,
    .tick = hf_dispatch_tick,
};

/* The layers below report through these; they are wired here, once. */
static void wire_events(void)
{
    hf_client_exchange_events(&exchange_events);
    exchange_events.finished = on_exchange_finished;
    hf_exchange_set_events(&exchange_events);
    hf_upstream_set_events(&upstream_events);
    hf_revive_set_events(&revive_events);
    hf_rt.on_conn_closed = on_conn_closed;
    hf_rt.on_conn_idle = hf_listener_conn_idle;
}

static void on_drain_timeout(uv_timer_t *t)
{
    (void)t;
    hf_log_warn("shutdown_timeout reached: closing %u client and %u backend "
                "connections", hf_rt.nclients, hf_rt.nupstreams);
    hf_server.forced = true;
    stop_all();
}

/* The second half of a stop: no more accepting, idle connections closed,
 * the rest finished within shutdown_timeout. */
static void stop_accepting(void)
{
    accepting_stopped = true;
    hf_log_info("draining (up to %llu ms); a second signal exits at once",
                (unsigned long long)hf_server.cfg->global.shutdown_timeout_ms);
    for (hf_list_t *n = hf_server.mappings.next; n != &hf_server.mappings;
         n = n->next)
        hf_listener_close(hf_container_of(n, hf_mapping_t, link));
    uv_walk(hf_rt.loop, idle_walk, NULL);
    uv_timer_start(&drain_timer, on_drain_timeout,
                   hf_server.cfg->global.shutdown_timeout_ms, 0);
    maybe_done();
}

static void on_drain_delay(uv_timer_t *t)
{
    (void)t;
    stop_accepting();
}

/* The first half: every health answer says 503 at once and every
 * response carries Connection: close, while holdfast keeps accepting and
 * serving for drain_delay, so a load balancer sees the target go before
 * it stops answering, and a request on a kept-alive connection is answered
 * rather than met by a close. */
static void start_drain(int signum)
{
    uint64_t delay = hf_server.cfg->global.drain_delay_ms;

    hf_rt.draining = true;
    hf_sd_notify("STOPPING=1\nSTATUS=%s: draining %u client connections",
                 strsignal(signum), hf_rt.nclients);
    if (delay == 0) {
        hf_log_info("%s: stopping", strsignal(signum));
        stop_accepting();
        return;
    }
    hf_log_info("%s: health says 503; serving with Connection: close for "
                "%llu ms before draining", strsignal(signum),
                (unsigned long long)delay);
    uv_timer_start(&drain_timer, on_drain_delay, delay, 0);
}

static void on_signal(uv_signal_t *h, int signum)
{
    (void)h;
    switch (signum) {
    case SIGTERM:
    case SIGINT:
        if (hf_rt.draining) {
            hf_log_warn("%s again: exiting now", strsignal(signum));
            hf_server.forced = true;
            stop_all();
            return;
        }
        start_drain(signum);
        break;
    case SIGHUP:
        if (!hf_rt.draining)
            hf_reload(hf_server.cfg_path);
        break;
    case SIGUSR1:
        hf_access_log_reopen();
        break;
    }
}

static int open_mappings(const hf_config_t *cfg)
{
    for (size_t i = 0; i < cfg->nmappings; i++) {
        hf_mapping_t *m = hf_mapping_new(&cfg->mappings[i]);
        if (m == NULL)
            return -ENOMEM;
        hf_list_insert_tail(&hf_server.mappings, &m->link);
        if (hf_listener_open(m) != 0)
            return -1;
        hf_log_info("[%s] %s -> %s%s (backend_max_conns %u)", m->conf.name,
                    m->conf.listen.text, m->conf.backends[0].text,
                    m->conf.nbackends > 1 ? " ..." : "",
                    m->conf.backend_max_conns);
    }
    return 0;
}

static void start_signals(void)
{
    uv_signal_init(hf_rt.loop, &sig_term);
    uv_signal_init(hf_rt.loop, &sig_int);
    uv_signal_init(hf_rt.loop, &sig_hup);
    uv_signal_init(hf_rt.loop, &sig_usr1);
    uv_signal_start(&sig_term, on_signal, SIGTERM);
    uv_signal_start(&sig_int, on_signal, SIGINT);
    uv_signal_start(&sig_hup, on_signal, SIGHUP);
    uv_signal_start(&sig_usr1, on_signal, SIGUSR1);
    /* Signals alone must not keep the loop alive once all else closed. */
    uv_unref((uv_handle_t *)&sig_term);
    uv_unref((uv_handle_t *)&sig_int);
    uv_unref((uv_handle_t *)&sig_hup);
    uv_unref((uv_handle_t *)&sig_usr1);
    uv_timer_init(hf_rt.loop, &drain_timer);
    uv_unref((uv_handle_t *)&drain_timer);
}

int hf_server_run(hf_config_t *cfg, const char *cfg_path)
{
    static uv_loop_t loop;
    int status = 0, err;

    signal(SIGPIPE, SIG_IGN);
    /* A file-size limit (RLIMIT_FSIZE) makes a spill write fail with EFBIG,
     * answered with a 503, instead of killing the process. */
    signal(SIGXFSZ, SIG_IGN);
    uv_loop_init(&loop);
    hf_rt.loop = &loop;
    hf_log_output_start(&loop);
    hf_server.cfg = cfg;
    hf_server.cfg_path = cfg_path;
    hf_list_init(&hf_server.mappings);
    hf_server.started_ms = uv_now(&loop);
    wire_events();
    hf_timeq_init(&loop, hf_client_on_timeout);
    hf_server_apply_globals(cfg);
    start_signals();
    err = hf_access_log_open(&loop, &cfg->global);
    /* Before any listener opens: they take inherited sockets by address. */
    if (err == 0 && hf_sd_listen_start(cfg) < 0)
        err = -1;
    if (err == 0)
        err = hf_services_start(cfg);
    if (err == 0)
        err = open_mappings(cfg);
    hf_sd_listen_close_unused();
    if (err != 0) {
        status = 1;
        hf_rt.draining = true;
        stop_all();
    } else {
        hf_log_info("holdfast %s running, pid %d, max_clients %u", HF_VERSION,
                    (int)getpid(), hf_server.max_clients);
        hf_sd_notify("READY=1\nMAINPID=%d\nSTATUS=serving %zu mapping%s, "
                     "max_clients %u",
                     (int)getpid(), cfg->nmappings,
                     cfg->nmappings == 1 ? "" : "s", hf_server.max_clients);
    }
    /* Listeners keep the loop running; once they and every connection are
     * closed, uv_run returns. */
    uv_run(&loop, UV_RUN_DEFAULT);
    if (!stopping)
        stop_all();
    uv_run(&loop, UV_RUN_DEFAULT);
    err = uv_loop_close(&loop);
    if (err != 0)
        hf_log_error("loop closed with handles open: %s", uv_strerror(err));
    hf_log_output_release();
    hf_block_drain();
    hf_config_free(hf_server.cfg);
    hf_server.cfg = NULL;
    if (status == 0 && hf_server.forced)
        status = 1;
    return status;
}
