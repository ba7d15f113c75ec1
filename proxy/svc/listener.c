#include "listener.h"

#include <sys/socket.h>

#include "client.h"
#include "health.h"
#include "log.h"
#include "runtime.h"
#include "sd_listen.h"
#include "server.h"
#include "turn.h"

#define LISTEN_BACKLOG 4096

/* At max_clients, closes the connection idle longest across every
 * mapping's idle queue, as nginx reuses idle connections: its close makes
 * the room (hf_listener_resume_all then accepts). Returns false when no
 * connection is idle. */
static bool make_room(void)
{
    hf_client_t *oldest = NULL;
    uint64_t oldest_since = UINT64_MAX;

    for (hf_list_t *n = hf_server.mappings.next; n != &hf_server.mappings;
         n = n->next) {
        hf_mapping_t *m = hf_container_of(n, hf_mapping_t, link);
        uint64_t since;
        hf_client_t *c = hf_client_idle_oldest(m->tq_idle, &since);
        if (c != NULL && since < oldest_since) {
            oldest = c;
            oldest_since = since;
        }
    }
    if (oldest == NULL)
        return false;
    hf_log(HF_LOG_DEBUG, oldest->id,
           "max_clients reached: closing the connection idle longest");
    hf_server.idle_closed++;
    hf_client_close(oldest);
    return true;
}

static hf_deferred_t room_work = {{&room_work.link, &room_work.link}, NULL};

static void on_room_work(hf_deferred_t *d, bool cancel)
{
    (void)d;
    if (!cancel && hf_rt.nclients >= hf_server.max_clients)
        (void)make_room();
}

void hf_listener_conn_idle(void)
{
    if (hf_rt.nclients < hf_server.max_clients)
        return;
    for (hf_list_t *n = hf_server.mappings.next; n != &hf_server.mappings;
         n = n->next)
        if (hf_container_of(n, hf_mapping_t, link)->accept_paused) {
            /* Not inside the caller, which is finishing that very
             * connection's response. */
            (void)hf_turn_post(&room_work, HF_TURN_CONNECT, on_room_work);
            return;
        }
}

static void on_listener_connection(uv_stream_t *s, int status)
{
    hf_mapping_t *m = hf_container_of(s, hf_mapping_t, listener);

    if (status < 0) {
        /* EMFILE and the like: libuv has already shed the pending
         * connection; accepting resumes when descriptors free up. */
        hf_log_warn("%s: accept: %s", m->conf.listen.text,
                    uv_strerror(status));
        return;
    }
    if (hf_rt.nclients >= hf_server.max_clients) {
        /* Leave it pending: libuv stops polling this listener until
         * uv_accept() is called, when a client closes: the idle one closed
         * now, or any later. */
        bool room = make_room();
        if (!m->accept_paused && !room)
            hf_log_debug("%s: max_clients reached, accept paused",
                         m->conf.listen.text);
        m->accept_paused = true;
        return;
    }
    (void)hf_client_accept(m, s, -1);
}

int hf_listener_open(hf_mapping_t *m)
{
    int err;

    uv_tcp_init(hf_rt.loop, &m->listener);
    m->listener.data = m;
    m->listening = true;
    hf_mapping_ref(m);
    /* IPv6 only, as nginx does: [::]:P and 0.0.0.0:P can then both be
     * listened on instead of the second failing with EADDRINUSE. */
    err = hf_sd_listen_bind(&m->listener, &m->conf.listen,
                            m->conf.listen.sa.ss_family == AF_INET6
                                ? UV_TCP_IPV6ONLY
                                : 0);
    if (err == 0)
        err = uv_listen((uv_stream_t *)&m->listener, LISTEN_BACKLOG,
                        on_listener_connection);
    if (err != 0) {
        hf_log_error("[%s] listen %s: %s", m->conf.name,
                     m->conf.listen.text, uv_strerror(err));
        hf_listener_close(m);
        return err;
    }
    hf_health_configure(m);
    return 0;
}

/* Connections the kernel completed but holdfast has not accepted yet
 * would be reset with the listener, request and all: they are taken
 * first (libuv holds at most one itself; the rest wait in the kernel). */
static void take_backlog(hf_mapping_t *m)
{
    uv_os_fd_t lfd;

    (void)hf_client_accept(m, (uv_stream_t *)&m->listener, -1);
    if (uv_fileno((const uv_handle_t *)&m->listener, &lfd) != 0)
        return;
    for (int i = 0; i < LISTEN_BACKLOG && hf_rt.nclients < hf_server.max_clients;
         i++) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            break;
        (void)hf_client_accept(m, NULL, fd);
    }
}

static void on_listener_close(uv_handle_t *h)
{
    hf_mapping_unref(h->data);
}

void hf_listener_close(hf_mapping_t *m)
{
    hf_health_stop(m);
    if (!m->listening)
        return;
    take_backlog(m);
    m->listening = false;
    m->accept_paused = false;
    uv_close((uv_handle_t *)&m->listener, on_listener_close);
}

void hf_listener_resume_all(void)
{
    for (hf_list_t *n = hf_server.mappings.next; n != &hf_server.mappings;
         n = n->next) {
        hf_mapping_t *m = hf_container_of(n, hf_mapping_t, link);
        if (hf_rt.nclients >= hf_server.max_clients)
            return;
        if (m->accept_paused && m->listening) {
            m->accept_paused = false;
            (void)hf_client_accept(m, (uv_stream_t *)&m->listener, -1);
        }
    }
}
