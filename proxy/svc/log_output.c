#include "log_output.h"

#include "log.h"
#include "outpoll.h"

void hf_log_output_start(uv_loop_t *loop)
{
    hf_outq_t *qs[2] = {hf_log_stderr(), hf_log_stdout()};

    for (int i = 0; i < 2; i++) {
        int err;
        hf_outq_set_nonblocking(qs[i]);
        err = hf_outpoll_watch(loop, qs[i]);
        if (err != 0)
            hf_log_warn("%s: cannot wait for it to be writable: %s",
                        qs[i]->name, uv_strerror(err));
    }
}

void hf_log_output_stop(void)
{
    hf_outpoll_unwatch(hf_log_stdout());
    hf_outpoll_unwatch(hf_log_stderr());
}

void hf_log_output_release(void)
{
    hf_outq_release(hf_log_stdout());
    hf_outq_release(hf_log_stderr());
}
