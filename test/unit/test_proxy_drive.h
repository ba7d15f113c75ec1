/* Drives holdfast's PROXY protocol parser the way proxy/conn/client_read.c
 * does, for the PROXY unit tests and the fuzzer: bytes arrive in pieces
 * (all at once, split in two, one byte at a time) and gather in one buffer;
 * after each piece hf_proxy_parse() looks at everything gathered so far.
 * "Needs more" with HF_PROXY_V2_MAX bytes gathered closes the connection,
 * as client_read.c does. */
#ifndef HF_TEST_PROXY_DRIVE_H
#define HF_TEST_PROXY_DRIVE_H

#include <stdbool.h>
#include <stddef.h>

#include "proxy_protocol.h"

enum pdrive_kind { PDRIVE_ACCEPT, PDRIVE_REJECT, PDRIVE_INCOMPLETE };

typedef struct pdrive_result {
    enum pdrive_kind kind;
    size_t consumed;       /* PDRIVE_ACCEPT: the header's length */
    hf_proxy_addr_t addr;  /* PDRIVE_ACCEPT */
} pdrive_result_t;

/* split: bytes of the first piece (0 or >= len: all); step: bytes of each
 * later piece (0: the rest). */
void pdrive(const char *in, size_t len, size_t split, size_t step,
            pdrive_result_t *r);

/* Equal kinds, lengths and addresses (the family's bytes only). */
bool pdrive_result_equal(const pdrive_result_t *a, const pdrive_result_t *b);

/* Prints a result to stderr. */
void pdrive_result_print(const char *title, const pdrive_result_t *r);

/* Writes a header that carries a's address: version 1 text or version 2
 * binary (with a TLV after the addresses when tlv is set), with a fixed
 * destination; LOCAL (v2) or UNKNOWN (v1) for family 0. Returns its length;
 * out must hold HF_PROXY_V2_MAX bytes. */
size_t pdrive_write(const hf_proxy_addr_t *a, int version, bool tlv,
                    char *out);

#endif
