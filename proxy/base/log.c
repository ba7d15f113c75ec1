#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
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

/* True when stderr is the journal's stream: systemd sets JOURNAL_STREAM to
 * its "device:inode", and a stderr redirected elsewhere no longer matches. */
static bool stderr_is_journal(void)
{
    static int known = -1;
    const char *env;
    unsigned long long dev, ino;
    struct stat st;

    if (known >= 0)
        return known;
    env = getenv("JOURNAL_STREAM");
    known = env != NULL && sscanf(env, "%llu:%llu", &dev, &ino) == 2 &&
            fstat(STDERR_FILENO, &st) == 0 &&
            (unsigned long long)st.st_dev == dev &&
            (unsigned long long)st.st_ino == ino;
    return known;
}

void hf_log_write(int level, uint64_t conn, const char *fmt, ...)
{
    char line[1024];
    struct timespec ts;
    struct tm tm;
    size_t n;
    int r;
    va_list ap;

    /* sd-daemon(3) priorities, so `journalctl -p warning` can filter. */
    static const char prio[] = {'3', '4', '6', '7'};

    n = 0;
    if (stderr_is_journal()) {
        line[n++] = '<';
        line[n++] = prio[level < 0 ? 0 : level > HF_LOG_DEBUG ? 3 : level];
        line[n++] = '>';
    }
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    n += strftime(line + n, sizeof(line) - n, "%Y-%m-%dT%H:%M:%S", &tm);
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
