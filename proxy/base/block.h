/* Fixed-size I/O blocks from a process-wide freelist. Reads land in blocks;
 * a connection holds one only while it is in the middle of a request, so an
 * idle connection costs no buffer. */
#ifndef HF_BLOCK_H
#define HF_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#define HF_BLOCK_SIZE (16 * 1024)

typedef struct hf_block {
    struct hf_block *next; /* freelist or body chain */
    uint32_t pos;          /* first unconsumed byte */
    uint32_t last;         /* one past the last filled byte */
    char data[HF_BLOCK_SIZE];
} hf_block_t;

/* Returns an empty block (pos = last = 0), or NULL when memory is out. */
hf_block_t *hf_block_get(void);

/* Gives a block back. NULL is fine. */
void hf_block_put(hf_block_t *b);

/* Frees every block kept on the freelist (at exit, so leak checkers see a
 * clean heap). */
void hf_block_drain(void);

/* Blocks handed out and not yet given back. */
extern size_t hf_blocks_in_use;

#endif
