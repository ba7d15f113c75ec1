/* Client input: where read bytes land, and how they become requests.
 *
 * Reads land in one block shared by every connection. The request parser
 * copies what it keeps (the head into the request's arena, the body into
 * its body buffer), so a connection owns input bytes only while they must
 * wait: bytes pipelined behind the request being worked on (ex->in), and a
 * PROXY header arriving in pieces (hf_client_pp_t.partial). An idle
 * connection holds no buffer at all. */
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "dispatch.h"
#include "exchange.h"
#include "log.h"
#include "health_path.h"
#include "mapping.h"
#include "proxy_protocol.h"
#include "realip.h"
#include "request_id.h"
#include "status.h"

static const char continue_100[] = "HTTP/1.1 100 Continue\r\n\r\n";

static hf_block_t shared_in;

static void on_client_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf);
static void on_client_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b);

int hf_client_read_start(hf_client_t *c)
{
    int err = uv_read_start((uv_stream_t *)&c->tcp, on_client_alloc,
                            on_client_read);
    return err == UV_EALREADY ? 0 : err;
}

static bool busy(const hf_client_t *c)
{
    return c->state != HF_CLIENT_IDLE && c->state != HF_CLIENT_READING;
}

/* Stops reading while a private block is full; hf_client_response_done()
 * resumes. */
static void pause_if_full(hf_client_t *c, const hf_block_t *b)
{
    if (b->last - b->pos == HF_BLOCK_SIZE) {
        uv_read_stop((uv_stream_t *)&c->tcp);
        c->read_paused = true;
    }
}

/* The request is complete: hand it to the mapping. */
static void request_complete(hf_client_t *c)
{
    hf_client_timer_stop(c);
    hf_client_set_state(c, HF_CLIENT_QUEUED);
    c->ex->t_ready = uv_hrtime();
    if (c->mapping->conf.request_start)
        c->ex->t_ready_unix_us = hf_request_id_unix_us();
    if (c->mapping->conf.ntrusted_proxies > 0 && !c->mapping->conf.proxy_protocol)
        hf_realip_find(&c->ex->req.head, c->mapping->conf.trusted_proxies,
                       c->mapping->conf.ntrusted_proxies, c->family, c->addr,
                       c->ex->real_ip, sizeof(c->ex->real_ip));
    if (c->mapping->conf.request_id[0] != '\0')
        hf_request_id_pick(&c->ex->req.head, c->mapping->conf.request_id,
                           c->ex->request_id);
    if (hf_health_path_match(c->ex))
        hf_health_path_answer(c->ex);
    else
        hf_dispatch_submit(c->ex);
}

static void reject(hf_client_t *c)
{
    hf_exchange_t *ex = c->ex;

    hf_log(HF_LOG_DEBUG, c->id, "rejected: %d %s", ex->req.error_status,
           ex->req.error_reason);
    hf_client_answer(ex, ex->req.error_status, ex->req.error_reason,
                     hf_status_text(ex->req.error_status), false, false);
}

static void on_client_write_100(uv_write_t *req, int status)
{
    hf_exchange_t *ex = hf_container_of(req, hf_exchange_t, wreq);

    ex->writing = false;
    if (ex->client == NULL) {
        hf_exchange_release(ex);
        return;
    }
    if (status < 0) {
        hf_client_close(ex->client);
        return;
    }
    hf_client_flush(ex->client);
}

static void send_100(hf_client_t *c)
{
    hf_exchange_t *ex = c->ex;
    uv_buf_t b = uv_buf_init((char *)continue_100, sizeof(continue_100) - 1);

    if (uv_write(&ex->wreq, (uv_stream_t *)&c->tcp, &b, 1,
                 on_client_write_100) != 0) {
        hf_client_close(c);
        return;
    }
    ex->writing = true;
}

static void on_spill_room(hf_spill_waiter_t *w)
{
    hf_exchange_t *ex = hf_container_of(w, hf_exchange_t, spill);
    hf_client_t *c = ex->client;

    if (c == NULL || c->closing)
        return;
    if (!hf_body_may_grow(&ex->req.body)) {
        hf_spill_wait(w); /* woken for another's sake */
        return;
    }
    hf_client_timer_start(c, HF_TMO_BODY);
    if (hf_client_read_start(c) != 0)
        hf_client_close(c);
}

static hf_exchange_t *begin_request(hf_client_t *c)
{
    hf_exchange_t *ex = hf_exchange_new(c, c->mapping);

    if (ex == NULL) {
        hf_client_close(c);
        return NULL;
    }
    hf_client_addr_text(c, ex->peer, sizeof(ex->peer));
    c->ex = ex;
    c->used = true;
    ex->spill.resume = on_spill_room;
    hf_client_set_state(c, HF_CLIENT_READING);
    hf_client_timer_start(c, HF_TMO_HEADER);
    return ex;
}

/* Feeds bytes to the connection's request, starting one as needed. Returns
 * the bytes consumed: all of them, except after a complete request (the
 * rest is the next one) or when the connection stopped reading. */
static size_t feed(hf_client_t *c, const char *data, size_t len)
{
    size_t off = 0;

    while (off < len && !c->closing && !busy(c)) {
        hf_exchange_t *ex = c->ex ? c->ex : begin_request(c);
        enum hf_req_state before;
        enum hf_grow room;
        size_t n;

        if (ex == NULL)
            return len;
        before = ex->req.state;
        n = hf_request_feed(&ex->req, data + off, len - off);
        off += n;
        switch (ex->req.state) {
        case HF_REQ_ERROR:
            reject(c);
            return len; /* nothing after a rejected request is parsed */
        case HF_REQ_CONTINUE:
            send_100(c);
            hf_request_continue(&ex->req);
            hf_client_timer_start(c, HF_TMO_BODY);
            break;
        case HF_REQ_BODY:
            if (!ex->req.chunked && ex->req.body.expect == 0)
                ex->req.body.expect = ex->req.content_length;
            /* The header timer runs from the first byte to the end of
             * the head; the body timer restarts on every read. */
            if (before == HF_REQ_HEAD || n > 0)
                hf_client_timer_start(c, HF_TMO_BODY);
            room = hf_body_room(&ex->req.body);
            if (room == HF_GROW_NEVER) {
                hf_request_reject(&ex->req, 503, "spill_budget");
                hf_client_answer(ex, 503, "spill_budget",
                                 "Service Unavailable: body over max_spill",
                                 false, false);
                return len;
            }
            if (room == HF_GROW_WAIT) {
                /* holdfast is what waits now, not the client. */
                uv_read_stop((uv_stream_t *)&c->tcp);
                hf_client_timer_stop(c);
                hf_spill_wait(&ex->spill);
                return len;
            }
            break;
        case HF_REQ_DONE:
            request_complete(c);
            return off;
        case HF_REQ_HEAD:
            break;
        }
    }
    return off;
}

/* Keeps what feed() left for the request after the one just completed. */
static void stash(hf_client_t *c, const char *data, size_t len)
{
    hf_exchange_t *ex = c->ex;
    hf_block_t *b;

    if (len == 0 || c->closing || ex == NULL || ex->req.state != HF_REQ_DONE)
        return;
    b = hf_block_get();
    if (b == NULL) {
        hf_client_close(c);
        return;
    }
    memcpy(b->data, data, len);
    b->last = (uint32_t)len;
    ex->in = b;
    pause_if_full(c, b);
}

void hf_client_feed_pending(hf_client_t *c, hf_block_t *blk)
{
    size_t n = feed(c, blk->data + blk->pos, blk->last - blk->pos);

    blk->pos += (uint32_t)n;
    if (blk->pos < blk->last && !c->closing && c->ex != NULL &&
        c->ex->req.state == HF_REQ_DONE && c->ex->in == NULL) {
        c->ex->in = blk;
        pause_if_full(c, blk);
        return;
    }
    hf_block_put(blk);
}

/* The PROXY protocol header, gathered in its own block until complete;
 * its source address becomes the client's. */
static void proxy_header(hf_client_t *c)
{
    hf_client_pp_t *pp = (hf_client_pp_t *)c;
    hf_block_t *b = pp->partial;
    hf_proxy_addr_t pa;
    int n = hf_proxy_parse(b->data + b->pos, b->last - b->pos, &pa);

    if (n == 0 && b->last - b->pos < HF_PROXY_V2_MAX)
        return;
    if (n <= 0) {
        hf_log(HF_LOG_DEBUG, c->id, "no valid PROXY protocol header");
        hf_stats_reject(&c->mapping->stats, "proxy_protocol");
        hf_client_close(c);
        return;
    }
    b->pos += (uint32_t)n;
    c->proxy_pending = false;
    if (pa.family != 0) {
        c->family = (uint8_t)pa.family;
        memcpy(c->addr, pa.addr, sizeof(c->addr));
    }
    pp->partial = NULL;
    hf_client_feed_pending(c, b);
}

/* The block this connection's next bytes must go to, or NULL for the
 * shared one. *oom is set when a block was needed and none could be had. */
static hf_block_t *own_block(hf_client_t *c, bool *oom)
{
    hf_block_t **slot = NULL;

    *oom = false;
    if (c->lingering)
        return NULL;
    if (c->proxy_pending)
        slot = &((hf_client_pp_t *)c)->partial;
    else if (c->ex != NULL && busy(c))
        slot = &c->ex->in;
    if (slot == NULL)
        return NULL;
    if (*slot == NULL)
        *slot = hf_block_get();
    *oom = *slot == NULL;
    return *slot;
}

static void on_client_alloc(uv_handle_t *h, size_t size, uv_buf_t *buf)
{
    hf_client_t *c = hf_container_of(h, hf_client_t, tcp);
    bool oom;
    hf_block_t *b = own_block(c, &oom);

    (void)size;
    if (oom) {
        *buf = uv_buf_init(NULL, 0);
        return;
    }
    if (b == NULL) {
        *buf = uv_buf_init(shared_in.data, HF_BLOCK_SIZE);
        return;
    }
    if (b->pos == b->last) {
        b->pos = b->last = 0;
    } else if (b->last == HF_BLOCK_SIZE && b->pos > 0) {
        memmove(b->data, b->data + b->pos, b->last - b->pos);
        b->last -= b->pos;
        b->pos = 0;
    }
    *buf = uv_buf_init(b->data + b->last, HF_BLOCK_SIZE - b->last);
}

/* The client closed or failed. A request still being read or waiting in
 * the queue goes with it; one already at the backend runs to its end and
 * its answer is written if the socket still takes it. */
static void client_gone(hf_client_t *c, ssize_t err)
{
    if (err != UV_EOF || c->lingering) {
        hf_client_close(c);
        return;
    }
    c->eof = true;
    if (c->state == HF_CLIENT_WAITING || c->state == HF_CLIENT_WRITING)
        uv_read_stop((uv_stream_t *)&c->tcp);
    else
        hf_client_close(c);
}

static void on_client_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
    hf_client_t *c = hf_container_of(s, hf_client_t, tcp);
    size_t n;

    if (c->closing)
        return;
    if (nread < 0) {
        client_gone(c, nread);
        return;
    }
    if (nread == 0)
        return;
    if (b->base == shared_in.data) {
        if (c->lingering)
            return;
        n = feed(c, b->base, (size_t)nread);
        stash(c, b->base + n, (size_t)nread - n);
        return;
    }
    if (c->proxy_pending) {
        ((hf_client_pp_t *)c)->partial->last += (uint32_t)nread;
        proxy_header(c);
        return;
    }
    /* Pipelined behind the request being worked on. */
    c->ex->in->last += (uint32_t)nread;
    pause_if_full(c, c->ex->in);
}
