#include "backend_request.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fmt.h"

/* Methods whose requests carry a body by definition: they get a
 * Content-Length even when it is 0, as RFC 9110 §8.6 asks. */
static bool method_expects_body(const char *m)
{
    return strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 ||
           strcmp(m, "PATCH") == 0;
}

static char *put(char *w, const char *s, size_t n)
{
    memcpy(w, s, n);
    return w + n;
}

static char *put_field(char *w, const hf_head_t *h, const hf_field_t *f)
{
    w = put(w, h->buf + f->name_off, f->name_len);
    w = put(w, ": ", 2);
    w = put(w, h->buf + f->value_off, f->value_len);
    return put(w, "\r\n", 2);
}

/* X-Forwarded-For spelled with underscores: CGI-style backends (WSGI,
 * Rack) read it as the same variable, so a client could forge the address
 * holdfast vouches for. Dropped when holdfast writes the real one. */
static bool xff_lookalike(const hf_head_t *h, const hf_field_t *f)
{
    static const char xff[] = "x-forwarded-for";
    const char *n = h->buf + f->name_off;

    if (f->name_len != sizeof(xff) - 1)
        return false;
    for (uint32_t i = 0; i < f->name_len; i++) {
        char c = n[i] == '_' ? '-' : (char)(n[i] | 0x20);
        if (c != xff[i])
            return false;
    }
    return true;
}

static bool named(const hf_head_t *h, const hf_field_t *f, const char *name)
{
    size_t len = strlen(name);

    return f->name_len == len &&
           strncasecmp(h->buf + f->name_off, name, len) == 0;
}

static bool dropped(const hf_head_t *h, const hf_field_t *f,
                    bool replace_host, bool forwarded_for)
{
    if (hf_field_name_is(h, f, "host"))
        return replace_host; /* never dropped for being named by Connection */
    if (hf_field_is_hop_by_hop(h, f) ||
        hf_field_name_is(h, f, "content-length"))
        return true;
    if (forwarded_for && xff_lookalike(h, f))
        return true;
    return hf_field_named_by_connection(h, f);
}

/* The fields holdfast vouches for: the request id and the moment the
 * request was complete. A client's own copies were dropped. */
static char *put_own_fields(char *w, const hf_backend_request_in_t *in,
                            bool own_id)
{
    if (own_id) {
        w = hf_put_str(w, in->id_name);
        w = put(w, ": ", 2);
        w = hf_put_str(w, in->request_id);
        w = put(w, "\r\n", 2);
    }
    if (in->start_unix_us != 0) {
        w = hf_put_str(w, "X-Request-Start: t=");
        w = hf_put_u64(w, in->start_unix_us);
        w = put(w, "\r\n", 2);
    }
    return w;
}

int hf_backend_request_build(const hf_backend_request_in_t *in,
                             hf_outbuf_t *out)
{
    const hf_request_t *r = in->req;
    int http_minor = in->http_minor;
    bool forwarded_for = in->forwarded_for;
    const char *id_name = in->id_name;
    const hf_head_t *h = &r->head;
    bool replace_host = r->host_len > 0;
    bool own_id = in->request_id != NULL && in->request_id[0] != '\0' &&
                  id_name != NULL && id_name[0] != '\0';
    size_t cap = strlen(r->method) + r->path_len + r->host_len +
                 strlen(in->peer) + strlen(in->host) + 160 +
                 (own_id ? strlen(id_name) + strlen(in->request_id) + 4 : 0) +
                 (in->start_unix_us != 0 ? 44 : 0);
    char *w;

    for (uint32_t i = 0; i < h->nfields; i++)
        cap += h->fields[i].name_len + h->fields[i].value_len + 6;
    out->blk = cap <= HF_BLOCK_SIZE ? hf_block_get() : NULL;
    out->buf = out->blk != NULL ? out->blk->data : malloc(cap);
    if (out->buf == NULL)
        return -1;

    w = out->buf;
    w = hf_put_str(w, r->method);
    *w++ = ' ';
    w = put(w, h->buf + r->path_off, r->path_len);
    w = hf_put_str(w, http_minor == 1 ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n");
    if (replace_host) {
        w = put(w, "Host: ", 6);
        w = put(w, h->buf + r->host_off, r->host_len);
        w = put(w, "\r\n", 2);
    } else if (http_minor == 1 && hf_head_find(h, "host") == NULL) {
        /* An HTTP/1.0 client sent none; HTTP/1.1 requires one (RFC 9112
         * §3.2): the backend's own address, as nginx's $proxy_host. */
        w = hf_put_str(hf_put_str(w, "Host: "), in->host);
        w = put(w, "\r\n", 2);
    }
    for (uint32_t i = 0; i < h->nfields; i++) {
        const hf_field_t *f = &h->fields[i];
        if (dropped(h, f, replace_host, forwarded_for) ||
            (own_id && named(h, f, id_name)) ||
            (in->start_unix_us != 0 && named(h, f, "x-request-start")))
            continue;
        w = put_field(w, h, f);
    }
    w = put_own_fields(w, in, own_id);
    if (forwarded_for) {
        /* Several X-Forwarded-For fields are one list (RFC 9110 §5.3). */
        w = put(w, "X-Forwarded-For: ", 17);
        for (uint32_t i = 0; i < h->nfields; i++) {
            const hf_field_t *f = &h->fields[i];
            if (!hf_field_name_is(h, f, "x-forwarded-for") ||
                f->value_len == 0)
                continue;
            w = put(w, h->buf + f->value_off, f->value_len);
            w = put(w, ", ", 2);
        }
        w = put(w, in->peer, strlen(in->peer));
        w = put(w, "\r\n", 2);
    }
    if (r->body.len > 0 || r->framed || method_expects_body(r->method)) {
        w = hf_put_u64(hf_put_str(w, "Content-Length: "), r->body.len);
        w = put(w, "\r\n", 2);
    }
    w = put(w, "Connection: close\r\n\r\n", 21);
    out->len = (size_t)(w - out->buf);
    return 0;
}

void hf_outbuf_free(hf_outbuf_t *out)
{
    if (out->blk != NULL)
        hf_block_put(out->blk);
    else
        free(out->buf);
    out->buf = NULL;
    out->blk = NULL;
    out->len = 0;
}
