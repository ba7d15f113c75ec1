#include "body.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

uint64_t hf_spill_bytes;
uint32_t hf_spill_files;
uint64_t hf_spill_errors;

static char spill_dir[PATH_MAX] = "/tmp";
static uint64_t spill_max_bytes = UINT64_MAX;
static uint32_t spill_max_files = UINT32_MAX;
static uint64_t spill_reserved; /* taken by bodies, not yet written */
static hf_list_t spill_waiters = {&spill_waiters, &spill_waiters};

void hf_spill_configure(const char *temp_dir, uint64_t max_bytes,
                        uint32_t max_files)
{
    snprintf(spill_dir, sizeof(spill_dir), "%s", temp_dir);
    spill_max_bytes = max_bytes;
    spill_max_files = max_files;
}

void hf_spill_wait(hf_spill_waiter_t *w)
{
    if (!hf_list_linked(&w->link))
        hf_list_insert_tail(&spill_waiters, &w->link);
}

void hf_spill_cancel(hf_spill_waiter_t *w)
{
    if (hf_list_linked(&w->link))
        hf_list_remove(&w->link);
}

static void spill_wake(void)
{
    hf_list_t ready;

    if (hf_list_empty(&spill_waiters))
        return;
    /* Take the whole list first: a resumed reader may queue itself again. */
    ready = spill_waiters;
    ready.next->prev = &ready;
    ready.prev->next = &ready;
    hf_list_init(&spill_waiters);
    while (!hf_list_empty(&ready)) {
        hf_list_t *n = hf_list_first(&ready);
        hf_spill_waiter_t *w = hf_container_of(n, hf_spill_waiter_t, link);
        hf_list_remove(n);
        w->resume(w);
    }
}

/* The file is unlinked from birth (O_TMPFILE, or mkstemp and unlink at
 * once), so it never outlives the process, crash included. */
static int spill_open(void)
{
    char path[PATH_MAX];
    int fd;

    fd = open(spill_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
    if (fd >= 0)
        return fd;
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
        return -errno;
    if (snprintf(path, sizeof(path), "%s/holdfast.XXXXXX", spill_dir) >=
        (int)sizeof(path))
        return -ENAMETOOLONG;
    fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0)
        return -errno;
    unlink(path);
    return fd;
}

int hf_spill_check(void)
{
    int fd = spill_open();

    if (fd < 0) {
        hf_log_warn("temp_dir %s: %s: bodies over body_buffer_size will be "
                    "refused with 503", spill_dir, strerror(-fd));
        return fd;
    }
    close(fd);
    return 0;
}

void hf_body_init(hf_body_t *b, uint64_t mem_cap)
{
    memset(b, 0, sizeof(*b));
    b->mem_cap = mem_cap;
    b->fd = -1;
}

static uint64_t reserve(void)
{
    uint64_t r = spill_max_bytes / 4;
    return r < HF_SPILL_RESERVE ? r : HF_SPILL_RESERVE;
}

/* A read adds at most HF_BLOCK_SIZE bytes, so checking for that much room
 * before each read keeps the spill within max_spill at all times.
 *
 * A request body of known length takes its whole spill from the budget
 * when it starts spilling, or waits holding none: two uploads can never
 * each hold half the budget and wait for the other. One of unknown length
 * (chunked) that finds no room once it holds spill fails instead of
 * waiting, for the same reason. A response holding spill its client has
 * not taken yet waits for that client, which gives it back as it reads.
 * A body that would pass its share of the budget on its own fails:
 * HF_GROW_NEVER. */
enum hf_grow hf_body_room(hf_body_t *b)
{
    uint64_t need, held, limit = spill_max_bytes;

    if (b->len + HF_BLOCK_SIZE <= b->mem_cap || b->reserved > 0)
        return HF_GROW_OK;
    if (b->fd < 0) {
        need = b->len + HF_BLOCK_SIZE - b->mem_cap;
        if (b->expect > b->mem_cap)
            need = b->expect - b->mem_cap;
        if (hf_spill_files > 0 && hf_spill_files >= spill_max_files)
            return HF_GROW_WAIT;
    } else {
        need = HF_BLOCK_SIZE;
    }
    held = b->len - b->mem_len - b->released;
    if (b->request)
        limit -= reserve();
    if (hf_spill_bytes + spill_reserved + need <= limit) {
        if (b->fd < 0 && b->expect > b->mem_cap) {
            b->reserved = need;
            spill_reserved += need;
        }
        return HF_GROW_OK;
    }
    if (b->request ? held + need > limit || held > 0 : need > limit)
        return HF_GROW_NEVER;
    return HF_GROW_WAIT;
}

bool hf_body_may_grow(hf_body_t *b)
{
    return hf_body_room(b) == HF_GROW_OK;
}

void hf_spill_kick(void) { spill_wake(); }

void hf_body_release(hf_body_t *b, uint64_t upto)
{
    uint64_t end;

    if (b->fd < 0 || upto > b->len || upto <= b->mem_len)
        return;
    /* Whole pages only, so the count stays what the disk holds; a file
     * system that cannot punch holes keeps it all until the end. */
    end = (upto - b->mem_len) & ~(uint64_t)4095;
    if (end <= b->released ||
        fallocate(b->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                  (off_t)b->released, (off_t)(end - b->released)) != 0)
        return;
    hf_spill_bytes -= end - b->released;
    b->released = end;
    spill_wake();
}

static int append_memory(hf_body_t *b, const char **p, size_t *n)
{
    while (*n > 0 && b->mem_len < b->mem_cap) {
        hf_block_t *t = b->tail;
        size_t room, k;

        if (t == NULL || t->last == HF_BLOCK_SIZE) {
            t = hf_block_get();
            if (t == NULL)
                return -ENOMEM;
            if (b->tail != NULL)
                b->tail->next = t;
            else
                b->head = t;
            b->tail = t;
        }
        room = HF_BLOCK_SIZE - t->last;
        k = *n < room ? *n : room;
        if (k > b->mem_cap - b->mem_len)
            k = (size_t)(b->mem_cap - b->mem_len);
        memcpy(t->data + t->last, *p, k);
        t->last += (uint32_t)k;
        b->mem_len += k;
        b->len += k;
        *p += k;
        *n -= k;
    }
    return 0;
}

/* Spill writes are synchronous pwrite()s of at most one read's worth of
 * bytes (16 KiB): they land in the page cache in microseconds, and a full
 * disk answers ENOSPC at once. An fs request per chunk would have to pin the
 * block and order completions for no gain the benchmark could measure. */
static int append_file(hf_body_t *b, const char *p, size_t n)
{
    if (b->fd < 0) {
        int fd = spill_open();
        if (fd < 0) {
            hf_spill_errors++;
            hf_log_error("temp file in %s: %s", spill_dir, strerror(-fd));
            return fd;
        }
        b->fd = fd;
        hf_spill_files++;
    }
    while (n > 0) {
        ssize_t w = pwrite(b->fd, p, n, (off_t)(b->len - b->mem_len));
        if (w < 0) {
            int err = errno;
            if (err == EINTR)
                continue;
            hf_spill_errors++;
            hf_log_error("temp file write in %s: %s", spill_dir,
                         strerror(err));
            return -err;
        }
        p += w;
        n -= (size_t)w;
        b->len += (uint64_t)w;
        hf_spill_bytes += (uint64_t)w;
        if (b->reserved > 0) {
            uint64_t k = b->reserved < (uint64_t)w ? b->reserved : (uint64_t)w;
            b->reserved -= k;
            spill_reserved -= k;
        }
    }
    return 0;
}

int hf_body_append(hf_body_t *b, const char *p, size_t n)
{
    int err;

    if (b->fd < 0) {
        err = append_memory(b, &p, &n);
        if (err < 0)
            return err;
    }
    if (n == 0)
        return 0;
    return append_file(b, p, n);
}

int hf_body_bufs(hf_body_t *b, uint64_t off, uv_buf_t *bufs, int max)
{
    int count = 0;

    if (off < b->mem_len) {
        uint64_t start = 0;
        for (hf_block_t *blk = b->head; blk != NULL && count < max;
             blk = blk->next) {
            uint64_t end = start + blk->last;
            if (off < end) {
                size_t skip = (size_t)(off - start);
                bufs[count++] = uv_buf_init(blk->data + skip,
                                            (unsigned)(blk->last - skip));
                off = end;
            }
            start = end;
        }
        return count;
    }
    if (off < b->len && max > 0) {
        uint64_t want = b->len - off;
        ssize_t r;

        if (want > HF_BLOCK_SIZE)
            want = HF_BLOCK_SIZE;
        if (b->stage == NULL) {
            b->stage = hf_block_get();
            if (b->stage == NULL)
                return -ENOMEM;
        }
        do
            r = pread(b->fd, b->stage->data, (size_t)want,
                      (off_t)(off - b->mem_len));
        while (r < 0 && errno == EINTR);
        if (r < 0)
            return -errno;
        if (r == 0)
            return -EIO;
        bufs[0] = uv_buf_init(b->stage->data, (unsigned)r);
        return 1;
    }
    return 0;
}

/* Initialises b again, keeping what kind of body it is. */
static void keep_init(hf_body_t *b)
{
    bool request = b->request;

    hf_body_init(b, b->mem_cap);
    b->request = request;
}

void hf_body_free(hf_body_t *b)
{
    if (b->reserved > 0) {
        spill_reserved -= b->reserved;
        b->reserved = 0;
        spill_wake();
    }
    while (b->head != NULL) {
        hf_block_t *next = b->head->next;
        hf_block_put(b->head);
        b->head = next;
    }
    hf_block_put(b->stage);
    if (b->fd >= 0) {
        close(b->fd);
        hf_spill_bytes -= b->len - b->mem_len - b->released;
        hf_spill_files--;
        keep_init(b);
        spill_wake();
        return;
    }
    keep_init(b);
}
