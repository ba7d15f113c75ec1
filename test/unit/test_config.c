/* Unit tests of config/: every value parser against a table of good and bad
 * inputs, then whole files written to /tmp: defaults, every key, and each
 * kind of error with its exact "FILE:LINE: key: message" text. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/un.h>
#include <unistd.h>

#include "check.h"
#include "config.h"

/* CHECK, saying which case of a table failed. */
#define CHECK_CASE(cond, ...)                                                  \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "  in case: ");                                    \
            fprintf(stderr, __VA_ARGS__);                                      \
            fputc('\n', stderr);                                               \
        }                                                                      \
        CHECK(cond);                                                           \
    } while (0)

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define UNTOUCHED 0xdeadbeefull

static void test_duration(void)
{
    static const struct {
        const char *in;
        int rc;
        uint64_t ms;
    } cases[] = {
        {"250ms", 0, 250},
        {"10s", 0, 10000},
        {"5m", 0, 300000},
        {"1h", 0, 3600000},
        {"5", 0, 5000},
        {"0", 0, 0},
        {"0ms", 0, 0},
        {"  30s\t", 0, 30000},
        {"10S", 0, 10000},
        {"100MS", 0, 100},
        {"007s", 0, 7000},
        {"18446744073709551615ms", 0, UINT64_MAX},
        {"", -1, 0},
        {"   ", -1, 0},
        {"-1s", -1, 0},
        {"+1s", -1, 0},
        {"s", -1, 0},
        {"ms", -1, 0},
        {"1.5s", -1, 0},
        {"10 s", -1, 0},
        {"10sec", -1, 0},
        {"1d", -1, 0},
        {"1m30s", -1, 0},
        {"abc", -1, 0},
        {"0x10", -1, 0},
        {"18446744073709551616ms", -1, 0},
        {"18446744073709551615s", -1, 0},
        {"5124095576030432h", -1, 0},
    };

    for (size_t i = 0; i < NELEMS(cases); i++) {
        uint64_t v = UNTOUCHED;
        int rc = hf_parse_duration_ms(cases[i].in, &v);
        CHECK_CASE(rc == cases[i].rc, "duration '%s'", cases[i].in);
        CHECK_CASE(v == (rc == 0 ? cases[i].ms : UNTOUCHED), "duration '%s'",
                   cases[i].in);
    }
}

static void test_size(void)
{
    static const struct {
        const char *in;
        int rc;
        uint64_t bytes;
    } cases[] = {
        {"512", 0, 512},
        {"0", 0, 0},
        {"64k", 0, 65536},
        {"64K", 0, 65536},
        {"10m", 0, 10485760},
        {"10M", 0, 10485760},
        {"4g", 0, 4294967296ull},
        {"4G", 0, 4294967296ull},
        {" 16k ", 0, 16384},
        {"17179869183g", 0, 17179869183ull << 30},
        {"", -1, 0},
        {"k", -1, 0},
        {"-1k", -1, 0},
        {"1kb", -1, 0},
        {"1t", -1, 0},
        {"1.5m", -1, 0},
        {"1 k", -1, 0},
        {"12x", -1, 0},
        {"17179869184g", -1, 0},
        {"18446744073709551616", -1, 0},
    };

    for (size_t i = 0; i < NELEMS(cases); i++) {
        uint64_t v = UNTOUCHED;
        int rc = hf_parse_size(cases[i].in, &v);
        CHECK_CASE(rc == cases[i].rc, "size '%s'", cases[i].in);
        CHECK_CASE(v == (rc == 0 ? cases[i].bytes : UNTOUCHED), "size '%s'",
                   cases[i].in);
    }
}

static void test_bool(void)
{
    static const struct {
        const char *in;
        int rc;
        bool value;
    } cases[] = {
        {"on", 0, true},     {"off", 0, false},    {"yes", 0, true},
        {"no", 0, false},    {"true", 0, true},    {"false", 0, false},
        {"1", 0, true},      {"0", 0, false},      {"ON", 0, true},
        {"Off", 0, false},   {"TRUE", 0, true},    {" yes ", 0, true},
        {"", -1, false},     {"2", -1, false},     {"enabled", -1, false},
        {"o", -1, false},    {"yes please", -1, false},
    };

    for (size_t i = 0; i < NELEMS(cases); i++) {
        bool v = !cases[i].value;
        int rc = hf_parse_bool(cases[i].in, &v);
        CHECK_CASE(rc == cases[i].rc, "bool '%s'", cases[i].in);
        if (rc == 0)
            CHECK_CASE(v == cases[i].value, "bool '%s'", cases[i].in);
    }
    bool v = true;
    CHECK(hf_parse_bool("nope", &v) == -1 && v == true);
}

static void test_addr_good(void)
{
    static const struct {
        const char *in, *def, *text;
        int family;
    } cases[] = {
        {"8080", "0.0.0.0", "0.0.0.0:8080", AF_INET},
        {"8000", "127.0.0.1", "127.0.0.1:8000", AF_INET},
        {"127.0.0.1:80", "0.0.0.0", "127.0.0.1:80", AF_INET},
        {"  10.1.2.3:443\t", NULL, "10.1.2.3:443", AF_INET},
        {"*:80", NULL, "0.0.0.0:80", AF_INET},
        {"0.0.0.0:65535", NULL, "0.0.0.0:65535", AF_INET},
        {"1.2.3.4:1", NULL, "1.2.3.4:1", AF_INET},
        {"[::1]:8080", NULL, "[::1]:8080", AF_INET6},
        {"[::]:18080", NULL, "[::]:18080", AF_INET6},
        {"[2001:db8::1]:443", NULL, "[2001:db8::1]:443", AF_INET6},
        {"[::ffff:1.2.3.4]:80", NULL, "[::ffff:1.2.3.4]:80", AF_INET6},
        {"9000", "::1", "[::1]:9000", AF_INET6},
    };

    for (size_t i = 0; i < NELEMS(cases); i++) {
        hf_addr_t a;
        const char *why = NULL;
        int rc = hf_parse_addr(cases[i].in, cases[i].def, &a, &why);
        CHECK_CASE(rc == 0, "addr '%s' (%s)", cases[i].in, why ? why : "");
        if (rc != 0)
            continue;
        CHECK_CASE(strcmp(a.text, cases[i].text) == 0, "addr '%s' gave %s",
                   cases[i].in, a.text);
        CHECK_CASE(a.sa.ss_family == cases[i].family, "addr '%s'",
                   cases[i].in);
        CHECK_CASE(a.len == (cases[i].family == AF_INET
                                 ? sizeof(struct sockaddr_in)
                                 : sizeof(struct sockaddr_in6)),
                   "addr '%s'", cases[i].in);
    }

    /* The sockaddr itself, not only its text. */
    hf_addr_t a;
    CHECK(hf_parse_addr("127.0.0.1:8000", NULL, &a, NULL) == 0);
    const struct sockaddr_in *s4 = (const void *)&a.sa;
    CHECK(ntohs(s4->sin_port) == 8000);
    CHECK(s4->sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    CHECK(hf_parse_addr("[::1]:443", NULL, &a, NULL) == 0);
    const struct sockaddr_in6 *s6 = (const void *)&a.sa;
    CHECK(ntohs(s6->sin6_port) == 443);
    CHECK(IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr));

    /* A host name is resolved: the first result, whichever family. */
    CHECK(hf_parse_addr("localhost:80", NULL, &a, NULL) == 0);
    CHECK(strcmp(a.text, "127.0.0.1:80") == 0 ||
          strcmp(a.text, "[::1]:80") == 0);
}

/* "unix:/PATH" backends: the sockaddr, its length and text; then what is
 * refused, and where (only a backend list names a Unix socket). */
static void test_addr_unix(void)
{
    static const struct {
        const char *in, *why;
    } bad[] = {
        {"unix:", "missing path after unix:"},
        {"unix:run/app.sock",
         "a Unix socket path must be absolute (unix:/run/app.sock)"},
        {"unix:/run/my app.sock", "Unix socket path has a space, quote, "
                                  "backslash or control character"},
        {"unix:/run/a\"b", "Unix socket path has a space, quote, backslash "
                           "or control character"},
        {"unix:/run/a\\b", "Unix socket path has a space, quote, backslash "
                           "or control character"},
    };
    struct sockaddr_un *un;
    char longest[sizeof(un->sun_path) + 8], in[sizeof(longest) + 8];
    const char *why = NULL;
    hf_addr_t a, b;

    CHECK(hf_parse_addr("  unix:/run/app.sock ", "127.0.0.1", &a, &why) == 0);
    un = (struct sockaddr_un *)&a.sa;
    CHECK(a.sa.ss_family == AF_UNIX);
    CHECK_STR(un->sun_path, "/run/app.sock");
    CHECK(a.len == offsetof(struct sockaddr_un, sun_path) +
                       sizeof("/run/app.sock"));
    CHECK_STR(a.text, "unix:/run/app.sock");
    CHECK(hf_parse_addr("unix:/run/app.sock", NULL, &b, NULL) == 0);
    CHECK(hf_addr_equal(&a, &b));
    CHECK(hf_parse_addr("unix:/run/other.sock", NULL, &b, NULL) == 0);
    CHECK(!hf_addr_equal(&a, &b));

    /* sun_path holds 107 bytes and the NUL: 107 fit, 108 do not. */
    memset(longest, 'x', sizeof(longest));
    longest[0] = '/';
    longest[sizeof(un->sun_path) - 1] = '\0';
    snprintf(in, sizeof(in), "unix:%s", longest);
    CHECK(hf_parse_addr(in, NULL, &a, &why) == 0);
    CHECK(strcmp(a.text, in) == 0);
    longest[sizeof(un->sun_path) - 1] = 'x';
    longest[sizeof(un->sun_path)] = '\0';
    snprintf(in, sizeof(in), "unix:%s", longest);
    memset(&a, 0x5a, sizeof(a));
    CHECK(hf_parse_addr(in, NULL, &a, &why) == -1);
    CHECK_STR(why, "Unix socket path too long (at most 107 bytes)");
    CHECK(a.len == 0x5a5a5a5a);

    for (size_t i = 0; i < NELEMS(bad); i++) {
        why = NULL;
        memset(&a, 0x5a, sizeof(a));
        CHECK_CASE(hf_parse_addr(bad[i].in, NULL, &a, &why) == -1, "addr '%s'",
                   bad[i].in);
        CHECK_CASE(why && strcmp(why, bad[i].why) == 0, "addr '%s' said '%s'",
                   bad[i].in, why ? why : "(null)");
        CHECK_CASE(a.len == 0x5a5a5a5a, "addr '%s' touched the output",
                   bad[i].in);
    }
}

static void test_addr_bad(void)
{
    static const struct {
        const char *in, *def, *why;
    } cases[] = {
        {"", "0.0.0.0", "empty address"},
        {"   ", "0.0.0.0", "empty address"},
        {"8080", NULL, "missing host (HOST:PORT)"},
        {"0", "0.0.0.0", "port must be a number from 1 to 65535"},
        {"65536", "0.0.0.0", "port must be a number from 1 to 65535"},
        {"99999999999999999999", "0.0.0.0",
         "port must be a number from 1 to 65535"},
        {"1.2.3.4", NULL, "missing port (HOST:PORT)"},
        {"localhost", NULL, "missing port (HOST:PORT)"},
        {"1.2.3.4:", NULL, "port must be a number from 1 to 65535"},
        {"1.2.3.4:0", NULL, "port must be a number from 1 to 65535"},
        {"1.2.3.4:65536", NULL, "port must be a number from 1 to 65535"},
        {"1.2.3.4:-1", NULL, "port must be a number from 1 to 65535"},
        {"1.2.3.4:+80", NULL, "port must be a number from 1 to 65535"},
        {"1.2.3.4:80x", NULL, "port must be a number from 1 to 65535"},
        {"1.2.3.4:http", NULL, "port must be a number from 1 to 65535"},
        {"1.2.3.4:000080", NULL, "port must be a number from 1 to 65535"},
        {"::1:80", NULL, "IPv6 addresses need brackets ([ADDR]:PORT)"},
        {"[::1]", NULL, "missing port ([IPv6]:PORT)"},
        {"[::1]80", NULL, "missing port ([IPv6]:PORT)"},
        {"[::1:80", NULL, "missing ']' after IPv6 address"},
        {"[1.2.3.4]:80", NULL, "bad IPv6 address"},
        {"[::g]:80", NULL, "bad IPv6 address"},
        {"[]:80", NULL, "missing host"},
        {":80", "0.0.0.0", "missing host"},
        {"[::1]:0", NULL, "port must be a number from 1 to 65535"},
    };

    for (size_t i = 0; i < NELEMS(cases); i++) {
        hf_addr_t a;
        const char *why = NULL;
        memset(&a, 0x5a, sizeof(a));
        int rc = hf_parse_addr(cases[i].in, cases[i].def, &a, &why);
        CHECK_CASE(rc == -1, "addr '%s'", cases[i].in);
        CHECK_CASE(why && strcmp(why, cases[i].why) == 0,
                   "addr '%s' said '%s'", cases[i].in, why ? why : "(null)");
        CHECK_CASE(a.len == 0x5a5a5a5a && a.text[0] == 0x5a,
                   "addr '%s' touched the output", cases[i].in);
    }

    /* Resolution failure: the resolver's own words. */
    hf_addr_t a;
    const char *why = NULL;
    CHECK(hf_parse_addr("nosuch.invalid:80", NULL, &a, &why) == -1);
    CHECK(why != NULL && *why != '\0');
    /* why may be NULL. */
    CHECK(hf_parse_addr("x", NULL, &a, NULL) == -1);
}

/* ---- whole files ---- */

typedef struct {
    char *msg[128];
    int n;
} errlist_t;

static void collect(void *ud, const char *msg)
{
    errlist_t *e = ud;
    if (e->n < (int)NELEMS(e->msg))
        e->msg[e->n++] = strdup(msg);
}

static void errs_clear(errlist_t *e)
{
    for (int i = 0; i < e->n; i++)
        free(e->msg[i]);
    e->n = 0;
}

static char tmp_path[64];

/* Writes text to a new file in /tmp, loads it and removes it. */
static int load_text(const char *text, hf_config_t **cfg, errlist_t *errs)
{
    int fd, n;
    FILE *fp;

    strcpy(tmp_path, "/tmp/hf_test_config_XXXXXX");
    fd = mkstemp(tmp_path);
    CHECK(fd >= 0);
    if (fd < 0)
        return -1;
    fp = fdopen(fd, "w");
    fputs(text, fp);
    fclose(fp);
    n = hf_config_load(tmp_path, cfg, collect, errs);
    unlink(tmp_path);
    return n;
}

/* Every expected message, in order and nothing more; each is written
 * without the file name, which the file gets prepended. */
static void expect_errors(const char *text, const char *const *want)
{
    errlist_t errs = {0};
    hf_config_t *cfg = (hf_config_t *)&errs; /* must be set to NULL */
    char full[512];
    int nwant = 0, n;

    while (want[nwant])
        nwant++;
    n = load_text(text, &cfg, &errs);
    CHECK_CASE(n == nwant && errs.n == nwant, "%d errors, not %d, for:\n%s",
               errs.n, nwant, text);
    CHECK(cfg == NULL);
    for (int i = 0; i < nwant && i < errs.n; i++) {
        snprintf(full, sizeof(full), "%s%s", tmp_path, want[i]);
        CHECK_CASE(strcmp(errs.msg[i], full) == 0, "\n  got  %s\n  want %s",
                   errs.msg[i], full);
    }
    if (n != nwant)
        for (int i = 0; i < errs.n; i++)
            fprintf(stderr, "  got: %s\n", errs.msg[i]);
    errs_clear(&errs);
}

static hf_config_t *expect_ok(const char *text)
{
    errlist_t errs = {0};
    hf_config_t *cfg = NULL;
    int n = load_text(text, &cfg, &errs);

    CHECK_CASE(n == 0 && cfg != NULL, "errors for:\n%s", text);
    for (int i = 0; i < errs.n; i++)
        fprintf(stderr, "  got: %s\n", errs.msg[i]);
    errs_clear(&errs);
    return cfg;
}

static void check_default_mapping(const hf_mapping_conf_t *m)
{
    CHECK(m->backend_max_conns == 1);
    CHECK(m->queue_size == 1024);
    CHECK(m->queue_timeout_ms == 30000);
    CHECK(m->client_idle_timeout_ms == 75000);
    CHECK(m->client_header_timeout_ms == 10000);
    CHECK(m->client_body_timeout_ms == 30000);
    CHECK(m->backend_connect_timeout_ms == 5000);
    CHECK(m->backend_timeout_ms == 60000);
    CHECK(m->max_header_size == 16384);
    CHECK(m->max_body_size == 10485760);
    CHECK(m->body_buffer_size == 65536);
    CHECK(m->backend_http_minor == 1);
    CHECK(m->forwarded_for == true);
    CHECK(m->proxy_protocol == false);
    CHECK(m->health_path == NULL);
    CHECK(m->health_check == NULL);
    CHECK(m->health_interval_ms == 5000);
    CHECK(m->request_id[0] == '\0');
    CHECK(m->request_start == false);
    CHECK(m->trusted_proxies == NULL && m->ntrusted_proxies == 0);
    CHECK(m->max_response_size == 0);
}

static void check_default_global(const hf_global_conf_t *g)
{
    CHECK(g->log_level == HF_LOG_INFO);
    CHECK(g->access_log && strcmp(g->access_log, "stdout") == 0);
    CHECK(g->access_log_format == HF_ACCESS_LOG_TEXT);
    CHECK(g->admin_on == false);
    CHECK(g->max_clients == 10000);
    CHECK(g->shutdown_timeout_ms == 30000);
    CHECK(g->temp_dir && strcmp(g->temp_dir, "/tmp") == 0);
    CHECK(g->statsd_on == false);
    CHECK(g->max_spill == 4294967296ull);
}

static void test_defaults(void)
{
    hf_config_t *cfg = expect_ok("[api]\nlisten = 18080\nbackend = 8080\n");

    if (cfg == NULL)
        return;
    CHECK(cfg->path && strcmp(cfg->path, tmp_path) == 0);
    check_default_global(&cfg->global);
    CHECK(cfg->nmappings == 1);
    CHECK_STR(cfg->mappings[0].name, "api");
    CHECK(cfg->mappings[0].line == 1);
    CHECK_STR(cfg->mappings[0].listen.text, "0.0.0.0:18080");
    CHECK(cfg->mappings[0].nbackends == 1);
    CHECK_STR(cfg->mappings[0].backends[0].text, "127.0.0.1:8080");
    check_default_mapping(&cfg->mappings[0]);
    hf_config_free(cfg);
}

static void test_every_key(void)
{
    hf_config_t *cfg = expect_ok(
        "[global]\n"
        "log_level = debug\n"
        "access_log = /var/log/holdfast/access.log\n"
        "access_log_format = json\n"
        "admin = 9901\n"
        "max_clients = 500\n"
        "shutdown_timeout = 0\n"
        "temp_dir = /var/tmp\n"
        "statsd = 8125\n"
        "max_spill = 1g\n"
        "\n"
        "[api]\n"
        "listen = [::]:18080\n"
        "backend = 127.0.0.1:8001 , 8002,[::1]:8003\n"
        "backend_max_conns = 2\n"
        "queue_size = 0\n"
        "queue_timeout = 1500ms\n"
        "client_idle_timeout = 2m\n"
        "client_header_timeout = 3s\n"
        "client_body_timeout = 4s\n"
        "backend_connect_timeout = 250ms\n"
        "backend_timeout = 1h\n"
        "max_header_size = 64k\n"
        "max_body_size = 0\n"
        "body_buffer_size = 8k\n"
        "backend_http_version = 1.0\n"
        "forwarded_for = off\n"
        "proxy_protocol = yes\n"
        "health_path = /healthz\n"
        "health_check = /ping?x=1\n"
        "health_interval = 10\n"
        "\n"
        "[web]\n"
        "listen = *:8080\n"
        "backend = 9000\n");

    if (cfg == NULL)
        return;
    const hf_global_conf_t *g = &cfg->global;
    CHECK(g->log_level == HF_LOG_DEBUG);
    CHECK_STR(g->access_log, "/var/log/holdfast/access.log");
    CHECK(g->access_log_format == HF_ACCESS_LOG_JSON);
    CHECK(g->admin_on);
    CHECK_STR(g->admin.text, "127.0.0.1:9901");
    CHECK(g->max_clients == 500);
    CHECK(g->shutdown_timeout_ms == 0);
    CHECK_STR(g->temp_dir, "/var/tmp");
    CHECK(g->statsd_on);
    CHECK_STR(g->statsd.text, "127.0.0.1:8125");
    CHECK(g->max_spill == 1073741824ull);

    CHECK(cfg->nmappings == 2);
    const hf_mapping_conf_t *m = &cfg->mappings[0];
    CHECK_STR(m->name, "api");
    CHECK(m->line == 12);
    CHECK_STR(m->listen.text, "[::]:18080");
    CHECK(m->nbackends == 3);
    if (m->nbackends == 3) {
        CHECK_STR(m->backends[0].text, "127.0.0.1:8001");
        CHECK_STR(m->backends[1].text, "127.0.0.1:8002");
        CHECK_STR(m->backends[2].text, "[::1]:8003");
    }
    CHECK(m->backend_max_conns == 2);
    CHECK(m->queue_size == 0);
    CHECK(m->queue_timeout_ms == 1500);
    CHECK(m->client_idle_timeout_ms == 120000);
    CHECK(m->client_header_timeout_ms == 3000);
    CHECK(m->client_body_timeout_ms == 4000);
    CHECK(m->backend_connect_timeout_ms == 250);
    CHECK(m->backend_timeout_ms == 3600000);
    CHECK(m->max_header_size == 65536);
    CHECK(m->max_body_size == 0);
    CHECK(m->body_buffer_size == 8192);
    CHECK(m->backend_http_minor == 0);
    CHECK(m->forwarded_for == false);
    CHECK(m->proxy_protocol == true);
    CHECK_STR(m->health_path, "/healthz");
    CHECK_STR(m->health_check, "/ping?x=1");
    CHECK(m->health_interval_ms == 10000);

    m = &cfg->mappings[1];
    CHECK_STR(m->name, "web");
    CHECK(m->line == 33);
    CHECK_STR(m->listen.text, "0.0.0.0:8080");
    CHECK_STR(m->backends[0].text, "127.0.0.1:9000");
    check_default_mapping(m);
    hf_config_free(cfg);
}

/* Values with their own meaning: off, stdout, case. */
static void test_special_values(void)
{
    hf_config_t *cfg = expect_ok("[global]\n"
                                 "access_log = OFF\n"
                                 "admin = off\n"
                                 "statsd = 10.0.0.1:8125\n"
                                 "log_level = WARN\n"
                                 "[a]\n"
                                 "listen = 1.2.3.4:80\n"
                                 "backend = [::1]:80\n"
                                 "health_path = off\n");
    if (cfg == NULL)
        return;
    CHECK(cfg->global.access_log == NULL);
    CHECK(!cfg->global.admin_on);
    CHECK(cfg->global.statsd_on);
    CHECK_STR(cfg->global.statsd.text, "10.0.0.1:8125");
    CHECK(cfg->global.log_level == HF_LOG_WARN);
    CHECK(cfg->mappings[0].health_path == NULL);
    hf_config_free(cfg);

    cfg = expect_ok("[global]\naccess_log = stdout\n[a]\nlisten=1\nbackend=2\n");
    if (cfg)
        CHECK_STR(cfg->global.access_log, "stdout");
    hf_config_free(cfg);
}

/* Line numbers stay right after comments, blank lines, continued values, a
 * byte order mark and CRLF line ends; errors come out in line order. */
static void test_request_keys(void)
{
    static const char *const good[][2] = {
        {"X-Request-Id", "X-Request-Id"},
        {"  x_req.id~1 ", "x_req.id~1"},
        {"OFF", ""},
        {"1234567890123456789012345678901234567890123456789012345678901234",
         "1234567890123456789012345678901234567890123456789012345678901234"},
    };
    char ini[512];

    for (size_t i = 0; i < NELEMS(good); i++) {
        hf_config_t *cfg;
        snprintf(ini, sizeof(ini),
                 "[a]\nlisten = 1\nbackend = 2\nrequest_id = %s\n"
                 "request_start = on\n",
                 good[i][0]);
        cfg = expect_ok(ini);
        if (cfg == NULL)
            continue;
        CHECK_STR(cfg->mappings[0].request_id, good[i][1]);
        CHECK(cfg->mappings[0].request_start);
        hf_config_free(cfg);
    }
    expect_errors("[a]\nlisten = 1\nbackend = 2\nrequest_id = X Id\n",
                  (const char *const[]){
                      ":4: request_id: 'X Id' is neither off nor a header "
                      "name",
                      NULL});
    expect_errors("[a]\nlisten = 1\nbackend = 2\nrequest_id = "
                  "Content-Length\nrequest_start = sometimes\n",
                  (const char *const[]){
                      ":4: request_id: 'Content-Length' is a header holdfast "
                      "writes itself",
                      ":5: request_start: 'sometimes' is not on/off, yes/no, "
                      "true/false or 1/0",
                      NULL});
    expect_errors("[a]\nlisten = 1\nbackend = 2\nrequest_id = "
                  "12345678901234567890123456789012345678901234567890123456"
                  "789012345\n",
                  (const char *const[]){
                      ":4: request_id: header name longer than 64 bytes",
                      NULL});
    expect_errors("[global]\nrequest_id = X-Id\n[a]\nlisten = 1\n"
                  "backend = 2\n",
                  (const char *const[]){
                      ":2: request_id: belongs in a mapping section, not in "
                      "[global]",
                      NULL});
}

static void test_line_numbers(void)
{
    static const char *const want[] = {
        ":3: log_level: 'loud' is not one of error, warn, info, debug",
        ":11: queue_size: 'many' is not a whole number",
        ":16: backend_timeout: 'soon' is not a duration (a number with ms, "
        "s, m or h)",
        ":18: max_body_size: 'lots' is not a size (a number with k, m or g)",
        ":21: health_check: 'nope' is neither off nor a path starting with "
        "'/' (without spaces)",
        NULL,
    };
    expect_errors("\xEF\xBB\xBF; holdfast\r\n"
                  "[global]\r\n"
                  "log_level = loud ; comment\r\n"
                  "\n"
                  "# another comment\n"
                  "[api]\n"
                  "listen = 8080\n"
                  "backend = 8001,\n"
                  "          8002, ; a comment in a continued value\n"
                  "          8003\n"
                  "queue_size = many\n"
                  "client_body_timeout =\n"
                  "\n"
                  "    ; comments and blank lines do not end a value\n"
                  "    15s\n"
                  "backend_timeout = soon\n"
                  "  ;\n"
                  "max_body_size = lots\n"
                  "   \t\n"
                  "\n"
                  "health_check = nope\n",
                  want);

    /* The same continued list, loaded: three addresses. */
    hf_config_t *cfg = expect_ok("[api]\n"
                                 "listen = 8080\n"
                                 "backend = 8001,\n"
                                 "          8002, ; comment\n"
                                 "\n"
                                 "          8003\n"
                                 "          8004 ,8005\n"
                                 "client_body_timeout =\n"
                                 "    15s\n");
    if (cfg == NULL)
        return;
    CHECK(cfg->mappings[0].nbackends == 5);
    if (cfg->mappings[0].nbackends == 5)
        CHECK_STR(cfg->mappings[0].backends[4].text, "127.0.0.1:8005");
    CHECK(cfg->mappings[0].client_body_timeout_ms == 15000);
    hf_config_free(cfg);
}

/* Each kind of error, alone, with its exact message. */
static void test_error_kinds(void)
{
    static const struct {
        const char *ini;
        const char *want[4];
    } cases[] = {
        {"[a]\nlisten = 1\nbackend = 2\nlisten_addr = 3\n",
         {":4: listen_addr: unknown key in [a]"}},
        {"[global]\nfoo = 1\n[a]\nlisten = 1\nbackend = 2\n",
         {":2: foo: unknown key in [global]"}},
        {"[global]\nbackend = 1\n[a]\nlisten = 1\nbackend = 2\n",
         {":2: backend: belongs in a mapping section, not in [global]"}},
        {"[a]\nlisten = 1\nbackend = 2\nlog_level = info\n",
         {":4: log_level: belongs in [global]"}},
        {"[a]\nlisten = 1\nbackend = 2\nListen = 3\n",
         {":4: Listen: unknown key in [a]"}},
        {"log_level = info\n[a]\nlisten = 1\nbackend = 2\n",
         {":1: log_level: outside any section (put it under [global] or a "
          "mapping section)"}},
        {"[a]\nlisten = 1\n\n\nbackend = 2\nlisten = 3\n",
         {":6: listen: duplicate key (first at line 2)"}},
        {"[a]\n; no listen\nbackend = 2\n",
         {":1: listen: missing in section [a]"}},
        {"[global]\n[a]\nlisten = 1\n",
         {":2: backend: missing in section [a]"}},
        {"\n[a]\n",
         {":2: listen: missing in section [a]",
          ":2: backend: missing in section [a]"}},
        {"[a]\nlisten=1\nbackend=2\n[b]\nlisten=3\nbackend=4\n[a]\n"
         "listen=5\nbackend=6\n",
         {":7: [a]: duplicate section (first at line 1)"}},
        {"[global]\n[global]\n[a]\nlisten=1\nbackend=2\n",
         {":2: [global]: duplicate section (first at line 1)"}},
        {"[global]\nlog_level = info\n",
         {": no mapping: add a section with listen and backend"}},
        {"", {": no mapping: add a section with listen and backend"}},
        {"; only a comment\n",
         {": no mapping: add a section with listen and backend"}},
        {"[a]\nlisten = 1\nbackend = 2\nbackend_http_version = 2\n",
         {":4: backend_http_version: '2' is not one of 1.0, 1.1"}},
        {"[global]\naccess_log_format = xml\n[a]\nlisten=1\nbackend=2\n",
         {":2: access_log_format: 'xml' is not one of text, json"}},
        {"[global]\nlog_level = verbose\n[a]\nlisten=1\nbackend=2\n",
         {":2: log_level: 'verbose' is not one of error, warn, info, debug"}},
        {"[a]\nlisten=1\nbackend=2\nforwarded_for = maybe\n",
         {":4: forwarded_for: 'maybe' is not on/off, yes/no, true/false or "
          "1/0"}},
        {"[a]\nlisten=1\nbackend=2\nbackend_max_conns = 0\n",
         {":4: backend_max_conns: must be more than 0"}},
        {"[global]\nmax_clients = 0\n[a]\nlisten=1\nbackend=2\n",
         {":2: max_clients: must be more than 0"}},
        {"[global]\nmax_clients = 2147483648\n[a]\nlisten=1\nbackend=2\n",
         {":2: max_clients: '2147483648' is too large (at most 2147483647)"}},
        {"[a]\nlisten=1\nbackend=2\nbody_buffer_size = 0k\n",
         {":4: body_buffer_size: must be more than 0"}},
        {"[a]\nlisten=1\nbackend=2\nmax_header_size = 1023\n",
         {":4: max_header_size: '1023' is too small (at least 1k)"}},
        {"[a]\nlisten=1\nbackend=2\nmax_header_size = 65537\n",
         {":4: max_header_size: '65537' is too large (at most 64k)"}},
        {"[a]\nlisten=1\nbackend=2\nmax_header_size = 80k\n",
         {":4: max_header_size: '80k' is too large (at most 64k)"}},
        {"[a]\nlisten=1\nbackend=2\nbackend_timeout = 0\n",
         {":4: backend_timeout: must be more than 0"}},
        {"[a]\nlisten=1\nbackend=2\nhealth_interval = 9000h\n",
         {":4: health_interval: '9000h' is too large (at most 8760h)"}},
        {"[a]\nlisten=1\nbackend=2\nhealth_path = /a b\n",
         {":4: health_path: '/a b' is neither off nor a path starting with "
          "'/' (without spaces)"}},
        {"[a]\nlisten=1\nbackend=2\nhealth_path =\n",
         {":4: health_path: missing value"}},
        {"[global]\ntemp_dir =\n[a]\nlisten=1\nbackend=2\n",
         {":2: temp_dir: missing value"}},
        {"[a]\nlisten = 70000\nbackend = 2\n",
         {":2: listen: '70000': port must be a number from 1 to 65535"}},
        {"[a]\nlisten = ::1:80\nbackend = 2\n",
         {":2: listen: '::1:80': IPv6 addresses need brackets ([ADDR]:PORT)"}},
        {"[a]\nlisten = 1\nbackend =\n",
         {":3: backend: missing value"}},
        {"[a]\nlisten = 1\nbackend = 2,,3\n",
         {":3: backend: empty address in the list"}},
        {"[a]\nlisten = 1\nbackend = 2, 127.0.0.1:2\n",
         {":3: backend: 127.0.0.1:2 is listed twice"}},
        {"[a]\nlisten = 1\nbackend = 2, host\n",
         {":3: backend: 'host': missing port (HOST:PORT)"}},
        {"[global]\nadmin = 0.0.0.0\n[a]\nlisten=1\nbackend=2\n",
         {":2: admin: '0.0.0.0': missing port (HOST:PORT)"}},
        {"[a]\nlisten = 80\nbackend = 2\n[b]\nlisten = 0.0.0.0:80\n"
         "backend = 3\n",
         {":5: listen: [b] and [a] (line 2) both listen on 0.0.0.0:80"}},
        {"[a]\nlisten = 127.0.0.1:80\nbackend = 2\n[b]\nlisten = 80\n"
         "backend = 3\n",
         {":5: listen: 0.0.0.0:80 of [b] overlaps 127.0.0.1:80 of [a] "
          "(line 2)"}},
        {"[a]\nlisten = [::1]:80\nbackend = 2\n[b]\n"
         "listen = [0:0:0:0:0:0:0:1]:80\nbackend = 3\n",
         {":5: listen: [b] and [a] (line 2) both listen on [::1]:80"}},
        {"[a]\nlisten = [::]:80\nbackend = 2\n[b]\nlisten = [::1]:80\n"
         "backend = 3\n",
         {":5: listen: [::1]:80 of [b] overlaps [::]:80 of [a] (line 2)"}},
        {"[global]\nadmin = 8080\n[a]\nlisten = 127.0.0.1:8080\nbackend=2\n",
         {":2: admin: 127.0.0.1:8080 is also the listen address of [a] "
          "(line 4)"}},
        {"[a\nlisten=1\nbackend=2\n",
         {":1: [a: missing ']' at the end of the section header"}},
        {"[a ; b]\nlisten=1\nbackend=2\n",
         {":1: [a: missing ']' at the end of the section header"}},
        {"[a] x\nlisten=1\nbackend=2\n",
         {":1: [a]: unexpected text after ']'"}},
        {"[a b]\nlisten=1\nbackend=2\n",
         {":1: [a b]: a section name may only have letters, digits, '-', "
          "'_' and '.'"}},
        {"[ ]\nlisten=1\nbackend=2\n", {":1: []: empty section name"}},
        {"[a]\nlisten = 1\nbackend = 2\nthis is not a pair\n",
         {":4: this is not a pair: expected 'key = value'"}},
        {"[a]\nlisten = 1\n= 2\nbackend = 2\n",
         {":3: missing key before '='"}},
        /* An indented line continues the key above it, as in inih. */
        {"[a]\n  listen = 1\n  backend = 2\n",
         {":1: backend: missing in section [a]",
          ":2: listen: '1 backend = 2': missing port (HOST:PORT) (an "
          "indented line continues the value of the key above it)"}},
    };

    for (size_t i = 0; i < NELEMS(cases); i++)
        expect_errors(cases[i].ini, cases[i].want);
}

/* Several errors in one file are all reported, sorted by line. */
static void test_many_errors(void)
{
    static const char *const want[] = {
        ":2: log_level: 'loud' is not one of error, warn, info, debug",
        ":3: nope: unknown key in [global]",
        ":4: [x]: unexpected text after ']'",
        ":5: queue_size: 'x' is not a whole number",
        ":9: backend: missing in section [b]",
        ":10: listen: [b] and [a] (line 7) both listen on 0.0.0.0:1",
        ":11: listen: duplicate key (first at line 10)",
        ":12: junk: expected 'key = value'",
        NULL,
    };
    expect_errors("[global]\n"
                  "log_level = loud\n"
                  "nope = 1\n"
                  "[x] oops\n"
                  "queue_size = x\n"
                  "[a]\n"
                  "listen = 1\n"
                  "backend = 2\n"
                  "[b]\n"
                  "listen = 1\n"
                  "listen = 2\n"
                  "junk\n",
                  want);
}

/* inih's line buffer is 200 bytes: a longer key line is an error on its own
 * line (and does not shift the lines after it), while long comments, section
 * names and continued values are fine. */
static void test_long_lines(void)
{
    char text[8192], name[100];
    size_t used = 0;

    memset(name, 'n', 60);
    name[60] = '\0';
    used += (size_t)snprintf(text + used, sizeof(text) - used,
                             "; %0300d\n[%s]\nlisten = 1\nbackend = 1,\n",
                             0, name);
    for (int i = 2; i <= 64; i++)
        used += (size_t)snprintf(text + used, sizeof(text) - used,
                                 "  127.0.0.1:%d%s\n", i, i < 64 ? "," : "");
    hf_config_t *cfg = expect_ok(text);
    if (cfg) {
        CHECK_STR(cfg->mappings[0].name, name);
        CHECK(cfg->mappings[0].line == 2);
        CHECK(cfg->mappings[0].nbackends == 64);
        if (cfg->mappings[0].nbackends == 64)
            CHECK_STR(cfg->mappings[0].backends[63].text, "127.0.0.1:64");
    }
    hf_config_free(cfg);

    /* 65 addresses are too many. */
    snprintf(text + used, sizeof(text) - used, "  ,127.0.0.1:65\n");
    static const char *const too_many[] = {
        ":4: backend: more than 64 addresses", NULL};
    expect_errors(text, too_many);

}

static void test_long_key_line(void)
{
    char text[1024];
    static const char *const want[] = {
        ":5: line too long (at most 198 characters before a comment; "
        "continue a long value on indented lines)",
        ":6: queue_size: 'x' is not a whole number",
        NULL,
    };

    /* 198 characters: "health_path = /" is 15, plus 183. */
    snprintf(text, sizeof(text),
             "[a]\nlisten = 1\nbackend = 2\nhealth_path = /%0183d ; %0100d\n"
             "health_check = /%0183d\nqueue_size = x\n",
             0, 0, 0);
    expect_errors(text, want);

    hf_config_t *cfg = NULL;
    snprintf(text, sizeof(text),
             "[a]\nlisten = 1\nbackend = 2\nhealth_path = /%0183d ; %0100d\n",
             0, 0);
    cfg = expect_ok(text);
    if (cfg)
        CHECK(strlen(cfg->mappings[0].health_path) == 184);
    hf_config_free(cfg);
}

static void test_cannot_open(void)
{
    errlist_t errs = {0};
    hf_config_t *cfg = NULL;

    CHECK(hf_config_load("/nonexistent/holdfast.ini", &cfg, collect, &errs) ==
          1);
    CHECK(cfg == NULL);
    CHECK(errs.n == 1);
    if (errs.n == 1)
        CHECK_STR(errs.msg[0], "/nonexistent/holdfast.ini: cannot open: No "
                               "such file or directory");
    errs_clear(&errs);

    /* A directory opens but cannot be read. */
    CHECK(hf_config_load("/tmp", &cfg, collect, &errs) == 1);
    CHECK(cfg == NULL);
    if (errs.n == 1)
        CHECK_STR(errs.msg[0], "/tmp: cannot read: Is a directory");
    errs_clear(&errs);

    /* A NULL error callback only counts. */
    CHECK(hf_config_load("/nonexistent", &cfg, NULL, NULL) == 1);
}

/* A backend list mixing Unix sockets and TCP; Unix sockets refused with
 * FILE:LINE wherever else an address is given. */
static void test_unix_in_files(void)
{
    static const char *const too_long[] = {
        ":3: backend: 'unix:/run/xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
        "xxxxxxxxxxxxxxxxxxxxx...': Unix socket path too long (at most 107 "
        "bytes)",
        NULL};
    static const char *const listen_unix[] = {
        ":2: listen: 'unix:/run/hf.sock': a Unix socket is only for backend "
        "addresses; give HOST:PORT here",
        NULL};
    static const char *const admin_unix[] = {
        ":2: admin: 'unix:/run/admin.sock': a Unix socket is only for backend "
        "addresses; give HOST:PORT here",
        ":3: statsd: 'unix:/run/statsd.sock': a Unix socket is only for "
        "backend addresses; give HOST:PORT here",
        NULL};
    static const char *const twice[] = {
        ":3: backend: unix:/run/a.sock is listed twice", NULL};
    char ini[512], path[160];
    hf_config_t *cfg;

    cfg = expect_ok("[a]\nlisten = 18080\n"
                    "backend = unix:/run/app.sock, 8001,\n"
                    "  unix:/run/app2.sock\n");
    if (cfg != NULL && cfg->mappings[0].nbackends == 3) {
        const hf_addr_t *b = cfg->mappings[0].backends;
        CHECK_STR(b[0].text, "unix:/run/app.sock");
        CHECK(b[0].sa.ss_family == AF_UNIX);
        CHECK_STR(b[1].text, "127.0.0.1:8001");
        CHECK_STR(b[2].text, "unix:/run/app2.sock");
    } else {
        CHECK(cfg != NULL && cfg->mappings[0].nbackends == 3);
    }
    hf_config_free(cfg);

    memset(path, 'x', 120);
    path[120] = '\0';
    snprintf(ini, sizeof(ini), "[a]\nlisten = 1\nbackend = 8000, unix:/run/%s\n",
             path);
    expect_errors(ini, too_long);
    expect_errors("[a]\nlisten = unix:/run/hf.sock\nbackend = 2\n", listen_unix);
    expect_errors("[global]\nadmin = unix:/run/admin.sock\n"
                  "statsd = unix:/run/statsd.sock\n"
                  "[a]\nlisten = 1\nbackend = 2\n",
                  admin_unix);
    expect_errors("[a]\nlisten = 1\nbackend = unix:/run/a.sock, "
                  "unix:/run/a.sock\n",
                  twice);
}

static void test_from_args(void)
{
    errlist_t errs = {0};
    hf_config_t *cfg = NULL;

    /* The built-in default of `holdfast` without arguments. */
    CHECK(hf_config_from_args("0.0.0.0:8080", "127.0.0.1:8000", &cfg, collect,
                              &errs) == 0);
    CHECK(errs.n == 0);
    if (cfg) {
        CHECK(cfg->path == NULL);
        check_default_global(&cfg->global);
        CHECK(cfg->nmappings == 1);
        CHECK_STR(cfg->mappings[0].name, "cli");
        CHECK_STR(cfg->mappings[0].listen.text, "0.0.0.0:8080");
        CHECK(cfg->mappings[0].nbackends == 1);
        CHECK_STR(cfg->mappings[0].backends[0].text, "127.0.0.1:8000");
        check_default_mapping(&cfg->mappings[0]);
    }
    hf_config_free(cfg);

    CHECK(hf_config_from_args("18080", "8001, 8002,[::1]:8003", &cfg, collect,
                              &errs) == 0);
    if (cfg) {
        CHECK_STR(cfg->mappings[0].listen.text, "0.0.0.0:18080");
        CHECK(cfg->mappings[0].nbackends == 3);
        CHECK_STR(cfg->mappings[0].backends[1].text, "127.0.0.1:8002");
    }
    hf_config_free(cfg);

    cfg = (hf_config_t *)&errs;
    CHECK(hf_config_from_args("0", "8000,8000", &cfg, collect, &errs) == 2);
    CHECK(cfg == NULL);
    CHECK(errs.n == 2);
    if (errs.n == 2) {
        CHECK_STR(errs.msg[0],
                  "--listen: '0': port must be a number from 1 to 65535");
        CHECK_STR(errs.msg[1], "--backend: 127.0.0.1:8000 is listed twice");
    }
    errs_clear(&errs);

    CHECK(hf_config_from_args("18080", "unix:/run/app.sock,8001", &cfg,
                              collect, &errs) == 0);
    if (cfg && cfg->mappings[0].nbackends == 2)
        CHECK_STR(cfg->mappings[0].backends[0].text, "unix:/run/app.sock");
    hf_config_free(cfg);
    CHECK(hf_config_from_args("unix:/run/hf.sock", "8000", &cfg, collect,
                              &errs) == 1);
    if (errs.n == 1)
        CHECK_STR(errs.msg[0], "--listen: 'unix:/run/hf.sock': a Unix socket "
                               "is only for backend addresses; give "
                               "HOST:PORT here");
    errs_clear(&errs);

    CHECK(hf_config_from_args(NULL, "", &cfg, collect, &errs) == 2);
    if (errs.n == 2) {
        CHECK_STR(errs.msg[0], "--listen: missing");
        CHECK_STR(errs.msg[1], "--backend: missing value");
    }
    errs_clear(&errs);
    hf_config_free(NULL);
}

static void test_trusted_proxies(void)
{
    static const struct {
        const char *in;
        int rc, family, bits;
        const char *addr; /* the range's address, host bits cleared */
    } cases[] = {
        {"10.0.0.0/8", 0, AF_INET, 8, "10.0.0.0"},
        {" 10.1.2.3/8 ", 0, AF_INET, 8, "10.0.0.0"},
        {"192.168.1.7", 0, AF_INET, 32, "192.168.1.7"},
        {"0.0.0.0/0", 0, AF_INET, 0, "0.0.0.0"},
        {"172.16.255.255/12", 0, AF_INET, 12, "172.16.0.0"},
        {"::1", 0, AF_INET6, 128, "::1"},
        {"fc00::/7", 0, AF_INET6, 7, "fc00::"},
        {"fdff:1::/7", 0, AF_INET6, 7, "fc00::"},
        {"10.0.0.0/33", -1, 0, 0, NULL},
        {"::/129", -1, 0, 0, NULL},
        {"10.0.0.0/", -1, 0, 0, NULL},
        {"10.0.0/8", -1, 0, 0, NULL},
        {"example.com", -1, 0, 0, NULL},
        {"", -1, 0, 0, NULL},
        {"10.0.0.0/8x", -1, 0, 0, NULL},
    };
    uint8_t a4[4], a6[16];
    hf_config_t *cfg;

    for (size_t i = 0; i < NELEMS(cases); i++) {
        hf_cidr_t c;
        char text[64] = "";
        int rc = hf_parse_cidr(cases[i].in, &c);
        CHECK_CASE(rc == cases[i].rc, "cidr '%s'", cases[i].in);
        if (rc != 0 || cases[i].rc != 0)
            continue;
        inet_ntop(c.family, c.addr, text, sizeof(text));
        CHECK_CASE(c.family == cases[i].family && c.bits == cases[i].bits &&
                       strcmp(text, cases[i].addr) == 0,
                   "cidr '%s' gave %s/%d", cases[i].in, text, c.bits);
    }

    cfg = expect_ok("[a]\nlisten = 1\nbackend = 2\n"
                    "trusted_proxies = 10.0.0.0/8, 192.168.1.7,\n"
                    "  fc00::/7\n");
    if (cfg != NULL) {
        const hf_mapping_conf_t *m = &cfg->mappings[0];
        hf_mapping_conf_t copy;
        CHECK(m->ntrusted_proxies == 3);
        inet_pton(AF_INET, "10.200.3.4", a4);
        CHECK(hf_cidr_contains(m->trusted_proxies, m->ntrusted_proxies,
                               AF_INET, a4));
        inet_pton(AF_INET, "11.0.0.1", a4);
        CHECK(!hf_cidr_contains(m->trusted_proxies, m->ntrusted_proxies,
                                AF_INET, a4));
        inet_pton(AF_INET, "192.168.1.8", a4);
        CHECK(!hf_cidr_contains(m->trusted_proxies, m->ntrusted_proxies,
                                AF_INET, a4));
        inet_pton(AF_INET6, "fd12::1", a6);
        CHECK(hf_cidr_contains(m->trusted_proxies, m->ntrusted_proxies,
                               AF_INET6, a6));
        inet_pton(AF_INET6, "fe80::1", a6);
        CHECK(!hf_cidr_contains(m->trusted_proxies, m->ntrusted_proxies,
                                AF_INET6, a6));
        /* A running mapping keeps its own copy across reloads. */
        CHECK(hf_mapping_conf_copy(&copy, m) == 0);
        CHECK(copy.ntrusted_proxies == 3 &&
              copy.trusted_proxies != m->trusted_proxies &&
              memcmp(copy.trusted_proxies, m->trusted_proxies,
                     3 * sizeof(hf_cidr_t)) == 0);
        hf_mapping_conf_free(&copy);
        hf_config_free(cfg);
    }
    cfg = expect_ok("[a]\nlisten = 1\nbackend = 2\ntrusted_proxies = off\n"
                    "max_response_size = 10m\n");
    if (cfg != NULL) {
        CHECK(cfg->mappings[0].ntrusted_proxies == 0);
        CHECK(cfg->mappings[0].max_response_size == 10485760);
        hf_config_free(cfg);
    }
    expect_errors("[a]\nlisten = 1\nbackend = 2\n"
                  "trusted_proxies = 10.0.0.0/8, 10.0.0.300\n",
                  (const char *const[]){
                      ":4: trusted_proxies: '10.0.0.300' is not an address "
                      "or ADDRESS/BITS",
                      NULL});
    expect_errors("[a]\nlisten = 1\nbackend = 2\nmax_response_size = 0\n",
                  (const char *const[]){
                      ":4: max_response_size: must be more than 0", NULL});
}

int main(void)
{
    test_duration();
    test_size();
    test_bool();
    test_addr_good();
    test_addr_bad();
    test_addr_unix();
    test_defaults();
    test_every_key();
    test_special_values();
    test_request_keys();
    test_trusted_proxies();
    test_line_numbers();
    test_error_kinds();
    test_many_errors();
    test_long_lines();
    test_long_key_line();
    test_cannot_open();
    test_unix_in_files();
    test_from_args();
    return CHECK_DONE();
}
