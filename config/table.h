/* Private to config/: the key table and the state of building a config from
 * a file's raw entries. */
#ifndef HF_CONFIG_TABLE_H
#define HF_CONFIG_TABLE_H

#include "internal.h"

enum hf_scope {
    HF_SCOPE_GLOBAL,
    HF_SCOPE_MAPPING,
};

enum hf_kind {
    HF_K_DURATION, /* uint64_t milliseconds */
    HF_K_SIZE,     /* uint64_t bytes */
    HF_K_UINT,     /* uint32_t */
    HF_K_BOOL,     /* bool */
    HF_K_ENUM,     /* int (or an enum of int size): index into choices */
    HF_K_STRING,   /* char *, owned */
    HF_K_ADDR,     /* hf_addr_t */
    HF_K_OPT_ADDR, /* hf_addr_t, and a bool at off2; "off" clears the bool */
    HF_K_ADDR_LIST, /* hf_addr_t *, owned, and its size_t count at off2 */
    HF_K_HEADER,    /* char[HF_HEADER_NAME_MAX + 1]: a header name, "off" "" */
    HF_K_CIDR_LIST, /* hf_cidr_t *, owned, and its size_t count at off2;
                       "off": none */
};

#define HF_F_OFF_NULL 0x1u /* HF_K_STRING: "off" stores NULL */
#define HF_F_URL_PATH 0x2u /* HF_K_STRING: starts with '/', no spaces */
#define HF_F_STDOUT 0x4u   /* HF_K_STRING: "stdout" in any case is "stdout" */
#define HF_F_OFF_ZERO 0x8u /* numbers: "off" stores 0 */

/* One row per key. */
typedef struct hf_key {
    enum hf_scope scope;
    const char *name;
    enum hf_kind kind;
    size_t off;  /* field in hf_global_conf_t or hf_mapping_conf_t */
    size_t off2; /* second field, for HF_K_OPT_ADDR and HF_K_ADDR_LIST */
    const char *def; /* default as written in a file; NULL: required */
    uint64_t min, max; /* numbers: bounds; HF_K_ADDR_LIST: max entries */
    const char *const *choices; /* HF_K_ENUM, NULL-terminated */
    const char *host;           /* address kinds: host of a bare port */
    unsigned flags;             /* HF_F_* */
} hf_key_t;

extern const hf_key_t hf_keys[];
extern const size_t hf_nkeys;

const hf_key_t *hf_key_find(enum hf_scope scope, const char *name);

/* Parses value for row k and stores it in the struct at base, freeing what
 * the field owned before. On failure returns -1, leaves the field alone and
 * writes the reason (without the key) to msg. */
int hf_key_set(const hf_key_t *k, void *base, const char *value, char *msg,
               size_t msgsize);

/* Per section of the file, while building. */
typedef struct hf_sec_state {
    enum hf_scope scope;
    void *base;                 /* &cfg->global or the mapping */
    hf_mapping_conf_t *mapping; /* NULL for [global] */
    int *seen; /* per row of hf_keys: line where it was set, 0 if not */
} hf_sec_state_t;

typedef struct hf_build {
    hf_config_t *cfg;
    const hf_raw_t *raw;
    hf_sec_state_t *st; /* one per raw section */
    hf_errs_t *errs;
    bool check_env; /* also check what the file names on this machine */
} hf_build_t;

/* The cross-field checks, after every key has been applied. */
void hf_validate(hf_build_t *b);

/* The checks of hf_config_check (env.c): paths the daemon opens at start. */
void hf_validate_env(hf_build_t *b);

#endif
