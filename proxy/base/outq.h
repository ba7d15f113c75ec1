/* Output that never blocks the event loop: a bounded queue of whole lines
 * pending for one descriptor (stdout, stderr, the access-log file). */
#ifndef HF_OUTQ_H
#define HF_OUTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Pending bytes kept per descriptor while it cannot take more; past this
 * whole lines are dropped and counted. */
#define HF_OUTQ_MAX (1024 * 1024)

typedef struct hf_outq hf_outq_t;

struct hf_outq {
    int fd;
    const char *name;   /* for the one warning: "stdout", "access_log" */
    char *buf;          /* pending bytes buf[off..len), NULL when none yet */
    size_t off, len, cap;
    bool nonblocking;   /* O_NONBLOCK was set by hf_outq_set_nonblocking */
    int saved_flags;    /* the descriptor's flags before, restored at exit */
    bool dropping;      /* lines are being dropped; warned once */
    /* Called when bytes become pending on an empty queue, so the layer
     * that owns the loop can wait for the descriptor to be writable. */
    void (*on_pending)(hf_outq_t *q);
    void *watch;        /* that layer's state */
};

/* Lines dropped over all queues since start: holdfast_log_lines_dropped_total. */
extern uint64_t hf_outq_lines_dropped;

/* Makes writes to q->fd non-blocking when it is a pipe, socket or
 * terminal, which block when their reader stalls. A regular file is left
 * blocking: a full disk fails with ENOSPC rather than waiting. */
void hf_outq_set_nonblocking(hf_outq_t *q);

/* Puts the descriptor's flags back (the terminal or pipe is shared with
 * the parent) and frees what is pending, after one last non-blocking try. */
void hf_outq_release(hf_outq_t *q);

/* Writes n bytes (whole lines) now, or queues them behind what is
 * pending, or drops them all when the queue would pass HF_OUTQ_MAX. */
void hf_outq_write(hf_outq_t *q, const char *p, size_t n);

/* Writes what is pending as far as the descriptor takes it. Returns true
 * when bytes are still pending. */
bool hf_outq_flush(hf_outq_t *q);

#endif
