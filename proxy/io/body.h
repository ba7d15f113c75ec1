/* A message body, request or response: held in blocks up to a cap
 * (body_buffer_size), the rest appended to an unlinked temp file. Bytes are
 * read back in order, from any offset, for sending.
 *
 * Spill is budgeted process-wide (max_spill bytes, and a number of open temp
 * files that fits the descriptor limit), as a hard bound: a reader checks
 * before each read that a whole read fits, else stops and waits
 * (hf_spill_wait) until some spill is freed, or fails when waiting cannot
 * help. Response bytes the client has taken are given back at once
 * (hf_body_release), so a response to a reading client needs only a
 * window of the budget; request bodies may not take its last
 * HF_SPILL_RESERVE bytes, so a response in flight is never starved by
 * queued request bodies that wait for its slot. */
#ifndef HF_BODY_H
#define HF_BODY_H

#include <stdbool.h>
#include <stdint.h>

#include <uv.h>

#include "block.h"
#include "list.h"

typedef struct hf_body {
    hf_block_t *head; /* memory part, in order; every block but tail full */
    hf_block_t *tail;
    uint64_t mem_len; /* bytes held in blocks: offsets [0, mem_len) */
    uint64_t len;     /* bytes appended in all; [mem_len, len) are on file */
    uint64_t mem_cap; /* most bytes held in memory */
    int fd;           /* spill file, -1 until the first spill */
    hf_block_t *stage; /* file bytes read back for the write in flight */
    uint64_t released; /* file bytes given back from its start, whole
                          pages (hf_body_release) */
    bool request;      /* a request body: kept out of the reserve */
    uint64_t expect;   /* whole length when known (a request's
                          Content-Length), else 0 */
    uint64_t reserved; /* budget taken for its spill, not yet written */
} hf_body_t;

/* Bytes of max_spill that request bodies may not take (at most a quarter
 * of it): room for responses in flight, a few reads' worth, which is all a
 * response to a reading client needs to keep moving. */
#define HF_SPILL_RESERVE (4 * HF_BLOCK_SIZE)

enum hf_grow {
    HF_GROW_OK,    /* the next read fits */
    HF_GROW_WAIT,  /* wait for spill room (hf_spill_wait) */
    HF_GROW_NEVER, /* this body alone would pass the budget: fail */
};

/* An empty body holding up to mem_cap bytes in memory; no allocation. */
void hf_body_init(hf_body_t *b, uint64_t mem_cap);

/* Appends n bytes. Returns 0, or a negative errno when memory or the spill
 * file failed (ENOSPC, EMFILE, ...); the body is then unusable. */
int hf_body_append(hf_body_t *b, const char *p, size_t n);

/* Whether a read of up to HF_BLOCK_SIZE bytes more fits the budget. */
enum hf_grow hf_body_room(hf_body_t *b);

/* False unless hf_body_room() is HF_GROW_OK. Both may take budget for a
 * body of known length about to spill (given back by hf_body_free). */
bool hf_body_may_grow(hf_body_t *b);

/* The bytes before upto went out and are never read again: their spill
 * goes back to the budget (the file keeps its size, the blocks are
 * freed), and waiters are woken. */
void hf_body_release(hf_body_t *b, uint64_t upto);

/* Fills up to max bufs with the bytes from off on; file bytes come one block
 * at a time through b->stage, valid until the next call. Returns the number
 * of bufs (0 when off == len) or a negative errno. */
int hf_body_bufs(hf_body_t *b, uint64_t off, uv_buf_t *bufs, int max);

/* Releases blocks and the spill file; the body may be initialised again. */
void hf_body_free(hf_body_t *b);

typedef struct hf_spill_waiter {
    hf_list_t link;
    void (*resume)(struct hf_spill_waiter *w);
} hf_spill_waiter_t;

/* Sets where and how much may spill. Applies to spills that start later. */
void hf_spill_configure(const char *temp_dir, uint64_t max_bytes,
                        uint32_t max_files);

/* Tries a temp file in temp_dir now, and warns if none can be made, so a
 * bad temp_dir shows at start-up and not at the first big body. Returns 0
 * or a negative errno. */
int hf_spill_check(void);

/* Queues w until spill is freed; then w is unlinked and resume() is called.
 * hf_spill_cancel() is safe whether or not w is queued. */
void hf_spill_wait(hf_spill_waiter_t *w);
void hf_spill_cancel(hf_spill_waiter_t *w);

/* Wakes every waiter to look again (a reader that stopped caring, such as
 * a response whose client left, may go on). */
void hf_spill_kick(void);

extern uint64_t hf_spill_bytes; /* bytes on temp files now */
extern uint32_t hf_spill_files; /* temp files open now */
extern uint64_t hf_spill_errors; /* temp file failures since start */

#endif
