/* The process-wide series every Prometheus exporter has (process_*, as the
 * official client libraries compute them from /proc), the build, and the
 * reloads. Open descriptors matter here: max_clients is fitted to the
 * descriptor limit. */
#include "metrics.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "server.h"

static void header(hf_text_t *t, const char *name, const char *type,
                   const char *help)
{
    hf_text_printf(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Seconds since the epoch at which the machine booted, from /proc/stat. */
static double boot_time(void)
{
    FILE *f = fopen("/proc/stat", "re");
    char line[256];
    double btime = 0;

    if (f == NULL)
        return 0;
    while (fgets(line, sizeof(line), f) != NULL)
        if (sscanf(line, "btime %lf", &btime) == 1)
            break;
    fclose(f);
    return btime;
}

/* utime, stime and starttime (clock ticks) and rss (pages) of this
 * process, from /proc/self/stat. Returns 0, or -1 when it cannot be read. */
static int self_stat(double *utime, double *stime, double *start, double *rss)
{
    char buf[1024], *p;
    FILE *f = fopen("/proc/self/stat", "re");
    size_t n;

    if (f == NULL)
        return -1;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* The command name may hold spaces and parentheses: fields are
     * counted from after its last ')'. */
    p = strrchr(buf, ')');
    if (p == NULL)
        return -1;
    /* Fields 3.. : state ppid pgrp session tty tpgid flags minflt cminflt
     * majflt cmajflt utime(14) stime(15) cutime cstime priority nice
     * threads itrealvalue starttime(22) vsize rss(24). */
    if (sscanf(p + 2,
               "%*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %lf %lf %*s %*s "
               "%*s %*s %*s %*s %lf %*s %lf",
               utime, stime, start, rss) != 4)
        return -1;
    return 0;
}

/* Open descriptors, without the one used to count them. */
static long open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    long n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n - 1;
}

static void process_part(hf_text_t *t)
{
    double utime, stime, start, rss;
    double tick = (double)sysconf(_SC_CLK_TCK);
    struct rlimit rl;
    long fds = open_fds();

    if (self_stat(&utime, &stime, &start, &rss) == 0 && tick > 0) {
        header(t, "process_cpu_seconds_total", "counter",
               "Total user and system CPU time spent in seconds.");
        hf_text_printf(t, "process_cpu_seconds_total %.2f\n",
                       (utime + stime) / tick);
        header(t, "process_resident_memory_bytes", "gauge",
               "Resident memory size in bytes.");
        hf_text_printf(t, "process_resident_memory_bytes %.0f\n",
                       rss * (double)sysconf(_SC_PAGESIZE));
        header(t, "process_start_time_seconds", "gauge",
               "Start time of the process since unix epoch in seconds.");
        hf_text_printf(t, "process_start_time_seconds %.2f\n",
                       boot_time() + start / tick);
    }
    if (fds >= 0) {
        header(t, "process_open_fds", "gauge",
               "Number of open file descriptors.");
        hf_text_printf(t, "process_open_fds %ld\n", fds);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        header(t, "process_max_fds", "gauge",
               "Maximum number of open file descriptors.");
        hf_text_printf(t, "process_max_fds %.0f\n",
                       rl.rlim_cur == RLIM_INFINITY ? 1e18
                                                    : (double)rl.rlim_cur);
    }
}

void hf_metrics_process(hf_text_t *t)
{
    header(t, "holdfast_build_info", "gauge",
           "Always 1; the version of the running binary.");
    hf_text_printf(t, "holdfast_build_info{version=\"%s\"} 1\n", HF_VERSION);

    header(t, "holdfast_config_reloads_total", "counter",
           "SIGHUP reloads, by result (a failed one keeps the running "
           "configuration).");
    hf_text_printf(t,
                   "holdfast_config_reloads_total{result=\"success\"} %llu\n"
                   "holdfast_config_reloads_total{result=\"failure\"} %llu\n",
                   (unsigned long long)hf_reload_stats.ok,
                   (unsigned long long)hf_reload_stats.failed);
    header(t, "holdfast_config_last_reload_success_timestamp_seconds",
           "gauge",
           "When the running configuration was loaded (start-up or "
           "reload), seconds since the epoch.");
    hf_text_printf(t,
                   "holdfast_config_last_reload_success_timestamp_seconds "
                   "%.3f\n",
                   hf_reload_stats.last_ok_unix);
    process_part(t);
}
