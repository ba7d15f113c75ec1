/* The process logger: leveled lines to stderr, each tagged with a connection
 * id when there is one. The access log is separate (access_log.h). */
#ifndef HF_LOG_H
#define HF_LOG_H

#include <stdint.h>

#include "config.h"
#include "outq.h"

extern int hf_log_level;

/* Lines above level are dropped from now on (start and reload). */
void hf_log_set_level(int level);

/* The queues in front of stderr (this logger) and stdout (the access log
 * when it is "stdout"); owned here, never freed. */
hf_outq_t *hf_log_stderr(void);
hf_outq_t *hf_log_stdout(void);
/* "error", "warn", "info", "debug": a static string. */
const char *hf_log_level_name(int level);

/* Formats one line (time, level, connection number unless 0) into the
 * stderr queue; never blocks (see outq.h). Use the hf_log macros. */
void hf_log_write(int level, uint64_t conn, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* conn is the connection number, 0 for none. Arguments are not evaluated
 * when the level is filtered out. */
#define hf_log(level, conn, ...)                                               \
    do {                                                                       \
        if ((int)(level) <= hf_log_level)                                      \
            hf_log_write((level), (conn), __VA_ARGS__);                        \
    } while (0)

#define hf_log_error(...) hf_log(HF_LOG_ERROR, 0, __VA_ARGS__)
#define hf_log_warn(...) hf_log(HF_LOG_WARN, 0, __VA_ARGS__)
#define hf_log_info(...) hf_log(HF_LOG_INFO, 0, __VA_ARGS__)
#define hf_log_debug(...) hf_log(HF_LOG_DEBUG, 0, __VA_ARGS__)

#endif
