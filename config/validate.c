/* Checks that need the whole file: required keys, repeated sections, two
 * listeners that cannot both be bound, a file without a mapping. They run
 * after every key has been parsed, so each error is reported once, at the
 * line that causes it. */
#include <netinet/in.h>
#include <string.h>

#include "table.h"

enum clash {
    APART,
    SAME,    /* the very same address and port */
    OVERLAP, /* a wildcard and an address of it, same port: bind() fails */
};

static enum clash addr_clash(const hf_addr_t *a, const hf_addr_t *b)
{
    if (a->len == 0 || b->len == 0 || a->sa.ss_family != b->sa.ss_family)
        return APART;
    if (a->sa.ss_family == AF_INET) {
        const struct sockaddr_in *x = (const void *)&a->sa;
        const struct sockaddr_in *y = (const void *)&b->sa;
        if (x->sin_port != y->sin_port)
            return APART;
        if (x->sin_addr.s_addr == y->sin_addr.s_addr)
            return SAME;
        if (x->sin_addr.s_addr == htonl(INADDR_ANY) ||
            y->sin_addr.s_addr == htonl(INADDR_ANY))
            return OVERLAP;
        return APART;
    }
    if (a->sa.ss_family == AF_INET6) {
        const struct sockaddr_in6 *x = (const void *)&a->sa;
        const struct sockaddr_in6 *y = (const void *)&b->sa;
        if (x->sin6_port != y->sin6_port)
            return APART;
        if (memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0 &&
            x->sin6_scope_id == y->sin6_scope_id)
            return SAME;
        if (IN6_IS_ADDR_UNSPECIFIED(&x->sin6_addr) ||
            IN6_IS_ADDR_UNSPECIFIED(&y->sin6_addr))
            return OVERLAP;
    }
    return APART;
}

static int key_line(const hf_sec_state_t *st, const char *name)
{
    const hf_key_t *k = hf_key_find(st->scope, name);
    return st->seen[k - hf_keys];
}

static void check_sections(hf_build_t *b)
{
    const hf_raw_t *raw = b->raw;
    char q[80];

    for (size_t i = 0; i < raw->nsections; i++) {
        const hf_raw_section_t *s = &raw->sections[i];
        if (s->bad)
            continue;
        for (size_t j = 0; j < i; j++) {
            if (!raw->sections[j].bad &&
                strcmp(raw->sections[j].name, s->name) == 0) {
                hf_errs_add(b->errs, s->line, NULL,
                            "[%s]: duplicate section (first at line %d)",
                            hf_quote(s->name, q, sizeof(q)),
                            raw->sections[j].line);
                break;
            }
        }
        if (b->st[i].mapping == NULL)
            continue;
        if (key_line(&b->st[i], "listen") == 0)
            hf_errs_add(b->errs, s->line, "listen",
                        "missing in section [%s]",
                        hf_quote(s->name, q, sizeof(q)));
        if (key_line(&b->st[i], "backend") == 0)
            hf_errs_add(b->errs, s->line, "backend",
                        "missing in section [%s]",
                        hf_quote(s->name, q, sizeof(q)));
    }
}

/* Two mappings on one address, reported at the later one's listen line. */
static void check_listeners(hf_build_t *b)
{
    const hf_raw_t *raw = b->raw;

    for (size_t i = 0; i < raw->nsections; i++) {
        const hf_mapping_conf_t *m = b->st[i].mapping;
        if (m == NULL || raw->sections[i].bad)
            continue;
        for (size_t j = 0; j < i; j++) {
            const hf_mapping_conf_t *o = b->st[j].mapping;
            enum clash c;
            if (o == NULL || raw->sections[j].bad)
                continue;
            c = addr_clash(&m->listen, &o->listen);
            if (c == SAME)
                hf_errs_add(b->errs, key_line(&b->st[i], "listen"), "listen",
                            "[%s] and [%s] (line %d) both listen on %s",
                            m->name, o->name, key_line(&b->st[j], "listen"),
                            m->listen.text);
            else if (c == OVERLAP)
                hf_errs_add(b->errs, key_line(&b->st[i], "listen"), "listen",
                            "%s of [%s] overlaps %s of [%s] (line %d)",
                            m->listen.text, m->name, o->listen.text, o->name,
                            key_line(&b->st[j], "listen"));
            if (c != APART)
                break;
        }
    }
}

/* The admin listener is a TCP listener too. */
static void check_admin(hf_build_t *b)
{
    const hf_global_conf_t *g = &b->cfg->global;
    const hf_raw_t *raw = b->raw;
    int line = 0;

    if (!g->admin_on)
        return;
    for (size_t i = 0; i < raw->nsections; i++)
        if (b->st[i].mapping == NULL && key_line(&b->st[i], "admin"))
            line = key_line(&b->st[i], "admin");
    for (size_t i = 0; i < raw->nsections; i++) {
        const hf_mapping_conf_t *m = b->st[i].mapping;
        enum clash c;
        if (m == NULL || raw->sections[i].bad)
            continue;
        c = addr_clash(&g->admin, &m->listen);
        if (c == SAME)
            hf_errs_add(b->errs, line, "admin",
                        "%s is also the listen address of [%s] (line %d)",
                        g->admin.text, m->name, key_line(&b->st[i], "listen"));
        else if (c == OVERLAP)
            hf_errs_add(b->errs, line, "admin",
                        "%s overlaps %s of [%s] (line %d)", g->admin.text,
                        m->listen.text, m->name,
                        key_line(&b->st[i], "listen"));
    }
}

void hf_validate(hf_build_t *b)
{
    check_sections(b);
    check_listeners(b);
    check_admin(b);
    if (b->check_env)
        hf_validate_env(b);
    if (b->cfg->nmappings == 0)
        hf_errs_add(b->errs, HF_LINE_END, NULL,
                    "no mapping: add a section with listen and backend");
}
