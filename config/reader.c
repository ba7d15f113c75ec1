/* Reading an ini file into raw sections and entries, each with its line.
 *
 * Debian's inih (r55) passes no line number to the handler, returns only the
 * line of the first syntax error, cuts section names at 49 bytes, treats the
 * rest of a line longer than its 200-byte buffer as a line of its own, and
 * hands continuation lines over with their inline comments still on. So the
 * reader function given to ini_parse_stream reads each physical line itself,
 * counts it, and deals with everything but "key = value" lines here: blank
 * and comment lines, section headers and continuation lines reach inih as an
 * empty line. A key line is passed on, and inih splits it and calls the
 * handler before it asks for the next line (it never reads ahead), so
 * raw->lineno is that line's number in the handler. A key line for which the
 * handler was not called had no '=' or ':'.
 *
 * Continuation follows inih's and Python configparser's rule (inih's default,
 * ini_allow_multiline, is on in Debian's build): a non-blank line starting with
 * whitespace, after a key in the same section, extends that key's value; blank
 * lines and comments in between do not end it. Since continuation lines never
 * reach inih, the result does not depend on ini_allow_multiline.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static char *skip_space(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    return s;
}

static void rstrip(char *s)
{
    char *end = s + strlen(s);

    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
}

/* Cuts an inline comment: as in inih, a ';' preceded by whitespace. */
static void cut_comment(char *s)
{
    for (char *p = s; *p; p++) {
        if (*p == ';' && p > s && isspace((unsigned char)p[-1])) {
            *p = '\0';
            break;
        }
    }
    rstrip(s);
}

static bool valid_section_name(const char *s)
{
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
            return false;
    return true;
}

/* "[name]", with start at the '['. A malformed header still opens a section
 * (marked bad), so its keys are not taken for the previous section's. */
static void section_header(hf_raw_t *raw, char *start)
{
    char *end = strchr(start, ']'), *name, *after;
    char q[80];
    hf_raw_section_t *sec;
    bool bad = false;

    cut_comment(start);
    if (end == NULL || end >= start + strlen(start)) {
        hf_errs_add(raw->errs, raw->lineno, hf_quote(start, q, sizeof(q)),
                    "missing ']' at the end of the section header");
        end = start + strlen(start);
        bad = true;
        after = end;
    } else {
        *end = '\0';
        after = skip_space(end + 1);
    }
    name = skip_space(start + 1);
    rstrip(name);
    if (!bad && *after != '\0' && *after != ';' && *after != '#') {
        hf_errs_add(raw->errs, raw->lineno, NULL,
                    "[%s]: unexpected text after ']'",
                    hf_quote(name, q, sizeof(q)));
        bad = true;
    } else if (!bad && *name == '\0') {
        hf_errs_add(raw->errs, raw->lineno, NULL, "[]: empty section name");
        bad = true;
    } else if (!bad && !valid_section_name(name)) {
        hf_errs_add(raw->errs, raw->lineno, NULL,
                    "[%s]: a section name may only have letters, digits, "
                    "'-', '_' and '.'",
                    hf_quote(name, q, sizeof(q)));
        bad = true;
    }

    raw->sections = hf_xrealloc(raw->sections,
                                (raw->nsections + 1) * sizeof(*raw->sections));
    sec = &raw->sections[raw->nsections];
    *sec = (hf_raw_section_t){
        .name = hf_xstrdup(name), .line = raw->lineno, .bad = bad};
    raw->cur = (int)raw->nsections++;
    raw->prev = -1;
}

static void continuation(hf_raw_t *raw, char *start)
{
    hf_raw_entry_t *e;
    size_t old, add;

    if (raw->prev < 0)
        return; /* continues a line that was already reported */
    cut_comment(start);
    e = &raw->entries[raw->prev];
    old = strlen(e->value);
    add = strlen(start);
    e->value = hf_xrealloc(e->value, old + 1 + add + 1);
    e->value[old] = '\n';
    memcpy(e->value + old + 1, start, add + 1);
    e->continued = true;
}

/* Called before each line and at the end: reports the key line inih did not
 * take as key = value. */
static void check_pair(hf_raw_t *raw)
{
    char q[80];

    if (raw->expect_pair && !raw->got_pair) {
        hf_errs_add(raw->errs, raw->lineno,
                    hf_quote(skip_space(raw->buf), q, sizeof(q)),
                    "expected 'key = value'");
        raw->prev = -2;
    }
    raw->expect_pair = false;
}

/* The ini_reader: see the comment at the top of the file. */
static char *read_line(char *out, int size, void *stream)
{
    hf_raw_t *raw = stream;
    char *line, *start;
    ssize_t n;

    check_pair(raw);
    errno = 0;
    n = getline(&raw->buf, &raw->cap, raw->fp);
    if (n < 0) {
        if (ferror(raw->fp))
            raw->read_errno = errno ? errno : EIO;
        return NULL;
    }
    raw->lineno++;
    line = raw->buf;
    if (raw->lineno == 1 && strncmp(line, "\xEF\xBB\xBF", 3) == 0)
        line += 3; /* UTF-8 byte order mark */
    start = skip_space(line);
    rstrip(start);
    strcpy(out, "\n");

    if (*start == '\0' || *start == ';' || *start == '#')
        return out;
    if (start > line && raw->prev != -1) {
        continuation(raw, start);
        return out;
    }
    if (*start == '[') {
        section_header(raw, start);
        return out;
    }
    cut_comment(start);
    if (strlen(start) + 2 > (size_t)size) {
        hf_errs_add(raw->errs, raw->lineno, NULL,
                    "line too long (at most %d characters before a comment; "
                    "continue a long value on indented lines)",
                    size - 2);
        raw->prev = -2;
        return out;
    }
    /* Keep the key for check_pair's message: start is within raw->buf. */
    memmove(raw->buf, start, strlen(start) + 1);
    snprintf(out, (size_t)size, "%s\n", raw->buf);
    raw->expect_pair = true;
    raw->got_pair = false;
    return out;
}

/* The ini_handler. The section is the reader's: inih cuts long names. */
static int on_pair(void *user, const char *section, const char *name,
                   const char *value)
{
    hf_raw_t *raw = user;
    hf_raw_entry_t *e;

    (void)section;
    raw->got_pair = true;
    raw->entries = hf_xrealloc(raw->entries,
                               (raw->nentries + 1) * sizeof(*raw->entries));
    e = &raw->entries[raw->nentries];
    *e = (hf_raw_entry_t){
        .sec = raw->cur,
        .line = raw->lineno,
        .key = hf_xstrdup(name),
        .value = hf_xstrdup(value),
    };
    raw->prev = (int)raw->nentries++;
    return 1;
}

void hf_raw_read(hf_raw_t *raw, FILE *fp, hf_errs_t *errs)
{
    memset(raw, 0, sizeof(*raw));
    raw->fp = fp;
    raw->errs = errs;
    raw->cur = -1;
    raw->prev = -1;
    /* Its return value is the first syntax error's line, which read_line and
     * check_pair have reported already, or a negative number for failures
     * that cannot happen with a stack buffer and our own reader. */
    (void)ini_parse_stream(read_line, raw, on_pair, raw);
    check_pair(raw);
    if (raw->read_errno)
        hf_errs_add(errs, HF_LINE_END, NULL, "cannot read: %s",
                    strerror(raw->read_errno));
    free(raw->buf);
    raw->buf = NULL;
    raw->fp = NULL;
}

void hf_raw_free(hf_raw_t *raw)
{
    for (size_t i = 0; i < raw->nsections; i++)
        free(raw->sections[i].name);
    for (size_t i = 0; i < raw->nentries; i++) {
        free(raw->entries[i].key);
        free(raw->entries[i].value);
    }
    free(raw->sections);
    free(raw->entries);
    memset(raw, 0, sizeof(*raw));
}
