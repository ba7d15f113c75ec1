/* The client address behind trusted proxies (trusted_proxies): nginx's
 * realip with real_ip_recursive on, from X-Forwarded-For. */
#ifndef HF_REALIP_H
#define HF_REALIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "head.h"

/* When the peer (family, 4 or 16 bytes of addr) is in trusted, walks the
 * request's X-Forwarded-For list (all its fields, in order) from the right
 * while each address is trusted too: the client is the first untrusted
 * one, or the left-most when all are trusted. An element that is not an
 * address ends the walk at the last address read. Writes the address as
 * text to out and returns true; false (out untouched) when the peer is not
 * trusted or no address was read. */
bool hf_realip_find(const hf_head_t *h, const hf_cidr_t *trusted, size_t n,
                    int family, const uint8_t *addr, char *out, size_t len);

#endif
