#include "response_stream.h"

#include <strings.h>

bool hf_response_unbuffered(const hf_response_t *res)
{
    const hf_head_t *h = &res->head;
    bool unbuffered = false;

    for (uint32_t i = 0; i < h->nfields; i++) {
        const hf_field_t *f = &h->fields[i];
        if (!hf_field_name_is(h, f, "x-accel-buffering"))
            continue;
        const char *v = h->buf + f->value_off;
        uint32_t n = f->value_len;
        /* RFC 9110 §5.5: the value is what lies between optional white
         * space on either side. */
        while (n > 0 && (v[0] == ' ' || v[0] == '\t'))
            v++, n--;
        while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
            n--;
        unbuffered = n == 2 && strncasecmp(v, "no", 2) == 0;
    }
    return unbuffered;
}

bool hf_response_field_for_proxy(const hf_head_t *h, const hf_field_t *f)
{
    return hf_field_name_is(h, f, "x-accel-buffering");
}
