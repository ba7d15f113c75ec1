/* Puts stdout and stderr under the loop: non-blocking when they are pipes,
 * sockets or terminals, with pending lines written when they take more. */
#ifndef HF_LOG_OUTPUT_H
#define HF_LOG_OUTPUT_H

#include <uv.h>

/* Called once the loop exists. Errors are logged; logging then stays as
 * it was (blocking), which is never worse than before. */
void hf_log_output_start(uv_loop_t *loop);

/* Closes the poll handles (freed by their close callbacks). */
void hf_log_output_stop(void);

/* After the loop: one last try at what is pending, then the descriptors'
 * own flags back, since the pipe or terminal is shared with the parent. */
void hf_log_output_release(void);

#endif
