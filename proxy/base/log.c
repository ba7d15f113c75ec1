#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int hf_log_level = HF_LOG_INFO;

static hf_outq_t stderr_q = {.fd = STDERR_FILENO, .name = "stderr"};
static hf_outq_t stdout_q = {.fd = STDOUT_FILENO, .name = "stdout"};

hf_outq_t *hf_log_stderr(void) { return &stderr_q; }

hf_outq_t *hf_log_stdout(void) { return &stdout_q; }

static const char *const level_names[] = {"error", "warn", "info", "debug"};

void hf_log_set_level(int level) { hf_log_level = level; }

const char *hf_log_level_name(int level)
{
    if (level < 0 || level > HF_LOG_DEBUG)
        return "?";
    return level_names[level];
}

void hf_log_write(int level, uint64_t conn, const char *fmt, ...)
{
    char line[1024];
    struct timespec ts;
    struct tm tm;
    size_t n;
    int r;
    va_list ap;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
    r = snprintf(line + n, sizeof(line) - n, ".%03ldZ %s: ",
                 ts.tv_nsec / 1000000, hf_log_level_name(level));
    n += (size_t)r;
    if (conn != 0) {
        r = snprintf(line + n, sizeof(line) - n, "#%llu ",
                     (unsigned long long)conn);
        n += (size_t)r;
    }
    va_start(ap, fmt);
    r = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
    va_end(ap);
    if (r < 0)
        r = 0;
    n += (size_t)r;
    if (n > sizeof(line) - 2)
        n = sizeof(line) - 2;
    line[n++] = '\n';
    /* One write per line so lines from a crash or a pipe never interleave;
     * a stderr that cannot take it queues or drops it, never blocks. */
    hf_outq_write(&stderr_q, line, n);
}
