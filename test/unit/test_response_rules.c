/* Runs the response corpus, test/corpus/response_rules/ (its path is
 * argv[1]), through the response framing (proxy/http/response.c) the way
 * proxy/core/upstream.c drives it: hf_response_feed() with each piece the
 * backend sends, hf_response_eof() when it closes.
 *
 * Each case is NAME.res, the raw bytes a backend sends before it closes,
 * and NAME.expect, lines "key value" (written by make_corpus.py beside the
 * cases; '#' lines are comments):
 *   request HEAD        the request was HEAD (default GET)
 *   verdict V           invalid: a feed refused the bytes (502)
 *                       complete: the response ended before the close
 *                       eof: the backend's close ended it
 *                       cut: the close came before the end
 *   reason TOKEN        the reason, for invalid and cut
 *   status N            the final status, for complete and eof
 *   length N|none       the Content-Length holdfast keeps for it
 *   body                the rest of the file: the de-framed body, with the
 *                       escapes \r \n \t \\ \0 \xHH; line breaks ignored
 *
 * Every case is fed whole, split in two at every byte and one byte at a
 * time: the outcome must not change. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "corpus_files.h"
#include "response.h"

enum verdict { V_INVALID, V_COMPLETE, V_EOF, V_CUT, V_NONE };
static const char *const verdict_names[] = {"invalid", "complete", "eof",
                                            "cut"};

typedef struct outcome {
    enum verdict verdict;
    char reason[64];
    int status;
    bool has_length;
    uint64_t length;
    char *body;
    size_t body_len;
} outcome_t;




/* Parses an .expect file. Returns 0 or -1. */
static int parse_expect(char *text, outcome_t *want, bool *head_request)
{
    char *line = text;

    memset(want, 0, sizeof(*want));
    want->verdict = V_NONE;
    *head_request = false;
    while (line != NULL && *line != '\0') {
        char *nl = strchr(line, '\n'), key[16], val[64];

        if (nl != NULL)
            *nl = '\0';
        if (line[0] == '#' || line[0] == '\0') {
            line = nl != NULL ? nl + 1 : NULL;
            continue;
        }
        if (strcmp(line, "body") == 0) {
            const char *rest = nl != NULL ? nl + 1 : "";
            long n;
            want->body = malloc(strlen(rest) + 1);
            if (want->body == NULL ||
                (n = corpus_unescape(rest, rest + strlen(rest),
                                     want->body)) < 0)
                return -1;
            want->body_len = (size_t)n;
            break;
        }
        if (sscanf(line, "%15s %63s", key, val) != 2)
            return -1;
        if (strcmp(key, "request") == 0) {
            *head_request = strcmp(val, "HEAD") == 0;
        } else if (strcmp(key, "verdict") == 0) {
            for (int v = V_INVALID; v < V_NONE; v++)
                if (strcmp(val, verdict_names[v]) == 0)
                    want->verdict = (enum verdict)v;
        } else if (strcmp(key, "reason") == 0) {
            snprintf(want->reason, sizeof(want->reason), "%s", val);
        } else if (strcmp(key, "status") == 0) {
            want->status = atoi(val);
        } else if (strcmp(key, "length") == 0) {
            want->has_length = strcmp(val, "none") != 0;
            want->length = want->has_length ? strtoull(val, NULL, 10) : 0;
        } else {
            return -1;
        }
        line = nl != NULL ? nl + 1 : NULL;
    }
    return want->verdict == V_NONE ? -1 : 0;
}

/* Feeds raw in pieces of step bytes after a first piece of split bytes
 * (split 0: whole), then the close, and records the outcome. */
static void run(const char *raw, size_t len, bool head_request, size_t split,
                size_t step, outcome_t *got)
{
    hf_response_t res;
    size_t off = 0;
    int r = HF_RES_OK;

    memset(got, 0, sizeof(*got));
    CHECK(hf_response_init(&res, head_request, 1 << 20) == 0);
    while (off < len && r == HF_RES_OK) {
        size_t k = off == 0 && split > 0 ? split : (step ? step : len - off);
        if (k > len - off)
            k = len - off;
        r = hf_response_feed(&res, raw + off, k);
        off += k;
    }
    if (r != HF_RES_OK) {
        got->verdict = V_INVALID;
    } else if (res.complete) {
        got->verdict = V_COMPLETE;
    } else {
        r = hf_response_eof(&res);
        got->verdict = r != HF_RES_OK ? (res.head_done ? V_CUT : V_INVALID)
                                      : V_EOF;
    }
    if (got->verdict == V_INVALID || got->verdict == V_CUT)
        snprintf(got->reason, sizeof(got->reason), "%s",
                 res.error ? res.error : "?");
    if (res.head_done && got->verdict != V_INVALID && got->verdict != V_CUT) {
        uv_buf_t bufs[64];
        int n = hf_body_bufs(&res.body, 0, bufs, 64);
        got->status = res.status;
        got->has_length = res.has_length;
        got->length = res.content_length;
        got->body = malloc(res.body.len + 1);
        for (int i = 0; i < n && got->body != NULL; i++) {
            memcpy(got->body + got->body_len, bufs[i].base, bufs[i].len);
            got->body_len += bufs[i].len;
        }
    }
    hf_response_free(&res);
}

static bool same(const outcome_t *a, const outcome_t *b)
{
    return a->verdict == b->verdict && strcmp(a->reason, b->reason) == 0 &&
           a->status == b->status && a->has_length == b->has_length &&
           a->length == b->length && a->body_len == b->body_len &&
           (a->body_len == 0 || memcmp(a->body, b->body, a->body_len) == 0);
}

static void print(const char *what, const outcome_t *o)
{
    fprintf(stderr, "  %s: verdict %s reason %s status %d length %s%llu "
                    "body %zu bytes\n",
            what, o->verdict < V_NONE ? verdict_names[o->verdict] : "?",
            o->reason, o->status, o->has_length ? "" : "none/",
            (unsigned long long)o->length, o->body_len);
}

static void run_case(const char *dir, const char *name)
{
    char path[4096];
    size_t len, tlen;
    char *raw, *text;
    outcome_t want, got, part;
    bool head_request;

    snprintf(path, sizeof(path), "%s/%s.res", dir, name);
    raw = corpus_read(path, &len);
    snprintf(path, sizeof(path), "%s/%s.expect", dir, name);
    text = corpus_read(path, &tlen);
    if (raw == NULL || text == NULL ||
        parse_expect(text, &want, &head_request) != 0) {
        fprintf(stderr, "%s: cannot read the case or its .expect\n", name);
        CHECK(false);
        free(raw);
        free(text);
        return;
    }
    run(raw, len, head_request, 0, 0, &got);
    if (!same(&want, &got)) {
        fprintf(stderr, "FAIL %s\n", name);
        print("want", &want);
        print("got", &got);
        CHECK(false);
    }
    for (size_t k = 1; k <= len; k++) {
        run(raw, len, head_request, k < len ? k : 0, k < len ? 0 : 1, &part);
        if (!same(&got, &part)) {
            fprintf(stderr, "FAIL %s: %s %zu\n", name,
                    k < len ? "split at" : "byte at a time", k);
            print("whole", &got);
            print("split", &part);
            CHECK(false);
            free(part.body);
            break;
        }
        free(part.body);
    }
    free(got.body);
    free(want.body);
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
    names = corpus_list(argv[1], ".res", &n);
    if (names == NULL)
        return 1;
    for (size_t i = 0; i < n; i++) {
        run_case(argv[1], names[i]);
        free(names[i]);
    }
    free(names);
    fprintf(stderr, "%zu response cases\n", n);
    CHECK(n >= 40);
    CHECK(hf_blocks_in_use == 0);
    hf_block_drain();
    return CHECK_DONE();
}
