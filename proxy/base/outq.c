#include "outq.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

uint64_t hf_outq_lines_dropped;

void hf_outq_set_nonblocking(hf_outq_t *q)
{
    struct stat st;
    int flags;

    if (q->nonblocking || q->fd < 0 || fstat(q->fd, &st) != 0)
        return;
    if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode) && !S_ISCHR(st.st_mode))
        return;
    flags = fcntl(q->fd, F_GETFL);
    if (flags < 0 || fcntl(q->fd, F_SETFL, flags | O_NONBLOCK) != 0)
        return;
    q->saved_flags = flags;
    q->nonblocking = true;
}

void hf_outq_release(hf_outq_t *q)
{
    hf_outq_flush(q);
    if (q->nonblocking && q->fd >= 0)
        fcntl(q->fd, F_SETFL, q->saved_flags);
    q->nonblocking = false;
    free(q->buf);
    q->buf = NULL;
    q->off = q->len = q->cap = 0;
}

static void count_dropped(hf_outq_t *q, const char *p, size_t n)
{
    static const char warn[] = "holdfast: warning: a log output cannot keep "
                               "up: lines are dropped and counted in "
                               "holdfast_log_lines_dropped_total\n";
    const char *end = p + n;

    for (; p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        hf_outq_lines_dropped++;
    if (!q->dropping) {
        q->dropping = true;
        /* Straight to stderr, never queued: stderr may be what is stuck. */
        if (write(STDERR_FILENO, warn, sizeof(warn) - 1) < 0) {
        }
    }
}

/* Writes at most n bytes; returns how many were taken, or -1 when the
 * descriptor failed for good (the bytes are to be dropped). */
static ssize_t put(hf_outq_t *q, const char *p, size_t n)
{
    ssize_t w;

    do
        w = write(q->fd, p, n);
    while (w < 0 && errno == EINTR);
    if (w >= 0)
        return w;
    return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
}

static bool keep(hf_outq_t *q, const char *p, size_t n)
{
    size_t want = q->len - q->off + n;

    if (want > HF_OUTQ_MAX)
        return false;
    if (q->off > 0) {
        memmove(q->buf, q->buf + q->off, q->len - q->off);
        q->len -= q->off;
        q->off = 0;
    }
    if (want > q->cap) {
        size_t cap = q->cap ? q->cap : 16384;
        char *b;
        while (cap < want)
            cap *= 2;
        if (cap > HF_OUTQ_MAX)
            cap = HF_OUTQ_MAX;
        b = realloc(q->buf, cap);
        if (b == NULL)
            return false;
        q->buf = b;
        q->cap = cap;
    }
    memcpy(q->buf + q->len, p, n);
    q->len += n;
    return true;
}

void hf_outq_write(hf_outq_t *q, const char *p, size_t n)
{
    bool was_empty;
    ssize_t w = 0;

    if (q->fd < 0 || n == 0)
        return;
    if (q->off < q->len)
        hf_outq_flush(q);
    was_empty = q->off == q->len;
    if (was_empty) {
        w = put(q, p, n);
        if (w < 0) {
            count_dropped(q, p, n);
            return;
        }
        if ((size_t)w == n) {
            q->dropping = false;
            return;
        }
    }
    /* A line begun on the descriptor is always finished: its rest fits,
     * since the queue was empty. */
    if (!keep(q, p + w, n - (size_t)w)) {
        count_dropped(q, p + w, n - (size_t)w);
        return;
    }
    if (was_empty && q->on_pending != NULL)
        q->on_pending(q);
}

bool hf_outq_flush(hf_outq_t *q)
{
    while (q->off < q->len) {
        ssize_t w = put(q, q->buf + q->off, q->len - q->off);
        if (w == 0)
            return true;
        if (w < 0) {
            count_dropped(q, q->buf + q->off, q->len - q->off);
            q->off = q->len = 0;
            break;
        }
        q->off += (size_t)w;
    }
    q->off = q->len = 0;
    q->dropping = false;
    return false;
}
