#include "sock.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/un.h>
#include <unistd.h>

void hf_sock_init(uv_loop_t *loop, hf_sock_t *s, const hf_addr_t *a,
                  void *data)
{
    if (hf_sock_is_unix(a))
        (void)uv_pipe_init(loop, &s->pipe, 0);
    else
        (void)uv_tcp_init(loop, &s->tcp);
    s->handle.data = data;
}

static bool is_loopback(const hf_addr_t *a)
{
    if (a->sa.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&a->sa;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (a->sa.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&a->sa;
        return IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    }
    return false;
}

/* A non-blocking loopback connect() has either finished the handshake or
 * failed by the time it returns; anything else (a SYN dropped on a full
 * backlog) is left to libuv. */
static int tcp_connected(int fd)
{
    struct tcp_info ti;
    socklen_t tl = sizeof(ti);
    int soerr = 0;
    socklen_t sl = sizeof(soerr);

    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0 &&
        ti.tcpi_state == TCP_ESTABLISHED)
        return 0;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
    return soerr != 0 ? -soerr : 1;
}

int hf_sock_connect_now(hf_sock_t *s, const hf_addr_t *a)
{
    bool local = hf_sock_is_unix(a);
    int fd, err;

    if (!local && !is_loopback(a))
        return 1;
    fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (const struct sockaddr *)&a->sa, a->len) != 0 &&
        (local || errno != EINPROGRESS)) {
        err = -errno;
        close(fd);
        return err;
    }
    if (!local) {
        err = tcp_connected(fd);
        if (err != 0) {
            close(fd);
            return err;
        }
    }
    err = local ? uv_pipe_open(&s->pipe, fd) : uv_tcp_open(&s->tcp, fd);
    if (err != 0) {
        close(fd);
        return 1;
    }
    return 0;
}

int hf_sock_connect(uv_connect_t *req, hf_sock_t *s, const hf_addr_t *a,
                    uv_connect_cb cb)
{
    if (hf_sock_is_unix(a)) {
        const struct sockaddr_un *un = (const struct sockaddr_un *)&a->sa;
        /* Reports every outcome, errors included, through cb. */
        uv_pipe_connect(req, &s->pipe, un->sun_path, cb);
        return 0;
    }
    return uv_tcp_connect(req, &s->tcp, (const struct sockaddr *)&a->sa, cb);
}

void hf_sock_nodelay(hf_sock_t *s)
{
    if (s->handle.type == UV_TCP)
        (void)uv_tcp_nodelay(&s->tcp, 1);
}

void hf_sock_close(hf_sock_t *s, bool reset, uv_close_cb cb)
{
    if (reset && s->handle.type == UV_TCP &&
        uv_tcp_close_reset(&s->tcp, cb) == 0)
        return;
    uv_close(&s->handle, cb);
}
