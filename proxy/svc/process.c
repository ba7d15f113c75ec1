/* Process-wide state of the running configuration, and the [global]
 * settings applied at start and on reload. */
#include <sys/resource.h>

#include "body.h"
#include "log.h"
#include "server.h"

hf_server_t hf_server;
hf_reload_stats_t hf_reload_stats;

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

