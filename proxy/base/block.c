#include "block.h"

#include <stdlib.h>

/* Enough free blocks to absorb a burst without going back to malloc, few
 * enough that a past burst does not pin memory: 256 x 16 KiB = 4 MiB. */
#define FREELIST_MAX 256

static hf_block_t *freelist;
static size_t nfree;
size_t hf_blocks_in_use;

hf_block_t *hf_block_get(void)
{
    hf_block_t *b = freelist;

    if (b != NULL) {
        freelist = b->next;
        nfree--;
    } else {
        b = malloc(sizeof(*b));
        if (b == NULL)
            return NULL;
    }
    b->next = NULL;
    b->pos = 0;
    b->last = 0;
    hf_blocks_in_use++;
    return b;
}

void hf_block_put(hf_block_t *b)
{
    if (b == NULL)
        return;
    hf_blocks_in_use--;
    if (nfree >= FREELIST_MAX) {
        free(b);
        return;
    }
    b->next = freelist;
    freelist = b;
    nfree++;
}

void hf_block_drain(void)
{
    while (freelist != NULL) {
        hf_block_t *b = freelist;
        freelist = b->next;
        free(b);
    }
    nfree = 0;
}
