/* Configuration at run time: what a start and a SIGHUP reload apply. A
 * reload keeps the listening socket of every address in both the old and
 * the new file, so no connection is refused while it happens. */
#ifndef HF_RELOAD_H
#define HF_RELOAD_H

#include <stdint.h>

#include "config.h"


/* Starts the process-wide services cfg asks for: the admin listener and
 * statsd. Returns 0, or -1 after logging why not. */
int hf_services_start(const hf_config_t *cfg);


/* Stops those services and every health probe in flight (shutdown). */
void hf_services_stop(void);

/* Reads path again and applies it; a bad file is logged and changes
 * nothing. */
void hf_reload(const char *path);

#endif
