/* The process: one libuv loop, the mappings of the running configuration,
 * the client count against max_clients, signals and the drain. */
#ifndef HF_SERVER_H
#define HF_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "config.h"
#include "list.h"

typedef struct hf_server {
    uv_loop_t *loop;
    hf_config_t *cfg;        /* running configuration */
    const char *cfg_path;    /* file to reload on SIGHUP, or NULL */
    hf_list_t mappings;      /* hf_mapping_t.link, listening or draining */
    uint32_t nclients;       /* client connections open */
    uint32_t max_clients;    /* after fitting the descriptor limit */
    uint64_t next_conn_id;
    uint32_t nupstreams;     /* backend connections open */
    bool draining;           /* SIGTERM/SIGINT received */
    bool forced;             /* a second signal or the drain timed out */
    uint64_t started_ms;
} hf_server_t;

extern hf_server_t hf_server;

/* Runs the proxy with cfg (taken) until shutdown. Returns the exit status. */
int hf_server_run(hf_config_t *cfg, const char *cfg_path);

/* Applies the [global] settings that need no handle: descriptor limit and
 * max_clients, log level, spill budget and temp_dir (start and reload). */
void hf_server_apply_globals(const hf_config_t *cfg);

/* A client or upstream closed: the drain may be complete. */
void hf_server_maybe_done(void);

#endif
