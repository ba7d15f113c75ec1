/* libFuzzer harness for the PROXY protocol header parser,
 * proxy/http/proxy_protocol.c, driven as proxy/conn/client_read.c drives it
 * (test/unit/test_proxy_drive.c).
 *
 * Input: the first bytes of a connection, as a test/corpus/proxy/ file
 * holds them. Each input is fed whole, one byte at a time, and split in two
 * at a point drawn from a hash of the input.
 *
 * Checked on every input:
 * - the verdict (header length and address, rejected, or needs more) is the
 *   same however the input was cut;
 * - an accepted header is no longer than the input, and within the limits;
 * - its address, written again as a version 1 header and as a version 2
 *   header with and without a TLV, parses to the same address, each header
 *   taken whole;
 * A violation prints what broke and aborts, so libFuzzer saves the input.
 *
 * Build and run (see test/fuzz/meson.build):
 *   ninja -C build-fuzz test/fuzz/fuzz_proxy
 *   mkdir -p /tmp/fzp && ./build-fuzz/test/fuzz/fuzz_proxy -max_len=4200 \
 *       -timeout=5 -dict=test/fuzz/proxy.dict /tmp/fzp test/corpus/proxy
 * A crash-* file it writes is added to test/corpus/proxy/make_corpus.py. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_proxy_drive.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void die(const char *fmt, ...)
{
    va_list ap;

    fputs("fuzz_proxy: invariant broken: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

/* FNV-1a: where to split, from the input itself. */
static uint64_t hash(const uint8_t *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;

    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static void check_cut(const char *in, size_t len, size_t split, size_t step,
                      const pdrive_result_t *whole)
{
    pdrive_result_t part;

    pdrive(in, len, split, step, &part);
    if (!pdrive_result_equal(whole, &part)) {
        pdrive_result_print("whole", whole);
        pdrive_result_print("cut", &part);
        die("split at %zu (then pieces of %zu) changes the verdict", split,
            step);
    }
}

static void check_rewritten(const pdrive_result_t *whole)
{
    static const struct {
        int version;
        bool tlv;
    } forms[] = {{1, false}, {2, false}, {2, true}};
    char buf[HF_PROXY_V2_MAX];

    for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
        pdrive_result_t again;
        size_t n = pdrive_write(&whole->addr, forms[i].version, forms[i].tlv,
                                buf);
        pdrive(buf, n, 0, 0, &again);
        again.consumed = again.kind == PDRIVE_ACCEPT && again.consumed == n
                             ? whole->consumed
                             : (size_t)-1;
        if (!pdrive_result_equal(whole, &again)) {
            pdrive_result_print("parsed", whole);
            pdrive_result_print("written again", &again);
            die("the address written as v%d%s parses differently",
                forms[i].version, forms[i].tlv ? " with a TLV" : "");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    pdrive_result_t whole;

    pdrive(in, size, 0, 0, &whole);
    if (whole.kind == PDRIVE_ACCEPT) {
        if (whole.consumed > size || whole.consumed > HF_PROXY_V2_MAX)
            die("header of %zu bytes in %zu", whole.consumed, size);
        check_rewritten(&whole);
    }
    if (size > 1) {
        check_cut(in, size, 1 + (size_t)(hash(data, size) % (size - 1)), 0,
                  &whole);
        check_cut(in, size, 1, 1, &whole);
    }
    return 0;
}
