/* The benchmark's legacy server: fast, blocking, single-threaded, strictly
 * one connection at a time. It accepts a connection, reads the request head
 * up to the empty line (and a Content-Length body), writes a small fixed
 * response with Connection: close, closes, and only then accepts the next.
 * Everything else waits in the listen backlog, as with a real legacy server.
 *
 *   backend PORT|unix:PATH [BACKLOG [BIG_BYTES]]
 *
 * PORT is on 127.0.0.1; unix:PATH listens on a Unix-domain socket instead
 * (a file left at PATH is removed first), as gunicorn or uWSGI bound with
 * `--bind unix:PATH` would. BACKLOG (default 1024) is the listen backlog.
 * A request for a path starting with /big gets BIG_BYTES (default 20 MiB)
 * of body instead of the small page, for the slow-reader benchmark.
 *
 * A connection that sends nothing for 10 s is dropped, so a broken client
 * cannot wedge a benchmark run; the bench never gets near that. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define HEAD_MAX (64 * 1024)

static const char small[] =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 13\r\n"
    "Connection: close\r\n"
    "\r\n"
    "Hello, world\n";

static char head[HEAD_MAX + 1];
static char fill[64 * 1024];

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Content-Length of the head in buf (NUL-terminated), 0 if none. */
static unsigned long long content_length(const char *buf)
{
    const char *p = buf;

    while ((p = strchr(p, '\n')) != NULL) {
        p++;
        if (strncasecmp(p, "content-length:", 15) == 0)
            return strtoull(p + 15, NULL, 10);
    }
    return 0;
}

static void serve(int fd, unsigned long long big)
{
    size_t len = 0;
    char *end = NULL;
    unsigned long long body, have;

    while (end == NULL) {
        ssize_t r;
        if (len == HEAD_MAX)
            return;
        r = read(fd, head + len, HEAD_MAX - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return;
        len += (size_t)r;
        head[len] = '\0';
        end = strstr(head, "\r\n\r\n");
    }
    *end = '\0';
    body = content_length(head);
    have = len - (size_t)(end + 4 - head);
    while (have < body) {
        ssize_t r = read(fd, fill, sizeof(fill));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return;
        have += (unsigned long long)r;
    }
    if (strncmp(strchr(head, ' ') ? strchr(head, ' ') + 1 : "", "/big", 4)
        == 0) {
        char hdr[256];
        int n = snprintf(hdr, sizeof(hdr),
                         "HTTP/1.1 200 OK\r\n"
                         "Content-Type: application/octet-stream\r\n"
                         "Content-Length: %llu\r\n"
                         "Connection: close\r\n\r\n",
                         big);
        if (write_all(fd, hdr, (size_t)n) != 0)
            return;
        for (unsigned long long left = big; left > 0;) {
            size_t k = left < sizeof(fill) ? (size_t)left : sizeof(fill);
            if (write_all(fd, fill, k) != 0)
                return;
            left -= k;
        }
        return;
    }
    (void)write_all(fd, small, sizeof(small) - 1);
}

/* A listening socket on 127.0.0.1:PORT or on unix:PATH, or -1. */
static int listen_on(const char *where, int backlog)
{
    int lfd, one = 1;
    bool is_unix = strncmp(where, "unix:", 5) == 0;
    struct sockaddr_storage ss;
    socklen_t len;

    memset(&ss, 0, sizeof(ss));
    if (is_unix) {
        struct sockaddr_un *un = (struct sockaddr_un *)&ss;
        if (strlen(where + 5) >= sizeof(un->sun_path)) {
            fprintf(stderr, "%s: path too long\n", where);
            return -1;
        }
        un->sun_family = AF_UNIX;
        strcpy(un->sun_path, where + 5);
        len = sizeof(*un);
        unlink(un->sun_path);
    } else {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)atoi(where));
        sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof(*sin);
    }
    lfd = socket(ss.ss_family, SOCK_STREAM, 0);
    if (lfd < 0) {
        perror("socket");
        return -1;
    }
    if (!is_unix)
        setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(lfd, (struct sockaddr *)&ss, len) != 0 ||
        listen(lfd, backlog) != 0) {
        perror("bind/listen");
        close(lfd);
        return -1;
    }
    return lfd;
}

int main(int argc, char **argv)
{
    int backlog, lfd, one = 1;
    bool is_unix;
    unsigned long long big = 20ull * 1024 * 1024;

    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: %s PORT|unix:PATH [BACKLOG [BIG_BYTES]]\n",
                argv[0]);
        return 2;
    }
    backlog = argc > 2 ? atoi(argv[2]) : 1024;
    if (argc > 3)
        big = strtoull(argv[3], NULL, 10);
    signal(SIGPIPE, SIG_IGN);
    memset(fill, 'x', sizeof(fill));

    is_unix = strncmp(argv[1], "unix:", 5) == 0;
    lfd = listen_on(argv[1], backlog);
    if (lfd < 0)
        return 1;
    for (;;) {
        struct timeval tv = {.tv_sec = 10};
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            perror("accept");
            return 1;
        }
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
        if (!is_unix)
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        serve(fd, big);
        close(fd);
    }
}
