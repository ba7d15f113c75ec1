/* systemd socket activation: listening sockets handed over as descriptors
 * 3.. (LISTEN_FDS, LISTEN_PID), matched to the configuration by address.
 * A socket unit keeps the listening socket open while holdfast restarts or
 * is upgraded, so connections wait in the kernel's backlog instead of being
 * refused. */
#ifndef HF_SD_LISTEN_H
#define HF_SD_LISTEN_H

#include <uv.h>

#include "config.h"

/* Takes the sockets passed by systemd, if LISTEN_PID is this process, and
 * unsets LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES in every case, as
 * sd_listen_fds(1) does. Each socket must be a TCP listener whose address
 * is a mapping's listen address or cfg's admin address: one that matches
 * nothing is logged with its address and -1 returned (a start-up error).
 * Returns the number of sockets taken (0 without socket activation). */
int hf_sd_listen_start(const hf_config_t *cfg);

/* Puts t on the inherited socket for addr when there is one (it is handed
 * over once: t owns it from then on), else binds t to addr with flags as
 * uv_tcp_bind does. t is initialized and not yet bound. Returns 0 or a
 * negative UV error. */
int hf_sd_listen_bind(uv_tcp_t *t, const hf_addr_t *addr, unsigned flags);

/* Closes inherited sockets nothing took (a start that failed midway). */
void hf_sd_listen_close_unused(void);

#endif
