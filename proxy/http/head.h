/* A parsed message head in holdfast's own terms: names and values copied
 * into the head's arena and addressed by offsets, so the bytes they came
 * from can be reused as soon as the parser callback returns. Shared by
 * requests and responses; knows nothing of the parser. */
#ifndef HF_HEAD_H
#define HF_HEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "block.h"

#define HF_HEAD_INLINE_FIELDS 24

typedef struct hf_field {
    uint32_t name_off, name_len;
    uint32_t value_off, value_len;
} hf_field_t;

typedef struct hf_head {
    char *buf;         /* arena: a block's data, or malloc'd once it grew */
    hf_block_t *blk;   /* the block behind buf, NULL once it grew */
    uint32_t len;      /* bytes used in buf */
    uint32_t cap;      /* bytes available in buf */
    uint32_t limit;    /* most bytes the arena may hold */
    hf_field_t *fields;
    uint32_t nfields;
    uint32_t fields_cap;
    hf_field_t inline_fields[HF_HEAD_INLINE_FIELDS];
} hf_head_t;

/* An empty head whose arena may grow to limit bytes; allocates nothing
 * until the first append. */
void hf_head_init(hf_head_t *h, uint32_t limit);

/* Frees the arena and the field array; h may be initialised again. */
void hf_head_free(hf_head_t *h);

/* Appends bytes to the arena. Returns 0, -1 past the limit, -2 out of
 * memory. Offsets stay valid; pointers into buf do not. */
int hf_head_append(hf_head_t *h, const char *p, size_t n);

/* Appends a copy of n arena bytes from off: safe across a move of buf. */
int hf_head_append_from(hf_head_t *h, uint32_t off, size_t n);

/* Starts a new field whose name begins at the arena's end. Returns 0 or -2
 * out of memory. */
int hf_head_new_field(hf_head_t *h);

static inline const char *hf_head_str(const hf_head_t *h, uint32_t off)
{
    return h->buf + off;
}

/* Case-insensitive comparison of a field name with a lower-case literal. */
bool hf_field_name_is(const hf_head_t *h, const hf_field_t *f,
                      const char *lower);

/* The first field of that name (lower-case), or NULL. */
const hf_field_t *hf_head_find(const hf_head_t *h, const char *lower);

/* Calls fn for each comma-separated element of the value, trimmed of
 * optional white space; empty elements are passed too (len 0). Stops and
 * returns the first non-zero value fn returns. */
typedef int (*hf_token_fn)(void *ud, const char *tok, size_t len);
int hf_value_tokens(const char *v, size_t len, hf_token_fn fn, void *ud);

/* True if the value's comma list holds token (lower-case), any case. */
bool hf_value_has_token(const char *v, size_t len, const char *lower);

/* True for the hop-by-hop headers RFC 9110 §7.6.1 names, which a proxy
 * never forwards: Connection, Keep-Alive, Proxy-Connection, TE, Trailer,
 * Transfer-Encoding, Upgrade; plus Expect, which holdfast answers itself. */
bool hf_field_is_hop_by_hop(const hf_head_t *h, const hf_field_t *f);

/* True if a Connection field of h names this field (a hop-by-hop header
 * of the sender's choosing). */
bool hf_field_named_by_connection(const hf_head_t *h, const hf_field_t *f);

/* RFC 9110 §5.6.2 tchar. */
bool hf_is_tchar(unsigned char c);

#endif
