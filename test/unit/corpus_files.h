/* What the corpus tests share: reading a case file, decoding the escaped
 * bytes of an .expect line, and listing a corpus folder's cases. */
#ifndef HF_TEST_CORPUS_FILES_H
#define HF_TEST_CORPUS_FILES_H

#include <stddef.h>

/* The whole file, NUL-terminated (malloc'd; the caller frees), its length
 * in *len; NULL when it cannot be read. */
char *corpus_read(const char *path, size_t *len);

/* Decodes p to end (\r \n \t \0 \\ \xHH; raw newlines are skipped) into
 * out, which holds at least end - p bytes. Returns the length, or -1 on a
 * bad escape. */
long corpus_unescape(const char *p, const char *end, char *out);

/* The names in dir ending in suffix, without it, sorted (malloc'd, as is
 * each name; the caller frees both); *n their number. NULL when dir
 * cannot be read or memory runs out. */
char **corpus_list(const char *dir, const char *suffix, size_t *n);

#endif
