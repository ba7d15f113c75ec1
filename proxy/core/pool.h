/* A mapping's backend addresses and the only writer of their state: slots
 * in use, up/down and the passive back-off (as nginx's peer.get/peer.free
 * own failure accounting). Others read the fields and ask here to change
 * them. Needs no loop. */
#ifndef HF_POOL_H
#define HF_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

typedef struct hf_backend_addr {
    hf_addr_t addr;
    uint32_t in_flight;   /* slots in use: requests and probes */
    uint32_t fails;       /* consecutive connect failures */
    bool down;
    bool probe_down;      /* down by a failed health probe: only a
                             passing probe brings it back */
    bool probing;         /* an active health probe is in flight */
    bool reviving;        /* a reconnect attempt is in flight (revive.c) */
    int refs;             /* the pool and each connection holding it */
    uint64_t requests;    /* requests sent to it */
    bool in_pieces;       /* its small responses come in several writes */
    uint32_t since_sample; /* deferred connections since one read normally */
    uint32_t whole_in_row; /* sampled responses in one piece, in a row */
} hf_backend_addr_t;

typedef struct hf_pool {
    hf_backend_addr_t **addrs;
    size_t naddrs;
} hf_pool_t;

/* Sets the addresses, keeping the state (slots in use, health) of those
 * the pool already had; dropped ones live on while a connection holds
 * them. Returns 0, or -1 out of memory with the pool unchanged. */
int hf_pool_set(hf_pool_t *p, const hf_addr_t *addrs, size_t n);

/* Drops the pool's references (the mapping goes). */
void hf_pool_free(hf_pool_t *p);

/* Up: requests may be sent to it. A down address gets none until a
 * reconnect attempt (revive.c) or a health probe finds it back. */
bool hf_pool_addr_usable(const hf_backend_addr_t *a);

/* Addresses usable now. */
size_t hf_pool_usable(const hf_pool_t *p);

/* Addresses down from a refused or failed connect, which reconnect
 * attempts may bring back. */
size_t hf_pool_revivable(const hf_pool_t *p);

/* Least connections over usable addresses not in tried (a bit per index);
 * ties go to the address that has served fewest, which spreads an idle
 * pool round-robin. NULL when every candidate is full; *all_down is set
 * when no untried address is usable at all. */
hf_backend_addr_t *hf_pool_pick(const hf_pool_t *p, uint64_t tried,
                                uint32_t max_conns, bool *all_down);

/* The bit of a in a tried mask (0 past the 64th address). */
uint64_t hf_pool_bit(const hf_pool_t *p, const hf_backend_addr_t *a);

/* Takes a slot of a and a reference, for a request (counted) or a
 * probe. */
void hf_pool_take(hf_backend_addr_t *a, bool probe);

/* Gives the slot back (the reference stays until hf_backend_addr_unref). */
void hf_pool_release(hf_backend_addr_t *a, bool probe);

/* Drops a reference; frees a at the last. */
void hf_backend_addr_unref(hf_backend_addr_t *a);

/* A connection or probe to a succeeded: it is up. who names the mapping
 * in the log. */
void hf_pool_mark_up(hf_backend_addr_t *a, const char *who);

/* A connect to a failed (refused, reset, timed out): down until a
 * reconnect attempt succeeds. */
void hf_pool_mark_failed(hf_backend_addr_t *a, const char *who);

/* A reconnect attempt to a is in flight, or over. */
void hf_pool_set_reviving(hf_backend_addr_t *a, bool on);

/* Whether the next connection to a should defer its reads (read_defer.h):
 * a's small responses were seen to arrive in pieces (a head and a body
 * written apart), so holding the reads back saves it wake-ups; except for
 * one connection in HF_POOL_SAMPLE, read normally to look again. */
bool hf_pool_defer_reads(hf_backend_addr_t *a);

/* A response under the deferral size, on a connection read normally,
 * arrived in this many reads: one in pieces marks a; a run of whole ones
 * clears the mark. */
void hf_pool_note_reads(hf_backend_addr_t *a, unsigned reads);

/* A health probe of a failed: down until a probe succeeds. */
void hf_pool_mark_probe_failed(hf_backend_addr_t *a, const char *who,
                               const char *why);

#endif
