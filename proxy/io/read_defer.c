#include "read_defer.h"

#include <sys/socket.h>

#include "runtime.h"

static hf_list_t pending = {&pending, &pending};
static uv_timer_t timer;
static bool timer_open;

static void set_lowat(hf_sock_t *s, int bytes)
{
    uv_os_fd_t fd;

    if (uv_fileno(&s->handle, &fd) == 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof(bytes));
}

static void arm(void);

static void on_defer_timer(uv_timer_t *t)
{
    uint64_t now = uv_now(t->loop);

    while (!hf_list_empty(&pending)) {
        hf_read_defer_t *d = hf_container_of(hf_list_first(&pending),
                                             hf_read_defer_t, link);
        if (d->deadline > now)
            break;
        hf_list_remove(&d->link);
        /* Reads the socket normally from now on: if data is waiting, the
         * kernel reports it readable at once. */
        set_lowat(d->sock, 1);
    }
    arm();
}

static void arm(void)
{
    hf_read_defer_t *d;
    uint64_t now;

    if (hf_list_empty(&pending))
        return;
    d = hf_container_of(hf_list_first(&pending), hf_read_defer_t, link);
    now = uv_now(hf_rt.loop);
    uv_timer_start(&timer, on_defer_timer,
                   d->deadline > now ? d->deadline - now : 0, 0);
}

bool hf_read_defer_start(hf_read_defer_t *d, hf_sock_t *s)
{
    uv_os_fd_t fd;
    int bytes = HF_READ_DEFER_BYTES;

    if (s->handle.type != UV_TCP || uv_fileno(&s->handle, &fd) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &bytes, sizeof(bytes)) != 0)
        return false;
    if (!timer_open) {
        uv_timer_init(hf_rt.loop, &timer);
        /* Only what is deferred keeps it busy; it never holds the loop. */
        uv_unref((uv_handle_t *)&timer);
        timer_open = true;
    }
    hf_read_defer_stop(d);
    d->sock = s;
    d->deadline = uv_now(hf_rt.loop) + HF_READ_DEFER_MS;
    hf_list_insert_tail(&pending, &d->link);
    if (!uv_is_active((uv_handle_t *)&timer))
        arm();
    return true;
}

void hf_read_defer_close(void)
{
    if (timer_open) {
        timer_open = false;
        uv_close((uv_handle_t *)&timer, NULL);
    }
}
