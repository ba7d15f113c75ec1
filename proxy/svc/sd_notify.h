/* systemd's readiness protocol: when NOTIFY_SOCKET is set, state changes
 * (READY=1, RELOADING=1, STOPPING=1, STATUS=...) go to the service manager
 * as one datagram each, so a Type=notify unit knows when holdfast listens,
 * reloads and stops. */
#ifndef HF_SD_NOTIFY_H
#define HF_SD_NOTIFY_H

/* Sends one notification, newline-separated VAR=value lines formatted as
 * printf does. Does nothing without NOTIFY_SOCKET; never blocks (a full
 * socket drops the message, with a warning). Frees nothing. */
void hf_sd_notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
