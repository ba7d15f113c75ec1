/* The loop and the process state every layer reads: the drain flag and the
 * open connection counts. Lower layers read it and count their own
 * connections; only the server (svc/) sets the flags and registers what
 * happens when a connection goes. */
#ifndef HF_RUNTIME_H
#define HF_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

typedef struct hf_runtime {
    uv_loop_t *loop;
    bool draining;            /* SIGTERM/SIGINT received (svc/server.c) */
    uint32_t nclients;        /* client connections open (conn/client.c) */
    uint32_t nupstreams;      /* backend connections open (core/upstream.c) */
    uint64_t next_conn_id;    /* last client connection number given */
    /* A client or backend connection has closed: room to accept, and the
     * drain may be complete. Registered by the server. */
    void (*on_conn_closed)(void);
    /* A client connection has become idle (between requests): it may be
     * closed to make room at max_clients. Registered by the server. */
    void (*on_conn_idle)(void);
} hf_runtime_t;

extern hf_runtime_t hf_rt;

/* Reports a closed connection to whoever registered for it. */
static inline void hf_runtime_conn_closed(void)
{
    if (hf_rt.on_conn_closed != NULL)
        hf_rt.on_conn_closed();
}

/* Reports a connection gone idle to whoever registered for it. */
static inline void hf_runtime_conn_idle(void)
{
    if (hf_rt.on_conn_idle != NULL)
        hf_rt.on_conn_idle();
}

#endif
