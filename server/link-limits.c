/* Per-address limits on link attempts (link-limits.h says what and why). */
#include "config.h"

#include "server/link-limits.h"

#include "common/log.h"

struct peer {
    unsigned pending;     /* connections in the link stage */
    unsigned failures;    /* wrong tickets since the last right one */
    gint64 last_failure;  /* monotonic us */
    gint64 next_answer;   /* the next free answer slot, once throttled */
    bool warned_throttle; /* logged for this episode */
    bool warned_pending;
};

struct sc_limits {
    GHashTable *peers; /* addr -> struct peer */
    unsigned pending;
    gint64 last_full_warn;
};

struct sc_limits *sc_limits_new(void)
{
    struct sc_limits *l = g_new0(struct sc_limits, 1);

    l->peers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return l;
}

void sc_limits_free(struct sc_limits *limits)
{
    if (!limits)
        return;
    g_hash_table_unref(limits->peers);
    g_free(limits);
}

static struct peer *peer_get(struct sc_limits *l, const char *addr)
{
    struct peer *p = g_hash_table_lookup(l->peers, addr);

    if (!p) {
        p = g_new0(struct peer, 1);
        g_hash_table_insert(l->peers, g_strdup(addr), p);
    }
    return p;
}

/* Wrong tickets long ago are forgiven. */
static void forget_old(struct peer *p, gint64 now)
{
    if (p->failures && now - p->last_failure > SC_LIMITS_FORGET_S * G_USEC_PER_SEC) {
        p->failures = 0;
        p->warned_throttle = false;
    }
}

/* A peer with nothing pending and nothing to remember is dropped, so the
 * table does not grow with every address that ever connected. */
static void peer_maybe_drop(struct sc_limits *l, const char *addr, struct peer *p)
{
    gint64 now = g_get_monotonic_time();

    forget_old(p, now);
    if (p->pending == 0 && p->failures == 0 && p->next_answer <= now)
        g_hash_table_remove(l->peers, addr);
}

bool sc_limits_link_start(struct sc_limits *limits, const char *addr)
{
    struct peer *p = peer_get(limits, addr);
    gint64 now = g_get_monotonic_time();

    if (p->pending >= SC_LIMITS_PENDING_PER_ADDR) {
        if (!p->warned_pending)
            sc_warn("%s: %u connections not yet authenticated: refusing more from it", addr,
                    p->pending);
        p->warned_pending = true;
        return false;
    }
    if (limits->pending >= SC_LIMITS_PENDING) {
        if (now - limits->last_full_warn > G_USEC_PER_SEC)
            sc_warn("%u connections not yet authenticated: refusing new ones (%s)",
                    limits->pending, addr);
        limits->last_full_warn = now;
        peer_maybe_drop(limits, addr, p);
        return false;
    }
    p->pending++;
    limits->pending++;
    return true;
}

void sc_limits_link_done(struct sc_limits *limits, const char *addr)
{
    struct peer *p = g_hash_table_lookup(limits->peers, addr);

    g_return_if_fail(p && p->pending > 0); /* a programming error, not input */
    p->pending--;
    limits->pending--;
    if (p->pending == 0)
        p->warned_pending = false;
    peer_maybe_drop(limits, addr, p);
}

gint64 sc_limits_answer_at(struct sc_limits *limits, const char *addr)
{
    struct peer *p = peer_get(limits, addr);
    gint64 now = g_get_monotonic_time();
    gint64 at;

    forget_old(p, now);
    if (p->failures < SC_LIMITS_FREE_FAILURES)
        return now;
    if (!p->warned_throttle)
        sc_warn("%s: %u wrong passwords: answering it at most %d times a second", addr,
                p->failures, SC_LIMITS_TRIES_PER_S);
    p->warned_throttle = true;
    at = MAX(now, p->next_answer);
    p->next_answer = at + G_USEC_PER_SEC / SC_LIMITS_TRIES_PER_S;
    return at;
}

/* Past SC_LIMITS_MAX_PEERS addresses: forget those with nothing pending,
 * the ones whose wrong tickets are forgiven first, then any. */
static void sweep(struct sc_limits *l)
{
    gint64 now = g_get_monotonic_time();
    GHashTableIter it;
    gpointer key, value;

    for (int pass = 0; pass < 2 && g_hash_table_size(l->peers) > SC_LIMITS_MAX_PEERS; pass++) {
        g_hash_table_iter_init(&it, l->peers);
        while (g_hash_table_iter_next(&it, &key, &value)) {
            struct peer *p = value;

            forget_old(p, now);
            if (p->pending == 0 && (pass == 1 || p->failures == 0))
                g_hash_table_iter_remove(&it);
            if (g_hash_table_size(l->peers) <= SC_LIMITS_MAX_PEERS * 3 / 4)
                return;
        }
    }
}

void sc_limits_ticket(struct sc_limits *limits, const char *addr, bool ok)
{
    struct peer *p;

    if (g_hash_table_size(limits->peers) > SC_LIMITS_MAX_PEERS)
        sweep(limits);
    p = peer_get(limits, addr);

    if (ok) {
        p->failures = 0;
        p->warned_throttle = false;
    } else {
        p->failures++;
        p->last_failure = g_get_monotonic_time();
    }
    peer_maybe_drop(limits, addr, p);
}

unsigned sc_limits_n_peers(const struct sc_limits *limits)
{
    return g_hash_table_size(limits->peers);
}
