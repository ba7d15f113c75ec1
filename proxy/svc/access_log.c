#include "access_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "fmt.h"
#include "log.h"
#include "mapping.h"
#include "outpoll.h"

#define BUF_SIZE (64 * 1024)
#define LINE_MAX_BYTES (8 * 1024)

static int log_fd = -1;
static bool own_fd;
/* Where lines go: stdout's queue, or file_q for a file of our own. */
static hf_outq_t *out;
static hf_outq_t file_q = {.fd = -1, .name = "access_log"};
static uv_loop_t *log_loop;
static char *log_path;
static enum hf_access_log_format log_format;
static char *buf;
static size_t buf_len;
static uv_prepare_t flusher;
static bool flusher_on;

static void on_prepare(uv_prepare_t *h)
{
    (void)h;
    hf_access_log_flush();
}

/* A path may name a FIFO or a terminal: those are written non-blocking
 * and waited on like stdout; a regular file is written blocking. */
static void use_file(int fd)
{
    int err;

    log_fd = fd;
    own_fd = true;
    file_q.fd = fd;
    out = &file_q;
    hf_outq_set_nonblocking(&file_q);
    err = hf_outpoll_watch(log_loop, &file_q);
    if (err != 0)
        hf_log_warn("access_log: cannot wait for it to be writable: %s",
                    uv_strerror(err));
}

static int open_path(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    return fd < 0 ? -errno : fd;
}

/* Drops the current target (after writing what is buffered). */
static void close_target(void)
{
    if (log_fd >= 0)
        hf_access_log_flush();
    if (own_fd && log_fd >= 0) {
        hf_outpoll_unwatch(&file_q);
        hf_outq_release(&file_q);
        close(log_fd);
    }
    file_q.fd = -1;
    out = NULL;
    log_fd = -1;
    own_fd = false;
    free(log_path);
    log_path = NULL;
}

int hf_access_log_open(uv_loop_t *loop, const hf_global_conf_t *g)
{
    int fd;

    if (buf == NULL) {
        buf = malloc(BUF_SIZE);
        if (buf == NULL)
            return -ENOMEM;
    }
    if (!flusher_on) {
        uv_prepare_init(loop, &flusher);
        uv_prepare_start(&flusher, on_prepare);
        uv_unref((uv_handle_t *)&flusher);
        flusher_on = true;
    }
    log_loop = loop;
    if (g->access_log == NULL) {
        close_target();
        log_format = g->access_log_format;
        return 0;
    }
    if (strcmp(g->access_log, "stdout") == 0) {
        close_target();
        log_fd = STDOUT_FILENO;
        out = hf_log_stdout();
        log_format = g->access_log_format;
        return 0;
    }
    /* Open the new file before letting go of the old one: a reload to a
     * path that cannot be opened keeps logging where it did. */
    fd = open_path(g->access_log);
    if (fd < 0) {
        hf_log_error("access_log %s: %s", g->access_log, strerror(-fd));
        return fd;
    }
    close_target();
    use_file(fd);
    log_path = strdup(g->access_log);
    log_format = g->access_log_format;
    return 0;
}

int hf_access_log_reopen(void)
{
    int fd;

    if (!own_fd || log_path == NULL)
        return 0;
    hf_access_log_flush();
    fd = open_path(log_path);
    if (fd < 0) {
        hf_log_error("access_log %s: reopen: %s", log_path, strerror(-fd));
        return fd;
    }
    hf_outpoll_unwatch(&file_q);
    hf_outq_release(&file_q);
    close(log_fd);
    use_file(fd);
    hf_log_info("access_log %s reopened", log_path);
    return 0;
}

void hf_access_log_flush(void)
{
    /* Queued or dropped when the target cannot take it, never blocking. */
    if (out != NULL && buf_len > 0)
        hf_outq_write(out, buf, buf_len);
    buf_len = 0;
}

static void on_flusher_close(uv_handle_t *h) { (void)h; }

void hf_access_log_close(void)
{
    close_target();
    free(buf);
    buf = NULL;
    buf_len = 0;
    if (flusher_on) {
        uv_prepare_stop(&flusher);
        uv_close((uv_handle_t *)&flusher, on_flusher_close);
        flusher_on = false;
    }
}

/* Length of the well-formed UTF-8 sequence (RFC 3629) of 2 to 4 bytes at
 * s, or 0 when there is none: no overlong forms, no surrogates. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char lo = 0x80, hi = 0xbf;
    size_t len;

    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4;
    else
        return 0;
    if (s[0] == 0xe0)
        lo = 0xa0;
    else if (s[0] == 0xed)
        hi = 0x9f;
    else if (s[0] == 0xf0)
        lo = 0x90;
    else if (s[0] == 0xf4)
        hi = 0x8f;
    if (n < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < len; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return len;
}

/* Copies s (n bytes) escaped for a quoted field. Text, as nginx: '"', '\'
 * and bytes outside printable ASCII as \xHH. JSON keeps well-formed UTF-8
 * as it is and escapes '"', '\', controls and DEL as \u00HH; a byte that
 * is not part of well-formed UTF-8 becomes \u00HH too (read as Latin-1). */
static char *put_escaped(char *w, const char *end, const char *s, size_t n,
                         bool json)
{
    const unsigned char *u = (const unsigned char *)s;

    for (size_t i = 0; i < n && w + 6 < end; i++) {
        unsigned char ch = u[i];
        size_t seq = json && ch >= 0x80 ? utf8_seq(u + i, n - i) : 0;
        if (seq > 0) {
            memcpy(w, u + i, seq);
            w += seq;
            i += seq - 1;
        } else if (ch == '"' || ch == '\\' || ch < 0x20 || ch >= 0x7f) {
            w += json ? sprintf(w, "\\u%04x", ch) : sprintf(w, "\\x%02X", ch);
        } else {
            *w++ = (char)ch;
        }
    }
    return w;
}

static const char *field_value(const hf_request_t *r, const char *name,
                               size_t *len)
{
    const hf_field_t *f;

    if (r->head.buf == NULL || r->method == NULL)
        return NULL;
    f = hf_head_find(&r->head, name);
    if (f == NULL)
        return NULL;
    *len = f->value_len;
    return r->head.buf + f->value_off;
}

/* ns as seconds with `decimals` digits (3 or 6), truncated. */
static char *put_secs(char *w, uint64_t from, uint64_t to, int decimals)
{
    uint64_t ns = from != 0 && to >= from ? to - from : 0;
    uint64_t unit = decimals == 3 ? 1000000 : 1000, frac;
    int i;

    w = hf_put_u64(w, ns / 1000000000);
    *w++ = '.';
    frac = (ns % 1000000000) / unit;
    for (i = decimals - 1; i >= 0; i--) {
        w[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    return w + decimals;
}

/* The wall-clock parts of a line, formatted once per second. */
static const char *clock_text(bool json, long *ms)
{
    static time_t cached;
    static char text[40], iso[32];
    struct timespec ts;
    struct tm tm;

    clock_gettime(CLOCK_REALTIME, &ts);
    *ms = ts.tv_nsec / 1000000;
    if (ts.tv_sec != cached || text[0] == '\0') {
        cached = ts.tv_sec;
        localtime_r(&ts.tv_sec, &tm);
        strftime(text, sizeof(text), "[%d/%b/%Y:%H:%M:%S %z]", &tm);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%S", &tm);
    }
    return json ? iso : text;
}

static char *put_quoted(char *w, const char *end, const char *v, size_t n,
                        bool json)
{
    *w++ = '"';
    if (v == NULL && !json)
        *w++ = '-';
    else if (v != NULL)
        w = put_escaped(w, end, v, n, json);
    *w++ = '"';
    return w;
}

static char *put_json_line(char *w, const char *end, const hf_exchange_t *ex,
                           uint64_t now, const char *ref, size_t ref_len,
                           const char *ua, size_t ua_len)
{
    const hf_request_t *r = &ex->req;
    long ms;

    w = hf_put_str(w, "{\"time\":\"");
    w = hf_put_str(w, clock_text(true, &ms));
    *w++ = '.';
    *w++ = (char)('0' + ms / 100);
    *w++ = (char)('0' + ms / 10 % 10);
    *w++ = (char)('0' + ms % 10);
    w = hf_put_str(w, "Z\",\"remote_addr\":\"");
    w = hf_put_str(w, ex->real_ip[0] != '\0' ? ex->real_ip : ex->peer);
    w = hf_put_str(w, "\",\"method\":");
    w = put_quoted(w, end, r->method, r->method ? strlen(r->method) : 0, true);
    w = hf_put_str(w, ",\"target\":");
    w = put_quoted(w, end, r->head.buf + r->target_off, r->target_len, true);
    w = hf_put_str(w, ",\"protocol\":\"HTTP/");
    *w++ = (char)('0' + r->http_major);
    *w++ = '.';
    *w++ = (char)('0' + r->http_minor);
    w = hf_put_str(w, "\",\"status\":");
    w = hf_put_u64(w, (uint64_t)ex->status);
    w = hf_put_str(w, ",\"body_bytes\":");
    w = hf_put_u64(w, ex->body_sent);
    w = hf_put_str(w, ",\"bytes_out\":");
    w = hf_put_u64(w, ex->bytes_out);
    w = hf_put_str(w, ",\"referer\":");
    w = put_quoted(w, end, ref, ref_len, true);
    w = hf_put_str(w, ",\"user_agent\":");
    w = put_quoted(w, end, ua, ua_len, true);
    w = hf_put_str(w, ",\"mapping\":\"");
    w = hf_put_str(w, ex->mapping->conf.name);
    w = hf_put_str(w, "\",\"upstream\":\"");
    w = hf_put_str(w, ex->backend);
    w = hf_put_str(w, "\",\"queue_s\":");
    w = put_secs(w, ex->t_ready, ex->t_sent, 6);
    w = hf_put_str(w, ",\"backend_s\":");
    w = put_secs(w, ex->t_sent, ex->t_backend_done, 6);
    w = hf_put_str(w, ",\"total_s\":");
    w = put_secs(w, ex->t_begin, now, 6);
    w = hf_put_str(w, ",\"reason\":");
    if (ex->reason != NULL)
        w = put_quoted(w, end, ex->reason, strlen(ex->reason), true);
    else
        w = hf_put_str(w, "null");
    /* A token by construction (request_id.c): nothing to escape. */
    if (ex->request_id[0] != '\0') {
        w = hf_put_str(w, ",\"request_id\":\"");
        w = hf_put_str(w, ex->request_id);
        *w++ = '"';
    }
    return hf_put_str(w, "}\n");
}

static char *put_text_line(char *w, const char *end, const hf_exchange_t *ex,
                           uint64_t now, const char *ref, size_t ref_len,
                           const char *ua, size_t ua_len)
{
    const hf_request_t *r = &ex->req;
    long ms;

    w = hf_put_str(w, ex->real_ip[0] != '\0' ? ex->real_ip : ex->peer);
    w = hf_put_str(w, " - - ");
    w = hf_put_str(w, clock_text(false, &ms));
    w = hf_put_str(w, " \"");
    if (r->method != NULL) {
        w = hf_put_str(w, r->method);
        *w++ = ' ';
        w = put_escaped(w, end, r->head.buf + r->target_off, r->target_len,
                        false);
        w = hf_put_str(w, " HTTP/");
        *w++ = (char)('0' + r->http_major);
        *w++ = '.';
        *w++ = (char)('0' + r->http_minor);
        w = hf_put_str(w, "\" ");
    } else {
        w = hf_put_str(w, "-\" ");
    }
    w = hf_put_u64(w, (uint64_t)ex->status);
    *w++ = ' ';
    w = hf_put_u64(w, ex->body_sent);
    *w++ = ' ';
    w = put_quoted(w, end, ref, ref_len, false);
    *w++ = ' ';
    w = put_quoted(w, end, ua, ua_len, false);
    w = hf_put_str(w, " mapping=");
    w = hf_put_str(w, ex->mapping->conf.name);
    w = hf_put_str(w, " upstream=");
    w = hf_put_str(w, ex->backend[0] ? ex->backend : "-");
    w = hf_put_str(w, " queue=");
    w = put_secs(w, ex->t_ready, ex->t_sent, 3);
    w = hf_put_str(w, " backend=");
    w = put_secs(w, ex->t_sent, ex->t_backend_done, 3);
    w = hf_put_str(w, " total=");
    w = put_secs(w, ex->t_begin, now, 3);
    w = hf_put_str(w, " bytes_out=");
    w = hf_put_u64(w, ex->bytes_out);
    w = hf_put_str(w, " reason=");
    w = hf_put_str(w, ex->reason ? ex->reason : "-");
    if (ex->request_id[0] != '\0') {
        w = hf_put_str(w, " request_id=");
        w = hf_put_str(w, ex->request_id);
    }
    *w++ = '\n';
    return w;
}

/* Writes one line into line (cap bytes). The quoted parts are cut to fit;
 * the fixed parts (request id included) take at most 768 bytes beyond them. */
static size_t format_line(const hf_exchange_t *ex, char *line, size_t cap)
{
    const hf_request_t *r = &ex->req;
    char *end = line + cap - 768, *w;
    const char *ref, *ua;
    size_t ref_len = 0, ua_len = 0;
    uint64_t now = uv_hrtime();

    ref = field_value(r, "referer", &ref_len);
    ua = field_value(r, "user-agent", &ua_len);
    if (log_format == HF_ACCESS_LOG_JSON)
        w = put_json_line(line, end, ex, now, ref, ref_len, ua, ua_len);
    else
        w = put_text_line(line, end, ex, now, ref, ref_len, ua, ua_len);
    return (size_t)(w - line);
}

void hf_access_log_write(const hf_exchange_t *ex)
{
    if (log_fd < 0)
        return;
    if (buf_len + LINE_MAX_BYTES > BUF_SIZE)
        hf_access_log_flush();
    buf_len += format_line(ex, buf + buf_len, LINE_MAX_BYTES);
}
