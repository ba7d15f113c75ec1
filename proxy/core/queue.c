#include "queue.h"

void hf_queue_push(hf_mapping_t *m, hf_exchange_t *ex, bool at_head)
{
    if (at_head)
        hf_list_insert_head(&m->queue, &ex->qlink);
    else
        hf_list_insert_tail(&m->queue, &ex->qlink);
    m->queued++;
}

void hf_queue_remove(hf_exchange_t *ex)
{
    if (!hf_list_linked(&ex->qlink))
        return;
    hf_list_remove(&ex->qlink);
    ex->mapping->queued--;
}

hf_exchange_t *hf_queue_first(const hf_mapping_t *m)
{
    if (hf_list_empty(&m->queue))
        return NULL;
    return hf_container_of(hf_list_first(&m->queue), hf_exchange_t, qlink);
}
