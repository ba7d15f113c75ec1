/* Byte-level scanners for what http-parser, as Debian builds it (not
 * HTTP_PARSER_STRICT), lets through: the request head and the chunked body
 * framing, checked against RFC 9112 byte by byte. Each stops at the first
 * faulty byte and says where, so the caller can report whichever fault,
 * the parser's or the scanner's, comes first in the stream. */
#ifndef HF_REQUEST_SCAN_H
#define HF_REQUEST_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct hf_scan_fault {
    int status;         /* 0: none */
    const char *reason; /* short token, for logs and metrics */
} hf_scan_fault_t;

typedef struct hf_head_scan {
    uint64_t pos;        /* bytes scanned so far */
    uint64_t head_start; /* offset of the request line's first byte */
    uint64_t head_end;   /* offset just past the empty line, once done */
    uint32_t line_len;   /* bytes in the current line */
    uint32_t lines;      /* complete lines of the head */
    uint8_t rl_state;    /* where in the request line the scan is */
    uint8_t rl_len;      /* bytes of the current request-line part, capped */
    uint8_t major, minor; /* HTTP version digits of the request line */
    bool started;        /* the first byte of the request line was seen */
    bool cr;             /* the previous byte was CR */
    bool done;           /* the head is complete */
} hf_head_scan_t;

/* Scans head bytes: request-line syntax (RFC 9112 §3), line ends (§2.2:
 * CRLF or a bare LF, never a bare CR), obs-fold (§5.2), NUL and other
 * controls, the max_head limit (431) and the version (505 for anything but
 * 1.0 and 1.1). Leading empty lines are skipped and not counted. Returns
 * the bytes scanned: up to the end of the head, or len, or the faulty byte
 * (not included) with *fault set. */
size_t hf_head_scan(hf_head_scan_t *s, const char *p, size_t len,
                    uint64_t max_head, hf_scan_fault_t *fault);

/* True once the request line is complete and well-formed. */
bool hf_head_scan_line_done(const hf_head_scan_t *s);

typedef struct hf_chunk_scan {
    uint8_t state;
    uint8_t digits;      /* hex digits of the chunk size so far */
    uint32_t line_len;   /* bytes of the chunk line or trailer line */
    uint64_t remaining;  /* data bytes left in the chunk */
    uint64_t trailer_bytes;
} hf_chunk_scan_t;

/* Scans chunked body bytes (RFC 9112 §7.1): hex size, extensions of
 * visible characters only, CRLF ending chunk lines and data, trailer
 * fields that are well-formed field lines (no obs-fold; CRLF or LF), the
 * final empty line. A chunk line is limited to 4 KiB and the trailers to max_trailer
 * (431). Returns the bytes scanned; stops at a faulty byte with *fault set,
 * or after the last byte of the message. */
size_t hf_chunk_scan(hf_chunk_scan_t *s, const char *p, size_t len,
                     uint64_t max_trailer, hf_scan_fault_t *fault);

/* True once the final empty line was scanned. */
bool hf_chunk_scan_done(const hf_chunk_scan_t *s);

#endif
