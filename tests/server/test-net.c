/* server/net.c's sc_conn_note_written(): the stage is recorded when the
 * last byte queued before the note has left the send queue, not before;
 * at once when nothing is queued; never for a connection closed first. */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "server/net.h"
#include "common/stats.h"

#define BIG (8u * 1024 * 1024) /* more than a socket buffer holds */

static uint64_t count(struct sc_stats *s, const char *stage)
{
    struct sc_stats_summary sum;
    return sc_stats_get(s, stage, &sum) ? sum.n : 0;
}

/* reads what the peer can without blocking; the bytes read */
static size_t drain(int fd)
{
    static uint8_t buf[65536];
    size_t total = 0;
    ssize_t r;

    while ((r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
        total += (size_t)r;
    return total;
}

static void test_note_written(void)
{
    int sv[2];
    struct sc_stats *s = sc_stats_new("test");
    g_autofree uint8_t *big = g_malloc0(BIG);
    size_t got = 0;

    sc_stats_set_interval(s, 0);
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    struct sc_conn *conn = sc_conn_new(sv[0], true, "test");
    /* nothing queued: written already */
    sc_conn_note_written(conn, s, "idle", g_get_monotonic_time());
    g_assert_cmpuint(count(s, "idle"), ==, 1);
    /* a frame too big for the socket: recorded only once it is all out */
    sc_conn_send(conn, big, BIG);
    g_assert_cmpuint(sc_conn_queued(conn), >, 0);
    sc_conn_note_written(conn, s, "written", g_get_monotonic_time());
    g_assert_cmpuint(count(s, "written"), ==, 0);
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (sc_conn_queued(conn) > 0 && g_get_monotonic_time() < deadline) {
        got += drain(sv[1]);
        g_assert_cmpuint(count(s, "written"), ==, 0);
        g_main_context_iteration(NULL, FALSE);
    }
    g_assert_cmpuint(sc_conn_queued(conn), ==, 0);
    g_assert_cmpuint(count(s, "written"), ==, 1);
    got += drain(sv[1]);
    g_assert_cmpuint(got, ==, BIG);
    /* closed before its bytes left: never recorded */
    sc_conn_send(conn, big, BIG);
    sc_conn_note_written(conn, s, "lost", g_get_monotonic_time());
    sc_conn_close(conn);
    g_assert_cmpuint(count(s, "lost"), ==, 0);
    sc_conn_note_written(conn, s, "lost", g_get_monotonic_time());
    g_assert_cmpuint(count(s, "lost"), ==, 0);
    sc_conn_free(conn);
    close(sv[1]);
    sc_stats_free(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/net/note-written", test_note_written);
    return g_test_run();
}
