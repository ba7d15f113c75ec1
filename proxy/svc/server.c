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
#include "log.h"
#include "log_output.h"
#include "mapping.h"
#include "reload.h"
#include "timeq.h"
#include "turn.h"
#include "upstream.h"

hf_server_t hf_server;

void hf_client_on_timeout(hf_timer_t *t);

static uv_signal_t sig_term, sig_int, sig_hup, sig_usr1;
static uv_timer_t drain_timer;
static bool stopping; /* handles are being closed; the loop is ending */

/* Descriptors beyond the clients: listeners, upstreams, temp files, the
 * admin listener, logs, and slack for the standard ones. */
static uint64_t fd_overhead(const hf_config_t *cfg)
{
    uint64_t n = 64 + 16; /* and the admin listener's connections */

    for (size_t i = 0; i < cfg->nmappings; i++)
        n += 1 + cfg->mappings[i].nbackends *
                     (cfg->mappings[i].backend_max_conns + 1);
    return n;
}

/* Spilled bodies hold a descriptor each. They are budgeted so the clients
 * and the spills together always fit: one eighth of max_clients, at least
 * 16. A spill that finds the budget spent waits, as on max_spill. */
static uint32_t spill_files_for(uint32_t max_clients)
{
    uint32_t n = max_clients / 8;
    return n < 16 ? 16 : n;
}

/* Raises the soft descriptor limit to the hard one, and lowers max_clients
 * to what fits, rather than meet EMFILE later. */
static void fit_descriptors(const hf_config_t *cfg)
{
    struct rlimit rl;
    uint64_t want = cfg->global.max_clients, overhead = fd_overhead(cfg);
    uint64_t avail, fit;

    hf_server.max_clients = cfg->global.max_clients;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            getrlimit(RLIMIT_NOFILE, &rl);
    }
    avail = rl.rlim_cur == RLIM_INFINITY ? UINT32_MAX : rl.rlim_cur;
    if (want + spill_files_for((uint32_t)want) + overhead <= avail)
        return;
    fit = avail > overhead ? (avail - overhead) * 8 / 9 : 1;
    if (fit == 0)
        fit = 1;
    hf_log_warn("max_clients %llu does not fit the open-files limit %llu: "
                "lowered to %llu (raise LimitNOFILE / ulimit -n)",
                (unsigned long long)want, (unsigned long long)avail,
                (unsigned long long)fit);
    hf_server.max_clients = (uint32_t)fit;
}

void hf_server_apply_globals(const hf_config_t *cfg)
{
    fit_descriptors(cfg);
    hf_log_set_level(cfg->global.log_level);
    hf_spill_configure(cfg->global.temp_dir, cfg->global.max_spill,
                       spill_files_for(hf_server.max_clients));
    hf_spill_check();
}

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
    uv_walk(hf_server.loop, close_walk, NULL);
    while (!hf_list_empty(&hf_server.mappings)) {
        hf_mapping_t *m = hf_container_of(hf_list_first(&hf_server.mappings),
                                          hf_mapping_t, link);
        hf_list_remove(&m->link);
        hf_mapping_stop_listening(m);
        hf_mapping_unref(m);
    }
    uv_close((uv_handle_t *)&sig_term, on_handle_closed);
    uv_close((uv_handle_t *)&sig_int, on_handle_closed);
    uv_close((uv_handle_t *)&sig_hup, on_handle_closed);
    uv_close((uv_handle_t *)&sig_usr1, on_handle_closed);
    uv_close((uv_handle_t *)&drain_timer, on_handle_closed);
    hf_upstream_abort_all();
    hf_reload_stop();
    hf_timeq_close_all();
    hf_access_log_close();
    hf_log_output_stop();
    hf_turn_close();
}

void hf_server_maybe_done(void)
{
    if (hf_server.draining && !stopping && hf_server.nclients == 0 &&
        hf_server.nupstreams == 0) {
        hf_log_info("drained, exiting");
        stop_all();
    }
}

static void on_drain_timeout(uv_timer_t *t)
{
    (void)t;
    hf_log_warn("shutdown_timeout reached: closing %u client and %u backend "
                "connections", hf_server.nclients, hf_server.nupstreams);
    hf_server.forced = true;
    stop_all();
}

static void start_drain(int signum)
{
    hf_server.draining = true;
    hf_log_info("%s: draining (up to %llu ms); a second signal exits at once",
                strsignal(signum),
                (unsigned long long)hf_server.cfg->global.shutdown_timeout_ms);
    for (hf_list_t *n = hf_server.mappings.next; n != &hf_server.mappings;
         n = n->next)
        hf_mapping_stop_listening(hf_container_of(n, hf_mapping_t, link));
    uv_walk(hf_server.loop, idle_walk, NULL);
    uv_timer_start(&drain_timer, on_drain_timeout,
                   hf_server.cfg->global.shutdown_timeout_ms, 0);
    hf_server_maybe_done();
}

static void on_signal(uv_signal_t *h, int signum)
{
    (void)h;
    switch (signum) {
    case SIGTERM:
    case SIGINT:
        if (hf_server.draining) {
            hf_log_warn("%s again: exiting now", strsignal(signum));
            hf_server.forced = true;
            stop_all();
            return;
        }
        start_drain(signum);
        break;
    case SIGHUP:
        if (!hf_server.draining)
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
        if (hf_mapping_listen(m) != 0)
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
    uv_signal_init(hf_server.loop, &sig_term);
    uv_signal_init(hf_server.loop, &sig_int);
    uv_signal_init(hf_server.loop, &sig_hup);
    uv_signal_init(hf_server.loop, &sig_usr1);
    uv_signal_start(&sig_term, on_signal, SIGTERM);
    uv_signal_start(&sig_int, on_signal, SIGINT);
    uv_signal_start(&sig_hup, on_signal, SIGHUP);
    uv_signal_start(&sig_usr1, on_signal, SIGUSR1);
    /* Signals alone must not keep the loop alive once all else closed. */
    uv_unref((uv_handle_t *)&sig_term);
    uv_unref((uv_handle_t *)&sig_int);
    uv_unref((uv_handle_t *)&sig_hup);
    uv_unref((uv_handle_t *)&sig_usr1);
    uv_timer_init(hf_server.loop, &drain_timer);
    uv_unref((uv_handle_t *)&drain_timer);
}

int hf_server_run(hf_config_t *cfg, const char *cfg_path)
{
    static uv_loop_t loop;
    int status = 0, err;

    signal(SIGPIPE, SIG_IGN);
    uv_loop_init(&loop);
    hf_server.loop = &loop;
    hf_log_output_start(&loop);
    hf_server.cfg = cfg;
    hf_server.cfg_path = cfg_path;
    hf_list_init(&hf_server.mappings);
    hf_server.started_ms = uv_now(&loop);
    hf_timeq_init(&loop, hf_client_on_timeout);
    hf_server_apply_globals(cfg);
    start_signals();
    err = hf_access_log_open(&loop, &cfg->global);
    if (err == 0)
        err = hf_reload_start(cfg);
    if (err == 0)
        err = open_mappings(cfg);
    if (err != 0) {
        status = 1;
        hf_server.draining = true;
        stop_all();
    } else {
        hf_log_info("holdfast %s running, pid %d, max_clients %u", HF_VERSION,
                    (int)getpid(), hf_server.max_clients);
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
