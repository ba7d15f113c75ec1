/* Error messages of the configuration, and the allocation helpers. Errors are
 * collected while the file is read, parsed and validated, then handed out in
 * file order, so one run of `holdfast -t` shows every mistake at once. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void oom(void)
{
    fputs("holdfast: out of memory reading the configuration\n", stderr);
    abort();
}

void *hf_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (p == NULL)
        oom();
    return p;
}

void *hf_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (p == NULL)
        oom();
    return p;
}

char *hf_xstrdup(const char *s)
{
    char *p = strdup(s);
    if (p == NULL)
        oom();
    return p;
}

const char *hf_quote(const char *v, char *buf, size_t size)
{
    size_t i, max = size - 1;
    bool cut = strlen(v) > max;

    if (cut)
        max -= 3;
    for (i = 0; i < max && v[i] != '\0'; i++)
        buf[i] = (unsigned char)v[i] < 0x20 || v[i] == 0x7f ? ' ' : v[i];
    if (cut) {
        memcpy(buf + i, "...", 3);
        i += 3;
    }
    buf[i] = '\0';
    return buf;
}

void hf_errs_add(hf_errs_t *e, int line, const char *key, const char *fmt, ...)
{
    char where[32] = "", text[512], *msg;
    const char *file = e->file ? e->file : "";
    int len;
    va_list ap;

    /* Message bodies quote values through hf_quote, so 512 is plenty. */
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);

    if (e->file == NULL)
        snprintf(where, sizeof(where), "--");
    else if (line == HF_LINE_NONE || line == HF_LINE_END)
        snprintf(where, sizeof(where), ": ");
    else
        snprintf(where, sizeof(where), ":%d: ", line);

    len = snprintf(NULL, 0, "%s%s%s%s%s", file, where, key ? key : "",
                   key ? ": " : "", text);
    msg = hf_xrealloc(NULL, (size_t)len + 1);
    snprintf(msg, (size_t)len + 1, "%s%s%s%s%s", file, where, key ? key : "",
             key ? ": " : "", text);

    if (e->n == e->cap) {
        e->cap = e->cap ? e->cap * 2 : 8;
        e->v = hf_xrealloc(e->v, e->cap * sizeof(*e->v));
    }
    e->v[e->n] = (hf_err_t){.line = line, .seq = e->n, .msg = msg};
    e->n++;
}

static int cmp_err(const void *a, const void *b)
{
    const hf_err_t *x = a, *y = b;

    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int hf_errs_flush(hf_errs_t *e, hf_config_error_fn fn, void *ud)
{
    int n = (int)e->n;

    if (e->n > 1)
        qsort(e->v, e->n, sizeof(*e->v), cmp_err);
    for (size_t i = 0; i < e->n; i++) {
        if (fn)
            fn(ud, e->v[i].msg);
        free(e->v[i].msg);
    }
    free(e->v);
    e->v = NULL;
    e->n = e->cap = 0;
    return n;
}
