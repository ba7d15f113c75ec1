/* Deferred backend reads: a TCP backend connection whose read wake-ups are
 * held back (SO_RCVLOWAT) until the backend has sent HF_READ_DEFER_BYTES,
 * closed its side (the FIN of a Connection: close backend, which the
 * kernel always reports), or HF_READ_DEFER_MS have passed, whichever comes
 * first. Why: a backend that writes its head and body apart (Python's
 * HTTPServer) and then closes otherwise wakes holdfast once per write, and
 * where the sidecar and the app share cores each wake-up is paid by the
 * app, preempted by the holdfast it woke. In front of Python at
 * backend_max_conns 2 and 100 clients, holding the reads back took the
 * app's involuntary context switches from 1.19 to 0.53 per request and
 * holdfast's wake-ups from 1.97 to 1.54 (HAProxy: 1.55). The time limit
 * is what makes it safe: a backend that keeps the connection open
 * (one ignoring Connection: close) or streams slowly is read normally once
 * it has passed, as its data then wakes holdfast at once (the kernel
 * re-checks readiness when the low-water mark falls).
 *
 * One libuv timer serves every deferral: they all last the same, so
 * appending keeps the list sorted by deadline. */
#ifndef HF_READ_DEFER_H
#define HF_READ_DEFER_H

#include <stdbool.h>
#include <stdint.h>

#include "list.h"
#include "sock.h"

#define HF_READ_DEFER_MS 5
#define HF_READ_DEFER_BYTES (64 * 1024)

typedef struct hf_read_defer {
    hf_list_t link;     /* in the list of deferrals, by deadline */
    uint64_t deadline;  /* loop time in ms */
    hf_sock_t *sock;    /* referenced, not owned */
} hf_read_defer_t;

static inline void hf_read_defer_init(hf_read_defer_t *d)
{
    hf_list_init(&d->link);
    d->sock = NULL;
}

/* Defers s's read wake-ups; d must stay valid until hf_read_defer_stop or
 * its expiry. Returns false (nothing deferred) for a Unix socket, whose
 * poll ignores the low-water mark, or when the option cannot be set. */
bool hf_read_defer_start(hf_read_defer_t *d, hf_sock_t *s);

/* Forgets d without touching its socket: call before the socket closes.
 * Harmless when d is not deferred. */
static inline void hf_read_defer_stop(hf_read_defer_t *d)
{
    if (hf_list_linked(&d->link))
        hf_list_remove(&d->link);
}

/* Closes the shared timer (at exit; every deferral must be stopped). */
void hf_read_defer_close(void);

#endif
