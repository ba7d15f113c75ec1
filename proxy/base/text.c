#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void hf_text_printf(hf_text_t *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (t->failed)
        return;
    for (;;) {
        size_t room = t->cap - t->len;
        va_start(ap, fmt);
        n = vsnprintf(t->buf ? t->buf + t->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
            return;
        }
        if ((size_t)n < room) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = t->cap ? t->cap * 2 : 8192;
        while (cap - t->len <= (size_t)n)
            cap *= 2;
        char *nb = realloc(t->buf, cap);
        if (nb == NULL) {
            t->failed = 1;
            return;
        }
        t->buf = nb;
        t->cap = cap;
    }
}

void hf_text_free(hf_text_t *t)
{
    free(t->buf);
    t->buf = NULL;
    t->len = t->cap = 0;
}
