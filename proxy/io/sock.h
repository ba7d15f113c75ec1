/* A connection to a backend address, TCP or Unix-domain: one handle that is
 * a uv_tcp_t or a uv_pipe_t as the address's family says, and the few calls
 * whose libuv function differs between the two. Everything else (read,
 * write, uv_close, uv_fileno) goes through the stream and handle members,
 * which both types begin with.
 *
 * Why a union rather than two code paths: the upstream connection, reconnect
 * attempts and health probes each embed one handle by value and recover
 * their owner from it; a union keeps that, whichever kind of socket it is. */
#ifndef HF_SOCK_H
#define HF_SOCK_H

#include <stdbool.h>
#include <uv.h>

#include "config.h"

typedef union hf_sock {
    uv_handle_t handle;
    uv_stream_t stream;
    uv_tcp_t tcp;   /* AF_INET, AF_INET6 */
    uv_pipe_t pipe; /* AF_UNIX */
} hf_sock_t;

/* True when a is a Unix-domain socket ("unix:/PATH"). */
static inline bool hf_sock_is_unix(const hf_addr_t *a)
{
    return a->sa.ss_family == AF_UNIX;
}

/* Initialises s for a's family and sets its data pointer. Neither
 * initialisation can fail: both only fill the struct, the socket comes with
 * the connect. Once this returns, s must be closed (hf_sock_close). */
void hf_sock_init(uv_loop_t *loop, hf_sock_t *s, const hf_addr_t *a,
                  void *data);

/* Connects the kernel's way when it can answer at once: a Unix socket
 * always does (the listener's backlog takes the connection, or it refuses),
 * and the loopback device completes a TCP handshake inside connect(). So the
 * request can be written now instead of a loop turn later in libuv's connect
 * callback; with one request at a time, that turn is time the backend sits
 * idle. Returns 0 when s is connected and owns the socket, 1 when the
 * caller must use hf_sock_connect, or a negative errno (refused, no such
 * socket file, a full backlog: UV_EAGAIN, out of descriptors). */
int hf_sock_connect_now(hf_sock_t *s, const hf_addr_t *a);

/* Connects in libuv's usual way: cb runs on a later loop turn with 0 or a
 * negative error. Returns 0, or a negative error when nothing was started
 * (cb will not run). */
int hf_sock_connect(uv_connect_t *req, hf_sock_t *s, const hf_addr_t *a,
                    uv_connect_cb cb);

/* Turns Nagle off on a TCP connection; a Unix socket has no Nagle. */
void hf_sock_nodelay(hf_sock_t *s);

/* Closes s; cb runs once it is closed. With reset, a TCP connection is
 * reset rather than ended (no TIME_WAIT socket on either side); a Unix
 * socket keeps no TIME_WAIT state and is simply closed. */
void hf_sock_close(hf_sock_t *s, bool reset, uv_close_cb cb);

#endif
