#include "request_scan.h"

#include "head.h"

/* The request line, RFC 9112 §3: method SP request-target SP HTTP-version,
 * single spaces, a target of visible characters, "HTTP/" DIGIT "." DIGIT.
 * http-parser is lenient about all of it (extra spaces, other protocol
 * names, a missing version taken for HTTP/0.9). */
enum rl_state { RL_METHOD, RL_TARGET, RL_VERSION, RL_END, RL_BAD };

static void bump(uint8_t *len)
{
    if (*len < UINT8_MAX)
        (*len)++;
}

static enum rl_state request_line_step(hf_head_scan_t *s, unsigned char c)
{
    static const char version[] = "HTTP/d.d"; /* d: a digit */

    switch (s->rl_state) {
    case RL_METHOD:
        if (hf_is_tchar(c)) {
            bump(&s->rl_len);
            return RL_METHOD;
        }
        if (c != ' ' || s->rl_len == 0)
            return RL_BAD;
        s->rl_len = 0;
        return RL_TARGET;
    case RL_TARGET:
        if (c > 0x20 && c < 0x7f) {
            bump(&s->rl_len);
            return RL_TARGET;
        }
        if (c != ' ' || s->rl_len == 0)
            return RL_BAD;
        s->rl_len = 0;
        return RL_VERSION;
    case RL_VERSION:
        if (version[s->rl_len] == 'd') {
            if (c < '0' || c > '9')
                return RL_BAD;
            if (s->rl_len == 5)
                s->major = (uint8_t)(c - '0');
            else
                s->minor = (uint8_t)(c - '0');
        } else if (c != (unsigned char)version[s->rl_len]) {
            return RL_BAD;
        }
        s->rl_len++;
        return s->rl_len == sizeof(version) - 1 ? RL_END : RL_VERSION;
    default:
        return RL_BAD; /* anything after the version */
    }
}

bool hf_head_scan_line_done(const hf_head_scan_t *s)
{
    return s->rl_state == RL_END && s->lines > 0;
}

static size_t fail(hf_scan_fault_t *f, int status, const char *reason,
                   size_t at)
{
    f->status = status;
    f->reason = reason;
    return at;
}

size_t hf_head_scan(hf_head_scan_t *s, const char *p, size_t len,
                    uint64_t max_head, hf_scan_fault_t *fault)
{
    size_t i;

    for (i = 0; i < len && !s->done; i++, s->pos++) {
        unsigned char c = (unsigned char)p[i];

        if (s->started && s->pos - s->head_start >= max_head)
            return fail(fault, 431, "header_too_large", i);
        if (s->cr) {
            s->cr = false;
            if (c != '\n')
                return fail(fault, 400, "bare_cr", i);
        } else if (c == '\r') {
            s->cr = true;
            continue;
        }
        if (c == '\n') {
            if (!s->started)
                continue; /* RFC 9112 §2.2: empty lines before a request */
            if (s->lines == 0) {
                if (s->rl_state != RL_END)
                    return fail(fault, 400, "bad_request_line", i);
                /* RFC 9112 §2.3: 1.0 and 1.1 are spoken here. */
                if (s->major != 1 || s->minor > 1)
                    return fail(fault, 505, "http_version", i);
            }
            if (s->line_len == 0) {
                s->done = true;
                s->head_end = s->pos + 1;
            }
            s->lines++;
            s->line_len = 0;
            continue;
        }
        if (!s->started) {
            s->started = true;
            s->head_start = s->pos;
        }
        if (s->lines == 0) {
            s->rl_state = request_line_step(s, c);
            if (s->rl_state == RL_BAD)
                return fail(fault, 400, "bad_request_line", i);
        }
        /* RFC 9112 §5.2: obs-fold is rejected, not unfolded. */
        if (s->line_len == 0 && s->lines > 0 && (c == ' ' || c == '\t'))
            return fail(fault, 400, "obs_fold", i);
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return fail(fault, 400, c == 0 ? "nul" : "control_char", i);
        s->line_len++;
    }
    return i;
}

enum ck_state {
    CK_SIZE,       /* the first hex digit */
    CK_SIZE_MORE,  /* more digits, then ext, BWS or CR */
    CK_SIZE_BWS,   /* white space before ';' */
    CK_EXT_NAME,   /* after ';': BWS, then the extension's name */
    CK_EXT,        /* extension bytes up to CR */
    CK_LINE_LF,    /* the LF ending a chunk line */
    CK_DATA,
    CK_DATA_CR,
    CK_DATA_LF,
    CK_TRAILER,    /* the start of a trailer line, or the final CR */
    CK_TNAME,
    CK_TVALUE,
    CK_TLINE_LF,
    CK_END_LF,     /* the LF of the final empty line */
    CK_DONE,
};

#define CHUNK_LINE_MAX 4096

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool field_vchar(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* One byte of framing (not chunk data). Returns false on a fault. */
/* The size line and the CRLF after each chunk's data. Returns 1 when c
 * fits, 0 when it breaks the framing, -1 when the state is not one of
 * these. */
static int size_line_step(hf_chunk_scan_t *s, unsigned char c)
{
    int h;

    switch (s->state) {
    case CK_SIZE:
    case CK_SIZE_MORE:
        h = hexval(c);
        if (h >= 0) {
            /* 16 significant hex digits hold any uint64_t; more is an
             * overflow. Leading zeros are only bounded by the line. */
            if ((s->remaining != 0 || h != 0) && ++s->digits > 16)
                return 0;
            s->remaining = s->remaining * 16 + (uint64_t)h;
            s->state = CK_SIZE_MORE;
            return 1;
        }
        if (s->state == CK_SIZE)
            return 0;
        if (c == ';')
            s->state = CK_EXT_NAME;
        else if (c == ' ' || c == '\t')
            s->state = CK_SIZE_BWS;
        else if (c == '\r')
            s->state = CK_LINE_LF;
        else
            return 0;
        return 1;
    case CK_SIZE_BWS:
        if (c == ' ' || c == '\t')
            return 1;
        if (c != ';')
            return 0;
        s->state = CK_EXT_NAME;
        return 1;
    case CK_EXT_NAME:
        /* RFC 9112 §7.1.1: chunk-ext-name is a token, never empty. */
        if (c == ' ' || c == '\t')
            return 1;
        if (!hf_is_tchar(c))
            return 0;
        s->state = CK_EXT;
        return 1;
    case CK_EXT:
        if (c == '\r')
            s->state = CK_LINE_LF;
        else if (!field_vchar(c))
            return 0;
        return 1;
    case CK_LINE_LF:
        if (c != '\n')
            return 0;
        s->line_len = 0;
        s->digits = 0;
        s->state = s->remaining == 0 ? CK_TRAILER : CK_DATA;
        return 1;
    case CK_DATA_CR:
        if (c != '\r')
            return 0;
        s->state = CK_DATA_LF;
        return 1;
    case CK_DATA_LF:
        if (c != '\n')
            return 0;
        s->state = CK_SIZE;
        return 1;
    default:
        return -1;
    }
}

/* Trailer lines and the final empty line; as size_line_step. */
static int trailer_step(hf_chunk_scan_t *s, unsigned char c)
{
    switch (s->state) {
    case CK_TRAILER:
        /* Trailer lines and the final line may end in a bare LF, as head
         * lines may (RFC 9112 §2.2); chunk lines may not. */
        if (c == '\r')
            s->state = CK_END_LF;
        else if (c == '\n')
            s->state = CK_DONE;
        else if (!hf_is_tchar(c))
            return 0; /* obs-fold, a space in the name, junk */
        else
            s->state = CK_TNAME;
        return 1;
    case CK_TNAME:
        if (c == ':')
            s->state = CK_TVALUE;
        else if (!hf_is_tchar(c))
            return 0;
        return 1;
    case CK_TVALUE:
        if (c == '\r')
            s->state = CK_TLINE_LF;
        else if (c == '\n')
            s->state = CK_TRAILER;
        else if (!field_vchar(c))
            return 0;
        return 1;
    case CK_TLINE_LF:
        if (c != '\n')
            return 0;
        s->line_len = 0;
        s->state = CK_TRAILER;
        return 1;
    case CK_END_LF:
        if (c != '\n')
            return 0;
        s->state = CK_DONE;
        return 1;
    default:
        return -1;
    }
}

static bool chunk_step(hf_chunk_scan_t *s, unsigned char c,
                       hf_scan_fault_t *f)
{
    int r = size_line_step(s, c);

    if (r < 0)
        r = trailer_step(s, c);
    if (r > 0)
        return true;
    fail(f, 400, "bad_chunk", 0);
    return false;
}

size_t hf_chunk_scan(hf_chunk_scan_t *s, const char *p, size_t len,
                     uint64_t max_trailer, hf_scan_fault_t *fault)
{
    size_t i = 0;

    while (i < len && s->state != CK_DONE) {
        if (s->state == CK_DATA) {
            uint64_t k = len - i < s->remaining ? len - i : s->remaining;
            i += (size_t)k;
            s->remaining -= k;
            if (s->remaining == 0)
                s->state = CK_DATA_CR;
            continue;
        }
        if (s->state >= CK_TRAILER && ++s->trailer_bytes > max_trailer)
            return fail(fault, 431, "trailers_too_large", i);
        if (s->state < CK_DATA && ++s->line_len > CHUNK_LINE_MAX)
            return fail(fault, 400, "chunk_line_too_long", i);
        if (!chunk_step(s, (unsigned char)p[i], fault))
            return i;
        i++;
    }
    return i;
}

bool hf_chunk_scan_done(const hf_chunk_scan_t *s)
{
    return s->state == CK_DONE;
}
