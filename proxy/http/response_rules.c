/* The rules a response head must pass before anything of it is relayed,
 * each with the section of RFC 9112 (HTTP/1.1 messages) or RFC 9110 (HTTP
 * semantics) it enforces. The byte-level rules are checked as the bytes
 * arrive (hf_res_scan), because http-parser as Debian builds it lets
 * through spaces in field names, any bytes in the reason phrase, extra
 * spaces after the version and any version number; the framing rules are
 * checked on the complete head (hf_response_check_head).
 *
 * The stance is the one RFC 9112 §11.2 asks against response splitting
 * and smuggling: when the framing is in any doubt, refuse (502) and close
 * the backend connection, never guess and never relay. */
#include "response_rules.h"

#include <string.h>
#include <strings.h>

/* The status line, RFC 9112 §4:
 *   HTTP-version SP 3DIGIT SP reason-phrase
 * single spaces, "HTTP/" DIGIT "." DIGIT. A status line that ends right
 * after the code ("HTTP/1.1 200") is taken: the reason is optional and
 * servers that drop its space as well exist; its meaning is unambiguous. */
enum sl_state { SL_VERSION, SL_CODE, SL_CODE_END, SL_REASON, SL_BAD };

static const char *bad_byte(unsigned char c)
{
    return c == 0 ? "nul" : "control_char";
}

/* RFC 9110 §5.5: field-vchar / SP / HTAB; obs-text is kept as data. */
static bool field_byte(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static enum sl_state status_line_step(hf_res_scan_t *s, unsigned char c,
                                      const char **fault)
{
    static const char version[] = "HTTP/d.d "; /* d: a digit */

    switch (s->sl_state) {
    case SL_VERSION:
        if (version[s->sl_len] == 'd') {
            if (c < '0' || c > '9')
                break;
            if (s->sl_len == 5)
                s->major = (uint8_t)(c - '0');
            else
                s->minor = (uint8_t)(c - '0');
        } else if (c != (unsigned char)version[s->sl_len]) {
            break;
        }
        if (++s->sl_len < sizeof(version) - 1)
            return SL_VERSION;
        /* RFC 9112 §2.3: only 1.0 and 1.1 are HTTP/1 as holdfast speaks
         * it; a 0.9 or 2.x status line is no response to its request. */
        if (s->major != 1 || s->minor > 1) {
            *fault = "http_version";
            return SL_BAD;
        }
        s->sl_len = 0;
        return SL_CODE;
    case SL_CODE:
        /* A second space after the version lands here too. */
        if (c < '0' || c > '9')
            break;
        s->code = (uint16_t)(s->code * 10 + (c - '0'));
        return ++s->sl_len == 3 ? SL_CODE_END : SL_CODE;
    case SL_CODE_END:
        if (c != ' ')
            break;
        return SL_REASON;
    case SL_REASON:
        /* RFC 9112 §4: reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ) */
        if (field_byte(c))
            return SL_REASON;
        *fault = bad_byte(c);
        return SL_BAD;
    default:
        break;
    }
    *fault = "bad_status_line";
    return SL_BAD;
}

void hf_res_scan_reset(hf_res_scan_t *s)
{
    memset(s, 0, sizeof(*s));
}

/* The end of a line (its LF). Returns false with *fault set. */
static bool line_end(hf_res_scan_t *s, const char **fault)
{
    if (s->lines == 0) {
        if (s->sl_state != SL_CODE_END && s->sl_state != SL_REASON) {
            *fault = "bad_status_line";
            return false;
        }
        /* RFC 9110 §15: a status code outside 100..599 is invalid. */
        if (s->code < 100 || s->code > 599) {
            *fault = "bad_status";
            return false;
        }
    } else if (s->line_len > 0 && !s->in_value) {
        *fault = "bad_header_name"; /* a field line without a colon */
        return false;
    }
    if (s->line_len == 0 && s->lines > 0)
        s->done = true;
    s->lines++;
    s->line_len = 0;
    s->in_value = false;
    return true;
}

/* One byte of a field line, RFC 9112 §5 and RFC 9110 §5.1:
 *   field-name ":" OWS field-value OWS
 * field-name = token: no space inside it or before the colon (RFC 9112
 * §5.1 lets a proxy refuse rather than repair that). */
static bool field_step(hf_res_scan_t *s, unsigned char c, const char **fault)
{
    if (s->line_len == 0 && (c == ' ' || c == '\t')) {
        /* RFC 9112 §5.2: a proxy may answer obs-fold with 502. */
        *fault = "obs_fold";
        return false;
    }
    if (s->in_value) {
        if (field_byte(c))
            return true;
        *fault = bad_byte(c);
        return false;
    }
    if (c == ':' && s->line_len > 0) {
        s->in_value = true;
        return true;
    }
    if (hf_is_tchar(c))
        return true;
    *fault = (c < 0x20 && c != '\t') || c == 0x7f ? bad_byte(c)
                                                  : "bad_header_name";
    return false;
}

size_t hf_res_scan(hf_res_scan_t *s, const char *p, size_t len,
                   const char **fault)
{
    size_t i;

    for (i = 0; i < len && !s->done; i++) {
        unsigned char c = (unsigned char)p[i];

        /* RFC 9112 §2.2: lines end in CRLF, or a bare LF; a bare CR is
         * invalid. No empty line may come before the status line. */
        if (s->cr) {
            s->cr = false;
            if (c != '\n') {
                *fault = "bare_cr";
                return i;
            }
        } else if (c == '\r') {
            s->cr = true;
            continue;
        }
        if (c == '\n') {
            if (!line_end(s, fault))
                return i;
            continue;
        }
        if (s->lines == 0) {
            s->sl_state = status_line_step(s, c, fault);
            if (s->sl_state == SL_BAD)
                return i;
        } else if (!field_step(s, c, fault)) {
            return i;
        }
        s->line_len++;
    }
    return i;
}

/* ---------------------------------------------------------- the whole head */

struct framing {
    unsigned n_content_length;
    unsigned n_transfer_encoding;
    uint64_t content_length;
    bool bad_content_length;
    bool differing;
    bool confusable;
    /* Transfer-Encoding, over all its fields in order. */
    bool chunked_seen, chunked_last, te_unknown, te_malformed;
};

bool hf_response_parse_length(const char *v, size_t n, uint64_t *out)
{
    uint64_t x = 0;

    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    if (n == 0 || n > 19)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        x = x * 10 + (uint64_t)(v[i] - '0');
    }
    *out = x;
    return true;
}

static int scan_te(void *ud, const char *tok, size_t len)
{
    struct framing *f = ud;

    if (len == 0) {
        f->te_malformed = true;
        return 0;
    }
    if (len == 7 && strncasecmp(tok, "chunked", 7) == 0) {
        if (f->chunked_seen)
            f->te_malformed = true; /* RFC 9112 §7: chunked only once */
        f->chunked_seen = true;
        f->chunked_last = true;
        return 0;
    }
    /* Any other coding: holdfast cannot undo it, and the field that
     * names it is hop-by-hop and never relayed, so the client would get
     * coded bytes it cannot know to decode. */
    f->chunked_last = false;
    f->te_unknown = true;
    return 0;
}

static void gather(const hf_head_t *h, struct framing *f)
{
    for (uint32_t i = 0; i < h->nfields; i++) {
        const hf_field_t *fl = &h->fields[i];
        const char *n = h->buf + fl->name_off, *v = h->buf + fl->value_off;
        uint64_t cl = 0;

        /* Names that only begin with a framing field's name: http-parser
         * 2.9 and parsers built like it may take them for the field, so
         * two parsers could frame the response differently (§11.2). */
        if ((fl->name_len > 17 && strncasecmp(n, "transfer-encoding", 17) == 0) ||
            (fl->name_len > 14 && strncasecmp(n, "content-length", 14) == 0))
            f->confusable = true;
        if (hf_field_name_is(h, fl, "content-length")) {
            if (!hf_response_parse_length(v, fl->value_len, &cl))
                f->bad_content_length = true;
            else if (f->n_content_length > 0 && cl != f->content_length)
                f->differing = true;
            f->content_length = cl;
            f->n_content_length++;
        } else if (hf_field_name_is(h, fl, "transfer-encoding")) {
            f->n_transfer_encoding++;
            hf_value_tokens(v, fl->value_len, scan_te, f);
        }
    }
}

/* What a response that has no content may carry. RFC 9110 §15.2 and
 * §6.4.1: a 1xx ends at its head, whatever it says; §8.6 and RFC 9112
 * §6.1: no Content-Length or Transfer-Encoding in a 1xx or 204. A 1xx
 * that frames a body is refused, or a parser that believes the framing
 * would splice the next response into this one.
 *
 * Two departures, both for real servers and both harmless, since these
 * responses are parsed without a body whatever they say: a 204 with
 * "Content-Length: 0" (Django's CommonMiddleware adds one to every
 * response), and a 304 with any Content-Length, which RFC 9110 §8.6
 * explicitly allows (the length a 200 would have had). */
static const char *bodyless_fault(const hf_res_head_info_t *in,
                                  const struct framing *f)
{
    if (in->status < 200 && (f->n_content_length || f->n_transfer_encoding))
        return "interim_with_body";
    if (in->status == 204 &&
        (f->n_transfer_encoding || (f->n_content_length && f->content_length)))
        return "bodyless_with_framing";
    if (in->status == 304 && f->n_transfer_encoding)
        return "bodyless_with_framing";
    return NULL;
}

int hf_response_check_head(const hf_head_t *h, const hf_res_head_info_t *in,
                           const char **fault)
{
    struct framing f = {0};
    const char *why;

    /* The scanner has seen the status line; this is the parser's view of
     * the same bytes, kept so the two can never disagree. */
    if (in->http_major != 1 || in->http_minor > 1) {
        *fault = "http_version";
        return -1;
    }
    gather(h, &f);
    if (f.confusable) {
        *fault = "confusable_header_name";
        return -1;
    }
    /* RFC 9112 §6.3 item 5: an invalid or differing length. */
    if (f.bad_content_length || f.differing) {
        *fault = f.differing ? "differing_content_length"
                             : "bad_content_length";
        return -1;
    }
    why = bodyless_fault(in, &f);
    if (why != NULL) {
        *fault = why;
        return -1;
    }
    if (f.n_transfer_encoding == 0)
        return 0;
    /* RFC 9112 §6.1: Transfer-Encoding in an HTTP/1.0 message is faulty
     * framing. */
    if (in->http_minor == 0) {
        *fault = "te_in_http10";
        return -1;
    }
    /* RFC 9112 §6.3 item 3: both is a response-splitting attempt. */
    if (f.n_content_length > 0) {
        *fault = "content_length_and_te";
        return -1;
    }
    /* RFC 9112 §6.3 item 4 would read a response whose last coding is not
     * chunked to the close; SPEC.md refuses it, as it does any coding
     * holdfast cannot undo. */
    if (f.te_malformed || !f.chunked_last) {
        *fault = "bad_transfer_encoding";
        return -1;
    }
    if (f.te_unknown) {
        *fault = "unknown_transfer_encoding";
        return -1;
    }
    /* The parser must agree that the body is chunked (a HEAD, 204 or 304
     * has none to agree on). */
    if (!in->chunked_by_parser && !in->head_request && in->status != 304) {
        *fault = "bad_transfer_encoding";
        return -1;
    }
    return 0;
}
