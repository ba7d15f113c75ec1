/* Body buffering and the process-wide spill budget (proxy/io/body.c). It
 * needs no event loop: spill writes are synchronous, and freeing a spilled
 * body resumes the waiters at once. Checked: bytes read back in order from
 * any offset, memory then file; the budget taken by a spill and released by
 * hf_body_free(); no new spill starts past max_spill or max_files (one
 * already started runs to its end); waiters resumed once when spill is
 * freed, not when cancelled. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "body.h"
#include "check.h"

static char pattern[3 * HF_BLOCK_SIZE];

/* Reads the whole body back from off with hf_body_bufs() and compares. */
static bool reads_back(hf_body_t *b, uint64_t off)
{
    while (off < b->len) {
        uv_buf_t bufs[4];
        int k = hf_body_bufs(b, off, bufs, 4);
        if (k <= 0)
            return false;
        for (int i = 0; i < k; i++) {
            if (memcmp(bufs[i].base, pattern + off, bufs[i].len) != 0)
                return false;
            off += bufs[i].len;
        }
    }
    return off == b->len && hf_body_bufs(b, off, NULL, 0) == 0;
}

/* Appends n bytes of the pattern in pieces of step. */
static int append(hf_body_t *b, size_t n, size_t step)
{
    for (size_t off = (size_t)b->len; off < n; off += step) {
        size_t k = n - off < step ? n - off : step;
        int err = hf_body_append(b, pattern + off, k);
        if (err != 0)
            return err;
    }
    return 0;
}

static void test_memory_only(void)
{
    hf_body_t b;

    hf_body_init(&b, 2 * HF_BLOCK_SIZE);
    CHECK(append(&b, HF_BLOCK_SIZE + 10, 1000) == 0);
    CHECK(b.fd < 0 && b.mem_len == HF_BLOCK_SIZE + 10);
    CHECK(hf_spill_files == 0 && hf_spill_bytes == 0);
    CHECK(hf_body_may_grow(&b));
    CHECK(reads_back(&b, 0));
    CHECK(reads_back(&b, HF_BLOCK_SIZE - 1));
    CHECK(reads_back(&b, HF_BLOCK_SIZE + 9));
    hf_body_free(&b);
    CHECK(hf_blocks_in_use == 0);
}

static void test_spill_accounting(void)
{
    hf_body_t b;
    size_t n = 2 * HF_BLOCK_SIZE + 123;

    hf_body_init(&b, 100);
    CHECK(append(&b, n, 777) == 0);
    CHECK(b.fd >= 0 && b.mem_len == 100 && b.len == n);
    CHECK(hf_spill_files == 1 && hf_spill_bytes == n - 100);
    CHECK(reads_back(&b, 0));
    CHECK(reads_back(&b, 99));
    CHECK(reads_back(&b, 100 + HF_BLOCK_SIZE));
    hf_body_free(&b);
    CHECK(hf_spill_files == 0 && hf_spill_bytes == 0);
    CHECK(b.fd < 0 && b.len == 0 && b.mem_cap == 100);
    CHECK(hf_blocks_in_use == 0);
}

struct waiter {
    hf_spill_waiter_t w;
    int resumed;
    bool again; /* queue itself again from resume() */
};

static void on_resume(hf_spill_waiter_t *w);

/* A waiter's link is in no list until it waits, as its owner sets up. */
static void waiter_init(struct waiter *x)
{
    memset(x, 0, sizeof(*x));
    hf_list_init(&x->w.link);
    x->w.resume = on_resume;
}

static void on_resume(hf_spill_waiter_t *w)
{
    struct waiter *x = (struct waiter *)w;

    x->resumed++;
    if (x->again) {
        x->again = false;
        hf_spill_wait(w);
    }
}

/* Appends one read's worth (HF_BLOCK_SIZE) at a time while the budget
 * says it fits, as the upstream reads; returns the bytes appended. */
static size_t fill_while_room(hf_body_t *b, size_t most)
{
    size_t done = 0;

    while (done < most && hf_body_room(b) == HF_GROW_OK) {
        if (hf_body_append(b, pattern, HF_BLOCK_SIZE) != 0) {
            CHECK(!"append failed");
            break;
        }
        done += HF_BLOCK_SIZE;
    }
    return done;
}

static void test_max_spill(const char *dir)
{
    const uint64_t budget = 8 * HF_BLOCK_SIZE;
    hf_body_t a, b, c;
    struct waiter wb, wc;

    waiter_init(&wb);
    waiter_init(&wc);
    hf_spill_configure(dir, budget, 100);
    hf_body_init(&a, HF_BLOCK_SIZE);
    hf_body_init(&b, HF_BLOCK_SIZE);
    hf_body_init(&c, HF_BLOCK_SIZE);
    /* A response spills until the next read would pass the budget, never
     * past it: a hard bound, checked before every read. */
    fill_while_room(&a, 100 * HF_BLOCK_SIZE);
    CHECK(hf_spill_bytes <= budget);
    CHECK(hf_spill_bytes + HF_BLOCK_SIZE > budget);
    CHECK(hf_body_room(&a) == HF_GROW_WAIT);
    /* b may fill its memory but not start a spill. */
    CHECK(append(&b, HF_BLOCK_SIZE, 3) == 0);
    CHECK(!hf_body_may_grow(&b));
    hf_spill_wait(&wb.w);
    hf_spill_wait(&wb.w); /* twice: still queued once */
    CHECK(append(&c, HF_BLOCK_SIZE, 3) == 0);
    CHECK(!hf_body_may_grow(&c));
    hf_spill_wait(&wc.w);
    hf_spill_cancel(&wc.w);
    hf_spill_cancel(&wc.w); /* not queued: harmless */
    /* Freeing a spill gives its bytes back and wakes the waiters. */
    wb.again = true;
    hf_body_free(&a);
    CHECK(hf_spill_bytes == 0 && hf_spill_files == 0);
    CHECK(wb.resumed == 1 && wc.resumed == 0);
    CHECK(hf_body_may_grow(&b) && hf_body_may_grow(&c));
    /* A request body may not take the reserve kept for responses: a
     * quarter of the budget here (HF_SPILL_RESERVE at most). */
    b.request = true;
    fill_while_room(&b, 100 * HF_BLOCK_SIZE);
    CHECK(hf_spill_bytes + budget / 4 <= budget);
    CHECK(hf_body_room(&b) != HF_GROW_OK);
    /* ... which a response in flight can still use. */
    CHECK(hf_body_room(&c) == HF_GROW_OK);
    hf_body_free(&b);
    CHECK(wb.resumed == 2 && wc.resumed == 0);
    hf_body_free(&c);
    CHECK(hf_spill_bytes == 0 && hf_spill_files == 0);
    /* A request body of known length larger than the budget can never
     * fit: it fails at once rather than wait forever. */
    hf_body_init(&b, HF_BLOCK_SIZE);
    b.request = true;
    b.expect = budget + HF_BLOCK_SIZE;
    CHECK(append(&b, HF_BLOCK_SIZE, 3) == 0);
    CHECK(hf_body_room(&b) == HF_GROW_NEVER);
    hf_body_free(&b);
    CHECK(wb.resumed == 2);
}

static void test_max_files(const char *dir)
{
    hf_body_t a, b;
    struct waiter wb;

    waiter_init(&wb);
    hf_spill_configure(dir, UINT64_MAX, 1);
    hf_body_init(&a, 0);
    hf_body_init(&b, 0);
    CHECK(hf_body_may_grow(&a));
    CHECK(append(&a, 5, 5) == 0);
    CHECK(hf_spill_files == 1 && hf_spill_bytes == 5);
    CHECK(!hf_body_may_grow(&b));
    hf_spill_wait(&wb.w);
    hf_body_free(&a);
    CHECK(wb.resumed == 1 && hf_body_may_grow(&b));
    hf_body_free(&b);
}

static void test_bad_temp_dir(const char *dir)
{
    char path[4096];
    hf_body_t b;
    uint64_t errors = hf_spill_errors;

    snprintf(path, sizeof(path), "%s/missing", dir);
    hf_spill_configure(path, UINT64_MAX, UINT32_MAX);
    CHECK(hf_spill_check() < 0);
    hf_body_init(&b, 4);
    CHECK(hf_body_append(&b, pattern, 10) < 0);
    CHECK(hf_spill_errors == errors + 1 && hf_spill_files == 0);
    hf_body_free(&b);
    CHECK(hf_spill_bytes == 0 && hf_blocks_in_use == 0);
}

int main(void)
{
    char dir[] = "/tmp/hf-test-body.XXXXXX";

    for (size_t i = 0; i < sizeof(pattern); i++)
        pattern[i] = (char)('a' + (i * 7 + i / 26) % 26);
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    hf_spill_configure(dir, UINT64_MAX, UINT32_MAX);
    CHECK(hf_spill_check() == 0);
    test_memory_only();
    test_spill_accounting();
    test_max_spill(dir);
    test_max_files(dir);
    test_bad_temp_dir(dir);
    hf_block_drain();
    CHECK(hf_blocks_in_use == 0);
    CHECK(rmdir(dir) == 0); /* spill files are unlinked from birth */
    return CHECK_DONE();
}
