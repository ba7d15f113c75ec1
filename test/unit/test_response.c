/* Response framing (proxy/http/response.c), in the style of http-parser's
 * own tests: a table of backend responses, each fed whole, split in two at
 * every byte position, and one byte at a time, driven as
 * proxy/core/upstream.c drives hf_response_feed() and hf_response_eof().
 * The outcome must not depend on the split; an accepted response, written
 * again as holdfast writes it for the client, must parse to the same
 * status, fields and body. Every case runs with bodies held in memory and
 * with bodies spilled to a temp file. */
#include <stdlib.h>
#include <string.h>

#include "body.h"
#include "check.h"
#include "response.h"
#include "test_response_drive.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* A byte string literal with its length, NULs included. */
#define RAW(s) s, sizeof(s) - 1

/* A rejected response: the expectations after code do not apply. */
#define BAD HF_RES_MALFORMED, 0, false, false, false, 0, false, 0, NULL

enum { GET, HEAD };

struct rcase {
    const char *name;
    const char *raw;
    size_t len;
    int req;          /* GET or HEAD */
    int code;         /* HF_RES_OK or HF_RES_MALFORMED */
    /* For HF_RES_OK: */
    int status;
    bool at_eof;      /* the backend's close ended the body */
    bool no_body;
    bool has_length;
    uint64_t content_length;
    bool closes;      /* the backend connection is not kept */
    uint32_t nfields; /* fields of the final head, trailers not counted */
    const char *body; /* NULL: empty */
};

#define OK HF_RES_OK
#define CL(n) true, n

static const struct rcase cases[] = {
    /* Content-Length */
    {"content-length", RAW("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                           "Content-Length: 5\r\n\r\nhello"),
     GET, OK, 200, false, false, CL(5), false, 2, "hello"},
    {"content-length 0", RAW("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
     GET, OK, 200, false, false, CL(0), false, 1, NULL},
    {"bytes after the body are not read",
     RAW("HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200"),
     GET, OK, 201, false, false, CL(2), false, 1, "ok"},
    {"content-length with trailing space",
     RAW("HTTP/1.1 200 OK\r\nContent-Length: 3 \r\n\r\nabc"),
     GET, OK, 200, false, false, CL(3), false, 1, "abc"},
    {"content-length, body cut by the close",
     RAW("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"), GET, BAD},
    {"content-length not a number",
     RAW("HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\na"), GET, BAD},
    {"two content-lengths that differ",
     RAW("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"
         "ab"), GET, BAD},
    /* HEAD: no body whatever the head says */
    {"HEAD with content-length",
     RAW("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"),
     HEAD, OK, 200, false, true, CL(1234), false, 1, NULL},
    {"HEAD chunked", RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                         "\r\n"),
     HEAD, OK, 200, false, true, false, 0, false, 1, NULL},
    {"HEAD, HTTP/1.0 without length",
     RAW("HTTP/1.0 200 OK\r\nX-A: 1\r\n\r\n"),
     HEAD, OK, 200, false, true, false, 0, true, 1, NULL},
    /* 204 and 304 */
    {"204", RAW("HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n"),
     GET, OK, 204, false, true, false, 0, false, 1, NULL},
    /* RFC 9110 §8.6: no Content-Length in a 204; 0 is let through
     * (Django's CommonMiddleware adds it), anything else is refused. */
    {"204 with content-length 5: refused",
     RAW("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"), GET, BAD},
    {"204 with content-length 0: no body read",
     RAW("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"),
     GET, OK, 204, false, true, CL(0), false, 1, NULL},
    {"304", RAW("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n"),
     GET, OK, 304, false, true, false, 0, false, 1, NULL},
    {"304 with the representation's length: no body read",
     RAW("HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n"
         "Content-Length: 42\r\n\r\nHTTP/1.0 200 OK\r\n\r\nabcdefghijklmnopq"
         "rstuvwxyzabcdefghijklmnop"),
     GET, OK, 304, false, true, CL(42), false, 2, NULL},
    /* chunked */
    {"chunked", RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
     GET, OK, 200, false, false, false, 0, false, 1, "hello world"},
    {"chunked with extensions",
     RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
         "5;name=value;q=\"x\"\r\nhello\r\n0;end\r\n\r\n"),
     GET, OK, 200, false, false, false, 0, false, 1, "hello"},
    {"chunked with trailers: dropped",
     RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
         "Trailer: X-Sum\r\n\r\n3\r\nabc\r\n0\r\nX-Sum: 42\r\nX-More: y\r\n"
         "\r\n"),
     GET, OK, 200, false, false, false, 0, false, 2, "abc"},
    {"chunked, upper-case hex",
     RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
         "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n"),
     GET, OK, 200, false, false, false, 0, false, 1,
     "abcdefghijklmnopqrstuvwxyz"},
    {"chunked, cut by the close",
     RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel"),
     GET, BAD},
    {"chunked, no last chunk",
     RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
         "2\r\nhi\r\n"), GET, BAD},
    {"chunk size not hex",
     RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"
         "hello\r\n0\r\n\r\n"), GET, BAD},
    /* close-delimited */
    {"HTTP/1.0 until the close",
     RAW("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close"),
     GET, OK, 200, true, false, false, 0, true, 1, "until close"},
    {"HTTP/1.1 Connection: close until the close",
     RAW("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil close"),
     GET, OK, 200, true, false, false, 0, true, 1, "until close"},
    {"HTTP/1.1 without length until the close",
     RAW("HTTP/1.1 200 OK\r\n\r\nab"),
     GET, OK, 200, true, false, false, 0, true, 0, "ab"},
    {"HTTP/1.0 keep-alive with length",
     RAW("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n"
         "Content-Length: 2\r\n\r\nok"),
     GET, OK, 200, false, false, CL(2), false, 2, "ok"},
    /* interim responses */
    {"100 then 200",
     RAW("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"
         "Content-Length: 2\r\n\r\nok"),
     GET, OK, 200, false, false, CL(2), false, 1, "ok"},
    {"103 with fields then 200: only the final head's",
     RAW("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\nLink: </b.js>\r\n"
         "\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
     GET, OK, 200, false, false, CL(0), false, 1, NULL},
    {"100, 100, then 200",
     RAW("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n"
         "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"),
     GET, OK, 200, false, false, CL(1), false, 1, "x"},
    /* A 1xx carrying body framing is refused (its bytes could be taken
     * for the final response's). */
    {"100 with content-length: refused",
     RAW("HTTP/1.1 100 Continue\r\nContent-Length: 5\r\n\r\n"
         "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"), GET, BAD},
    {"100 then 200 for HEAD",
     RAW("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"
         "Content-Length: 9\r\n\r\n"),
     HEAD, OK, 200, false, true, CL(9), false, 1, NULL},
    {"100 and the close", RAW("HTTP/1.1 100 Continue\r\n\r\n"), GET, BAD},
    {"101 switching protocols",
     RAW("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
         "Connection: Upgrade\r\n\r\n"), GET, BAD},
    /* heads */
    {"no reason phrase", RAW("HTTP/1.1 404 \r\nContent-Length: 0\r\n\r\n"),
     GET, OK, 404, false, false, CL(0), false, 1, NULL},
    {"hop-by-hop fields",
     RAW("HTTP/1.1 200 OK\r\nConnection: X-Private, keep-alive\r\n"
         "X-Private: secret\r\nKeep-Alive: timeout=5\r\nX-Public: yes\r\n"
         "Content-Length: 0\r\n\r\n"),
     GET, OK, 200, false, false, CL(0), false, 5, NULL},
    {"empty value",
     RAW("HTTP/1.1 200 OK\r\nX-Empty:\r\nContent-Length: 0\r\n\r\n"),
     GET, OK, 200, false, false, CL(0), false, 2, NULL},
    {"a name that begins with Transfer-Encoding",
     RAW("HTTP/1.1 200 OK\r\nTransfer-Encodingech:kun d\r\n\r\n"
         "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n"), GET, BAD},
    {"a name that begins with Content-Length",
     RAW("HTTP/1.1 200 OK\r\nContent-Length-X: 3\r\nContent-Length: 2\r\n"
         "\r\nok"), GET, BAD},
    {"field without a colon",
     RAW("HTTP/1.1 200 OK\r\nNoColon\r\nContent-Length: 0\r\n\r\n"), GET,
     BAD},
    {"status not a number", RAW("HTTP/1.1 abc OK\r\n\r\n"), GET, BAD},
    {"not HTTP", RAW("<html>hello</html>"), GET, BAD},
    {"head cut by the close", RAW("HTTP/1.1 200 OK\r\nContent-Le"), GET,
     BAD},
    {"nothing, then the close", RAW(""), GET, BAD},
};

static const char *body_of(const struct rcase *c, size_t *len)
{
    *len = c->body ? strlen(c->body) : 0;
    return c->body ? c->body : "";
}

static void check_expected(const struct rcase *c, const rdrive_result_t *r,
                           uint64_t bbs)
{
    size_t blen;
    const char *body = body_of(c, &blen);
    int before = check_failures;

    CHECK(r->code == c->code);
    if (c->code == OK) {
        CHECK(r->complete && r->head_done);
        CHECK(r->status == c->status);
        CHECK(r->at_eof == c->at_eof);
        CHECK(r->no_body == c->no_body);
        CHECK(r->has_length == c->has_length);
        CHECK(r->content_length == c->content_length);
        CHECK(r->closes == c->closes);
        CHECK(r->nfields == c->nfields);
        CHECK(r->body_len == blen && memcmp(r->body, body, blen) == 0);
    } else {
        CHECK(r->error != NULL);
    }
    if (check_failures != before) {
        fprintf(stderr, "case '%s' (%s, body buffer %llu)\n", c->name,
                c->req == HEAD ? "HEAD" : "GET", (unsigned long long)bbs);
        rdrive_result_print("got", r);
    }
}

static void check_same(const struct rcase *c, const rdrive_result_t *whole,
                       const rdrive_opts_t *o)
{
    rdrive_result_t part;
    char why[200];

    CHECK(rdrive(c->raw, c->len, o, &part) == 0);
    if (!rdrive_result_equal(whole, &part, why, sizeof(why))) {
        CHECK(!"the outcome depends on the split");
        fprintf(stderr, "case '%s': split %zu step %zu: %s\n", c->name,
                o->split, o->step, why);
        rdrive_result_print("whole", whole);
        rdrive_result_print("cut", &part);
    }
    rdrive_result_free(&part);
}

static void check_case(const struct rcase *c, uint64_t bbs)
{
    rdrive_opts_t o = {.head_request = c->req == HEAD,
                       .body_buffer_size = bbs};
    rdrive_result_t whole;
    char why[200];

    CHECK(rdrive(c->raw, c->len, &o, &whole) == 0);
    check_expected(c, &whole, bbs);
    for (size_t chunk = 0; chunk <= 3 && whole.code == OK; chunk += 3) {
        bool ok = rdrive_verify(&whole, &o, chunk, why, sizeof(why));
        CHECK(ok);
        if (!ok)
            fprintf(stderr, "case '%s' written again (chunks of %zu): %s\n",
                    c->name, chunk, why);
    }
    for (size_t split = 1; split < c->len; split++) {
        o.split = split;
        o.step = 0;
        check_same(c, &whole, &o);
    }
    o.split = 1;
    o.step = 1;
    check_same(c, &whole, &o);
    rdrive_result_free(&whole);
}

int main(void)
{
    /* 4: every body spills to a temp file; 1 MiB: none does. */
    static const uint64_t body_buffers[] = {4, 1 << 20};

    hf_spill_configure("/tmp", UINT64_MAX, UINT32_MAX);
    for (size_t i = 0; i < NELEMS(cases); i++)
        for (size_t b = 0; b < NELEMS(body_buffers); b++)
            check_case(&cases[i], body_buffers[b]);
    hf_block_drain();
    CHECK(hf_blocks_in_use == 0);
    CHECK(hf_spill_files == 0 && hf_spill_bytes == 0);
    return CHECK_DONE();
}
