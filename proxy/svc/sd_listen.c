#include "sd_listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

/* SD_LISTEN_FDS_START in sd-daemon.h: the protocol's first descriptor. */
#define SD_FDS_START 3
/* More sockets than any configuration has listeners is a broken unit. */
#define SD_FDS_MAX 256

typedef struct inherited {
    int fd;
    struct sockaddr_storage sa; /* from getsockname */
    char text[128];             /* the address, for messages */
    bool taken;                 /* handed to a listener, which owns it */
} inherited_t;

static inherited_t *socks;
static int nsocks;

static void format_addr(const struct sockaddr_storage *ss, char *out,
                        size_t size)
{
    char host[INET6_ADDRSTRLEN] = "?";

    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &s->sin_addr, host, sizeof(host));
        snprintf(out, size, "%s:%u", host, ntohs(s->sin_port));
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &s->sin6_addr, host, sizeof(host));
        snprintf(out, size, "[%s]:%u", host, ntohs(s->sin6_port));
    } else if (ss->ss_family == AF_UNIX) {
        const struct sockaddr_un *s = (const struct sockaddr_un *)ss;
        snprintf(out, size, "unix:%.*s", (int)sizeof(s->sun_path),
                 s->sun_path[0] ? s->sun_path : "@abstract");
    } else {
        snprintf(out, size, "address family %d", ss->ss_family);
    }
}

/* Family, address and port, as getsockname reports them: the kernel
 * leaves flow info and padding out of it, so a byte compare of the whole
 * sockaddr (hf_addr_equal) would be too strict. */
static bool same_addr(const struct sockaddr_storage *a, const hf_addr_t *b)
{
    if (a->ss_family != b->sa.ss_family)
        return false;
    if (a->ss_family == AF_INET) {
        const struct sockaddr_in *x = (const struct sockaddr_in *)a;
        const struct sockaddr_in *y = (const struct sockaddr_in *)&b->sa;
        return x->sin_port == y->sin_port &&
               x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    if (a->ss_family == AF_INET6) {
        const struct sockaddr_in6 *x = (const struct sockaddr_in6 *)a;
        const struct sockaddr_in6 *y = (const struct sockaddr_in6 *)&b->sa;
        return x->sin6_port == y->sin6_port &&
               x->sin6_scope_id == y->sin6_scope_id &&
               memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
    }
    return false;
}

static bool wanted(const struct sockaddr_storage *ss, const hf_config_t *cfg)
{
    if (cfg->global.admin_on && same_addr(ss, &cfg->global.admin))
        return true;
    for (size_t i = 0; i < cfg->nmappings; i++)
        if (same_addr(ss, &cfg->mappings[i].listen))
            return true;
    return false;
}

/* The number of sockets passed to this process, or 0: LISTEN_PID guards
 * against variables inherited from a parent they were meant for. */
static int passed_count(void)
{
    const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
    char *end;
    long n;

    if (pid == NULL || fds == NULL)
        return 0;
    errno = 0;
    if (strtol(pid, &end, 10) != (long)getpid() || *end != '\0' || errno)
        return 0;
    n = strtol(fds, &end, 10);
    if (*end != '\0' || errno || n <= 0)
        return 0;
    if (n > SD_FDS_MAX) {
        hf_log_warn("LISTEN_FDS=%ld: only the first %d sockets are used", n,
                    SD_FDS_MAX);
        n = SD_FDS_MAX;
    }
    return (int)n;
}

/* Reads socket i's address; a descriptor that is no TCP socket is an
 * error in the unit, said with the descriptor. */
static int inspect(inherited_t *s)
{
    socklen_t len = sizeof(s->sa);
    int type = 0;
    socklen_t tlen = sizeof(type);

    if (getsockname(s->fd, (struct sockaddr *)&s->sa, &len) != 0 ||
        getsockopt(s->fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0) {
        hf_log_error("inherited fd %d: not a socket: %s", s->fd,
                     strerror(errno));
        return -1;
    }
    format_addr(&s->sa, s->text, sizeof(s->text));
    if (type != SOCK_STREAM) {
        hf_log_error("inherited socket %s (fd %d): not a stream socket",
                     s->text, s->fd);
        return -1;
    }
    /* Ours alone: nothing holdfast starts should inherit a listener. */
    fcntl(s->fd, F_SETFD, FD_CLOEXEC);
    return 0;
}

int hf_sd_listen_start(const hf_config_t *cfg)
{
    int n = passed_count(), errors = 0;

    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_FDNAMES");
    if (n == 0)
        return 0;
    socks = calloc((size_t)n, sizeof(*socks));
    if (socks == NULL) {
        hf_log_error("socket activation: out of memory");
        return -1;
    }
    nsocks = n;
    for (int i = 0; i < n; i++) {
        inherited_t *s = &socks[i];
        s->fd = SD_FDS_START + i;
        if (inspect(s) != 0) {
            errors++;
        } else if (!wanted(&s->sa, cfg)) {
            hf_log_error("inherited socket %s (fd %d) matches no mapping's "
                         "listen address nor admin",
                         s->text, s->fd);
            errors++;
        } else {
            hf_log_info("socket activation: %s on fd %d", s->text, s->fd);
        }
    }
    return errors ? -1 : n;
}

int hf_sd_listen_bind(uv_tcp_t *t, const hf_addr_t *addr, unsigned flags)
{
    for (int i = 0; i < nsocks; i++) {
        inherited_t *s = &socks[i];
        if (s->taken || !same_addr(&s->sa, addr))
            continue;
        /* The socket unit bound it (and chose its options, IPV6_V6ONLY
         * included: BindIPv6Only=); flags apply to a bind only. */
        int err = uv_tcp_open(t, (uv_os_sock_t)s->fd);
        s->taken = err == 0;
        return err;
    }
    return uv_tcp_bind(t, (const struct sockaddr *)&addr->sa, flags);
}

void hf_sd_listen_close_unused(void)
{
    for (int i = 0; i < nsocks; i++)
        if (!socks[i].taken)
            close(socks[i].fd);
    free(socks);
    socks = NULL;
    nsocks = 0;
}
