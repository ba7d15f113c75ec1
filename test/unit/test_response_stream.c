/* proxy/http/response_stream.c: which response heads ask to be relayed
 * unbuffered (X-Accel-Buffering, as nginx reads it) and which fields are
 * the proxy's alone. Each head is fed whole and one byte at a time. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "response_stream.h"

static const struct {
    const char *fields; /* between the status line and the blank line */
    bool unbuffered;
    int for_proxy; /* fields the client must not see */
} cases[] = {
    {"Content-Length: 0\r\n", false, 0},
    {"X-Accel-Buffering: no\r\n", true, 1},
    {"x-accel-buffering: NO\r\n", true, 1},
    {"X-Accel-Buffering:no  \r\n", true, 1},
    {"X-Accel-Buffering: yes\r\n", false, 1},
    {"X-Accel-Buffering: nope\r\n", false, 1},
    {"X-Accel-Buffering: no, yes\r\n", false, 1},
    /* The last one decides, as in nginx. */
    {"X-Accel-Buffering: yes\r\nX-Accel-Buffering: no\r\n", true, 2},
    {"X-Accel-Buffering: no\r\nX-Accel-Buffering: yes\r\n", false, 2},
    {"X-Accel-Buffering-Not: no\r\nX-Accel: no\r\n", false, 0},
};

static void check_case(size_t i, size_t step)
{
    hf_response_t res;
    char raw[512];
    size_t len, off = 0;
    int r = HF_RES_OK, proxy = 0;

    len = (size_t)snprintf(raw, sizeof(raw), "HTTP/1.1 200 OK\r\n%s\r\n",
                           cases[i].fields);
    CHECK(hf_response_init(&res, false, 1024) == 0);
    while (off < len && r == HF_RES_OK) {
        size_t k = step < len - off ? step : len - off;
        r = hf_response_feed(&res, raw + off, k);
        off += k;
    }
    CHECK(r == HF_RES_OK && res.head_done);
    if (hf_response_unbuffered(&res) != cases[i].unbuffered) {
        fprintf(stderr, "case %zu (step %zu): unbuffered should be %d\n", i,
                step, cases[i].unbuffered);
        CHECK(false);
    }
    for (uint32_t f = 0; f < res.head.nfields; f++)
        proxy += hf_response_field_for_proxy(&res.head, &res.head.fields[f]);
    CHECK(proxy == cases[i].for_proxy);
    hf_response_free(&res);
}

int main(void)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        check_case(i, 1 << 20);
        check_case(i, 1);
    }
    return CHECK_DONE();
}
