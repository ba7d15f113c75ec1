/* libFuzzer harness for response framing: proxy/http/response.c, head.c and
 * body.c, driven as proxy/core/upstream.c drives them
 * (test/unit/test_response_drive.c).
 *
 * Input: the bytes a backend sends, as a test/corpus/response/ file holds
 * them. Each input is read twice, as the answer to a GET and to a HEAD, and
 * each time fed whole, one byte at a time, and split in two at a point drawn
 * from a hash of the input (any mutation moves it; a selector byte in front
 * would make raw responses useless as seeds). Bodies over 100 bytes spill
 * to a temp file, so the spill path is fuzzed too.
 *
 * Checked on every input:
 * - the outcome is the same however the input was cut: the verdict, and for
 *   an accepted response its status line, fields, framing and body;
 * - an accepted response is complete, and a body framed by Content-Length
 *   has exactly that length;
 * - an accepted response, written as holdfast writes it for the client
 *   (with Content-Length, and chunked with chunk sizes from the hash) and
 *   parsed again, is complete with the same status, reason, kept fields
 *   and body;
 * - no block or spill file outlives the input.
 * A violation prints what broke and aborts, so libFuzzer saves the input.
 *
 * Build and run (see test/fuzz/meson.build):
 *   ninja -C build-fuzz test/fuzz/fuzz_response
 *   mkdir -p /tmp/fzr && ./build-fuzz/test/fuzz/fuzz_response -max_len=4096 \
 *       -timeout=5 -dict=test/fuzz/response.dict /tmp/fzr \
 *       test/corpus/response
 * A crash-* file it writes is added to test/corpus/response/make_corpus.py. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "response.h"
#include "test_response_drive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define BODY_BUFFER 100

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void die(const char *fmt, ...)
{
    va_list ap;

    fputs("fuzz_response: invariant broken: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    hf_spill_configure("/tmp", UINT64_MAX, UINT32_MAX);
    return 0;
}

/* FNV-1a: where to split, from the input itself. */
static uint64_t hash(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static void check_result(const rdrive_result_t *r)
{
    if (r->code != HF_RES_OK)
        return;
    if (!r->complete || !r->head_done)
        die("accepted but not complete");
    if (r->status < 200 || r->status > 999)
        die("accepted with status %d", r->status);
    if (r->has_length && !r->no_body && r->body_len != r->content_length)
        die("body of %zu bytes, Content-Length %llu", r->body_len,
            (unsigned long long)r->content_length);
    if (r->no_body && r->body_len != 0)
        die("a body-less response kept %zu bytes", r->body_len);
}

static void check_cut(const char *in, size_t len, rdrive_opts_t *o,
                      const rdrive_result_t *whole)
{
    rdrive_result_t part;
    char why[200];

    if (rdrive(in, len, o, &part) != 0)
        die("driver failed");
    if (!rdrive_result_equal(whole, &part, why, sizeof(why))) {
        rdrive_result_print("whole", whole);
        rdrive_result_print("cut", &part);
        die("%s: split at %zu (then pieces of %zu) changes the outcome: %s",
            o->head_request ? "HEAD" : "GET", o->split, o->step, why);
    }
    rdrive_result_free(&part);
}

static void run(const char *in, size_t len, bool head_request, uint64_t h)
{
    rdrive_opts_t o = {.head_request = head_request,
                       .body_buffer_size = BODY_BUFFER};
    rdrive_result_t whole;
    char why[200];

    if (rdrive(in, len, &o, &whole) != 0)
        die("driver failed");
    check_result(&whole);
    if (whole.code == HF_RES_OK) {
        size_t chunk = 1 + (size_t)(h % 64);
        if (!rdrive_verify(&whole, &o, 0, why, sizeof(why)) ||
            !rdrive_verify(&whole, &o, chunk, why, sizeof(why))) {
            rdrive_result_print("parsed", &whole);
            die("%s: written again for the client: %s",
                head_request ? "HEAD" : "GET", why);
        }
    }
    if (len > 1) {
        o.split = 1 + (size_t)(h % (len - 1));
        check_cut(in, len, &o, &whole);
        o.split = 1;
        o.step = 1;
        check_cut(in, len, &o, &whole);
    }
    rdrive_result_free(&whole);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t h = hash(data, size);

    run((const char *)data, size, false, h);
    run((const char *)data, size, true, h);
    /* Give blocks back to malloc so the sanitizer sees any use after put. */
    hf_block_drain();
    if (hf_blocks_in_use != 0 || hf_spill_files != 0 || hf_spill_bytes != 0)
        die("leaked: %zu blocks, %u spill files", hf_blocks_in_use,
            hf_spill_files);
    return 0;
}
