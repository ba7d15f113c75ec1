/* Work gathered during a loop turn and done once, after every event of the
 * turn has been handled: first the backend connections that freed slots
 * call for (HF_TURN_CONNECT), then the client writes that new response
 * bytes call for (HF_TURN_WRITE). Each item carries its own callback; this
 * module knows nothing of what the work is.
 *
 * Why: each connect to an idle backend and each write to an idle client
 * wakes a sleeping process, and on a virtual machine a wake-up is a costly
 * cross-CPU interrupt. Done back to back, a turn's connects wake the backend
 * once and its writes wake the client's event loop once, where doing each
 * inside the event that caused it spaced them out, one wake-up apiece.
 * It is also how teardown is deferred: work posted here runs after the
 * callback that posted it has returned, never inside it. */
#ifndef HF_TURN_H
#define HF_TURN_H

#include <stdbool.h>

#include "list.h"

enum hf_turn_phase { HF_TURN_CONNECT = 0, HF_TURN_WRITE, HF_TURN_NPHASES };

typedef struct hf_deferred hf_deferred_t;

/* Runs the item (cancel false), or drops it at exit (cancel true), so an
 * item that holds a reference can give it back either way. The item is
 * off the lists when called and may be posted again or freed. */
typedef void (*hf_deferred_cb)(hf_deferred_t *d, bool cancel);

struct hf_deferred {
    hf_list_t link;   /* in a phase's list while posted */
    hf_deferred_cb cb;
};

static inline void hf_deferred_init(hf_deferred_t *d)
{
    hf_list_init(&d->link);
    d->cb = NULL;
}

static inline bool hf_deferred_posted(const hf_deferred_t *d)
{
    return hf_list_linked(&d->link);
}

/* Runs cb(d) at the end of this turn, in phase order. Returns false, and
 * does nothing, when d is already posted or the loop is closing: the
 * caller takes no reference for it then. */
bool hf_turn_post(hf_deferred_t *d, enum hf_turn_phase phase,
                  hf_deferred_cb cb);

/* If d is posted, runs it now instead (a new request must not find the
 * queue full while a slot is already free). */
void hf_turn_run_now(hf_deferred_t *d);

/* Takes d off its list without running it (its owner goes). */
static inline void hf_turn_forget(hf_deferred_t *d)
{
    if (hf_list_linked(&d->link))
        hf_list_remove(&d->link);
}

/* At exit: drops every posted item (cb with cancel true) and closes the
 * handles; later posts are refused. */
void hf_turn_close(void);

#endif
