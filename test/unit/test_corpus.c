/* Runs the hostile-input corpus, test/corpus/ (its path is argv[1]).
 *
 * Each case is NAME.req, the raw bytes a client sends, and NAME.expect, the
 * outcome for each request in it, separated by lines "---":
 *   status NNN          rejected with NNN; nothing after it is parsed
 *   incomplete          the input ends inside this request
 *   accept [continue]   complete (through HF_REQ_CONTINUE when "continue");
 *                       the lines after it are the exact bytes the backend
 *                       receives (HTTP/1.0 backend, X-Forwarded-For on,
 *                       client 192.0.2.1), written with the escapes \r \n
 *                       \t \\ \xHH; the file's own line breaks are ignored.
 * Lines starting with '#' at the top of the file are comments. Limits are
 * the corpus limits of test_request_drive.h (header 1024, body 1024, body
 * buffer 100).
 *
 * Every case is also fed split in two at every byte and one byte at a time:
 * the outcome must not change. Every accepted request must pass
 * drive_verify() for each kind of backend. The .req files are the fuzzer's
 * seeds. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "corpus_files.h"
#include "test_request_drive.h"




/* Parses an .expect file into a transcript. Returns 0 or -1. */
static int parse_expect(char *text, drive_result_t *want)
{
    char *p = text;

    memset(want, 0, sizeof(*want));
    while (*p == '#') {
        char *nl = strchr(p, '\n');
        p = nl != NULL ? nl + 1 : p + strlen(p);
    }
    while (*p != '\0') {
        drive_req_t *d = &want->req[want->n];
        char *nl = strchr(p, '\n'), *sep, *end, *next;
        int status;

        if (want->n == DRIVE_MAX_REQS || nl == NULL)
            return -1;
        *nl = '\0';
        want->n++;
        if (sscanf(p, "status %d", &status) == 1) {
            d->kind = DRIVE_REJECT;
            d->status = status;
            d->reason = "expected";
        } else if (strcmp(p, "incomplete") == 0) {
            d->kind = DRIVE_INCOMPLETE;
        } else if (strcmp(p, "accept") == 0 ||
                   strcmp(p, "accept continue") == 0) {
            d->kind = DRIVE_ACCEPT;
            d->via_continue = p[6] != '\0';
        } else {
            return -1;
        }
        p = nl + 1;
        if (strncmp(p, "---\n", 4) == 0) {
            end = p;
            next = p + 4;
        } else if ((sep = strstr(p, "\n---\n")) != NULL) {
            end = sep;
            next = sep + 5;
        } else {
            end = next = p + strlen(p);
        }
        if (d->kind == DRIVE_ACCEPT) {
            long n;
            d->bytes = malloc((size_t)(end - p) + 1);
            if (d->bytes == NULL)
                return -1;
            n = corpus_unescape(p, end, d->bytes);
            if (n < 0)
                return -1;
            d->len = (size_t)n;
        } else if (end != p && strspn(p, "\n") != (size_t)(end - p)) {
            return -1; /* bytes after a status or incomplete */
        }
        p = next;
    }
    return want->n > 0 ? 0 : -1;
}

/* The expectation has no consumed counts or keep-alive: take them from the
 * result so the comparison looks at what the file says. */
static void adopt_unstated(drive_result_t *want, const drive_result_t *got)
{
    for (int i = 0; i < want->n && i < got->n; i++) {
        want->req[i].consumed = got->req[i].consumed;
        want->req[i].keep_alive = got->req[i].keep_alive;
    }
}

/* Every accepted request, written for each kind of backend, parses again
 * to the same request (drive_verify). */
static void on_done(void *ud, hf_exchange_t *ex, const char *bytes,
                    size_t len)
{
    const char *name = ud;
    char why[256];

    (void)bytes;
    (void)len;
    for (int minor = 0; minor <= 1; minor++) {
        for (int xff = 0; xff <= 1; xff++) {
            bool ok = drive_verify(ex, minor, xff, why, sizeof(why));
            if (!ok)
                fprintf(stderr, "FAIL %s: backend request 1.%d xff %d: %s\n",
                        name, minor, xff, why);
            CHECK(ok);
        }
    }
}

static void run_case(const char *dir, const char *name)
{
    char path[4096];
    char *raw, *text, why[200];
    size_t len, tlen;
    drive_result_t want, got, part;
    drive_opts_t o = {.lim = drive_corpus_limits(), .http_minor = 0,
                      .forwarded_for = true};

    memset(&want, 0, sizeof(want));
    snprintf(path, sizeof(path), "%s/%s.req", dir, name);
    raw = corpus_read(path, &len);
    snprintf(path, sizeof(path), "%s/%s.expect", dir, name);
    text = corpus_read(path, &tlen);
    if (raw == NULL || text == NULL || parse_expect(text, &want) != 0) {
        fprintf(stderr, "%s: cannot read the case or its .expect\n", name);
        CHECK(false);
        free(raw);
        free(text);
        drive_result_free(&want);
        return;
    }
    CHECK(drive(raw, len, &o, &got, on_done, (void *)name) == 0);
    adopt_unstated(&want, &got);
    if (!drive_result_equal(&want, &got, why, sizeof(why))) {
        fprintf(stderr, "FAIL %s: %s\n", name, why);
        drive_result_print("want", &want);
        drive_result_print("got", &got);
        CHECK(false);
    }
    for (size_t k = 1; k <= len; k++) {
        o.split = k < len ? k : 1;
        o.step = k < len ? 0 : 1;
        CHECK(drive(raw, len, &o, &part, NULL, NULL) == 0);
        if (!drive_result_equal(&got, &part, why, sizeof(why))) {
            fprintf(stderr, "FAIL %s: %s: %s\n", name,
                    k < len ? "split in two" : "byte at a time", why);
            if (k < len)
                fprintf(stderr, "  split at %zu\n", k);
            drive_result_print("whole", &got);
            drive_result_print("split", &part);
            CHECK(false);
            drive_result_free(&part);
            break;
        }
        drive_result_free(&part);
    }
    drive_result_free(&got);
    drive_result_free(&want);
    free(raw);
    free(text);
}


int main(int argc, char **argv)
{
    char **names;
    size_t n;

    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
        return 2;
    }
    names = corpus_list(argv[1], ".req", &n);
    if (names == NULL)
        return 1;
    hf_spill_configure("/tmp", UINT64_MAX, UINT32_MAX);
    for (size_t i = 0; i < n; i++) {
        run_case(argv[1], names[i]);
        free(names[i]);
    }
    free(names);
    fprintf(stderr, "%zu corpus cases\n", n);
    CHECK(n >= 60);
    CHECK(hf_blocks_in_use == 0);
    CHECK(hf_spill_files == 0 && hf_spill_bytes == 0);
    hf_block_drain();
    return CHECK_DONE();
}
