/* Private to config/: the error list, the raw form of an ini file before the
 * key table turns it into an hf_config_t, and small helpers shared by the
 * files of this module. Nothing outside config/ includes this. */
#ifndef HF_CONFIG_INTERNAL_H
#define HF_CONFIG_INTERNAL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

/* Line "numbers" for errors that belong to no line: NONE sorts before every
 * line, END after; neither is printed. */
#define HF_LINE_NONE 0
#define HF_LINE_END INT_MAX

typedef struct hf_err {
    int line;   /* sort key: errors come out in file order */
    size_t seq; /* keeps the order of errors found on one line */
    char *msg;  /* complete message */
} hf_err_t;

typedef struct hf_errs {
    const char *file; /* NULL: errors are about command-line options */
    hf_err_t *v;
    size_t n, cap;
} hf_errs_t;

/* Records "FILE:LINE: KEY: message" ("FILE: KEY: message" for the two line
 * placeholders, "--KEY: message" when file is NULL; KEY may be NULL). */
void hf_errs_add(hf_errs_t *e, int line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Hands every error, sorted by line, to fn (which may be NULL), frees them,
 * and returns how many there were. */
int hf_errs_flush(hf_errs_t *e, hf_config_error_fn fn, void *ud);

/* Copies v into buf for quoting in a message: control characters (the
 * newlines of continued values) become spaces, long values are cut. */
const char *hf_quote(const char *v, char *buf, size_t size);

/* Allocation failure while reading a configuration of a few kilobytes means
 * the process cannot start anyway: these print a message and abort. */
void *hf_xrealloc(void *p, size_t n);
void *hf_xcalloc(size_t n, size_t size);
char *hf_xstrdup(const char *s);

typedef struct hf_raw_section {
    char *name; /* trimmed text between the brackets */
    int line;
    bool bad; /* header was malformed: already reported, not validated */
} hf_raw_section_t;

typedef struct hf_raw_entry {
    int sec; /* index into sections, -1 before the first header */
    int line;
    char *key;
    char *value; /* continuation lines joined with '\n' */
    bool continued;
} hf_raw_entry_t;

/* What the reader collects from the file, in file order. */
typedef struct hf_raw {
    hf_raw_section_t *sections;
    size_t nsections;
    hf_raw_entry_t *entries;
    size_t nentries;
    /* Reading state, used only while the file is read. */
    FILE *fp;
    char *buf;
    size_t cap;
    int lineno; /* of the line last handed to inih */
    int cur;    /* current section, -1 before the first */
    int prev;   /* entry that continuation lines extend; -1 none, -2 drop */
    bool expect_pair; /* the last line was handed to inih as key = value */
    bool got_pair;    /* and inih called the handler for it */
    int read_errno;
    hf_errs_t *errs;
} hf_raw_t;

/* Reads the open file fp into raw, recording syntax errors in errs. */
void hf_raw_read(hf_raw_t *raw, FILE *fp, hf_errs_t *errs);
void hf_raw_free(hf_raw_t *raw);

/* Like hf_parse_duration_ms for plain numbers without unit. */
int hf_parse_uint(const char *s, uint64_t *out);
/* Copies s without surrounding whitespace into buf. Returns the length, -1
 * when nothing is left, -2 when it does not fit. */
int hf_trim_copy(const char *s, char *buf, size_t size);

#endif
