/* Parsers for single configuration values: durations, sizes, booleans,
 * addresses. Each accepts the value as written, surrounding whitespace
 * included, returns 0 and stores the result, or returns -1 and leaves the
 * output untouched. */
#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>
#include <sys/un.h>

#include "internal.h"

int hf_trim_copy(const char *s, char *buf, size_t size)
{
    const char *end;
    size_t len;

    while (isspace((unsigned char)*s))
        s++;
    end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        end--;
    len = (size_t)(end - s);
    if (len == 0)
        return -1;
    if (len >= size || len > INT_MAX)
        return -2;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return (int)len;
}

/* Reads the decimal digits at the start of s. Returns the first character
 * after them, or NULL when there are none or the number overflows. */
static const char *read_digits(const char *s, uint64_t *out)
{
    uint64_t n = 0;
    const char *p;

    for (p = s; *p >= '0' && *p <= '9'; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (n > (UINT64_MAX - d) / 10)
            return NULL;
        n = n * 10 + d;
    }
    if (p == s)
        return NULL;
    *out = n;
    return p;
}

struct unit {
    const char *suffix;
    uint64_t mul;
};

/* A number followed by one of units (case-insensitive), the first unit
 * being the one of a bare number. */
static int parse_with_unit(const char *s, const struct unit *units,
                           uint64_t *out)
{
    char buf[32];
    const char *p;
    uint64_t n;

    if (hf_trim_copy(s, buf, sizeof(buf)) < 0)
        return -1;
    p = read_digits(buf, &n);
    if (p == NULL)
        return -1;
    for (const struct unit *u = units; u->suffix; u++) {
        if (strcasecmp(p, u->suffix) != 0)
            continue;
        if (n > UINT64_MAX / u->mul)
            return -1;
        *out = n * u->mul;
        return 0;
    }
    return -1;
}

int hf_parse_duration_ms(const char *s, uint64_t *out)
{
    static const struct unit units[] = {
        {"", 1000}, {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000},
        {NULL, 0},
    };
    return parse_with_unit(s, units, out);
}

int hf_parse_size(const char *s, uint64_t *out)
{
    static const struct unit units[] = {
        {"", 1}, {"k", 1024}, {"m", 1024 * 1024}, {"g", 1024 * 1024 * 1024},
        {NULL, 0},
    };
    return parse_with_unit(s, units, out);
}

int hf_parse_uint(const char *s, uint64_t *out)
{
    static const struct unit units[] = {{"", 1}, {NULL, 0}};
    return parse_with_unit(s, units, out);
}

int hf_parse_bool(const char *s, bool *out)
{
    static const struct {
        const char *word;
        bool value;
    } words[] = {
        {"on", true},   {"off", false}, {"yes", true}, {"no", false},
        {"true", true}, {"false", false}, {"1", true},  {"0", false},
    };
    char buf[8];

    if (hf_trim_copy(s, buf, sizeof(buf)) < 0)
        return -1;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strcasecmp(buf, words[i].word) == 0) {
            *out = words[i].value;
            return 0;
        }
    }
    return -1;
}

static bool all_digits(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

/* Splits buf in place into host and port. Returns NULL or the reason. */
static const char *split_host_port(char *buf, const char *default_host,
                                   const char **host, const char **port,
                                   bool *bracketed)
{
    char *colon;

    *bracketed = false;
    if (all_digits(buf)) {
        if (default_host == NULL)
            return "missing host (HOST:PORT)";
        *host = default_host;
        *port = buf;
        return NULL;
    }
    if (buf[0] == '[') {
        char *close = strchr(buf, ']');
        if (close == NULL)
            return "missing ']' after IPv6 address";
        if (close[1] != ':')
            return "missing port ([IPv6]:PORT)";
        *close = '\0';
        *host = buf + 1;
        *port = close + 2;
        *bracketed = true;
    } else {
        colon = strrchr(buf, ':');
        if (colon == NULL)
            return "missing port (HOST:PORT)";
        *colon = '\0';
        if (strchr(buf, ':'))
            return "IPv6 addresses need brackets ([ADDR]:PORT)";
        *host = strcmp(buf, "*") == 0 ? "0.0.0.0" : buf;
        *port = colon + 1;
    }
    if (**host == '\0')
        return "missing host";
    return NULL;
}

static void format_addr(hf_addr_t *a)
{
    char ip[INET6_ADDRSTRLEN];

    if (a->sa.ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&a->sa;
        inet_ntop(AF_INET6, &s6->sin6_addr, ip, sizeof(ip));
        snprintf(a->text, sizeof(a->text), "[%s]:%u", ip,
                 (unsigned)ntohs(s6->sin6_port));
    } else {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)&a->sa;
        inet_ntop(AF_INET, &s4->sin_addr, ip, sizeof(ip));
        snprintf(a->text, sizeof(a->text), "%s:%u", ip,
                 (unsigned)ntohs(s4->sin_port));
    }
}

/* "unix:/PATH": a Unix-domain socket, as gunicorn, unicorn and uWSGI bind.
 * The path must be absolute (holdfast's working directory is nobody's
 * business, and systemd starts it in /) and fit sun_path with its NUL. It
 * is refused with a space, a quote, a backslash or a control byte, so that
 * the address prints as it is in log lines and metric labels. */
static const char *parse_unix(const char *path, hf_addr_t *a)
{
    struct sockaddr_un *un = (struct sockaddr_un *)&a->sa;
    size_t len = strlen(path);

    if (len == 0)
        return "missing path after unix:";
    if (path[0] != '/')
        return "a Unix socket path must be absolute (unix:/run/app.sock)";
    if (len >= sizeof(un->sun_path))
        return "Unix socket path too long (at most 107 bytes)";
    for (const char *p = path; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= ' ' || c == 0x7f || c == '"' || c == '\\')
            return "Unix socket path has a space, quote, backslash or "
                   "control character";
    }
    memset(a, 0, sizeof(*a));
    un->sun_family = AF_UNIX;
    memcpy(un->sun_path, path, len + 1);
    a->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
    snprintf(a->text, sizeof(a->text), "unix:%s", path);
    return NULL;
}

int hf_parse_addr(const char *s, const char *default_host, hf_addr_t *out,
                  const char **why)
{
    char buf[320];
    const char *host, *port, *reason, *ignored;
    struct addrinfo hints, *res;
    uint64_t portnum;
    bool bracketed;
    hf_addr_t a;
    int rc;

    if (why == NULL)
        why = &ignored;
    rc = hf_trim_copy(s, buf, sizeof(buf));
    if (rc < 0) {
        *why = rc == -1 ? "empty address" : "address too long";
        return -1;
    }
    if (strncmp(buf, "unix:", 5) == 0) {
        reason = parse_unix(buf + 5, &a);
        if (reason != NULL) {
            *why = reason;
            return -1;
        }
        *out = a;
        return 0;
    }
    reason = split_host_port(buf, default_host, &host, &port, &bracketed);
    if (reason == NULL &&
        (!all_digits(port) || strlen(port) > 5 ||
         hf_parse_uint(port, &portnum) < 0 || portnum < 1 || portnum > 65535))
        reason = "port must be a number from 1 to 65535";
    if (reason) {
        *why = reason;
        return -1;
    }

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = bracketed ? AF_INET6 : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    /* The port is checked above; brackets only ever hold an IPv6 literal. */
    hints.ai_flags = AI_NUMERICSERV | (bracketed ? AI_NUMERICHOST : 0);
    rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        *why = bracketed ? "bad IPv6 address" : gai_strerror(rc);
        return -1;
    }
    memset(&a, 0, sizeof(a));
    memcpy(&a.sa, res->ai_addr, res->ai_addrlen);
    a.len = res->ai_addrlen;
    freeaddrinfo(res);
    format_addr(&a);
    *out = a;
    return 0;
}
