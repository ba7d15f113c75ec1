/* A growable text buffer for rendered documents (/metrics, /status). */
#ifndef HF_TEXT_H
#define HF_TEXT_H

#include <stddef.h>

typedef struct hf_text {
    char *buf;
    size_t len;
    size_t cap;
    int failed; /* out of memory: buf holds what fit */
} hf_text_t;

/* Appends formatted text, growing the buffer; on failure sets failed and
 * keeps what fit. */
void hf_text_printf(hf_text_t *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Frees the buffer. */
void hf_text_free(hf_text_t *t);

#endif
