/* The response as the client sees it: holdfast's own answers, and the
 * backend's response re-framed for the client (RFC 9112 §6, §9): hop-by-hop
 * fields dropped, Content-Length when the length is known, chunked to an
 * HTTP/1.1 client when it is not, close-delimited to an HTTP/1.0 one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "client.h"
#include "client_head.h"
#include "exchange.h"
#include "log.h"
#include "mapping.h"
#include "fmt.h"
#include "response_stream.h"
#include "runtime.h"
#include "status.h"
#include "turn.h"

static const char crlf[] = "\r\n";
static void (*response_done)(hf_client_t *c);

void hf_client_write_on_done(void (*done)(hf_client_t *c))
{
    response_done = done;
}
static const char last_chunk[] = "0\r\n\r\n";

/* Takes a buffer for the outgoing head: a block when it fits, else heap. */
static char *out_alloc(hf_exchange_t *ex, size_t need)
{
    if (need <= HF_BLOCK_SIZE) {
        ex->out_blk = hf_block_get();
        ex->out_buf = ex->out_blk != NULL ? ex->out_blk->data : NULL;
    } else {
        ex->out_blk = NULL;
        ex->out_buf = malloc(need);
    }
    return ex->out_buf;
}

/* Closes the client connection with a reset: SO_LINGER 0 makes the
 * close() under uv_close send RST. May free the exchange. */
static void cut(hf_client_t *c)
{
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    uv_os_fd_t fd;

    if (uv_fileno((const uv_handle_t *)&c->tcp, &fd) == 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    hf_client_close(c);
}

static int next_bufs(hf_client_t *c, hf_exchange_t *ex, uv_buf_t *bufs,
                     int max);

/* The backend failed mid-stream. What it sent before failing goes to the
 * socket first, when no write is in flight (the close would cancel one
 * anyway), so the client keeps every byte the backend managed to send and
 * sees the end as a reset; never a last chunk, as the response is not
 * complete. May free the exchange. */
static void cut_after_flush(hf_client_t *c, hf_exchange_t *ex)
{
    uv_buf_t bufs[12];
    int n, w;

    if (!ex->writing && !ex->local && !ex->res.complete && !c->closing) {
        n = next_bufs(c, ex, bufs, 12);
        if (n < 0)
            return; /* closed */
        w = n > 0 ? uv_try_write((uv_stream_t *)&c->tcp, bufs, (unsigned)n)
                  : 0;
        if (w > 0)
            ex->bytes_out += (uint64_t)w;
    }
    cut(c);
}

void hf_client_answer(hf_exchange_t *ex, int status, const char *reason,
                      const char *body, bool json, bool keep)
{
    hf_client_t *c = ex->client;
    size_t blen = strlen(body) + 1, need = blen + 256;
    bool close = !keep || !ex->req.keep_alive || hf_rt.draining;
    char *p;
    int n;

    ex->status = status;
    ex->reason = reason;
    ex->local = true;
    ex->close_after = close;
    if (c == NULL)
        return;
    if (ex->head_sent) {
        /* Part of a response already went out: all that is left is to
         * cut the connection so the client sees it incomplete. A reset,
         * not a FIN: a FIN would end a close-delimited body (an HTTP/1.0
         * client's) as if it were complete. */
        cut_after_flush(c, ex);
        return;
    }
    if (ex->out_buf != NULL)
        return; /* already answering */
    p = out_alloc(ex, need);
    if (p == NULL) {
        hf_client_close(c);
        return;
    }
    n = snprintf(p, need,
                 "HTTP/1.%d %d %s\r\n"
                 "Content-Type: %s\r\n"
                 "Content-Length: %zu\r\n"
                 "%s"
                 "Connection: %s\r\n"
                 "\r\n"
                 "%s%s",
                 ex->req.http_minor == 0 && ex->req.http_major == 1 ? 0 : 1,
                 status, hf_status_text(status),
                 json ? "application/json" : "text/plain; charset=utf-8",
                 blen, status == 503 ? "Retry-After: 1\r\n" : "",
                 close ? "close" : "keep-alive",
                 ex->req.is_head ? "" : body, ex->req.is_head ? "" : "\n");
    ex->out_len = (uint32_t)n;
    ex->out_body = ex->req.is_head ? 0 : (uint32_t)blen;
    if (ex->req.state != HF_REQ_DONE)
        hf_stats_reject(&ex->mapping->stats, reason);
    hf_client_set_state(c, HF_CLIENT_WRITING);
    hf_client_progress(ex);
}

void hf_client_fail(hf_exchange_t *ex, int status, const char *reason)
{
    hf_log(HF_LOG_INFO, ex->client ? ex->client->id : 0, "%s %.*s: %d (%s)",
           ex->req.method ? ex->req.method : "-", (int)ex->req.path_len,
           ex->req.head.buf ? ex->req.head.buf + ex->req.path_off : "",
           status, reason);
    hf_client_answer(ex, status, reason, hf_status_text(status), false,
                     false);
}

static void on_flush(hf_deferred_t *d, bool cancel)
{
    hf_exchange_t *ex = hf_container_of(d, hf_exchange_t, flush);

    if (!cancel && ex->client != NULL)
        hf_client_flush(ex->client);
}

void hf_client_progress(hf_exchange_t *ex)
{
    if (ex->client != NULL)
        hf_turn_post(&ex->flush, HF_TURN_WRITE, on_flush);
}

/* Sizes the head before writing it: the status line, the kept fields, and
 * room for holdfast's own framing fields. */
static int build_head(hf_exchange_t *ex, hf_client_t *c)
{
    hf_client_head_in_t in = {
        .res = &ex->res,
        .client_minor = ex->req.http_minor,
        .keep_alive = !ex->close_after && ex->req.keep_alive && !c->eof &&
                      !hf_rt.draining,
    };
    hf_client_head_framing_t fr;
    char *p = out_alloc(ex, hf_client_head_size(&ex->res));

    if (p == NULL)
        return -1;
    ex->out_len = (uint32_t)hf_client_head_write(&in, p, &fr);
    ex->chunked_out = fr.chunked;
    ex->close_after = fr.close_after;
    ex->status = ex->res.status;
    return 0;
}

/* What the client took is never read again: its spill goes back to the
 * budget (and a response waiting for room reads on). */
static void release_sent(hf_exchange_t *ex)
{
    if (ex->res_ready && !ex->local)
        hf_body_release(&ex->res.body, ex->body_sent);
}

static void on_client_write(uv_write_t *req, int status)
{
    hf_exchange_t *ex = hf_container_of(req, hf_exchange_t, wreq);
    hf_client_t *c = ex->client;

    ex->writing = false;
    if (c == NULL) {
        hf_exchange_release(ex);
        return;
    }
    if (status < 0) {
        hf_log(HF_LOG_DEBUG, c->id, "write: %s", uv_strerror(status));
        hf_client_close(c);
        return;
    }
    if (c->state == HF_CLIENT_WRITING)
        hf_client_timer_start(c, HF_TMO_SEND);
    release_sent(ex);
    hf_client_flush(c);
}

/* Collects the body bytes that can go now, framed for the client. Returns
 * the number of bufs, or -1 when the spill file could not be read. */
static int body_bufs(hf_exchange_t *ex, uv_buf_t *bufs, int max)
{
    hf_response_t *res = &ex->res;
    int n = 0, k;
    uint64_t total = 0;

    if (res->no_body)
        return 0;
    k = hf_body_bufs(&res->body, ex->body_sent, bufs + 1, max - 3);
    if (k < 0)
        return -1;
    for (int i = 1; i <= k; i++)
        total += bufs[i].len;
    if (!ex->chunked_out) {
        memmove(bufs, bufs + 1, (size_t)k * sizeof(*bufs));
        n = k;
    } else if (k > 0) {
        char *e = hf_put_mem(hf_put_hex(ex->chunk_line, total), crlf, 2);
        bufs[0] = uv_buf_init(ex->chunk_line,
                              (unsigned)(e - ex->chunk_line));
        bufs[k + 1] = uv_buf_init((char *)crlf, 2);
        n = k + 2;
    }
    ex->body_sent += total;
    return n;
}

/* Whether the response head may go out now. It waits, at most
 * HF_CLIENT_HOLD_MS from its arrival, for the whole body: a response
 * complete by then (nearly all of them) goes out in one write with
 * Content-Length, and a failure by then is still a clean 502. After that
 * wait, as soon as the body outgrows memory (spills), or at once when the
 * backend asked for no buffering, the head goes with what is in and the
 * body follows as it arrives. */
static bool head_may_go(hf_client_t *c, hf_exchange_t *ex)
{
    if (ex->res.complete || ex->res.body.fd >= 0 || ex->hold_over)
        return true;
    if (ex->hold_started)
        return false;
    ex->hold_started = true;
    if (hf_response_unbuffered(&ex->res)) {
        ex->hold_over = true;
        return true;
    }
    hf_client_timer_start(c, HF_TMO_HOLD);
    if (c->tmo != HF_TMO_HOLD) {
        ex->hold_over = true; /* no timer to end the wait: do not wait */
        return true;
    }
    return false;
}

/* Collects what can be written now, framed. Returns the number of bufs, 0
 * when nothing can go yet, or -1 when the connection had to be closed. */
static int next_bufs(hf_client_t *c, hf_exchange_t *ex, uv_buf_t *bufs,
                     int max)
{
    int n = 0, k;

    if (ex->local) {
        bufs[n++] = uv_buf_init(ex->out_buf, ex->out_len);
        ex->body_sent = ex->out_body; /* the access log's body size */
        ex->head_sent = true;
        ex->last_sent = true;
        return n;
    }
    if (!ex->res_ready || !ex->res.head_done)
        return 0;
    if (!ex->head_sent && !head_may_go(c, ex))
        return 0;
    if (!ex->head_sent) {
        if (build_head(ex, c) != 0) {
            hf_client_close(c);
            return -1;
        }
        bufs[n++] = uv_buf_init(ex->out_buf, ex->out_len);
        ex->head_sent = true;
        hf_client_set_state(c, HF_CLIENT_WRITING);
        hf_client_timer_start(c, HF_TMO_SEND);
    }
    k = body_bufs(ex, bufs + n, max - n - 1);
    if (k < 0) {
        hf_log_error("#%llu: reading the response spill failed",
                     (unsigned long long)c->id);
        hf_client_close(c);
        return -1;
    }
    n += k;
    if (ex->res.complete && ex->body_sent == ex->res.body.len) {
        if (ex->chunked_out)
            bufs[n++] = uv_buf_init((char *)last_chunk, 5);
        ex->last_sent = true;
    }
    return n;
}

/* Drops the first w bytes of bufs. */
static int skip_written(uv_buf_t *bufs, int n, size_t w)
{
    int i = 0;

    while (i < n && w >= bufs[i].len)
        w -= bufs[i++].len;
    if (i < n) {
        bufs[i].base += w;
        bufs[i].len -= w;
    }
    memmove(bufs, bufs + i, (size_t)(n - i) * sizeof(*bufs));
    return n - i;
}

/* Writes what the socket takes now with uv_try_write: a response that fits
 * the socket buffer, nearly all of them, costs one writev and no write
 * request, epoll change or deferred callback. What is left goes through
 * uv_write and on_client_write. */
void hf_client_flush(hf_client_t *c)
{
    /* A response finished here may start the next pipelined request and
     * answer it at once (the health path): bounded, then asynchronous. */
    static int depth;
    hf_exchange_t *ex = c->ex;
    uv_buf_t bufs[12];

    while (ex != NULL && !ex->writing && !c->closing && !ex->last_sent) {
        int n = next_bufs(c, ex, bufs, 12), w;
        size_t total = 0;

        if (n < 0)
            return;
        if (n == 0) {
            /* All that is in went out: the client is owed nothing, and
             * the wait for more is the backend's, bounded by
             * backend_timeout. A send timer would cut a slow but live
             * stream. */
            if (ex->head_sent && c->tmo == HF_TMO_SEND)
                hf_client_timer_stop(c);
            break;
        }
        for (int i = 0; i < n; i++)
            total += bufs[i].len;
        ex->bytes_out += total;
        w = depth < 8 ? uv_try_write((uv_stream_t *)&c->tcp, bufs,
                                     (unsigned)n)
                      : UV_EAGAIN;
        if (w >= 0 && (size_t)w == total) {
            if (c->state == HF_CLIENT_WRITING)
                hf_client_timer_start(c, HF_TMO_SEND);
            release_sent(ex);
            continue;
        }
        if (w < 0 && w != UV_EAGAIN) {
            hf_log(HF_LOG_DEBUG, c->id, "write: %s", uv_strerror(w));
            hf_client_close(c);
            return;
        }
        n = skip_written(bufs, n, w > 0 ? (size_t)w : 0);
        /* From here the client must take bytes: the send timer runs
         * (it may have been stopped while nothing was owed). */
        if (c->state == HF_CLIENT_WRITING)
            hf_client_timer_start(c, HF_TMO_SEND);
        if (uv_write(&ex->wreq, (uv_stream_t *)&c->tcp, bufs, (unsigned)n,
                     on_client_write) != 0) {
            hf_client_close(c);
            return;
        }
        ex->writing = true;
        return;
    }
    if (ex != NULL && !ex->writing && ex->last_sent && !c->closing) {
        depth++;
        response_done(c);
        depth--;
    }
}
