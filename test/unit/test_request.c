/* Request framing, in the style of http-parser's own tests: a table of
 * messages, each fed whole, split in two at every byte position, and one
 * byte at a time, driven as proxy/conn/client_read.c drives hf_request_feed(). The
 * outcome must not depend on the split. Each accepted request is then
 * written for the backend (HTTP/1.0 and 1.1, X-Forwarded-For on and off)
 * and compared byte for byte with the normalized request expected.
 *
 * The hostile inputs live in test/corpus/ (test_corpus.c); this table is
 * about framing: pipelining, bodies, 100-continue, normalization. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "test_request_drive.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* A byte string literal with its length, NULs included. */
#define RAW(s) s, sizeof(s) - 1

#define XFF "X-Forwarded-For: " DRIVE_PEER "\r\n"
#define CLOSE "Connection: close\r\n\r\n"

enum { INCOMPLETE = -1, ACCEPT = 0 };

/* The bytes sent to the backend, given for an HTTP/1.1 backend with
 * X-Forwarded-For on (v11). The HTTP/1.0 backend gets the same with the
 * version changed unless v10 says otherwise; XFF off drops holdfast's
 * X-Forwarded-For line unless v11_noxff gives the whole text. A NULL v11
 * leaves the HTTP/1.1 bytes to drive_verify() alone, which every accepted
 * request of every variant must pass. */
struct expect {
    int status;            /* ACCEPT, INCOMPLETE or a rejection's status */
    bool cont;             /* went through HF_REQ_CONTINUE */
    bool keep_alive;       /* ACCEPT: the client allows another request */
    const char *v11;       /* ACCEPT: HTTP/1.1 backend, XFF on */
    const char *v11_noxff; /* HTTP/1.1 backend, XFF off; NULL: derived */
    const char *v10;       /* HTTP/1.0 backend, XFF on; NULL: derived */
};

struct msg {
    const char *name;
    const char *raw;
    size_t len;
    uint64_t body_buffer_size; /* 0: the default below */
    struct expect out[4];
};

static const struct msg msgs[] = {
    {"get 1.1", RAW("GET / HTTP/1.1\r\nHost: a\r\n\r\n"), 0,
     {{ACCEPT, false, true, "GET / HTTP/1.1\r\nHost: a\r\n" XFF CLOSE,
       NULL, NULL}}},
    /* An HTTP/1.0 client need not send Host, but an HTTP/1.1 request
     * must carry one (RFC 9112 §3.2): drive_verify() checks it. */
    {"get 1.0 without Host", RAW("GET /x?y=1 HTTP/1.0\r\n\r\n"), 0,
     {{ACCEPT, false, false, NULL, NULL,
       "GET /x?y=1 HTTP/1.0\r\n" XFF CLOSE}}},
    {"get 1.0 keep-alive",
     RAW("GET / HTTP/1.0\r\nHost: a\r\nConnection: Keep-Alive\r\n"
         "Keep-Alive: 5\r\n\r\n"),
     0, {{ACCEPT, false, true, "GET / HTTP/1.1\r\nHost: a\r\n" XFF CLOSE,
          NULL, NULL}}},
    {"get 1.1 close",
     RAW("GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"), 0,
     {{ACCEPT, false, false, "GET / HTTP/1.1\r\nHost: a\r\n" XFF CLOSE,
       NULL, NULL}}},
    {"post with Content-Length",
     RAW("POST /f HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
         "Content-Type: text/plain\r\n\r\nhello"),
     0,
     {{ACCEPT, false, true,
       "POST /f HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\n" XFF
       "Content-Length: 5\r\n" CLOSE "hello",
       NULL, NULL}}},
    {"post chunked, extensions and trailers dropped",
     RAW("POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
         "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n"),
     0,
     {{ACCEPT, false, true,
       "POST /up HTTP/1.1\r\nHost: a\r\n" XFF "Content-Length: 11\r\n" CLOSE
       "hello world",
       NULL, NULL}}},
    {"chunked, upper-case hex and leading zeros",
     RAW("PUT /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n"
         "000A\r\n0123456789\r\n00\r\n\r\n"),
     0,
     {{ACCEPT, false, true,
       "PUT /p HTTP/1.1\r\nHost: a\r\n" XFF "Content-Length: 10\r\n" CLOSE
       "0123456789",
       NULL, NULL}}},
    {"chunked, empty body",
     RAW("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
         "0\r\n\r\n"),
     0,
     {{ACCEPT, false, true,
       "GET / HTTP/1.1\r\nHost: a\r\n" XFF "Content-Length: 0\r\n" CLOSE,
       NULL, NULL}}},
    {"expect 100-continue, Content-Length",
     RAW("PUT /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
         "Content-Length: 3\r\n\r\nabc"),
     0,
     {{ACCEPT, true, true,
       "PUT /x HTTP/1.1\r\nHost: a\r\n" XFF "Content-Length: 3\r\n" CLOSE
       "abc",
       NULL, NULL}}},
    {"expect 100-continue, chunked",
     RAW("POST /x HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\n"
         "Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n"),
     0,
     {{ACCEPT, true, true,
       "POST /x HTTP/1.1\r\nHost: a\r\n" XFF "Content-Length: 2\r\n" CLOSE
       "ab",
       NULL, NULL}}},
    {"expect 100-continue, no body: no 100",
     RAW("POST /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
         "Content-Length: 0\r\n\r\n"),
     0,
     {{ACCEPT, false, true,
       "POST /x HTTP/1.1\r\nHost: a\r\n" XFF "Content-Length: 0\r\n" CLOSE,
       NULL, NULL}}},
    {"expect in HTTP/1.0 is ignored and dropped",
     RAW("POST /x HTTP/1.0\r\nHost: a\r\nExpect: something\r\n"
         "Content-Length: 1\r\n\r\nz"),
     0,
     {{ACCEPT, false, false,
       "POST /x HTTP/1.1\r\nHost: a\r\n" XFF "Content-Length: 1\r\n" CLOSE
       "z",
       NULL, NULL}}},
    {"expect other than 100-continue",
     RAW("POST /x HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\n"
         "Content-Length: 1\r\n\r\nz"),
     0, {{417, false, false, NULL, NULL, NULL}}},
    {"pipelined: three requests",
     RAW("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
         "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi"
         "GET /3 HTTP/1.1\r\nHost: a\r\n\r\n"),
     0,
     {{ACCEPT, false, true, "GET /1 HTTP/1.1\r\nHost: a\r\n" XFF CLOSE,
       NULL, NULL},
      {ACCEPT, false, true,
       "POST /2 HTTP/1.1\r\nHost: a\r\n" XFF "Content-Length: 2\r\n" CLOSE
       "hi",
       NULL, NULL},
      {ACCEPT, false, true, "GET /3 HTTP/1.1\r\nHost: a\r\n" XFF CLOSE,
       NULL, NULL}}},
    {"pipelined behind chunked and 100-continue",
     RAW("POST /1 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
         "1\r\nx\r\n0\r\n\r\n"
         "PUT /2 HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\n"
         "Content-Length: 1\r\n\r\ny"
         "GET /3 HTTP/1.1\r\nHost: a\r\n\r\n"),
     0,
     {{ACCEPT, false, true,
       "POST /1 HTTP/1.1\r\nHost: a\r\n" XFF "Content-Length: 1\r\n" CLOSE
       "x",
       NULL, NULL},
      {ACCEPT, true, true,
       "PUT /2 HTTP/1.1\r\nHost: a\r\n" XFF "Content-Length: 1\r\n" CLOSE "y",
       NULL, NULL},
      {ACCEPT, false, true, "GET /3 HTTP/1.1\r\nHost: a\r\n" XFF CLOSE,
       NULL, NULL}}},
    {"pipelined: nothing after a rejection is parsed",
     RAW("GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
         "GET /2 HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"
         "GET /3 HTTP/1.1\r\nHost: a\r\n\r\n"),
     0,
     {{ACCEPT, false, true, "GET /1 HTTP/1.1\r\nHost: a\r\n" XFF CLOSE,
       NULL, NULL},
      {400, false, false, NULL, NULL, NULL}}},
    {"pipelined: a second request cut short",
     RAW("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHo"), 0,
     {{ACCEPT, false, true, "GET /1 HTTP/1.1\r\nHost: a\r\n" XFF CLOSE,
       NULL, NULL},
      {INCOMPLETE, false, false, NULL, NULL, NULL}}},
    {"leading empty lines before a request",
     RAW("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n"), 0,
     {{ACCEPT, false, true, "GET / HTTP/1.1\r\nHost: a\r\n" XFF CLOSE,
       NULL, NULL}}},
    {"bare LF line ends",
     RAW("GET / HTTP/1.1\nHost: a\nX-A: 1\n\n"), 0,
     {{ACCEPT, false, true, "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n" XFF CLOSE,
       NULL, NULL}}},
    {"incomplete head", RAW("GET / HTTP/1.1\r\nHost: a\r\n"), 0,
     {{INCOMPLETE, false, false, NULL, NULL, NULL}}},
    {"incomplete body",
     RAW("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n12345"), 0,
     {{INCOMPLETE, false, false, NULL, NULL, NULL}}},
    {"incomplete chunked body: no final chunk",
     RAW("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
         "3\r\nabc\r\n"),
     0, {{INCOMPLETE, false, false, NULL, NULL, NULL}}},
    {"absolute-form: Host replaced",
     RAW("GET http://example.com:8080/p/q?x=1#frag HTTP/1.1\r\n"
         "Host: other\r\nAccept: */*\r\n\r\n"),
     0,
     {{ACCEPT, false, true,
       "GET /p/q?x=1 HTTP/1.1\r\nHost: example.com:8080\r\nAccept: */*\r\n" XFF
       CLOSE,
       NULL, NULL}}},
    {"absolute-form without path",
     RAW("GET HTTPS://h.example?q HTTP/1.1\r\nHost: h.example\r\n\r\n"), 0,
     {{ACCEPT, false, true,
       "GET /?q HTTP/1.1\r\nHost: h.example\r\n" XFF CLOSE, NULL, NULL}}},
    {"fragment dropped", RAW("GET /a/b#c HTTP/1.1\r\nHost: a\r\n\r\n"), 0,
     {{ACCEPT, false, true, "GET /a/b HTTP/1.1\r\nHost: a\r\n" XFF CLOSE,
       NULL, NULL}}},
    {"OPTIONS *", RAW("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"), 0,
     {{ACCEPT, false, true, "OPTIONS * HTTP/1.1\r\nHost: a\r\n" XFF CLOSE,
       NULL, NULL}}},
    /* RFC 9112 §3.2.4: the last proxy MUST forward an absolute-form OPTIONS
     * with an empty path and no query as "OPTIONS *". */
    {"OPTIONS absolute-form without path",
     RAW("OPTIONS http://a:81 HTTP/1.1\r\nHost: a:81\r\n\r\n"), 0,
     {{ACCEPT, false, true, "OPTIONS * HTTP/1.1\r\nHost: a:81\r\n" XFF CLOSE,
       NULL, NULL}}},
    {"HEAD", RAW("HEAD /h HTTP/1.1\r\nHost: a\r\n\r\n"), 0,
     {{ACCEPT, false, true, "HEAD /h HTTP/1.1\r\nHost: a\r\n" XFF CLOSE,
       NULL, NULL}}},
    {"hop-by-hop fields and those Connection names are dropped",
     RAW("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Gone\r\n"
         "X-Gone: 1\r\nKeep-Alive: timeout=5\r\nProxy-Connection: x\r\n"
         "TE: trailers\r\nTrailer: X-T\r\nX-Kept: 2\r\nUpgrade: h2c\r\n"
         "connection: x-also-gone\r\nX-Also-Gone: 3\r\n\r\n"),
     0,
     {{ACCEPT, false, true,
       "GET / HTTP/1.1\r\nHost: a\r\nX-Kept: 2\r\n" XFF CLOSE, NULL, NULL}}},
    {"upgrade is stripped, the body read as a body",
     RAW("POST /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
         "Connection: Upgrade\r\nContent-Length: 4\r\n\r\nping"
         "GET /n HTTP/1.1\r\nHost: a\r\n\r\n"),
     0,
     {{ACCEPT, false, true,
       "POST /ws HTTP/1.1\r\nHost: a\r\n" XFF "Content-Length: 4\r\n" CLOSE
       "ping",
       NULL, NULL},
      {ACCEPT, false, true, "GET /n HTTP/1.1\r\nHost: a\r\n" XFF CLOSE,
       NULL, NULL}}},
    {"upgrade without a body",
     RAW("GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n"
         "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n"
         "GET /n HTTP/1.1\r\nHost: a\r\n\r\n"),
     0,
     {{ACCEPT, false, true,
       "GET /ws HTTP/1.1\r\nHost: a\r\nSec-WebSocket-Version: 13\r\n" XFF
       CLOSE,
       NULL, NULL},
      {ACCEPT, false, true, "GET /n HTTP/1.1\r\nHost: a\r\n" XFF CLOSE,
       NULL, NULL}}},
    {"X-Forwarded-For merged and appended",
     RAW("GET / HTTP/1.1\r\nX-Forwarded-For: 10.0.0.1\r\nHost: a\r\n"
         "X-Forwarded-For:\r\nx-forwarded-for: 10.0.0.2, 10.0.0.3\r\n\r\n"),
     0,
     {{ACCEPT, false, true,
       "GET / HTTP/1.1\r\nHost: a\r\n"
       "X-Forwarded-For: 10.0.0.1, 10.0.0.2, 10.0.0.3, " DRIVE_PEER
       "\r\n" CLOSE,
       "GET / HTTP/1.1\r\nX-Forwarded-For: 10.0.0.1\r\nHost: a\r\n"
       "X-Forwarded-For: \r\nx-forwarded-for: 10.0.0.2, 10.0.0.3\r\n" CLOSE,
       NULL}}},
    {"field order and case kept, white space around values trimmed",
     RAW("GET / HTTP/1.1\r\nhost: a\r\nX-B:  two \t\r\nx-a:\tone\r\n"
         "X-Empty:\r\nX-B: again\r\n\r\n"),
     0,
     {{ACCEPT, false, true,
       "GET / HTTP/1.1\r\nhost: a\r\nX-B: two\r\nx-a: one\r\nX-Empty: \r\n"
       "X-B: again\r\n" XFF CLOSE,
       NULL, NULL}}},
    {"GET with Content-Length: 0 keeps its framing",
     RAW("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n"), 0,
     {{ACCEPT, false, true,
       "GET / HTTP/1.1\r\nHost: a\r\n" XFF "Content-Length: 0\r\n" CLOSE,
       NULL, NULL}}},
    {"POST without a body gets Content-Length: 0",
     RAW("POST / HTTP/1.1\r\nHost: a\r\n\r\n"), 0,
     {{ACCEPT, false, true,
       "POST / HTTP/1.1\r\nHost: a\r\n" XFF "Content-Length: 0\r\n" CLOSE,
       NULL, NULL}}},
    {"body spilled to a temp file",
     RAW("PUT /big HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
         "1a\r\nabcdefghijklmnopqrstuvwxyz\r\n"
         "1A\r\nABCDEFGHIJKLMNOPQRSTUVWXYZ\r\n0\r\n\r\n"),
     7,
     {{ACCEPT, false, true,
       "PUT /big HTTP/1.1\r\nHost: a\r\n" XFF "Content-Length: 52\r\n" CLOSE
       "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
       NULL, NULL}}},
    /* Host is end-to-end: a Connection option naming it must not take it
     * away, or an HTTP/1.1 backend gets a request without Host (RFC 9112
     * §3.2: a client MUST send Host in every HTTP/1.1 request). */
    {"Connection naming Host does not remove it",
     RAW("GET / HTTP/1.1\r\nHost: a\r\nConnection: host\r\n\r\n"), 0,
     {{ACCEPT, false, true, "GET / HTTP/1.1\r\nHost: a\r\n" XFF CLOSE,
       NULL, NULL}}},
};

static hf_request_limits_t limits_for(const struct msg *m)
{
    hf_request_limits_t lim = {
        .max_header_size = 16 * 1024,
        .max_body_size = 1024 * 1024,
        .body_buffer_size = m->body_buffer_size ? m->body_buffer_size
                                                : 64 * 1024,
    };
    return lim;
}

static int nexpect(const struct msg *m)
{
    int n = 0;
    while (n < 4 && (m->out[n].status != 0 || m->out[n].v11 != NULL ||
                     m->out[n].v10 != NULL))
        n++;
    return n;
}

/* The expected bytes for one backend variant, malloc'd, or NULL when the
 * table leaves them to drive_verify(). */
static char *expected_bytes(const struct expect *e, int minor, bool xff)
{
    const char *src = e->v11;
    bool own_xff = false;
    char *s, *p;

    if (minor == 0 && e->v10 != NULL) {
        src = e->v10;
    } else if (!xff && e->v11_noxff != NULL) {
        src = e->v11_noxff;
        own_xff = true;
    }
    if (src == NULL)
        return NULL;
    s = strdup(src);
    if (s == NULL)
        abort();
    if (!xff && !own_xff && (p = strstr(s, XFF)) != NULL)
        memmove(p, p + strlen(XFF), strlen(p + strlen(XFF)) + 1);
    p = strstr(s, " HTTP/1.1\r\n");
    if (p != NULL && minor == 0 && p < strchr(s, '\n'))
        p[8] = '0';
    return s;
}

struct verify_ctx {
    const char *name;
    int minor;
    bool xff;
};

/* Every accepted request, written for the backend, parses again to the
 * same request (test_request_drive.h). */
static void on_done(void *ud, hf_exchange_t *ex, const char *bytes,
                    size_t len)
{
    const struct verify_ctx *v = ud;
    char why[256];
    bool ok = drive_verify(ex, v->minor, v->xff, why, sizeof(why));

    (void)bytes;
    (void)len;
    if (!ok)
        fprintf(stderr, "%s (1.%d xff %d): backend request: %s\n", v->name,
                v->minor, v->xff, why);
    CHECK(ok);
}

static void dump_bytes(const char *title, const char *p, size_t n)
{
    fprintf(stderr, "  %s:\n", title);
    drive_print_escaped(stderr, p, n);
    fputc('\n', stderr);
}

/* Whole input, one backend variant: compare with the table. */
static void check_whole(const struct msg *m, int minor, bool xff)
{
    drive_opts_t o = {.lim = limits_for(m), .http_minor = minor,
                      .forwarded_for = xff};
    drive_result_t r;
    struct verify_ctx v = {m->name, minor, xff};
    int n = nexpect(m);

    CHECK(drive(m->raw, m->len, &o, &r, on_done, &v) == 0);
    if (r.n != n || r.stuck) {
        fprintf(stderr, "%s (1.%d xff %d): %d outcomes, want %d\n", m->name,
                minor, xff, r.n, n);
        drive_result_print("got", &r);
        CHECK(r.n == n && !r.stuck);
        drive_result_free(&r);
        return;
    }
    for (int i = 0; i < n; i++) {
        const struct expect *e = &m->out[i];
        const drive_req_t *d = &r.req[i];
        bool ok;

        if (e->status == ACCEPT) {
            char *want = expected_bytes(e, minor, xff);
            ok = d->kind == DRIVE_ACCEPT && d->keep_alive == e->keep_alive &&
                 (want == NULL || (d->len == strlen(want) &&
                                   memcmp(d->bytes, want, d->len) == 0));
            if (!ok && want != NULL) {
                fprintf(stderr, "%s (1.%d xff %d) request %d:\n", m->name,
                        minor, xff, i + 1);
                dump_bytes("want", want, strlen(want));
                drive_result_print("got", &r);
            }
            if (!ok && want == NULL)
                fprintf(stderr, "%s request %d: want accept, keep-alive %d\n",
                        m->name, i + 1, e->keep_alive);
            free(want);
        } else if (e->status == INCOMPLETE) {
            ok = d->kind == DRIVE_INCOMPLETE;
        } else {
            ok = d->kind == DRIVE_REJECT && d->status == e->status;
        }
        if (ok && d->via_continue != e->cont)
            ok = false;
        if (!ok && e->status != ACCEPT) {
            fprintf(stderr, "%s request %d: want %d%s\n", m->name, i + 1,
                    e->status, e->cont ? " continue" : "");
            drive_result_print("got", &r);
        }
        CHECK(ok);
    }
    drive_result_free(&r);
}

/* Every way of cutting the input gives the transcript of the whole. */
static void check_splits(const struct msg *m)
{
    drive_opts_t o = {.lim = limits_for(m), .http_minor = 1,
                      .forwarded_for = true};
    drive_result_t whole, part;
    char why[200];

    CHECK(drive(m->raw, m->len, &o, &whole, NULL, NULL) == 0);
    for (size_t k = 1; k <= m->len; k++) {
        /* k < len: two feeds split at k; k == len: one byte at a time. */
        o.split = k < m->len ? k : 1;
        o.step = k < m->len ? 0 : 1;
        CHECK(drive(m->raw, m->len, &o, &part, NULL, NULL) == 0);
        if (!drive_result_equal(&whole, &part, why, sizeof(why))) {
            fprintf(stderr, "%s: %s: %s\n", m->name,
                    k < m->len ? "split" : "byte at a time", why);
            if (k < m->len)
                fprintf(stderr, "  split at %zu\n", k);
            CHECK(false);
            drive_result_free(&part);
            break;
        }
        drive_result_free(&part);
    }
    drive_result_free(&whole);
}

/* A head past one block (16 KiB) and past the inline field table: the
 * arena moves to malloc and the field table grows while the head arrives,
 * so offsets must survive both moves, however the bytes are cut. */
static void test_big_head(void)
{
    enum { NF = 60, VLEN = 500 };
    hf_request_limits_t lim = {.max_header_size = 64 * 1024,
                               .max_body_size = 1024,
                               .body_buffer_size = 1024};
    static char raw[64 * 1024], want[64 * 1024];
    size_t n = 0, w = 0;
    drive_opts_t o = {.lim = lim, .http_minor = 1, .forwarded_for = true};
    drive_result_t whole, part;
    char why[200];

    n += (size_t)sprintf(raw + n, "GET /big HTTP/1.1\r\nHost: a\r\n");
    w += (size_t)sprintf(want + w, "GET /big HTTP/1.1\r\nHost: a\r\n");
    for (int i = 0; i < NF; i++) {
        char name[32];
        int k = snprintf(name, sizeof(name), "X-Field-%02d: ", i);
        memcpy(raw + n, name, (size_t)k);
        memcpy(want + w, name, (size_t)k);
        n += (size_t)k;
        w += (size_t)k;
        for (int j = 0; j < VLEN; j++)
            raw[n++] = want[w++] = (char)('a' + (i + j) % 26);
        memcpy(raw + n, "\r\n", 2);
        memcpy(want + w, "\r\n", 2);
        n += 2;
        w += 2;
    }
    n += (size_t)sprintf(raw + n, "\r\n");
    w += (size_t)sprintf(want + w, XFF CLOSE);

    CHECK(drive(raw, n, &o, &whole, NULL, NULL) == 0);
    CHECK(whole.n == 1 && whole.req[0].kind == DRIVE_ACCEPT &&
          whole.req[0].len == w && memcmp(whole.req[0].bytes, want, w) == 0);
    /* Every split costs a full parse: a stride keeps it quick under
     * valgrind while still cutting inside names, values and line ends. */
    for (size_t k = 1; k <= n; k += 97) {
        o.split = k;
        CHECK(drive(raw, n, &o, &part, NULL, NULL) == 0);
        if (!drive_result_equal(&whole, &part, why, sizeof(why))) {
            fprintf(stderr, "big head split at %zu: %s\n", k, why);
            CHECK(false);
        }
        drive_result_free(&part);
    }
    o.split = 1;
    o.step = 1;
    CHECK(drive(raw, n, &o, &part, NULL, NULL) == 0);
    CHECK(drive_result_equal(&whole, &part, why, sizeof(why)));
    drive_result_free(&part);
    /* One byte less of limit than the head: 431. */
    o.lim.max_header_size = n - 1;
    o.split = 0;
    o.step = 0;
    CHECK(drive(raw, n, &o, &part, NULL, NULL) == 0);
    CHECK(part.n == 1 && part.req[0].kind == DRIVE_REJECT &&
          part.req[0].status == 431);
    drive_result_free(&part);
    drive_result_free(&whole);
}

int main(void)
{
    hf_spill_configure("/tmp", UINT64_MAX, UINT32_MAX);
    for (size_t i = 0; i < NELEMS(msgs); i++) {
        for (int minor = 0; minor <= 1; minor++) {
            check_whole(&msgs[i], minor, true);
            check_whole(&msgs[i], minor, false);
        }
        check_splits(&msgs[i]);
    }
    test_big_head();
    CHECK(hf_blocks_in_use == 0);
    CHECK(hf_spill_files == 0 && hf_spill_bytes == 0);
    hf_block_drain();
    return CHECK_DONE();
}
