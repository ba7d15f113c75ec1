/* The notification protocol is one datagram of text to a Unix socket, so a
 * few lines here instead of libsystemd: the sidecar stays small, links
 * nothing new, and builds where systemd is absent. */
#include "sd_notify.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

/* Fills sa from NOTIFY_SOCKET: a path, or '@' for the abstract namespace.
 * Returns the address length, or 0 when it cannot be used. */
static socklen_t notify_addr(const char *env, struct sockaddr_un *sa)
{
    size_t n = strlen(env);

    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    if ((env[0] != '/' && env[0] != '@') || n < 2 ||
        n >= sizeof(sa->sun_path))
        return 0;
    memcpy(sa->sun_path, env, n);
    if (env[0] == '@') {
        /* Abstract names are not NUL-terminated: the length says. */
        sa->sun_path[0] = '\0';
        return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
    }
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
}

void hf_sd_notify(const char *fmt, ...)
{
    const char *env = getenv("NOTIFY_SOCKET");
    struct sockaddr_un sa;
    socklen_t salen;
    char msg[1024];
    va_list ap;
    int len, fd;

    if (env == NULL || env[0] == '\0')
        return;
    salen = notify_addr(env, &sa);
    if (salen == 0) {
        hf_log_warn("NOTIFY_SOCKET=%s: not a socket path or @name", env);
        return;
    }
    va_start(ap, fmt);
    len = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (len < 0)
        return;
    if ((size_t)len >= sizeof(msg))
        len = (int)sizeof(msg) - 1; /* a STATUS= line cut short */
    /* Non-blocking: a stalled service manager must not stall the proxy. */
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0 || sendto(fd, msg, (size_t)len, MSG_NOSIGNAL,
                         (const struct sockaddr *)&sa, salen) < 0)
        hf_log_warn("notify %s: %s", env, strerror(errno));
    if (fd >= 0)
        close(fd);
}
