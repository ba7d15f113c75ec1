/* Work gathered during a loop turn and done once, after every event of the
 * turn has been handled: first the backend connections that freed slots
 * call for, then the client writes that new response bytes call for.
 *
 * Why: each connect to an idle backend and each write to an idle client
 * wakes a sleeping process, and on a virtual machine a wake-up is a costly
 * cross-CPU interrupt. Done back to back, a turn's connects wake the backend
 * once and its writes wake the client's event loop once, where doing each
 * inside the event that caused it spaced them out, one wake-up apiece. */
#ifndef HF_TURN_H
#define HF_TURN_H

struct hf_mapping;
struct hf_exchange;

/* The mapping's queue is dispatched at the end of this turn (referenced
 * until then). */
void hf_turn_dispatch(struct hf_mapping *m);

/* A dispatch of m still waiting for the end of the turn runs now (a new
 * request must not find the queue full while a slot is already free). */
void hf_turn_dispatch_now(struct hf_mapping *m);

/* The exchange's client is flushed at the end of this turn. */
void hf_turn_flush(struct hf_exchange *ex);

/* The exchange goes: takes it off the flush list. */
void hf_turn_forget(struct hf_exchange *ex);

/* At exit: closes the handles; pending and later work is dropped. */
void hf_turn_close(void);

#endif
