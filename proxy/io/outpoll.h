/* Waits, on the loop, for a log descriptor to take more: when an outq has
 * bytes pending, a uv_poll on its descriptor writes them once it is
 * writable, so lines flow again as soon as a stalled reader resumes. */
#ifndef HF_OUTPOLL_H
#define HF_OUTPOLL_H

#include <uv.h>

#include "outq.h"

/* Registers q's on_pending. Descriptors libuv cannot poll (regular files)
 * are written blocking and need none: returns 0 then too, or a negative
 * UV error. */
int hf_outpoll_watch(uv_loop_t *loop, hf_outq_t *q);

/* Stops waiting for q; the poll handle is freed by its close callback. */
void hf_outpoll_unwatch(hf_outq_t *q);

#endif
