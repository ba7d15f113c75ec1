/* The key table: one row per configuration key, the only place a key is
 * named, with its parser kind, field, default and bounds. */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

#define GOFF(f) offsetof(hf_global_conf_t, f)
#define MOFF(f) offsetof(hf_mapping_conf_t, f)
/* A year: effectively forever, and far from overflow once added to a clock. */
#define MAX_MS (8760ull * 3600 * 1000)
/* Counts and limits stay within an int, so the proxy's arithmetic can't wrap. */
#define MAX_COUNT ((uint64_t)INT32_MAX)

static const char *const log_levels[] = {"error", "warn", "info", "debug",
                                         NULL};
static const char *const log_formats[] = {"text", "json", NULL};
static const char *const http_versions[] = {"1.0", "1.1", NULL};

_Static_assert(sizeof(enum hf_log_level) == sizeof(int), "enum is an int");
_Static_assert(sizeof(enum hf_access_log_format) == sizeof(int),
               "enum is an int");

/* clang-format off */
const hf_key_t hf_keys[] = {
    /* [global] */
    {.scope = HF_SCOPE_GLOBAL, .name = "log_level", .kind = HF_K_ENUM,
     .off = GOFF(log_level), .def = "info", .choices = log_levels},
    {.scope = HF_SCOPE_GLOBAL, .name = "access_log", .kind = HF_K_STRING,
     .off = GOFF(access_log), .def = "stdout",
     .flags = HF_F_OFF_NULL | HF_F_STDOUT},
    {.scope = HF_SCOPE_GLOBAL, .name = "access_log_format", .kind = HF_K_ENUM,
     .off = GOFF(access_log_format), .def = "text", .choices = log_formats},
    {.scope = HF_SCOPE_GLOBAL, .name = "admin", .kind = HF_K_OPT_ADDR,
     .off = GOFF(admin), .off2 = GOFF(admin_on), .def = "off",
     .host = "127.0.0.1"},
    {.scope = HF_SCOPE_GLOBAL, .name = "max_clients", .kind = HF_K_UINT,
     .off = GOFF(max_clients), .def = "10000", .min = 1, .max = MAX_COUNT},
    {.scope = HF_SCOPE_GLOBAL, .name = "shutdown_timeout", .kind = HF_K_DURATION,
     .off = GOFF(shutdown_timeout_ms), .def = "30s", .min = 0, .max = MAX_MS},
    {.scope = HF_SCOPE_GLOBAL, .name = "drain_delay", .kind = HF_K_DURATION,
     .off = GOFF(drain_delay_ms), .def = "0s", .min = 0, .max = MAX_MS},
    {.scope = HF_SCOPE_GLOBAL, .name = "temp_dir", .kind = HF_K_STRING,
     .off = GOFF(temp_dir), .def = "/tmp"},
    {.scope = HF_SCOPE_GLOBAL, .name = "statsd", .kind = HF_K_OPT_ADDR,
     .off = GOFF(statsd), .off2 = GOFF(statsd_on), .def = "off",
     .host = "127.0.0.1"},
    {.scope = HF_SCOPE_GLOBAL, .name = "max_spill", .kind = HF_K_SIZE,
     .off = GOFF(max_spill), .def = "4g", .min = 0, .max = UINT64_MAX},

    /* mappings */
    {.scope = HF_SCOPE_MAPPING, .name = "listen", .kind = HF_K_ADDR,
     .off = MOFF(listen), .def = NULL, .host = "0.0.0.0"},
    {.scope = HF_SCOPE_MAPPING, .name = "backend", .kind = HF_K_ADDR_LIST,
     .off = MOFF(backends), .off2 = MOFF(nbackends), .def = NULL,
     .host = "127.0.0.1", .max = HF_MAX_BACKENDS},
    {.scope = HF_SCOPE_MAPPING, .name = "backend_max_conns", .kind = HF_K_UINT,
     .off = MOFF(backend_max_conns), .def = "1", .min = 1, .max = MAX_COUNT},
    /* 0 is allowed: no queue, 503 when no backend slot is free. */
    {.scope = HF_SCOPE_MAPPING, .name = "queue_size", .kind = HF_K_UINT,
     .off = MOFF(queue_size), .def = "1024", .min = 0, .max = MAX_COUNT},
    /* A timeout of 0 would fail every request or connection at once. */
    {.scope = HF_SCOPE_MAPPING, .name = "queue_timeout", .kind = HF_K_DURATION,
     .off = MOFF(queue_timeout_ms), .def = "30s", .min = 1, .max = MAX_MS},
    {.scope = HF_SCOPE_MAPPING, .name = "client_idle_timeout",
     .kind = HF_K_DURATION, .off = MOFF(client_idle_timeout_ms), .def = "75s",
     .min = 1, .max = MAX_MS},
    {.scope = HF_SCOPE_MAPPING, .name = "client_header_timeout",
     .kind = HF_K_DURATION, .off = MOFF(client_header_timeout_ms),
     .def = "10s", .min = 1, .max = MAX_MS},
    {.scope = HF_SCOPE_MAPPING, .name = "client_body_timeout",
     .kind = HF_K_DURATION, .off = MOFF(client_body_timeout_ms), .def = "30s",
     .min = 1, .max = MAX_MS},
    {.scope = HF_SCOPE_MAPPING, .name = "backend_connect_timeout",
     .kind = HF_K_DURATION, .off = MOFF(backend_connect_timeout_ms),
     .def = "5s", .min = 1, .max = MAX_MS},
    {.scope = HF_SCOPE_MAPPING, .name = "backend_timeout",
     .kind = HF_K_DURATION, .off = MOFF(backend_timeout_ms), .def = "60s",
     .min = 1, .max = MAX_MS},
    /* http-parser is compiled with an 80k header limit: stay below it. */
    {.scope = HF_SCOPE_MAPPING, .name = "max_header_size", .kind = HF_K_SIZE,
     .off = MOFF(max_header_size), .def = "16k", .min = 1024, .max = 65536},
    {.scope = HF_SCOPE_MAPPING, .name = "max_body_size", .kind = HF_K_SIZE,
     .off = MOFF(max_body_size), .def = "10m", .min = 0, .max = UINT64_MAX},
    {.scope = HF_SCOPE_MAPPING, .name = "body_buffer_size", .kind = HF_K_SIZE,
     .off = MOFF(body_buffer_size), .def = "64k", .min = 1,
     .max = UINT64_MAX},
    {.scope = HF_SCOPE_MAPPING, .name = "backend_http_version",
     .kind = HF_K_ENUM, .off = MOFF(backend_http_minor), .def = "1.1",
     .choices = http_versions},
    {.scope = HF_SCOPE_MAPPING, .name = "forwarded_for", .kind = HF_K_BOOL,
     .off = MOFF(forwarded_for), .def = "on"},
    {.scope = HF_SCOPE_MAPPING, .name = "proxy_protocol", .kind = HF_K_BOOL,
     .off = MOFF(proxy_protocol), .def = "off"},
    {.scope = HF_SCOPE_MAPPING, .name = "health_path", .kind = HF_K_STRING,
     .off = MOFF(health_path), .def = "off",
     .flags = HF_F_OFF_NULL | HF_F_URL_PATH},
    {.scope = HF_SCOPE_MAPPING, .name = "health_check", .kind = HF_K_STRING,
     .off = MOFF(health_check), .def = "off",
     .flags = HF_F_OFF_NULL | HF_F_URL_PATH},
    {.scope = HF_SCOPE_MAPPING, .name = "health_interval",
     .kind = HF_K_DURATION, .off = MOFF(health_interval_ms), .def = "5s",
     .min = 1, .max = MAX_MS},
    {.scope = HF_SCOPE_MAPPING, .name = "request_id", .kind = HF_K_HEADER,
     .off = MOFF(request_id), .def = "off"},
    {.scope = HF_SCOPE_MAPPING, .name = "request_start", .kind = HF_K_BOOL,
     .off = MOFF(request_start), .def = "off"},
    {.scope = HF_SCOPE_MAPPING, .name = "max_response_size", .kind = HF_K_SIZE,
     .off = MOFF(max_response_size), .def = "off", .min = 1,
     .max = UINT64_MAX, .flags = HF_F_OFF_ZERO},
    {.scope = HF_SCOPE_MAPPING, .name = "trusted_proxies",
     .kind = HF_K_CIDR_LIST, .off = MOFF(trusted_proxies),
     .off2 = MOFF(ntrusted_proxies), .def = "off", .max = 256},
};
/* clang-format on */

const size_t hf_nkeys = sizeof(hf_keys) / sizeof(hf_keys[0]);

const hf_key_t *hf_key_find(enum hf_scope scope, const char *name)
{
    for (size_t i = 0; i < hf_nkeys; i++)
        if (hf_keys[i].scope == scope && strcmp(hf_keys[i].name, name) == 0)
            return &hf_keys[i];
    return NULL;
}


/* Every owned field of a mapping's conf comes from a row of the table
 * (strings and address lists) except its name, so copy and free walk the
 * table: a new key needs no change here. */
static bool owned(const hf_key_t *k)
{
    return k->scope == HF_SCOPE_MAPPING &&
           (k->kind == HF_K_STRING || k->kind == HF_K_ADDR_LIST ||
            k->kind == HF_K_CIDR_LIST);
}

void hf_mapping_conf_free(hf_mapping_conf_t *c)
{
    for (size_t i = 0; i < hf_nkeys; i++)
        if (owned(&hf_keys[i]))
            free(*(void **)((char *)c + hf_keys[i].off));
    free(c->name);
    memset(c, 0, sizeof(*c));
}

int hf_mapping_conf_copy(hf_mapping_conf_t *dst, const hf_mapping_conf_t *src)
{
    bool ok;

    /* Owned fields start NULL so a failure part-way frees only copies. */
    *dst = *src;
    for (size_t i = 0; i < hf_nkeys; i++)
        if (owned(&hf_keys[i]))
            *(void **)((char *)dst + hf_keys[i].off) = NULL;
    dst->name = strdup(src->name);
    ok = dst->name != NULL;
    for (size_t i = 0; i < hf_nkeys && ok; i++) {
        const hf_key_t *k = &hf_keys[i];
        const void *from;
        void **to;

        if (!owned(k))
            continue;
        from = *(void *const *)((const char *)src + k->off);
        to = (void **)((char *)dst + k->off);
        if (from == NULL)
            continue;
        if (k->kind == HF_K_STRING) {
            *to = strdup(from);
        } else {
            size_t n = *(const size_t *)((const char *)src + k->off2);
            size_t each = k->kind == HF_K_CIDR_LIST ? sizeof(hf_cidr_t)
                                                    : sizeof(hf_addr_t);
            *to = malloc(n ? n * each : 1);
            if (*to != NULL)
                memcpy(*to, from, n * each);
        }
        ok = *to != NULL;
    }
    if (!ok) {
        hf_mapping_conf_free(dst);
        return -1;
    }
    return 0;
}
