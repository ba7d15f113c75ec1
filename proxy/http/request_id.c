#include "request_id.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include <uv.h>

/* One getrandom(2) call serves 256 ids. */
static unsigned char pool[4096];
static size_t pool_pos = sizeof(pool);

/* Fills the pool. getrandom only fails before the kernel's entropy pool is
 * initialised (early boot) or without the syscall; ids then need only be
 * unique, not secret, so the clock and a counter stand in. */
static void refill(void)
{
    static uint64_t counter;
    size_t got = 0;

    while (got < sizeof(pool)) {
        ssize_t n = getrandom(pool + got, sizeof(pool) - got, GRND_NONBLOCK);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    for (; got < sizeof(pool); got += 8) {
        /* splitmix64 over hrtime and a counter */
        uint64_t z = uv_hrtime() + (++counter) * 0x9e3779b97f4a7c15ull;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        memcpy(pool + got, &z, 8);
    }
    pool_pos = 0;
}

void hf_request_id_make(char out[33])
{
    static const char hex[] = "0123456789abcdef";

    if (pool_pos + 16 > sizeof(pool))
        refill();
    for (int i = 0; i < 16; i++) {
        unsigned char b = pool[pool_pos + (size_t)i];
        out[2 * i] = hex[b >> 4];
        out[2 * i + 1] = hex[b & 15];
    }
    /* Used bytes are wiped: an id is never handed out twice. */
    memset(pool + pool_pos, 0, 16);
    pool_pos += 16;
    out[32] = '\0';
}

bool hf_request_id_valid(const char *v, size_t n)
{
    if (n == 0 || n > HF_REQUEST_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!hf_is_tchar((unsigned char)v[i]))
            return false;
    return true;
}

void hf_request_id_pick(const hf_head_t *h, const char *name,
                        char out[HF_REQUEST_ID_MAX + 1])
{
    size_t len = strlen(name);
    const hf_field_t *found = NULL;

    for (uint32_t i = 0; i < h->nfields; i++) {
        const hf_field_t *f = &h->fields[i];
        if (f->name_len != len ||
            strncasecmp(h->buf + f->name_off, name, len) != 0)
            continue;
        if (found != NULL) {
            found = NULL; /* two ids: neither is trusted */
            break;
        }
        found = f;
    }
    if (found != NULL &&
        hf_request_id_valid(h->buf + found->value_off, found->value_len)) {
        memcpy(out, h->buf + found->value_off, found->value_len);
        out[found->value_len] = '\0';
        return;
    }
    hf_request_id_make(out);
}

uint64_t hf_request_id_unix_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
