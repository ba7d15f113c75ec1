/* The backend address pool (proxy/core/pool.c) and the queue
 * (proxy/core/queue.c), which need no loop: selection, slots, down/up,
 * probes, reload keeping state; queue order and removal. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "exchange.h"
#include "mapping.h"
#include "pool.h"
#include "queue.h"

static hf_addr_t addr(const char *text)
{
    hf_addr_t a;
    const char *why = NULL;
    int rc = hf_parse_addr(text, "127.0.0.1", &a, &why);

    CHECK(rc == 0);
    return a;
}

static void test_pick_least_connections(void)
{
    hf_addr_t list[3] = {addr("127.0.0.1:8001"), addr("127.0.0.1:8002"),
                         addr("127.0.0.1:8003")};
    hf_pool_t p = {0};
    bool all_down;
    hf_backend_addr_t *a, *b, *c;

    CHECK(hf_pool_set(&p, list, 3) == 0);
    CHECK(p.naddrs == 3);
    /* An idle pool goes round-robin: ties go to the fewest served. */
    a = hf_pool_pick(&p, 0, 1, &all_down);
    CHECK(a == p.addrs[0] && !all_down);
    hf_pool_take(a, false);
    b = hf_pool_pick(&p, 0, 1, &all_down);
    CHECK(b == p.addrs[1]);
    hf_pool_take(b, false);
    c = hf_pool_pick(&p, 0, 1, &all_down);
    CHECK(c == p.addrs[2]);
    hf_pool_take(c, false);
    /* All full: none, but not all down. */
    CHECK(hf_pool_pick(&p, 0, 1, &all_down) == NULL && !all_down);
    hf_pool_release(b, false);
    hf_backend_addr_unref(b);
    CHECK(hf_pool_pick(&p, 0, 1, &all_down) == b);
    /* With two slots each, the least loaded wins. */
    CHECK(hf_pool_pick(&p, 0, 2, &all_down) == b);
    /* Tried addresses are skipped; all tried is all down. */
    CHECK(hf_pool_pick(&p, hf_pool_bit(&p, b), 2, &all_down) == a);
    CHECK(hf_pool_pick(&p, 7, 2, &all_down) == NULL && all_down);
    CHECK(a->requests == 1 && b->requests == 1 && c->requests == 1);
    hf_pool_release(a, false);
    hf_backend_addr_unref(a);
    hf_pool_release(c, false);
    hf_backend_addr_unref(c);
    hf_pool_free(&p);
}

static void test_down_and_back(void)
{
    hf_addr_t list[2] = {addr("127.0.0.1:8001"), addr("127.0.0.1:8002")};
    hf_pool_t p = {0};
    hf_backend_addr_t *a;
    bool all_down;

    CHECK(hf_pool_set(&p, list, 2) == 0);
    a = p.addrs[0];
    hf_pool_mark_failed(a, "t");
    /* Down until brought back: no request finds out by trying it. */
    CHECK(a->down && !hf_pool_addr_usable(a));
    CHECK(hf_pool_usable(&p) == 1 && hf_pool_revivable(&p) == 1);
    CHECK(hf_pool_pick(&p, 0, 1, &all_down) == p.addrs[1] && !all_down);
    hf_pool_mark_failed(a, "t");
    CHECK(a->fails == 2);
    hf_pool_mark_up(a, "t");
    CHECK(!a->down && a->fails == 0 && hf_pool_addr_usable(a));
    CHECK(hf_pool_revivable(&p) == 0);
    /* Both down: all down, whatever the slots. */
    hf_pool_mark_failed(p.addrs[0], "t");
    hf_pool_mark_failed(p.addrs[1], "t");
    CHECK(hf_pool_pick(&p, 0, 1, &all_down) == NULL && all_down);
    CHECK(hf_pool_usable(&p) == 0 && hf_pool_revivable(&p) == 2);
    hf_pool_free(&p);
}

static void test_probes(void)
{
    hf_addr_t list[1] = {addr("127.0.0.1:8001")};
    hf_pool_t p = {0};
    hf_backend_addr_t *a;

    CHECK(hf_pool_set(&p, list, 1) == 0);
    a = p.addrs[0];
    hf_pool_take(a, true);
    CHECK(a->probing && a->in_flight == 1 && a->requests == 0);
    hf_pool_release(a, true);
    hf_backend_addr_unref(a);
    CHECK(!a->probing && a->in_flight == 0);
    /* A failed probe keeps it down, and out of reconnect attempts, until
     * a probe passes. */
    hf_pool_mark_probe_failed(a, "t", "timed out");
    CHECK(!hf_pool_addr_usable(a) && hf_pool_revivable(&p) == 0);
    hf_pool_mark_up(a, "t");
    CHECK(hf_pool_addr_usable(a) && !a->probe_down);
    hf_pool_free(&p);
}

static void test_set_keeps_state(void)
{
    hf_addr_t first[2] = {addr("127.0.0.1:8001"), addr("127.0.0.1:8002")};
    hf_addr_t second[2] = {addr("127.0.0.1:8002"), addr("127.0.0.1:8003")};
    hf_pool_t p = {0};
    hf_backend_addr_t *kept, *dropped;

    CHECK(hf_pool_set(&p, first, 2) == 0);
    kept = p.addrs[1];
    dropped = p.addrs[0];
    hf_pool_take(kept, false);
    hf_pool_take(dropped, false); /* a connection holds it */
    hf_pool_mark_failed(kept, "t");
    CHECK(hf_pool_set(&p, second, 2) == 0);
    CHECK(p.addrs[0] == kept && kept->in_flight == 1 && kept->down);
    CHECK(p.addrs[1] != dropped && p.addrs[1]->in_flight == 0);
    /* The dropped address lives on while its connection holds it. */
    CHECK(dropped->refs == 1 && dropped->in_flight == 1);
    hf_pool_release(dropped, false);
    hf_backend_addr_unref(dropped);
    hf_pool_release(kept, false);
    hf_backend_addr_unref(kept);
    hf_pool_free(&p);
}

static void test_queue_order(void)
{
    hf_mapping_t m = {0};
    hf_exchange_t ex[4] = {0};

    hf_list_init(&m.queue);
    for (int i = 0; i < 4; i++) {
        hf_list_init(&ex[i].qlink);
        ex[i].mapping = &m;
    }
    CHECK(hf_queue_first(&m) == NULL);
    hf_queue_push(&m, &ex[0], false);
    hf_queue_push(&m, &ex[1], false);
    hf_queue_push(&m, &ex[2], false);
    CHECK(m.queued == 3 && hf_queue_first(&m) == &ex[0]);
    /* A request that must keep its turn goes first. */
    hf_queue_push(&m, &ex[3], true);
    CHECK(hf_queue_first(&m) == &ex[3]);
    hf_queue_remove(&ex[3]);
    hf_queue_remove(&ex[3]); /* twice is harmless */
    CHECK(m.queued == 3 && hf_queue_first(&m) == &ex[0]);
    /* Leaving from the middle keeps the order of the rest. */
    hf_queue_remove(&ex[1]);
    CHECK(m.queued == 2 && hf_queue_first(&m) == &ex[0]);
    hf_queue_remove(&ex[0]);
    CHECK(hf_queue_first(&m) == &ex[2]);
    hf_queue_remove(&ex[2]);
    CHECK(m.queued == 0 && hf_queue_first(&m) == NULL);
}

/* Deferred reads (read_defer.h) follow what the address's responses look
 * like: one in pieces marks it, one connection in 32 is still read
 * normally to look again, and 8 whole ones in a row clear the mark. */
static void test_defer_reads(void)
{
    hf_backend_addr_t a;
    int deferred = 0;

    memset(&a, 0, sizeof(a));
    CHECK(!hf_pool_defer_reads(&a));
    hf_pool_note_reads(&a, 1);
    CHECK(!hf_pool_defer_reads(&a));
    hf_pool_note_reads(&a, 2);
    for (int i = 0; i < 64; i++)
        deferred += hf_pool_defer_reads(&a);
    CHECK(deferred == 62);
    /* Whole responses, but not enough in a row: still marked. */
    for (int i = 0; i < 7; i++)
        hf_pool_note_reads(&a, 1);
    hf_pool_note_reads(&a, 3);
    for (int i = 0; i < 7; i++)
        hf_pool_note_reads(&a, 1);
    CHECK(a.in_pieces);
    hf_pool_note_reads(&a, 1);
    CHECK(!a.in_pieces && !hf_pool_defer_reads(&a));
}

int main(void)
{
    test_pick_least_connections();
    test_down_and_back();
    test_probes();
    test_set_keeps_state();
    test_queue_order();
    test_defer_reads();
    return CHECK_DONE();
}
