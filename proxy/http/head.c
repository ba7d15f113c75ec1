#include "head.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void hf_head_init(hf_head_t *h, uint32_t limit)
{
    h->buf = NULL;
    h->blk = NULL;
    h->len = 0;
    h->cap = 0;
    h->limit = limit;
    h->fields = h->inline_fields;
    h->nfields = 0;
    h->fields_cap = HF_HEAD_INLINE_FIELDS;
}

void hf_head_free(hf_head_t *h)
{
    if (h->blk != NULL)
        hf_block_put(h->blk);
    else
        free(h->buf);
    if (h->fields != h->inline_fields)
        free(h->fields);
    hf_head_init(h, h->limit);
}

static int grow(hf_head_t *h, size_t need)
{
    size_t cap;
    char *nb;

    if (h->buf == NULL && need <= HF_BLOCK_SIZE) {
        h->blk = hf_block_get();
        if (h->blk == NULL)
            return -2;
        h->buf = h->blk->data;
        h->cap = HF_BLOCK_SIZE;
        return 0;
    }
    cap = h->cap ? (size_t)h->cap * 2 : HF_BLOCK_SIZE;
    while (cap < need)
        cap *= 2;
    if (cap > h->limit)
        cap = h->limit;
    nb = malloc(cap);
    if (nb == NULL)
        return -2;
    if (h->len > 0)
        memcpy(nb, h->buf, h->len);
    if (h->blk != NULL) {
        hf_block_put(h->blk);
        h->blk = NULL;
    } else {
        free(h->buf);
    }
    h->buf = nb;
    h->cap = (uint32_t)cap;
    return 0;
}

int hf_head_append(hf_head_t *h, const char *p, size_t n)
{
    size_t need = (size_t)h->len + n;

    if (need > h->limit)
        return -1;
    /* http-parser reports empty pieces too (a status line without a
     * reason): an arena with nothing in it yet has no buf to add 0 to. */
    if (n == 0)
        return 0;
    if (need > h->cap && grow(h, need) != 0)
        return -2;
    memcpy(h->buf + h->len, p, n);
    h->len += (uint32_t)n;
    return 0;
}

int hf_head_append_from(hf_head_t *h, uint32_t off, size_t n)
{
    size_t need = (size_t)h->len + n;

    if (need > h->limit)
        return -1;
    if (need > h->cap && grow(h, need) != 0)
        return -2;
    memmove(h->buf + h->len, h->buf + off, n);
    h->len += (uint32_t)n;
    return 0;
}

int hf_head_new_field(hf_head_t *h)
{
    hf_field_t *f;

    if (h->nfields == h->fields_cap) {
        uint32_t cap = h->fields_cap * 2;
        hf_field_t *nf = malloc(cap * sizeof(*nf));
        if (nf == NULL)
            return -2;
        memcpy(nf, h->fields, h->nfields * sizeof(*nf));
        if (h->fields != h->inline_fields)
            free(h->fields);
        h->fields = nf;
        h->fields_cap = cap;
    }
    f = &h->fields[h->nfields++];
    f->name_off = h->len;
    f->name_len = 0;
    f->value_off = h->len;
    f->value_len = 0;
    return 0;
}

bool hf_field_name_is(const hf_head_t *h, const hf_field_t *f,
                      const char *lower)
{
    size_t n = strlen(lower);
    return f->name_len == n &&
           strncasecmp(h->buf + f->name_off, lower, n) == 0;
}

const hf_field_t *hf_head_find(const hf_head_t *h, const char *lower)
{
    for (uint32_t i = 0; i < h->nfields; i++)
        if (hf_field_name_is(h, &h->fields[i], lower))
            return &h->fields[i];
    return NULL;
}

static bool is_ows(char c) { return c == ' ' || c == '\t'; }

int hf_value_tokens(const char *v, size_t len, hf_token_fn fn, void *ud)
{
    size_t i = 0;

    for (;;) {
        size_t start, end;
        int r;

        while (i < len && is_ows(v[i]))
            i++;
        start = i;
        while (i < len && v[i] != ',')
            i++;
        end = i;
        while (end > start && is_ows(v[end - 1]))
            end--;
        r = fn(ud, v + start, end - start);
        if (r != 0)
            return r;
        if (i >= len)
            return 0;
        i++; /* the comma */
    }
}

struct has_token {
    const char *want;
    size_t len;
};

static int match_token(void *ud, const char *tok, size_t len)
{
    struct has_token *t = ud;
    return len == t->len && strncasecmp(tok, t->want, len) == 0;
}

bool hf_value_has_token(const char *v, size_t len, const char *lower)
{
    struct has_token t = {lower, strlen(lower)};
    return hf_value_tokens(v, len, match_token, &t) != 0;
}

bool hf_field_is_hop_by_hop(const hf_head_t *h, const hf_field_t *f)
{
    /* By length first: this runs for every field of every message. */
    switch (f->name_len) {
    case 2:
        return hf_field_name_is(h, f, "te");
    case 6:
        return hf_field_name_is(h, f, "expect");
    case 7:
        return hf_field_name_is(h, f, "trailer") ||
               hf_field_name_is(h, f, "upgrade");
    case 10:
        return hf_field_name_is(h, f, "connection") ||
               hf_field_name_is(h, f, "keep-alive");
    case 16:
        return hf_field_name_is(h, f, "proxy-connection");
    case 17:
        return hf_field_name_is(h, f, "transfer-encoding");
    default:
        return false;
    }
}

struct named {
    const char *name;
    size_t len;
};

static int match_name(void *ud, const char *tok, size_t len)
{
    struct named *n = ud;
    return len == n->len && strncasecmp(tok, n->name, len) == 0;
}

bool hf_field_named_by_connection(const hf_head_t *h, const hf_field_t *f)
{
    struct named n = {h->buf + f->name_off, f->name_len};

    for (uint32_t i = 0; i < h->nfields; i++) {
        const hf_field_t *c = &h->fields[i];
        if (c->name_len == 10 && hf_field_name_is(h, c, "connection") &&
            hf_value_tokens(h->buf + c->value_off, c->value_len, match_name,
                            &n) != 0)
            return true;
    }
    return false;
}

bool hf_is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9'))
        return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}
