/* The PROXY protocol header parser (proxy/http/proxy_protocol.c): a table
 * of connection openings, each fed whole, split in two at every byte
 * position, and one byte at a time, as proxy/conn/client_read.c gathers
 * them. The verdict must not depend on the split; an accepted address,
 * written again as a version 1 and a version 2 header, parses the same. */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "check.h"
#include "test_proxy_drive.h"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define RAW(s) s, sizeof(s) - 1

#define SIG "\r\n\r\n\0\r\nQUIT\n"
#define V4_ADDRS "\xc0\x00\x02\x01\xc0\x00\x02\x02\x9c\x40\x00\x50"
#define V6_ADDRS                                                               \
    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01"                               \
    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02\x9c\x40\x01\xbb"
#define REQ "GET / HTTP/1.1\r\nHost: a\r\n\r\n"

#define ACCEPT PDRIVE_ACCEPT
/* Not accepted: the expectations after kind do not apply. */
#define REJECT PDRIVE_REJECT, 0, 0, NULL, 0
#define MORE PDRIVE_INCOMPLETE, 0, 0, NULL, 0

struct pcase {
    const char *name;
    const char *raw;
    size_t len;
    enum pdrive_kind kind;
    size_t consumed;  /* ACCEPT: the header's length */
    int family;       /* ACCEPT: 0 for LOCAL/UNKNOWN */
    const char *addr; /* ACCEPT with a family: the source, as text */
    uint16_t port;
};

static const struct pcase cases[] = {
    /* version 1 */
    {"v1 TCP4", RAW("PROXY TCP4 192.0.2.1 192.0.2.2 40000 80\r\n" REQ),
     ACCEPT, 41, AF_INET, "192.0.2.1", 40000},
    {"v1 TCP6", RAW("PROXY TCP6 2001:db8::1 2001:db8::2 40000 443\r\n"),
     ACCEPT, 46, AF_INET6, "2001:db8::1", 40000},
    {"v1 TCP6 with a mapped IPv4",
     RAW("PROXY TCP6 ::ffff:192.0.2.1 ::1 1 2\r\n"), ACCEPT, 37, AF_INET6,
     "::ffff:192.0.2.1", 1},
    {"v1 port 0", RAW("PROXY TCP4 192.0.2.1 192.0.2.2 0 80\r\n"), ACCEPT,
     37, AF_INET, "192.0.2.1", 0},
    {"v1 UNKNOWN", RAW("PROXY UNKNOWN\r\n" REQ), ACCEPT, 15, 0, NULL, 0},
    {"v1 UNKNOWN with addresses",
     RAW("PROXY UNKNOWN ffff:f::1 ffff:f::2 1 2\r\n"), ACCEPT, 39, 0, NULL,
     0},
    {"v1 longest",
     RAW("PROXY TCP6 ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff "
         "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n"),
     ACCEPT, 104, AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
     65535},
    {"v1 line over 107 bytes",
     RAW("PROXY UNKNOWN xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n"),
     REJECT},
    {"v1 without CR", RAW("PROXY TCP4 192.0.2.1 192.0.2.2 40000 80\n"),
     REJECT},
    {"v1 port over 65535", RAW("PROXY TCP4 192.0.2.1 192.0.2.2 65536 80\r\n"),
     REJECT},
    {"v1 port with a leading zero",
     RAW("PROXY TCP4 192.0.2.1 192.0.2.2 080 80\r\n"), REJECT},
    {"v1 bad IPv4", RAW("PROXY TCP4 192.0.2.256 192.0.2.2 1 80\r\n"), REJECT},
    {"v1 IPv6 in TCP4", RAW("PROXY TCP4 ::1 ::1 1 80\r\n"), REJECT},
    {"v1 IPv4 in TCP6", RAW("PROXY TCP6 192.0.2.1 192.0.2.2 1 80\r\n"),
     REJECT},
    {"v1 a field too many", RAW("PROXY TCP4 192.0.2.1 192.0.2.2 1 80 x\r\n"),
     REJECT},
    {"v1 a field short", RAW("PROXY TCP4 192.0.2.1 192.0.2.2 1\r\n"), REJECT},
    {"v1 UDP4", RAW("PROXY UDP4 192.0.2.1 192.0.2.2 1 80\r\n"), REJECT},
    {"v1 lower case", RAW("proxy TCP4 192.0.2.1 192.0.2.2 1 80\r\n"), REJECT},
    {"v1 cut", RAW("PROXY TCP4 192.0.2"), MORE},
    {"v1 the word alone", RAW("PROXY"), MORE},
    {"no header: a request", RAW(REQ), REJECT},
    /* version 2 */
    {"v2 TCP4", RAW(SIG "\x21\x11\x00\x0c" V4_ADDRS REQ), ACCEPT, 28,
     AF_INET, "192.0.2.1", 40000},
    {"v2 TCP6", RAW(SIG "\x21\x21\x00\x24" V6_ADDRS), ACCEPT, 52, AF_INET6,
     "2001:db8::1", 40000},
    {"v2 TCP4 with TLVs: skipped",
     RAW(SIG "\x21\x11\x00\x1b" V4_ADDRS "\x01\x00\x02h2"
             "\xea\x00\x07\x01vpce-1" REQ),
     ACCEPT, 43, AF_INET, "192.0.2.1", 40000},
    {"v2 LOCAL", RAW(SIG "\x20\x00\x00\x00" REQ), ACCEPT, 16, 0, NULL, 0},
    {"v2 LOCAL with addresses: ignored",
     RAW(SIG "\x20\x11\x00\x0c" V4_ADDRS), ACCEPT, 28, 0, NULL, 0},
    {"v2 UNSPEC", RAW(SIG "\x21\x00\x00\x00"), ACCEPT, 16, 0, NULL, 0},
    {"v2 UDP4", RAW(SIG "\x21\x12\x00\x0c" V4_ADDRS), REJECT},
    {"v2 version 1", RAW(SIG "\x11\x11\x00\x0c" V4_ADDRS), REJECT},
    {"v2 command 2", RAW(SIG "\x22\x11\x00\x0c" V4_ADDRS), REJECT},
    {"v2 TCP4 addresses short", RAW(SIG "\x21\x11\x00\x0b" V4_ADDRS), REJECT},
    {"v2 TCP6 addresses short", RAW(SIG "\x21\x21\x00\x23" V6_ADDRS), REJECT},
    {"v2 length past the limit", RAW(SIG "\x21\x11\x0f\xf1" V4_ADDRS),
     REJECT},
    {"v2 cut in the addresses", RAW(SIG "\x21\x11\x00\x0c\xc0\x00"), MORE},
    {"v2 signature alone", RAW(SIG), MORE},
    {"v2 signature cut", RAW("\r\n\r\n\0\r\n"), MORE},
    {"v2 signature wrong", RAW("\r\n\r\n\0\r\nQUIT\r\x21\x11\x00\x0c"),
     REJECT},
};

static void check_rewritten(const struct pcase *c, const pdrive_result_t *r)
{
    char buf[HF_PROXY_V2_MAX];

    for (int form = 0; form < 3; form++) {
        pdrive_result_t again;
        size_t n = pdrive_write(&r->addr, form == 0 ? 1 : 2, form == 2, buf);
        pdrive(buf, n, 0, 0, &again);
        CHECK(again.kind == PDRIVE_ACCEPT && again.consumed == n);
        again.consumed = r->consumed;
        if (!pdrive_result_equal(r, &again)) {
            CHECK(!"written again, parses differently");
            fprintf(stderr, "case '%s', form %d\n", c->name, form);
        }
    }
}

static void check_case(const struct pcase *c)
{
    pdrive_result_t whole, part;
    int before = check_failures;

    pdrive(c->raw, c->len, 0, 0, &whole);
    CHECK(whole.kind == c->kind);
    if (c->kind == ACCEPT) {
        uint8_t want[16] = {0};
        CHECK(whole.consumed == c->consumed);
        CHECK(whole.addr.family == c->family);
        if (c->family != 0) {
            CHECK(inet_pton(c->family, c->addr, want) == 1);
            CHECK(memcmp(whole.addr.addr, want,
                         c->family == AF_INET ? 4 : 16) == 0);
            CHECK(whole.addr.port == c->port);
        }
        check_rewritten(c, &whole);
    }
    for (size_t split = 1; split <= c->len; split++) {
        size_t step = split == c->len ? 1 : 0;
        pdrive(c->raw, c->len, step ? 1 : split, step, &part);
        if (!pdrive_result_equal(&whole, &part)) {
            CHECK(!"the verdict depends on the split");
            fprintf(stderr, "split at %zu%s\n", step ? 1 : split,
                    step ? ", then byte by byte" : "");
        }
    }
    if (check_failures != before) {
        fprintf(stderr, "case '%s'\n", c->name);
        pdrive_result_print("got", &whole);
    }
}

/* client_read.c gives up when HF_PROXY_V2_MAX bytes hold no complete
 * header; a v2 header of exactly that size still passes. */
static void check_limits(void)
{
    static char buf[HF_PROXY_V2_MAX + 1];
    pdrive_result_t r;
    size_t alen = HF_PROXY_V2_MAX - 16;

    memcpy(buf, SIG "\x21\x11", 14);
    buf[14] = (char)(alen >> 8);
    buf[15] = (char)alen;
    memcpy(buf + 16, V4_ADDRS, 12);
    pdrive(buf, HF_PROXY_V2_MAX, 0, 0, &r);
    CHECK(r.kind == PDRIVE_ACCEPT && r.consumed == HF_PROXY_V2_MAX);
    pdrive(buf, HF_PROXY_V2_MAX, 100, 100, &r);
    CHECK(r.kind == PDRIVE_ACCEPT && r.consumed == HF_PROXY_V2_MAX);
    alen++;
    buf[14] = (char)(alen >> 8);
    buf[15] = (char)alen;
    pdrive(buf, HF_PROXY_V2_MAX + 1, 0, 0, &r);
    CHECK(r.kind == PDRIVE_REJECT);
}

int main(void)
{
    for (size_t i = 0; i < NELEMS(cases); i++)
        check_case(&cases[i]);
    check_limits();
    return CHECK_DONE();
}
