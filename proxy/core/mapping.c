#include "mapping.h"

#include <stdlib.h>
#include <string.h>

static int set_timeqs(hf_mapping_t *m, const hf_mapping_conf_t *c)
{
    hf_timeq_t *idle = hf_timeq_get(c->client_idle_timeout_ms);
    hf_timeq_t *header = hf_timeq_get(c->client_header_timeout_ms);
    hf_timeq_t *body = hf_timeq_get(c->client_body_timeout_ms);
    hf_timeq_t *queue = hf_timeq_get(c->queue_timeout_ms);

    if (!idle || !header || !body || !queue)
        return -1;
    m->tq_idle = idle;
    m->tq_header = header;
    m->tq_body = body;
    m->tq_queue = queue;
    /* A client that takes no response bytes for as long as an idle one
     * may stay is gone (nginx's send_timeout, in the same spirit). */
    m->tq_send = idle;
    return 0;
}

hf_mapping_t *hf_mapping_new(const hf_mapping_conf_t *conf)
{
    hf_mapping_t *m = calloc(1, sizeof(*m));

    if (m == NULL)
        return NULL;
    if (hf_mapping_conf_copy(&m->conf, conf) != 0) {
        free(m);
        return NULL;
    }
    if (hf_pool_set(&m->pool, conf->backends, conf->nbackends) != 0 ||
        set_timeqs(m, conf) != 0) {
        hf_pool_free(&m->pool);
        hf_mapping_conf_free(&m->conf);
        free(m);
        return NULL;
    }
    hf_list_init(&m->queue);
    hf_list_init(&m->link);
    hf_deferred_init(&m->dispatch);
    m->refs = 1;
    return m;
}

int hf_mapping_update(hf_mapping_t *m, const hf_mapping_conf_t *conf)
{
    hf_mapping_conf_t copy;

    if (hf_mapping_conf_copy(&copy, conf) != 0)
        return -1;
    if (set_timeqs(m, conf) != 0 ||
        hf_pool_set(&m->pool, conf->backends, conf->nbackends) != 0) {
        hf_mapping_conf_free(&copy);
        return -1;
    }
    hf_mapping_conf_free(&m->conf);
    m->conf = copy;
    return 0;
}

void hf_mapping_ref(hf_mapping_t *m) { m->refs++; }

void hf_mapping_unref(hf_mapping_t *m)
{
    if (--m->refs > 0)
        return;
    hf_pool_free(&m->pool);
    hf_mapping_conf_free(&m->conf);
    free(m);
}
