/* Who may try to link, and how often: the server's defences against
 * password guessing and connection floods, per peer address (an IP
 * address without its port; "unix:uid=N" on a unix socket).
 *
 * - Wrong tickets: after SC_LIMITS_FREE_FAILURES wrong tickets from one
 *   address, its answers (right or wrong, so timing tells nothing) go out
 *   at most SC_LIMITS_TRIES_PER_S a second; the link stage waits for
 *   sc_limits_answer_at().  An address is forgiven after a right ticket,
 *   or SC_LIMITS_FORGET_S seconds without a wrong one.
 * - Unauthenticated connections (the link stage), as OpenSSH's
 *   MaxStartups: at most SC_LIMITS_PENDING_PER_ADDR per address and
 *   SC_LIMITS_PENDING in all; more are closed at once.
 * One log line per address and episode, never one per try.  At most
 * SC_LIMITS_MAX_PEERS addresses are remembered: past that, those with
 * nothing pending are forgotten, the forgiven first (many source addresses
 * must not grow the table without bound). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#define SC_LIMITS_FREE_FAILURES 5
#define SC_LIMITS_TRIES_PER_S 10
#define SC_LIMITS_FORGET_S 60
#define SC_LIMITS_PENDING_PER_ADDR 64
#define SC_LIMITS_PENDING 256
#define SC_LIMITS_MAX_PEERS 4096 /* addresses remembered (wrong tickets) */

struct sc_limits;

struct sc_limits *sc_limits_new(void);
void sc_limits_free(struct sc_limits *limits);
/* A connection from addr enters the link stage: false (logged) when one
 * more unauthenticated connection is too many; then it must be closed and
 * sc_limits_link_done() not called. */
bool sc_limits_link_start(struct sc_limits *limits, const char *addr);
/* That connection left the link stage (linked, refused or gone). */
void sc_limits_link_done(struct sc_limits *limits, const char *addr);
/* When (g_get_monotonic_time() microseconds) the answer to a ticket from
 * addr may go out; now or earlier when addr is not throttled.  Reserves
 * that slot: call once per ticket. */
gint64 sc_limits_answer_at(struct sc_limits *limits, const char *addr);
/* The ticket's verdict, once known. */
void sc_limits_ticket(struct sc_limits *limits, const char *addr, bool ok);
/* Addresses remembered now (tests). */
unsigned sc_limits_n_peers(const struct sc_limits *limits);
