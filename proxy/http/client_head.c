#include "client_head.h"

#include <string.h>

#include "fmt.h"
#include "head.h"
#include "response_stream.h"
#include "status.h"

static const char crlf[] = "\r\n";

size_t hf_client_head_size(const hf_response_t *res)
{
    size_t n = 64 + res->reason_len + 96;

    for (uint32_t i = 0; i < res->head.nfields; i++)
        n += res->head.fields[i].name_len + res->head.fields[i].value_len + 4;
    return n;
}

/* Content-Length when it is known now: the backend's, or the whole body's
 * once it is in. Decides the framing otherwise. */
static bool known_length(const hf_client_head_in_t *in, uint64_t *length,
                         hf_client_head_framing_t *fr)
{
    const hf_response_t *res = in->res;

    if (res->no_body) {
        *length = res->content_length;
        /* A 304 keeps the representation's length; a 204 has none. */
        return res->has_length && res->status != 204;
    }
    if (res->complete) {
        *length = res->body.len;
        return true;
    }
    if (res->has_length) {
        *length = res->content_length;
        return true;
    }
    if (in->client_minor == 1)
        fr->chunked = true;
    else
        fr->close_after = true; /* the close delimits the body */
    return false;
}

static char *put_fields(char *w, const hf_head_t *h)
{
    for (uint32_t i = 0; i < h->nfields; i++) {
        const hf_field_t *f = &h->fields[i];
        if (hf_field_is_hop_by_hop(h, f) ||
            hf_field_name_is(h, f, "content-length") ||
            hf_field_named_by_connection(h, f) ||
            hf_response_field_for_proxy(h, f))
            continue;
        w = hf_put_mem(w, h->buf + f->name_off, f->name_len);
        w = hf_put_mem(w, ": ", 2);
        w = hf_put_mem(w, h->buf + f->value_off, f->value_len);
        w = hf_put_mem(w, crlf, 2);
    }
    return w;
}

size_t hf_client_head_write(const hf_client_head_in_t *in, char *buf,
                            hf_client_head_framing_t *fr)
{
    const hf_response_t *res = in->res;
    const hf_head_t *h = &res->head;
    uint64_t length = 0;
    bool length_known;
    char *w;

    fr->chunked = false;
    fr->close_after = !in->keep_alive;
    length_known = known_length(in, &length, fr);
    w = hf_put_str(buf, in->client_minor == 1 ? "HTTP/1.1 " : "HTTP/1.0 ");
    w = hf_put_u64(w, (uint64_t)res->status);
    *w++ = ' ';
    if (res->reason_len > 0)
        w = hf_put_mem(w, h->buf + res->reason_off, res->reason_len);
    else
        w = hf_put_str(w, hf_status_text(res->status));
    w = hf_put_mem(w, crlf, 2);
    w = put_fields(w, h);
    if (length_known) {
        w = hf_put_u64(hf_put_str(w, "Content-Length: "), length);
        w = hf_put_mem(w, crlf, 2);
    }
    if (fr->chunked)
        w = hf_put_str(w, "Transfer-Encoding: chunked\r\n");
    if (fr->close_after)
        w = hf_put_str(w, "Connection: close\r\n");
    else if (in->client_minor == 0)
        w = hf_put_str(w, "Connection: keep-alive\r\n");
    w = hf_put_mem(w, crlf, 2);
    return (size_t)(w - buf);
}
