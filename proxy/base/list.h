/* Intrusive circular doubly-linked lists. A node that is in no list points at
 * itself, so hf_list_linked() needs no extra flag and removal is O(1). */
#ifndef HF_LIST_H
#define HF_LIST_H

#include <stdbool.h>
#include <stddef.h>

#define hf_container_of(ptr, type, field)                                      \
    ((type *)(void *)((char *)(ptr) - offsetof(type, field)))

typedef struct hf_list {
    struct hf_list *prev;
    struct hf_list *next;
} hf_list_t;

static inline void hf_list_init(hf_list_t *n) { n->prev = n->next = n; }

static inline bool hf_list_empty(const hf_list_t *h) { return h->next == h; }

static inline bool hf_list_linked(const hf_list_t *n) { return n->next != n; }

static inline void hf_list_remove(hf_list_t *n)
{
    n->prev->next = n->next;
    n->next->prev = n->prev;
    n->prev = n->next = n;
}

static inline void hf_list_insert_tail(hf_list_t *h, hf_list_t *n)
{
    n->prev = h->prev;
    n->next = h;
    h->prev->next = n;
    h->prev = n;
}

static inline void hf_list_insert_head(hf_list_t *h, hf_list_t *n)
{
    n->next = h->next;
    n->prev = h;
    h->next->prev = n;
    h->next = n;
}

#define hf_list_first(h) ((h)->next)

#endif
