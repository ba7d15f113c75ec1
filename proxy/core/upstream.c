#include "upstream.h"

#include <stdlib.h>
#include <string.h>

#include "backend_request.h"
#include "log.h"
#include "read_defer.h"
#include "runtime.h"
#include "sock.h"
#include "status.h"

typedef struct hf_upstream {
    hf_sock_t sock;           /* TCP or Unix-domain, as the address */
    uv_timer_t timer;         /* connect, then backend_timeout */
    uv_connect_t creq;
    uv_write_t wreq;
    hf_exchange_t *ex;        /* NULL once detached */
    hf_mapping_t *mapping;    /* referenced */
    hf_backend_addr_t *addr;  /* referenced */
    hf_outbuf_t head;         /* the request head written to the backend */
    uint64_t body_sent;       /* request body bytes queued */
    hf_block_t *rd;           /* read buffer */
    hf_spill_waiter_t spill;  /* waiting for spill room */
    hf_read_defer_t defer;    /* reads held back, see connected() */
    uint64_t bytes_read;      /* response bytes read */
    unsigned reads;           /* reads that brought response bytes */
    bool deferred;            /* its reads were held back */
    int open_handles;
    bool connected;
    bool head_queued;
    bool writing;
    bool slot_held;
    bool closing;
    bool got_bytes;           /* any response byte arrived */
    hf_list_t link;           /* in the list of all upstreams */
} hf_upstream_t;

static hf_list_t all_upstreams = {&all_upstreams, &all_upstreams};
static const hf_upstream_events_t *events;

void hf_upstream_set_events(const hf_upstream_events_t *ev) { events = ev; }

static void on_upstream_close(uv_handle_t *h)
{
    hf_upstream_t *up = h->data;

    if (--up->open_handles > 0)
        return;
    hf_outbuf_free(&up->head);
    hf_block_put(up->rd);
    hf_backend_addr_unref(up->addr);
    hf_mapping_unref(up->mapping);
    free(up);
    hf_rt.nupstreams--;
    hf_runtime_conn_closed();
}

static void release_slot(hf_upstream_t *up)
{
    if (!up->slot_held)
        return;
    up->slot_held = false;
    hf_pool_release(up->addr, false);
    events->slot_freed(up->mapping);
}

/* Unhooks the exchange and closes the connection, with a reset when reset
 * is true. Returns the exchange, which the caller hands on (response,
 * error, retry). */
static hf_exchange_t *detach_and_close(hf_upstream_t *up, bool reset)
{
    hf_exchange_t *ex = up->ex;

    if (ex != NULL) {
        hf_exchange_backend_done(ex);
        up->ex = NULL;
    }
    hf_spill_cancel(&up->spill);
    hf_read_defer_stop(&up->defer);
    if (!up->closing) {
        up->closing = true;
        hf_list_remove(&up->link);
        hf_sock_close(&up->sock, reset, on_upstream_close);
        uv_close((uv_handle_t *)&up->timer, on_upstream_close);
    }
    return ex;
}

/* A backend that closes after this response reads nothing more from the
 * connection, so it is reset rather than closed (as HAProxy does once the
 * server has finished): no TIME_WAIT socket on either side, whichever
 * closed first, and two fewer segments per request. A backend that keeps
 * connections open (one ignoring Connection: close) gets the usual FIN. */
static void finish(hf_upstream_t *up, bool backend_closed)
{
    hf_exchange_t *ex;

    if (!up->deferred && up->bytes_read < HF_READ_DEFER_BYTES)
        hf_pool_note_reads(up->addr, up->reads);
    ex = detach_and_close(
        up, up->ex != NULL && (backend_closed || up->ex->res.closes));

    if (ex != NULL) {
        hf_hist_observe(&up->mapping->stats.backend_time,
                        (double)(ex->t_backend_done - ex->t_sent) / 1e9);
        if (ex->client != NULL)
            hf_exchange_progress(ex);
        else
            hf_exchange_release(ex);
    }
    release_slot(up);
}

/* The backend answered with a response holdfast refuses to relay. The
 * client's request was read whole and nothing of the response went out, so
 * the client connection is in sync: only this request fails, and the
 * connection stays open for the next (as nginx keeps it after a 502). */
static void refuse_response(hf_exchange_t *ex, const char *why)
{
    hf_log(HF_LOG_INFO, 0, "%s %.*s: 502 (%s)",
           ex->req.method ? ex->req.method : "-", (int)ex->req.path_len,
           ex->req.head.buf + ex->req.path_off, why);
    hf_exchange_respond(ex, 502, why, hf_status_text(502), false,
                        ex->req.state == HF_REQ_DONE);
}

static void fail(hf_upstream_t *up, int status, enum hf_backend_error kind,
                 const char *why)
{
    hf_exchange_t *ex;

    up->mapping->stats.backend_errors[kind]++;
    events->backend_error(up->mapping, kind);
    hf_log_warn("backend %s: %s", up->addr->addr.text, why);
    ex = detach_and_close(up, false);
    if (ex != NULL) {
        if (ex->client == NULL)
            hf_exchange_release(ex);
        else if (kind == HF_BERR_INVALID && status == 502)
            refuse_response(ex, why);
        else
            hf_exchange_fail(ex, status, why);
    }
    release_slot(up);
}

static void connect_failed(hf_upstream_t *up, int err)
{
    hf_exchange_t *ex;
    hf_backend_addr_t *a = up->addr;

    /* Out of descriptors is holdfast's own fault: the address stays up,
     * no backend error is counted, the client gets a 503 to retry. */
    if (err == UV_EMFILE || err == UV_ENFILE) {
        hf_log_error("backend %s: socket: %s", a->addr.text, uv_strerror(err));
        ex = detach_and_close(up, false);
        if (ex != NULL && ex->client != NULL)
            hf_exchange_fail(ex, 503, "out of file descriptors");
        else if (ex != NULL)
            hf_exchange_release(ex);
        release_slot(up);
        return;
    }
    up->mapping->stats.backend_errors[HF_BERR_CONNECT]++;
    events->backend_error(up->mapping, HF_BERR_CONNECT);
    hf_log_warn("backend %s: connect: %s", a->addr.text, uv_strerror(err));
    ex = detach_and_close(up, false);
    /* Keep the slot until the retry is queued, so the retry cannot pick
     * this address again through a slot that looks free. */
    if (ex != NULL)
        events->connect_failed(ex, a);
    release_slot(up);
}

static void on_upstream_timer(uv_timer_t *t)
{
    hf_upstream_t *up = t->data;

    if (up->closing)
        return;
    if (!up->connected)
        connect_failed(up, UV_ETIMEDOUT);
    else
        fail(up, 504, HF_BERR_TIMEOUT, "backend timed out");
}

static void arm_timer(hf_upstream_t *up)
{
    uv_timer_start(&up->timer, on_upstream_timer,
                   up->mapping->conf.backend_timeout_ms, 0);
}

static void on_upstream_write(uv_write_t *req, int status);

/* Queues the next part of the request: head and in-memory body in one
 * writev, then the spilled body a block at a time. */
static void write_more(hf_upstream_t *up)
{
    hf_exchange_t *ex = up->ex;
    uv_buf_t bufs[8];
    int n = 0, k;

    if (ex == NULL || up->writing)
        return;
    if (!up->head_queued) {
        bufs[n++] = uv_buf_init(up->head.buf, (unsigned)up->head.len);
        up->head_queued = true;
    }
    k = hf_body_bufs(&ex->req.body, up->body_sent, bufs + n, 8 - n);
    if (k < 0) {
        fail(up, 502, HF_BERR_INVALID, "request spill unreadable");
        return;
    }
    for (int i = n; i < n + k; i++)
        up->body_sent += bufs[i].len;
    n += k;
    if (n == 0)
        return;
    if (uv_write(&up->wreq, &up->sock.stream, bufs, (unsigned)n,
                 on_upstream_write) != 0) {
        fail(up, 502, HF_BERR_RESET, "write failed");
        return;
    }
    up->writing = true;
}

static void on_upstream_write(uv_write_t *req, int status)
{
    hf_upstream_t *up = req->data;

    up->writing = false;
    if (up->closing)
        return;
    if (status < 0) {
        /* The backend may have answered early and closed (a 413, say):
         * what it sent decides, when the read side sees the close. */
        hf_log_debug("backend %s: write: %s", up->addr->addr.text,
                     uv_strerror(status));
        return;
    }
    arm_timer(up);
    write_more(up);
}

static void on_upstream_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
    hf_upstream_t *up = h->data;

    (void)size;
    if (up->rd == NULL)
        up->rd = hf_block_get();
    if (up->rd == NULL) {
        *buf = uv_buf_init(NULL, 0);
        return;
    }
    *buf = uv_buf_init(up->rd->data, HF_BLOCK_SIZE);
}

static void on_upstream_read(uv_stream_t *s, ssize_t nread,
                             const uv_buf_t *buf);

static void on_spill_room(hf_spill_waiter_t *w)
{
    hf_upstream_t *up = hf_container_of(w, hf_upstream_t, spill);

    if (up->closing)
        return;
    if (up->ex != NULL && up->ex->client != NULL &&
        !hf_body_may_grow(&up->ex->res.body)) {
        hf_spill_wait(w); /* woken for another's sake */
        return;
    }
    arm_timer(up);
    uv_read_start(&up->sock.stream, on_upstream_alloc,
                  on_upstream_read);
}

/* RFC 9110 §9.2.2: methods whose intended effect is the same however
 * often they are sent. */
static bool idempotent(const char *method)
{
    static const char *const safe[] = {"GET", "HEAD", "OPTIONS", "TRACE",
                                       "PUT", "DELETE", NULL};

    for (int i = 0; method != NULL && safe[i] != NULL; i++)
        if (strcmp(method, safe[i]) == 0)
            return true;
    return false;
}

/* The backend closed or reset the connection before answering at all (an
 * app restarting, say): an idempotent request is sent once more on a
 * fresh connection rather than failed. Returns true if it was. */
static bool retried(hf_upstream_t *up, const char *why)
{
    hf_exchange_t *ex = up->ex;

    if (up->got_bytes || ex->client == NULL || ex->retried ||
        !idempotent(ex->req.method))
        return false;
    hf_log_info("backend %s: %s: sending %s again", up->addr->addr.text, why,
                ex->req.method);
    up->mapping->stats.backend_errors[HF_BERR_RESET]++;
    events->backend_error(up->mapping, HF_BERR_RESET);
    ex = detach_and_close(up, false);
    ex->retried = true;
    ex->t_backend_done = 0;
    if (ex->res_ready) {
        hf_response_free(&ex->res);
        ex->res_ready = false;
    }
    /* The slot goes back after the retry is queued, so the freed slot's
     * dispatch finds it in its place. */
    events->retry(ex);
    release_slot(up);
    return true;
}

/* The socket's pending error. libuv reports a reset that follows a short
 * read as the end of the stream (it takes the POLLHUP for one without
 * reading again), so this is what tells a reset from a FIN. */
static int pending_error(hf_upstream_t *up)
{
    uv_os_fd_t fd;
    int err = 0;
    socklen_t len = sizeof(err);

    if (uv_fileno(&up->sock.handle, &fd) != 0 ||
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        return 0;
    return err;
}

static void eof(hf_upstream_t *up, hf_response_t *res)
{
    int r, err = pending_error(up);

    /* A reset is never the end of a close-delimited body (nor of any
     * other): the backend went away, and the client must see a cut. */
    if (err != 0) {
        if (!res->head_done && retried(up, uv_strerror(-err)))
            return;
        fail(up, 502, HF_BERR_RESET, uv_strerror(-err));
        return;
    }
    r = hf_response_eof(res);

    if (r != HF_RES_OK && !res->head_done &&
        retried(up, "closed before answering"))
        return;
    if (r == HF_RES_OK)
        finish(up, true);
    else if (!res->head_done)
        fail(up, 502, HF_BERR_RESET, "backend closed without a response");
    else
        fail(up, 502, HF_BERR_RESET, res->error);
}

/* max_response_size: a body past it is cut and the connection closed;
 * the client gets a 502 if nothing went out yet. Returns true if so. */
static bool past_max_size(hf_upstream_t *up, const hf_response_t *res)
{
    uint64_t max = up->mapping->conf.max_response_size;

    /* A Content-Length past it is known with the head: a 502 before any
     * of the response goes out. */
    if (max == 0 || (res->body.len + res->discarded <= max &&
                     !(res->head_done && res->has_length && !res->no_body &&
                       res->content_length > max)))
        return false;
    fail(up, 502, HF_BERR_INVALID, "response over max_response_size");
    return true;
}

static void on_upstream_read(uv_stream_t *s, ssize_t nread,
                             const uv_buf_t *buf)
{
    hf_upstream_t *up = s->data;
    hf_exchange_t *ex = up->ex;
    hf_response_t *res;
    enum hf_grow room;
    int r;

    (void)buf;
    if (up->closing || ex == NULL)
        return;
    res = &ex->res;
    if (nread == 0)
        return;
    if (nread == UV_EOF) {
        eof(up, res);
        return;
    }
    if (nread < 0) {
        if (nread != UV_ENOBUFS && retried(up, uv_strerror((int)nread)))
            return;
        fail(up, 502, HF_BERR_RESET,
             nread == UV_ENOBUFS ? "out of memory" : uv_strerror((int)nread));
        return;
    }
    up->got_bytes = true;
    up->reads++;
    up->bytes_read += (uint64_t)nread;
    res->discard = ex->client == NULL;
    r = hf_response_feed(res, up->rd->data, (size_t)nread);
    if (r == HF_RES_MALFORMED) {
        fail(up, 502, HF_BERR_INVALID, res->error);
        return;
    }
    if (r == HF_RES_LOCAL) {
        fail(up, 503, HF_BERR_INVALID, res->error);
        return;
    }
    if (past_max_size(up, res))
        return;
    if (res->complete) {
        finish(up, false);
        return;
    }
    arm_timer(up);
    if (res->head_done)
        hf_exchange_progress(ex);
    /* max_spill: a response that would pass it on its own fails; one that
     * waits for room (its client to read, others to finish) stops
     * reading. A response whose client left only discards. */
    room = ex->client != NULL ? hf_body_room(&res->body) : HF_GROW_OK;
    if (room == HF_GROW_NEVER) {
        fail(up, 502, HF_BERR_INVALID, "response over max_spill");
        return;
    }
    if (room == HF_GROW_WAIT) {
        /* holdfast, not the backend, is what waits now: no timeout. */
        uv_read_stop(s);
        uv_timer_stop(&up->timer);
        hf_spill_wait(&up->spill);
    }
}

/* The connection is up: send the request, read the response. */
static void connected(hf_upstream_t *up)
{
    hf_exchange_t *ex = up->ex;
    hf_mapping_conf_t *conf = &up->mapping->conf;

    up->connected = true;
    hf_pool_mark_up(up->addr, up->mapping->conf.name);
    if (ex == NULL)
        return;
    /* One writev carries a request held in memory, and Nagle never delays
     * a first segment; only a spilled body goes out in several writes. */
    if (ex->req.body.fd >= 0)
        hf_sock_nodelay(&up->sock);
    hf_backend_request_in_t in = {
        .req = &ex->req,
        .peer = ex->peer,
        .host = ex->backend,
        .request_id = ex->request_id,
        .id_name = conf->request_id,
        .start_unix_us = ex->t_ready_unix_us,
        .http_minor = conf->backend_http_minor,
        .forwarded_for = conf->forwarded_for,
    };

    if (hf_backend_request_build(&in, &up->head) != 0 ||
        hf_response_init(&ex->res, ex->req.is_head,
                         conf->body_buffer_size) != 0) {
        fail(up, 503, HF_BERR_INVALID, "out of memory");
        return;
    }
    ex->res_ready = true;
    arm_timer(up);
    /* Only with a second connection: at 1 the backend sits idle until
     * holdfast reads the answer and connects again, so a later read costs
     * it requests (a third of them in front of the C backend). */
    up->deferred = conf->backend_max_conns > 1 &&
                   hf_pool_defer_reads(up->addr) &&
                   hf_read_defer_start(&up->defer, &up->sock);
    uv_read_start(&up->sock.stream, on_upstream_alloc,
                  on_upstream_read);
    write_more(up);
}

static void on_upstream_connect(uv_connect_t *req, int status)
{
    hf_upstream_t *up = req->data;

    if (up->closing)
        return;
    if (status < 0)
        connect_failed(up, status);
    else
        connected(up);
}

void hf_upstream_start(hf_exchange_t *ex, hf_backend_addr_t *a)
{
    hf_mapping_t *m = ex->mapping;
    hf_upstream_t *up = calloc(1, sizeof(*up));
    size_t n;
    int err;

    if (up == NULL) {
        hf_exchange_fail(ex, 503, "out of memory");
        return;
    }
    up->ex = ex;
    ex->up = up;
    ex->addr = a;
    /* A copy, not snprintf: it ran for every request. */
    n = strnlen(a->addr.text, sizeof(ex->backend) - 1);
    memcpy(ex->backend, a->addr.text, n);
    ex->backend[n] = '\0';
    up->mapping = m;
    hf_mapping_ref(m);
    up->addr = a;
    hf_pool_take(a, false);
    up->slot_held = true;
    hf_list_init(&up->spill.link);
    hf_read_defer_init(&up->defer);
    up->spill.resume = on_spill_room;
    hf_list_insert_tail(&all_upstreams, &up->link);
    hf_rt.nupstreams++;

    hf_sock_init(hf_rt.loop, &up->sock, &a->addr, up);
    uv_timer_init(hf_rt.loop, &up->timer);
    up->timer.data = up;
    up->creq.data = up;
    up->wreq.data = up;
    up->open_handles = 2;
    uv_timer_start(&up->timer, on_upstream_timer,
                   m->conf.backend_connect_timeout_ms, 0);
    err = hf_sock_connect_now(&up->sock, &a->addr);
    if (err == 0) {
        connected(up);
        return;
    }
    if (err == 1)
        err = hf_sock_connect(&up->creq, &up->sock, &a->addr,
                              on_upstream_connect);
    if (err != 0)
        connect_failed(up, err);
}

void hf_upstream_abort_all(void)
{
    while (!hf_list_empty(&all_upstreams)) {
        hf_upstream_t *up = hf_container_of(hf_list_first(&all_upstreams),
                                            hf_upstream_t, link);
        fail(up, 503, HF_BERR_RESET, "shutting down");
    }
}

uint64_t hf_upstream_oldest_sent(const hf_mapping_t *m)
{
    uint64_t oldest = 0;

    for (hf_list_t *n = all_upstreams.next; n != &all_upstreams;
         n = n->next) {
        const hf_upstream_t *up = hf_container_of(n, hf_upstream_t, link);
        if (up->mapping == m && up->ex != NULL &&
            (oldest == 0 || up->ex->t_sent < oldest))
            oldest = up->ex->t_sent;
    }
    return oldest;
}
