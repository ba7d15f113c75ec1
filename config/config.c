/* The configuration as a table of keys, and the passes that turn a file (or
 * the command line) into an hf_config_t: read (reader.c), apply each key
 * through its row of the table, then validate what only the whole file can
 * tell (validate.c). Defaults are written as they would be in the file and
 * go through the same parsers, so a default can never disagree with what the
 * file accepts. */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

static void set_defaults(enum hf_scope scope, void *base)
{
    char msg[256];

    for (size_t i = 0; i < hf_nkeys; i++) {
        int rc;
        if (hf_keys[i].scope != scope || hf_keys[i].def == NULL)
            continue;
        rc = hf_key_set(&hf_keys[i], base, hf_keys[i].def, msg, sizeof(msg));
        assert(rc == 0 && "every default parses");
        (void)rc;
    }
}

static hf_config_t *new_config(size_t nmappings)
{
    hf_config_t *cfg = hf_xcalloc(1, sizeof(*cfg));

    cfg->mappings = hf_xcalloc(nmappings, sizeof(*cfg->mappings));
    set_defaults(HF_SCOPE_GLOBAL, &cfg->global);
    return cfg;
}

static hf_mapping_conf_t *add_mapping(hf_config_t *cfg, const char *name,
                                      int line)
{
    hf_mapping_conf_t *m = &cfg->mappings[cfg->nmappings++];

    set_defaults(HF_SCOPE_MAPPING, m);
    m->name = hf_xstrdup(name);
    m->line = line;
    return m;
}

/* Whether a continuation line of value reads like "name = ...": a key
 * indented by mistake, which inih takes as part of the value above. */
static bool continues_with_key(const char *value)
{
    for (const char *p = strchr(value, '\n'); p; p = strchr(p + 1, '\n')) {
        const char *q = p + 1;
        while (*q == ' ' || *q == '\t')
            q++;
        if (!isalpha((unsigned char)*q))
            continue;
        while (isalnum((unsigned char)*q) || *q == '_')
            q++;
        while (*q == ' ' || *q == '\t')
            q++;
        if (*q == '=')
            return true;
    }
    return false;
}

/* Applies one "key = value" of the file to the struct of its section. */
static void apply_entry(hf_build_t *b, const hf_raw_entry_t *e)
{
    char msg[400], q[80];
    const char *key = hf_quote(e->key, q, sizeof(q));
    hf_sec_state_t *st;
    const hf_key_t *k, *other;
    size_t idx;

    if (e->sec < 0) {
        hf_errs_add(b->errs, e->line, key,
                    "outside any section (put it under [global] or a "
                    "mapping section)");
        return;
    }
    if (e->key[0] == '\0') {
        hf_errs_add(b->errs, e->line, NULL, "missing key before '='");
        return;
    }
    st = &b->st[e->sec];
    k = hf_key_find(st->scope, e->key);
    if (k == NULL) {
        other = hf_key_find(st->scope == HF_SCOPE_GLOBAL ? HF_SCOPE_MAPPING
                                                         : HF_SCOPE_GLOBAL,
                            e->key);
        if (other && st->scope == HF_SCOPE_GLOBAL)
            hf_errs_add(b->errs, e->line, key,
                        "belongs in a mapping section, not in [global]");
        else if (other)
            hf_errs_add(b->errs, e->line, key, "belongs in [global]");
        else
            hf_errs_add(b->errs, e->line, key, "unknown key in [%s]",
                        hf_quote(b->raw->sections[e->sec].name, msg, 80));
        return;
    }
    idx = (size_t)(k - hf_keys);
    if (st->seen[idx]) {
        hf_errs_add(b->errs, e->line, key, "duplicate key (first at line %d)",
                    st->seen[idx]);
        return;
    }
    st->seen[idx] = e->line;
    if (hf_key_set(k, st->base, e->value, msg, sizeof(msg)) < 0)
        hf_errs_add(b->errs, e->line, key, "%s%s", msg,
                    e->continued && continues_with_key(e->value)
                        ? " (an indented line continues the value of the key "
                          "above it)"
                        : "");
}

/* Gives every section its struct: [global] the global one (a repeated
 * [global] too: validate reports the repeat), any other a new mapping. */
static void assign_sections(hf_build_t *b)
{
    const hf_raw_t *raw = b->raw;

    b->st = hf_xcalloc(raw->nsections, sizeof(*b->st));
    for (size_t i = 0; i < raw->nsections; i++) {
        const hf_raw_section_t *s = &raw->sections[i];
        hf_sec_state_t *st = &b->st[i];

        st->seen = hf_xcalloc(hf_nkeys, sizeof(*st->seen));
        if (!s->bad && strcmp(s->name, "global") == 0) {
            st->scope = HF_SCOPE_GLOBAL;
            st->base = &b->cfg->global;
        } else {
            st->scope = HF_SCOPE_MAPPING;
            st->mapping = add_mapping(b->cfg, s->name, s->line);
            st->base = st->mapping;
        }
    }
}

static int load(const char *path, hf_config_t **out, hf_config_error_fn err,
                void *ud, bool check_env)
{
    hf_errs_t errs = {.file = path};
    hf_build_t b = {.errs = &errs, .check_env = check_env};
    hf_raw_t raw;
    size_t nmappings = 0;
    FILE *fp;
    int n;

    *out = NULL;
    fp = fopen(path, "r");
    if (fp == NULL) {
        hf_errs_add(&errs, HF_LINE_NONE, NULL, "cannot open: %s",
                    strerror(errno));
        return hf_errs_flush(&errs, err, ud);
    }
    hf_raw_read(&raw, fp, &errs);
    fclose(fp);
    if (raw.read_errno) {
        /* Half a file: whatever else could be said about it is noise. */
        hf_raw_free(&raw);
        return hf_errs_flush(&errs, err, ud);
    }

    for (size_t i = 0; i < raw.nsections; i++)
        nmappings += raw.sections[i].bad || strcmp(raw.sections[i].name,
                                                   "global") != 0;
    b.raw = &raw;
    b.cfg = new_config(nmappings);
    assign_sections(&b);
    for (size_t i = 0; i < raw.nentries; i++)
        apply_entry(&b, &raw.entries[i]);
    hf_validate(&b);

    for (size_t i = 0; i < raw.nsections; i++)
        free(b.st[i].seen);
    free(b.st);
    hf_raw_free(&raw);
    n = hf_errs_flush(&errs, err, ud);
    if (n > 0) {
        hf_config_free(b.cfg);
        return n;
    }
    b.cfg->path = hf_xstrdup(path);
    *out = b.cfg;
    return 0;
}

int hf_config_load(const char *path, hf_config_t **out, hf_config_error_fn err,
                   void *ud)
{
    return load(path, out, err, ud, false);
}

int hf_config_check(const char *path, hf_config_t **out,
                    hf_config_error_fn err, void *ud)
{
    return load(path, out, err, ud, true);
}

static void set_arg(hf_errs_t *errs, hf_mapping_conf_t *m, const char *name,
                    const char *value)
{
    const hf_key_t *k = hf_key_find(HF_SCOPE_MAPPING, name);
    char msg[400];

    assert(k != NULL);
    if (value == NULL)
        hf_errs_add(errs, HF_LINE_NONE, name, "missing");
    else if (hf_key_set(k, m, value, msg, sizeof(msg)) < 0)
        hf_errs_add(errs, HF_LINE_NONE, name, "%s", msg);
}

int hf_config_from_args(const char *listen, const char *backend,
                        hf_config_t **out, hf_config_error_fn err, void *ud)
{
    hf_errs_t errs = {.file = NULL};
    hf_config_t *cfg = new_config(1);
    hf_mapping_conf_t *m = add_mapping(cfg, "cli", 0);
    int n;

    *out = NULL;
    set_arg(&errs, m, "listen", listen);
    set_arg(&errs, m, "backend", backend);
    n = hf_errs_flush(&errs, err, ud);
    if (n > 0) {
        hf_config_free(cfg);
        return n;
    }
    *out = cfg;
    return 0;
}

void hf_config_free(hf_config_t *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < cfg->nmappings; i++) {
        hf_mapping_conf_free(&cfg->mappings[i]);
    }
    free(cfg->mappings);
    free(cfg->global.access_log);
    free(cfg->global.temp_dir);
    free(cfg->path);
    free(cfg);
}
