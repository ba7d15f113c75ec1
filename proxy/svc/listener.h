/* The mappings' listening sockets and the max_clients gate: a connection
 * is accepted only while the process holds fewer than max_clients; at the
 * cap the listener is left pending until a client closes. */
#ifndef HF_LISTENER_H
#define HF_LISTENER_H

#include "mapping.h"

/* Opens m's listening socket (m referenced while open) and starts its
 * health probes. Returns 0 or a negative UV error, logged with the
 * address and the reason. */
int hf_listener_open(hf_mapping_t *m);

/* Stops accepting on m (drain or removal) and stops its probes. */
void hf_listener_close(hf_mapping_t *m);

/* Accepts on paused listeners while there is room (a client closed, or
 * max_clients grew on reload). */
void hf_listener_resume_all(void);

/* A client connection went idle: if a connection waits at max_clients,
 * the one idle longest is closed to make room (at the end of the turn). */
void hf_listener_conn_idle(void);

#endif
