/* holdfast configuration: the parsed, validated form of the ini file.
 *
 * This module knows nothing of libuv or of the proxy. It turns a file (or the
 * command line) into an hf_config_t, reporting every error it finds as
 * "FILE:LINE: key: message" through the caller's error callback. Values are
 * already converted: durations in milliseconds, sizes in bytes, addresses
 * resolved to sockaddrs.
 */
#ifndef HF_CONFIG_H
#define HF_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#define HF_MAX_BACKENDS 64 /* a request's tried-address set is a 64-bit mask */
#define HF_HEADER_NAME_MAX 64 /* longest header name a key may give */

enum hf_log_level {
    HF_LOG_ERROR = 0,
    HF_LOG_WARN = 1,
    HF_LOG_INFO = 2,
    HF_LOG_DEBUG = 3,
};

enum hf_access_log_format {
    HF_ACCESS_LOG_TEXT = 0,
    HF_ACCESS_LOG_JSON = 1,
};

typedef struct hf_addr {
    struct sockaddr_storage sa; /* resolved address, port included */
    socklen_t len;              /* length of the sockaddr in sa */
    char text[128];             /* "127.0.0.1:8080", "[::1]:8080" or
                                   "unix:/run/app.sock", for logs */
} hf_addr_t;

/* An address range: family, prefix length, address with the host bits
 * clear. */
typedef struct hf_cidr {
    uint8_t family; /* AF_INET or AF_INET6 */
    uint8_t bits;   /* prefix length */
    uint8_t addr[16];
} hf_cidr_t;

typedef struct hf_mapping_conf {
    char *name; /* section name */
    int line;   /* line of the section header, for messages */
    hf_addr_t listen;
    hf_addr_t *backends; /* nbackends entries, in file order */
    size_t nbackends;
    uint32_t backend_max_conns;
    uint32_t queue_size;
    uint64_t queue_timeout_ms;
    uint64_t client_idle_timeout_ms;
    uint64_t client_header_timeout_ms;
    uint64_t client_body_timeout_ms;
    uint64_t backend_connect_timeout_ms;
    uint64_t backend_timeout_ms;
    uint64_t max_header_size;
    uint64_t max_body_size;
    uint64_t body_buffer_size;
    int backend_http_minor; /* 0 or 1: HTTP/1.0 or HTTP/1.1 to the backend */
    bool forwarded_for;
    bool proxy_protocol;
    char *health_path;  /* NULL when off */
    char *health_check; /* NULL when off */
    uint64_t health_interval_ms;
    char request_id[HF_HEADER_NAME_MAX + 1]; /* header name; "" when off */
    bool request_start; /* add X-Request-Start: t=<µs> */
    uint64_t max_response_size; /* response body bytes; 0 when off */
    hf_cidr_t *trusted_proxies; /* ntrusted_proxies ranges; NULL when none */
    size_t ntrusted_proxies;
} hf_mapping_conf_t;

typedef struct hf_global_conf {
    enum hf_log_level log_level;
    char *access_log; /* "stdout", or a file path; NULL when off */
    enum hf_access_log_format access_log_format;
    bool admin_on;
    hf_addr_t admin;
    uint32_t max_clients;
    uint64_t shutdown_timeout_ms;
    uint64_t drain_delay_ms; /* SIGTERM: keep serving, health 503, first */
    char *temp_dir;
    bool statsd_on;
    hf_addr_t statsd;
    uint64_t max_spill;
} hf_global_conf_t;

typedef struct hf_config {
    char *path; /* file it came from; NULL for command line or built-in */
    hf_global_conf_t global;
    hf_mapping_conf_t *mappings; /* nmappings entries, in file order */
    size_t nmappings;
} hf_config_t;

/* Receives one complete error message, already formatted as
 * "FILE:LINE: key: message" (no trailing newline). */
typedef void (*hf_config_error_fn)(void *ud, const char *msg);

/* Reads and validates the ini file at path. Every error found is reported
 * through err (all of them, not only the first). Returns the number of errors;
 * on 0, *out holds a config the caller frees with hf_config_free(), otherwise
 * *out is NULL. */
int hf_config_load(const char *path, hf_config_t **out, hf_config_error_fn err,
                   void *ud);

/* hf_config_load, and also what would fail only once the daemon starts
 * (holdfast -t): an access log that cannot be opened for append, a
 * temp_dir that is not a writable directory. Creates and writes nothing. */
int hf_config_check(const char *path, hf_config_t **out,
                    hf_config_error_fn err, void *ud);

/* Writes every key with its default, by section, for --help. */
void hf_config_print_keys(FILE *f);

/* Builds a config of one mapping from --listen and --backend values (backend
 * may be a comma-separated list), every other setting at its default. Errors
 * are reported as "--listen: message" / "--backend: message". Returns the
 * number of errors, as hf_config_load. */
int hf_config_from_args(const char *listen, const char *backend,
                        hf_config_t **out, hf_config_error_fn err, void *ud);

/* Frees a config and everything it owns. NULL is fine. */
void hf_config_free(hf_config_t *cfg);

/* True when a and b are the same address and port. */
/* A mapping's conf owns its strings and address list: a deep copy that a
 * running mapping keeps across reloads. Returns 0, or -1 out of memory
 * (dst then holds nothing). */
int hf_mapping_conf_copy(hf_mapping_conf_t *dst, const hf_mapping_conf_t *src);
void hf_mapping_conf_free(hf_mapping_conf_t *c);

static inline bool hf_addr_equal(const hf_addr_t *a, const hf_addr_t *b)
{
    return a->len == b->len && memcmp(&a->sa, &b->sa, a->len) == 0;
}

/* Value parsers, exposed for the unit tests and the command line. Each returns
 * 0 and stores the value, or -1 and leaves *out untouched. */
int hf_parse_duration_ms(const char *s, uint64_t *out); /* "10s", "250ms", "5" */
int hf_parse_size(const char *s, uint64_t *out);        /* "64k", "10m", "512" */
int hf_parse_bool(const char *s, bool *out);
/* "ADDR" or "ADDR/BITS", IPv4 or IPv6 (cidr.c). */
int hf_parse_cidr(const char *s, hf_cidr_t *out);

/* True when addr (4 or 16 bytes of family) is in one of the n ranges. */
bool hf_cidr_contains(const hf_cidr_t *list, size_t n, int family,
                      const uint8_t *addr);
/* "PORT", "HOST:PORT", "[V6]:PORT" or "unix:/PATH" (an AF_UNIX sockaddr;
 * only backend lists accept it); a bare port gets default_host. Host names
 * are resolved (first result). On failure, *why says what was wrong. */
int hf_parse_addr(const char *s, const char *default_host, hf_addr_t *out,
                  const char **why);

#endif
