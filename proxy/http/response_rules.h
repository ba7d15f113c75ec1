/* The rules a response head must pass before anything of it is relayed to
 * a client, beside the request rules and as strict: the byte-level scan of
 * the status line and field lines, and the checks of the complete head.
 * Used by response.c, which also runs the chunked body through
 * request_scan.h's chunk scanner. Faults are short tokens for the access
 * log and the backend-error log line; every fault means 502. */
#ifndef HF_RESPONSE_RULES_H
#define HF_RESPONSE_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "head.h"

/* More interim (1xx) responses than this before the final one: 502. */
#define HF_RESPONSE_MAX_INTERIM 8

typedef struct hf_res_scan {
    uint32_t line_len;   /* bytes in the current line */
    uint32_t lines;      /* complete lines of the head */
    uint16_t code;       /* the status code, once its digits are in */
    uint8_t sl_state;    /* where in the status line the scan is */
    uint8_t sl_len;      /* bytes of the current status-line part */
    uint8_t major, minor;
    bool in_value;       /* past the colon of the current field line */
    bool cr;             /* the previous byte was CR */
    bool done;           /* the head is complete */
} hf_res_scan_t;

/* Starts the scan of a new head (the first, or one after an interim). */
void hf_res_scan_reset(hf_res_scan_t *s);

/* Scans head bytes: the status line (RFC 9112 §4), field lines (RFC 9112
 * §5, RFC 9110 §5.1, §5.5), line ends (RFC 9112 §2.2). Returns the bytes
 * scanned: up to the end of the head, or len, or the faulty byte (not
 * included) with *fault set to a reason. */
size_t hf_res_scan(hf_res_scan_t *s, const char *p, size_t len,
                   const char **fault);

/* The facts of a complete head that the parser knows. */
typedef struct hf_res_head_info {
    int status;
    int http_major, http_minor;
    bool chunked_by_parser; /* the parser will read a chunked body */
    bool head_request;      /* the request was HEAD */
} hf_res_head_info_t;

/* Judges a complete head: framing fields (RFC 9112 §6, RFC 9110 §8.6),
 * what a 1xx, 204 or 304 may carry. Returns 0, or -1 with *fault set.
 * Frees and takes nothing. */
int hf_response_check_head(const hf_head_t *h, const hf_res_head_info_t *in,
                           const char **fault);

/* RFC 9110 §8.6: Content-Length = 1*DIGIT (trailing OWS aside), at most 19
 * digits. Returns false, and leaves *out, for anything else. */
bool hf_response_parse_length(const char *v, size_t n, uint64_t *out);

#endif
