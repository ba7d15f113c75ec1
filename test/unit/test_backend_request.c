/* The backend request writer (proxy/http/backend_request.c) from plain
 * inputs: a parsed request and the values holdfast adds, no connection. */
#include <stdlib.h>
#include <string.h>

#include "backend_request.h"
#include "check.h"
#include "request.h"

/* Parses text into *r (which holds pointers into itself: never copied). */
static void parse(hf_request_t *r, const char *text)
{
    hf_request_limits_t lim = {.max_header_size = 16384,
                               .max_body_size = 1 << 20,
                               .body_buffer_size = 1 << 16};
    size_t len = strlen(text), off = 0;

    CHECK(hf_request_init(r, &lim) == 0);
    while (off < len && r->state != HF_REQ_DONE && r->state != HF_REQ_ERROR) {
        size_t n = hf_request_feed(r, text + off, len - off);
        if (n == 0)
            break;
        off += n;
    }
    CHECK(r->state == HF_REQ_DONE);
}

static char *build(const hf_backend_request_in_t *in)
{
    hf_outbuf_t ob = {0};
    char *s;

    CHECK(hf_backend_request_build(in, &ob) == 0);
    s = malloc(ob.len + 1);
    memcpy(s, ob.buf, ob.len);
    s[ob.len] = '\0';
    hf_outbuf_free(&ob);
    return s;
}

static void test_plain(void)
{
    hf_request_t r;
    hf_backend_request_in_t in = {.req = &r, .peer = "192.0.2.7",
                                  .host = "127.0.0.1:8000", .http_minor = 1,
                                  .forwarded_for = true};
    char *s;

    parse(&r, "GET /a?b HTTP/1.1\r\nHost: example.test\r\n"
              "Connection: keep-alive\r\nX-Forwarded-For: 10.0.0.1\r\n"
              "Accept: */*\r\n\r\n");
    s = build(&in);
    CHECK(strncmp(s, "GET /a?b HTTP/1.1\r\n", 19) == 0);
    CHECK(strstr(s, "Host: example.test\r\n") != NULL);
    CHECK(strstr(s, "X-Forwarded-For: 10.0.0.1, 192.0.2.7\r\n") != NULL);
    CHECK(strstr(s, "Connection: close\r\n") != NULL);
    CHECK(strstr(s, "keep-alive") == NULL);
    CHECK(strstr(s, "Accept: */*\r\n") != NULL);
    CHECK(strstr(s, "X-Request-Start") == NULL);
    CHECK(strcmp(s + strlen(s) - 4, "\r\n\r\n") == 0);
    free(s);
    /* HTTP/1.0 to the backend, no XFF. */
    in.http_minor = 0;
    in.forwarded_for = false;
    s = build(&in);
    CHECK(strncmp(s, "GET /a?b HTTP/1.0\r\n", 19) == 0);
    CHECK(strstr(s, "X-Forwarded-For: 10.0.0.1\r\n") != NULL);
    CHECK(strstr(s, "192.0.2.7") == NULL);
    free(s);
    hf_request_free(&r);
}

static void test_host_and_own_fields(void)
{
    hf_request_t r;
    hf_backend_request_in_t in = {.req = &r, .peer = "192.0.2.7",
                                  .host = "127.0.0.1:8000",
                                  .request_id = "0123456789abcdef0123456789abcdef",
                                  .id_name = "X-Request-Id",
                                  .start_unix_us = 1700000000123456ull,
                                  .http_minor = 1, .forwarded_for = true};
    char *s;

    parse(&r, "GET / HTTP/1.0\r\nX-Request-Id: forged\r\n"
              "X-Request-Start: t=1\r\n\r\n");
    s = build(&in);
    /* No Host from an HTTP/1.0 client: the backend's address. */
    CHECK(strstr(s, "Host: 127.0.0.1:8000\r\n") != NULL);
    CHECK(strstr(s, "X-Request-Id: 0123456789abcdef0123456789abcdef\r\n") != NULL);
    CHECK(strstr(s, "forged") == NULL);
    CHECK(strstr(s, "X-Request-Start: t=1700000000123456\r\n") != NULL);
    CHECK(strstr(s, "X-Request-Start: t=1\r\n") == NULL);
    CHECK(strstr(s, "X-Forwarded-For: 192.0.2.7\r\n") != NULL);
    free(s);
    hf_request_free(&r);
}

int main(void)
{
    test_plain();
    test_host_and_own_fields();
    return CHECK_DONE();
}
