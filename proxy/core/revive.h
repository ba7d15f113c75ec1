/* Bringing back addresses that refused: while an address of a mapping is
 * down from a failed connect, a bare TCP connect is tried every
 * HF_REVIVE_MS; the first that is accepted marks it up. So the first
 * request after an app restart goes within that interval, and no request
 * is ever spent finding out (HAProxy's "check" in the same role, at a
 * short interval; nginx instead waits fail_timeout and tries a request).
 * Addresses down from a failed health probe are left to the probes. */
#ifndef HF_REVIVE_H
#define HF_REVIVE_H

#include "mapping.h"

#define HF_REVIVE_MS 200

typedef struct hf_revive_events {
    /* An address of m accepted a connection again and is up. */
    void (*revived)(hf_mapping_t *m);
    /* Every HF_REVIVE_MS while m has an address down. */
    void (*tick)(hf_mapping_t *m);
} hf_revive_events_t;

/* Registers the events (kept by pointer). */
void hf_revive_set_events(const hf_revive_events_t *ev);

/* Starts the attempts for m's down addresses, if not running; they stop
 * by themselves once none is down. */
void hf_revive_start(hf_mapping_t *m);

/* Stops m's attempts (the mapping goes or the process stops). */
void hf_revive_stop(hf_mapping_t *m);

/* Cancels every attempt in flight and refuses new ones (shutdown); timers
 * not stopped by hf_revive_stop end at their next tick. */
void hf_revive_abort_all(void);

#endif
