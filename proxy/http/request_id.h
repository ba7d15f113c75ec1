/* Request ids (request_id = HEADER) and the moment a request was complete
 * (request_start): nginx's $request_id, HAProxy's unique-id, and the
 * X-Request-Start header APM agents read to report time queued. */
#ifndef HF_REQUEST_ID_H
#define HF_REQUEST_ID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "head.h"

#define HF_REQUEST_ID_MAX 128 /* longest client id kept */

/* True when v (n bytes) is a token (RFC 9110 tchar) of 1 to 128 bytes. */
bool hf_request_id_valid(const char *v, size_t n);

/* Writes a new id: 128 random bits as 32 lower-case hex digits and a NUL.
 * Randomness is read with getrandom(2) a pool at a time, not per id. */
void hf_request_id_make(char out[33]);

/* The id of a request: the value of its one field named name (any case)
 * when valid, else a new one. Writes it and a NUL into out. */
void hf_request_id_pick(const hf_head_t *h, const char *name,
                        char out[HF_REQUEST_ID_MAX + 1]);

/* Microseconds since the epoch, now (for X-Request-Start). */
uint64_t hf_request_id_unix_us(void);

#endif
