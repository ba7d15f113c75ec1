#include "pool.h"

#include <stdlib.h>

#include "log.h"

void hf_backend_addr_unref(hf_backend_addr_t *a)
{
    if (--a->refs == 0)
        free(a);
}

static hf_backend_addr_t *take_matching(hf_pool_t *p, const hf_addr_t *addr)
{
    for (size_t j = 0; j < p->naddrs; j++) {
        hf_backend_addr_t *a = p->addrs[j];
        if (a != NULL && hf_addr_equal(&a->addr, addr)) {
            p->addrs[j] = NULL;
            return a;
        }
    }
    return NULL;
}

int hf_pool_set(hf_pool_t *p, const hf_addr_t *addrs, size_t n)
{
    hf_backend_addr_t **na = calloc(n ? n : 1, sizeof(*na));

    if (na == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        na[i] = calloc(1, sizeof(**na));
        if (na[i] == NULL) {
            for (size_t k = 0; k < i; k++)
                free(na[k]);
            free(na);
            return -1;
        }
    }
    /* Nothing fails past here: swap in kept addresses. */
    for (size_t i = 0; i < n; i++) {
        hf_backend_addr_t *kept = take_matching(p, &addrs[i]);
        if (kept != NULL) {
            free(na[i]);
            na[i] = kept;
        } else {
            na[i]->addr = addrs[i];
            na[i]->refs = 1;
        }
    }
    hf_pool_free(p);
    p->addrs = na;
    p->naddrs = n;
    return 0;
}

void hf_pool_free(hf_pool_t *p)
{
    for (size_t j = 0; j < p->naddrs; j++)
        if (p->addrs[j] != NULL)
            hf_backend_addr_unref(p->addrs[j]);
    free(p->addrs);
    p->addrs = NULL;
    p->naddrs = 0;
}

bool hf_pool_addr_usable(const hf_backend_addr_t *a) { return !a->down; }

size_t hf_pool_usable(const hf_pool_t *p)
{
    size_t n = 0;

    for (size_t i = 0; i < p->naddrs; i++)
        n += hf_pool_addr_usable(p->addrs[i]);
    return n;
}

size_t hf_pool_revivable(const hf_pool_t *p)
{
    size_t n = 0;

    for (size_t i = 0; i < p->naddrs; i++)
        n += p->addrs[i]->down && !p->addrs[i]->probe_down;
    return n;
}

hf_backend_addr_t *hf_pool_pick(const hf_pool_t *p, uint64_t tried,
                                uint32_t max_conns, bool *all_down)
{
    hf_backend_addr_t *best = NULL;

    *all_down = true;
    for (size_t i = 0; i < p->naddrs; i++) {
        hf_backend_addr_t *a = p->addrs[i];
        if (i < 64 && (tried & (UINT64_C(1) << i)))
            continue;
        if (!hf_pool_addr_usable(a))
            continue;
        *all_down = false;
        if (a->in_flight >= max_conns)
            continue;
        if (best == NULL || a->in_flight < best->in_flight ||
            (a->in_flight == best->in_flight && a->requests < best->requests))
            best = a;
    }
    return best;
}

uint64_t hf_pool_bit(const hf_pool_t *p, const hf_backend_addr_t *a)
{
    for (size_t i = 0; i < p->naddrs && i < 64; i++)
        if (p->addrs[i] == a)
            return UINT64_C(1) << i;
    return 0;
}

void hf_pool_take(hf_backend_addr_t *a, bool probe)
{
    a->refs++;
    a->in_flight++;
    if (probe)
        a->probing = true;
    else
        a->requests++;
}

void hf_pool_release(hf_backend_addr_t *a, bool probe)
{
    a->in_flight--;
    if (probe)
        a->probing = false;
}

void hf_pool_mark_up(hf_backend_addr_t *a, const char *who)
{
    if (a->down)
        hf_log_info("[%s] backend %s up", who, a->addr.text);
    a->down = false;
    a->probe_down = false;
    a->fails = 0;
}

void hf_pool_mark_failed(hf_backend_addr_t *a, const char *who)
{
    a->fails++;
    if (!a->down)
        hf_log_warn("[%s] backend %s down: reconnecting", who, a->addr.text);
    a->down = true;
}

/* One connection in this many to a backend whose responses came in pieces
 * is read normally, so a backend that changed (a new release that writes
 * its answers at once) is noticed within a few dozen requests. */
#define HF_POOL_SAMPLE 32

bool hf_pool_defer_reads(hf_backend_addr_t *a)
{
    if (!a->in_pieces)
        return false;
    if (++a->since_sample >= HF_POOL_SAMPLE) {
        a->since_sample = 0;
        return false;
    }
    return true;
}

/* A backend that writes apart is still read in one go when holdfast is
 * slower to look than it is to write (under load, when deferring matters
 * most): so one response in pieces marks it, and only this many sampled
 * responses in one piece in a row clear the mark. */
#define HF_POOL_WHOLE_TO_CLEAR 8

void hf_pool_note_reads(hf_backend_addr_t *a, unsigned reads)
{
    if (reads > 1) {
        a->in_pieces = true;
        a->whole_in_row = 0;
    } else if (a->in_pieces && ++a->whole_in_row >= HF_POOL_WHOLE_TO_CLEAR) {
        a->in_pieces = false;
        a->whole_in_row = 0;
    }
}

void hf_pool_set_reviving(hf_backend_addr_t *a, bool on) { a->reviving = on; }

void hf_pool_mark_probe_failed(hf_backend_addr_t *a, const char *who,
                               const char *why)
{
    if (!a->down)
        hf_log_warn("[%s] backend %s down: health check %s", who,
                    a->addr.text, why);
    a->down = true;
    /* Until a probe passes: an app that accepts connections but fails its
     * health path is not brought back by a bare reconnect. */
    a->probe_down = true;
}
