/* The process: the running configuration and its mappings, max_clients
 * fitted to the descriptor limit (process.c), and the server's run: start,
 * signals, the drain and the stop (server.c). The loop, the drain flag and
 * the connection counts are io/runtime.h. */
#ifndef HF_SERVER_H
#define HF_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "config.h"
#include "list.h"

typedef struct hf_server {
    hf_config_t *cfg;        /* running configuration */
    const char *cfg_path;    /* file to reload on SIGHUP, or NULL */
    hf_list_t mappings;      /* hf_mapping_t.link, listening or draining */
    uint32_t max_clients;    /* after fitting the descriptor limit */
    bool forced;             /* a second signal or the drain timed out */
    uint64_t idle_closed;    /* idle connections closed to make room at
                                max_clients (listener.c) */
    uint64_t started_ms;
} hf_server_t;

extern hf_server_t hf_server;

/* process.c: outcomes of SIGHUP reloads (reload.c counts), for /metrics. */
typedef struct hf_reload_stats {
    uint64_t ok, failed;
    double last_ok_unix; /* wall-clock seconds of the last good load,
                            start-up included (as Prometheus counts it) */
} hf_reload_stats_t;

extern hf_reload_stats_t hf_reload_stats;


/* Runs the proxy with cfg (taken) until shutdown. Returns the exit status. */
int hf_server_run(hf_config_t *cfg, const char *cfg_path);

/* process.c: applies the [global] settings that need no handle:
 * descriptor limit and max_clients, log level, spill budget and temp_dir
 * (start and reload). */
void hf_server_apply_globals(const hf_config_t *cfg);

#endif
