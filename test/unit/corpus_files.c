#include "corpus_files.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *corpus_read(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;

    if (f == NULL)
        return NULL;
    for (;;) {
        size_t k;
        if (n + 4096 + 1 > cap) {
            char *nb = realloc(buf, cap = (n + 4096 + 1) * 2);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = nb;
        }
        k = fread(buf + n, 1, cap - n - 1, f);
        n += k;
        if (k == 0)
            break;
    }
    fclose(f);
    buf[n] = '\0';
    *len = n;
    return buf;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long corpus_unescape(const char *p, const char *end, char *out)
{
    long n = 0;

    while (p < end) {
        if (*p == '\n') {
            p++;
            continue;
        }
        if (*p != '\\') {
            out[n++] = *p++;
            continue;
        }
        if (++p == end)
            return -1;
        switch (*p++) {
        case 'r': out[n++] = '\r'; break;
        case 'n': out[n++] = '\n'; break;
        case 't': out[n++] = '\t'; break;
        case '0': out[n++] = '\0'; break;
        case '\\': out[n++] = '\\'; break;
        case 'x': {
            int hi = p < end ? hexval(p[0]) : -1;
            int lo = p + 1 < end ? hexval(p[1]) : -1;
            if (hi < 0 || lo < 0)
                return -1;
            out[n++] = (char)(hi * 16 + lo);
            p += 2;
            break;
        }
        default:
            return -1;
        }
    }
    return n;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **corpus_list(const char *dir, const char *suffix, size_t *n)
{
    size_t sl = strlen(suffix), cap = 0;
    char **names = NULL;
    struct dirent *e;
    DIR *d = opendir(dir);

    *n = 0;
    if (d == NULL) {
        fprintf(stderr, "%s: %s\n", dir, strerror(errno));
        return NULL;
    }
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l <= sl || strcmp(e->d_name + l - sl, suffix) != 0)
            continue;
        if (*n == cap) {
            char **nn = realloc(names, (cap = cap ? cap * 2 : 64) *
                                           sizeof(*names));
            if (nn == NULL)
                break;
            names = nn;
        }
        if ((names[*n] = strndup(e->d_name, l - sl)) == NULL)
            break;
        (*n)++;
    }
    closedir(d);
    if (e != NULL) { /* out of memory part-way */
        while (*n > 0)
            free(names[--*n]);
        free(names);
        return NULL;
    }
    if (names == NULL)
        names = malloc(sizeof(*names)); /* an empty folder: an empty list */
    qsort(names, *n, sizeof(*names), by_name);
    return names;
}
