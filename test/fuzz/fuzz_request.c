/* libFuzzer harness for request framing: proxy/http/request.c, request_rules.c,
 * head.c, body.c and backend_request.c, driven as proxy/conn/client_read.c drives
 * them (test/unit/test_request_drive.c).
 *
 * Input: the bytes a client sends, pipelined requests included, exactly as
 * a test/corpus/ .req file holds them, so every case is a seed and every
 * finding a case. Each input is fed whole, one byte at a time, and split in
 * two at a point drawn from a hash of the input (any mutation moves it; an
 * extra selector byte in front would make the .req files useless as seeds).
 * Limits are the corpus limits (header 1024, body 1024, body buffer 100:
 * bodies spill to /tmp).
 *
 * Checked on every input:
 * - the outcome is the same however the input was cut;
 * - every rejection has a status in {400,408,413,417,431,501,503,505};
 * - every complete request, written for the backend (HTTP/1.0 and 1.1,
 *   X-Forwarded-For on and off) and parsed again as a fresh request, is
 *   complete with every byte used, and has the same method, the origin-form
 *   target, the same fields minus hop-by-hop ones and those holdfast adds or
 *   replaces (Host on absolute-form, X-Forwarded-For, Content-Length,
 *   Connection), those with the right values, and the same body;
 * - no block or spill file outlives the input.
 * A violation prints what broke and aborts, so libFuzzer saves the input.
 *
 * Known proxy bugs, reported and pinned by failing unit tests, are tolerated
 * so a campaign can look past them; set HF_FUZZ_STRICT=1 in the environment
 * to stop at them too:
 * - the status of a rejection depends on where the input was split
 *   (request-line checks: 400 vs 501; max_header_size: 431 vs 400, and
 *   leading empty lines counted against the limit);
 * - an HTTP/1.1 backend gets a request without Host when an HTTP/1.0
 *   client sent none, or a Connection option named it.
 *
 * Build and run (see test/fuzz/meson.build):
 *   CC=clang meson setup build-fuzz -Dfuzzing=true \
 *       -Db_sanitize=address,undefined -Db_lundef=false
 *   ninja -C build-fuzz test/fuzz/fuzz_request
 *   mkdir -p /tmp/fz && ./build-fuzz/test/fuzz/fuzz_request -max_len=4096 \
 *       -timeout=5 -dict=test/fuzz/http.dict /tmp/fz test/corpus
 * A crash-* file it writes is added to test/corpus/make_corpus.py. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "head.h"
#include "test_request_drive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static bool strict;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void die(const char *fmt, ...)
{
    va_list ap;

    fputs("fuzz_request: invariant broken: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *s = getenv("HF_FUZZ_STRICT");

    (void)argc;
    (void)argv;
    strict = s != NULL && strcmp(s, "0") != 0;
    hf_spill_configure("/tmp", UINT64_MAX, UINT32_MAX);
    return 0;
}

/* Known bug: an HTTP/1.1 backend request goes out without Host when the
 * client sent none (HTTP/1.0) or a Connection option named it. */
static bool host_goes_missing(const hf_request_t *r)
{
    const hf_field_t *f = hf_head_find(&r->head, "host");

    if (r->host_len > 0)
        return false;
    return f == NULL || hf_field_named_by_connection(&r->head, f);
}

static void on_done(void *ud, hf_exchange_t *ex, const char *bytes,
                    size_t len)
{
    char why[256];

    (void)ud;
    (void)bytes;
    (void)len;
    for (int minor = 0; minor <= 1; minor++) {
        for (int xff = 0; xff <= 1; xff++) {
            if (minor == 1 && !strict && host_goes_missing(&ex->req))
                continue;
            if (!drive_verify(ex, minor, xff, why, sizeof(why)))
                die("backend request 1.%d, xff %d: %s", minor, xff, why);
        }
    }
}

static bool status_allowed(int status)
{
    static const int allowed[] = {400, 408, 413, 417, 431, 501, 503, 505};

    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
        if (status == allowed[i])
            return true;
    return false;
}

static void check_result(const drive_result_t *r)
{
    if (r->stuck)
        die("a feed made no progress: client.c would spin");
    for (int i = 0; i < r->n; i++) {
        const drive_req_t *d = &r->req[i];
        if (d->kind == DRIVE_REJECT && !status_allowed(d->status))
            die("request %d rejected with %d (%s)", i + 1, d->status,
                d->reason);
        if (d->kind != DRIVE_ACCEPT && i != r->n - 1)
            die("request %d is not complete but another follows", i + 1);
    }
}

/* Known bug: where the input is split changes the status of a rejection,
 * or turns a request into a 431. Tolerated at the first difference only. */
static bool known_split_difference(const drive_result_t *a,
                                   const drive_result_t *b)
{
    char why[200];
    int i = 0;

    while (i < a->n && i < b->n) {
        drive_result_t x = {.n = 1}, y = {.n = 1};
        x.req[0] = a->req[i];
        y.req[0] = b->req[i];
        if (!drive_result_equal(&x, &y, why, sizeof(why)))
            break;
        i++;
    }
    if (i == a->n || i == b->n)
        return false;
    if (a->req[i].kind == DRIVE_REJECT && b->req[i].kind == DRIVE_REJECT)
        return true;
    return (a->req[i].kind == DRIVE_REJECT && a->req[i].status == 431) ||
           (b->req[i].kind == DRIVE_REJECT && b->req[i].status == 431);
}

/* FNV-1a: where to split, from the input itself. */
static uint64_t hash(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* Feeds the input cut as o says and compares with the whole. */
static void check_cut(const char *in, size_t len, drive_opts_t *o,
                      const drive_result_t *whole)
{
    drive_result_t part;
    char why[200];

    /* The requests were verified in the whole run: equal results mean
     * equal requests. */
    if (drive(in, len, o, &part, NULL, NULL) != 0)
        die("drive failed");
    check_result(&part);
    if (!drive_result_equal(whole, &part, why, sizeof(why)) &&
        (strict || !known_split_difference(whole, &part))) {
        drive_result_print("whole", whole);
        drive_result_print("cut", &part);
        die("split at %zu (then pieces of %zu) changes the outcome: %s",
            o->split, o->step, why);
    }
    drive_result_free(&part);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    drive_opts_t o = {.lim = drive_corpus_limits(), .http_minor = 1,
                      .forwarded_for = true};
    drive_result_t whole;

    if (drive(in, size, &o, &whole, on_done, NULL) != 0)
        die("drive failed");
    check_result(&whole);
    if (size > 1) {
        o.split = 1 + (size_t)(hash(data, size) % (size - 1));
        check_cut(in, size, &o, &whole);
        o.split = 1;
        o.step = 1;
        check_cut(in, size, &o, &whole);
    }
    drive_result_free(&whole);
    /* Give blocks back to malloc so the sanitizer sees any use after put. */
    hf_block_drain();
    if (hf_blocks_in_use != 0 || hf_spill_files != 0 || hf_spill_bytes != 0)
        die("leaked: %zu blocks, %u spill files", hf_blocks_in_use,
            hf_spill_files);
    return 0;
}
