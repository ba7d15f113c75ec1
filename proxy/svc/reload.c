#include "reload.h"

#include <string.h>
#include <time.h>

#include "access_log.h"
#include "admin.h"
#include "dispatch.h"
#include "health.h"
#include "statsd.h"
#include "listener.h"
#include "log.h"
#include "runtime.h"
#include "mapping.h"
#include "sd_notify.h"
#include "server.h"

/* The process-wide services a config asks for: admin listener, statsd. */
static int apply_services(const hf_config_t *cfg)
{
    int err = hf_admin_configure(hf_rt.loop, cfg->global.admin_on
                                                     ? &cfg->global.admin
                                                     : NULL);
    if (err != 0)
        return err;
    return hf_statsd_configure(hf_rt.loop, cfg->global.statsd_on
                                                   ? &cfg->global.statsd
                                                   : NULL);
}

static double unix_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int hf_services_start(const hf_config_t *cfg)
{
    hf_reload_stats.last_ok_unix = unix_now();
    return apply_services(cfg);
}

void hf_services_stop(void)
{
    hf_admin_stop();
    hf_statsd_stop();
    hf_health_abort_all();
}

static void log_error(void *ud, const char *msg)
{
    (void)ud;
    hf_log_error("%s", msg);
}

static hf_mapping_t *find_by_listen(const hf_addr_t *a)
{
    for (hf_list_t *n = hf_server.mappings.next; n != &hf_server.mappings;
         n = n->next) {
        hf_mapping_t *m = hf_container_of(n, hf_mapping_t, link);
        if (hf_addr_equal(&m->conf.listen, a))
            return m;
    }
    return NULL;
}

static bool in_config(const hf_config_t *cfg, const hf_addr_t *a)
{
    for (size_t i = 0; i < cfg->nmappings; i++)
        if (hf_addr_equal(&cfg->mappings[i].listen, a))
            return true;
    return false;
}

static void apply_mappings(const hf_config_t *cfg)
{
    hf_list_t *n = hf_server.mappings.next;

    /* Removed first, so their addresses are free for new mappings. */
    while (n != &hf_server.mappings) {
        hf_mapping_t *m = hf_container_of(n, hf_mapping_t, link);
        n = n->next;
        if (in_config(cfg, &m->conf.listen))
            continue;
        hf_log_info("[%s] removed: stops accepting, drains", m->conf.name);
        hf_list_remove(&m->link);
        m->removed = true;
        hf_listener_close(m);
        hf_mapping_unref(m);
    }
    for (size_t i = 0; i < cfg->nmappings; i++) {
        const hf_mapping_conf_t *mc = &cfg->mappings[i];
        hf_mapping_t *m = find_by_listen(&mc->listen);
        if (m != NULL) {
            if (hf_mapping_update(m, mc) != 0)
                hf_log_error("[%s] reload: out of memory", mc->name);
            hf_health_configure(m);
            hf_dispatch_run(m);
            continue;
        }
        m = hf_mapping_new(mc);
        if (m == NULL) {
            hf_log_error("[%s] reload: out of memory", mc->name);
            continue;
        }
        hf_list_insert_tail(&hf_server.mappings, &m->link);
        if (hf_listener_open(m) != 0) {
            hf_list_remove(&m->link);
            hf_mapping_unref(m);
            continue;
        }
        hf_log_info("[%s] added: %s", mc->name, mc->listen.text);
    }
}

void hf_reload(const char *path)
{
    hf_config_t *cfg = NULL;
    int errors;

    if (path == NULL) {
        hf_log_warn("SIGHUP: no configuration file to reload");
        return;
    }
    hf_log_info("SIGHUP: reloading %s", path);
    /* MONOTONIC_USEC tells systemd which reload this RELOADING=1 starts. */
    hf_sd_notify("RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading %s",
                 (unsigned long long)(uv_hrtime() / 1000), path);
    errors = hf_config_load(path, &cfg, log_error, NULL);
    if (errors != 0) {
        hf_log_error("reload: %d error%s in %s: running configuration kept",
                     errors, errors == 1 ? "" : "s", path);
        hf_reload_stats.failed++;
        hf_sd_notify("READY=1\nSTATUS=reload failed: %d error%s in %s, "
                     "running configuration kept",
                     errors, errors == 1 ? "" : "s", path);
        return;
    }
    hf_server_apply_globals(cfg);
    hf_listener_resume_all();
    if (hf_access_log_open(hf_rt.loop, &cfg->global) != 0)
        hf_log_error("reload: access log not reopened");
    if (apply_services(cfg) != 0)
        hf_log_error("reload: admin or statsd not applied");
    apply_mappings(cfg);
    hf_config_free(hf_server.cfg);
    hf_server.cfg = cfg;
    hf_reload_stats.ok++;
    hf_reload_stats.last_ok_unix = unix_now();
    hf_log_info("reloaded %s", path);
    hf_sd_notify("READY=1\nSTATUS=reloaded %s: %zu mapping%s", path,
                 cfg->nmappings, cfg->nmappings == 1 ? "" : "s");
}
