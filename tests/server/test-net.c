/* server/net.c's sc_conn_note_written(): the stage is recorded when the
 * last byte queued before the note has left the send queue, not before;
 * at once when nothing is queued; never for a connection closed first.
 * sc_conn_send_with_fd(): the caller's fd is only lent for the call: sent
 * at once when nothing is queued (no copy of it left open here), kept as a
 * copy of its own while it waits behind queued bytes (the caller may close
 * its fd, as a frame going back to its pool does, and the peer still gets
 * the buffer). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib.h>

#include "server/net.h"
#include "common/fdpass.h"
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

static unsigned open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    unsigned n = 0;

    g_assert_nonnull(d);
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

/* a memfd of `size` bytes whose first byte is `tag` */
static int tagged_memfd(uint8_t tag)
{
    int fd = memfd_create("test-net", MFD_CLOEXEC);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, 4096), ==, 0);
    g_assert_cmpint(pwrite(fd, &tag, 1, 0), ==, 1);
    return fd;
}

/* the next message's '@' with its fd, whose first byte must be `tag` */
static void expect_fd(int sock, uint8_t tag)
{
    uint8_t at = 0, got = 0;
    unsigned nfds = 0;
    ssize_t r = -EAGAIN;
    int fd = -1;

    for (int i = 0; i < 5000 && r == -EAGAIN; i++) {
        g_main_context_iteration(NULL, FALSE);
        r = sc_fd_recvmsg(sock, &at, 1, &fd, &nfds, 1);
        if (r == -EAGAIN)
            g_usleep(1000);
    }
    g_assert_cmpint(r, ==, 1);
    g_assert_cmpint(at, ==, '@');
    g_assert_cmpuint(nfds, ==, 1);
    g_assert_cmpint(pread(fd, &got, 1, 0), ==, 1);
    g_assert_cmpuint(got, ==, tag);
    close(fd);
}

static void test_fd_lent(void)
{
    int sv[2], fd;
    g_autofree uint8_t *big = g_malloc0(BIG);
    unsigned before;
    size_t left = BIG;
    uint8_t buf[65536];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    struct sc_conn *conn = sc_conn_new(sv[0], true, "test");
    /* nothing queued: out at once, nothing of it kept open here */
    fd = tagged_memfd(1);
    before = open_fds();
    g_assert_true(sc_conn_send_with_fd(conn, "@", 1, fd));
    g_assert_cmpuint(sc_conn_queued(conn), ==, 0);
    g_assert_cmpuint(open_fds(), ==, before);
    close(fd);
    expect_fd(sv[1], 1);
    /* behind queued bytes: the queue keeps a copy, the caller's may go */
    sc_conn_send(conn, big, BIG);
    g_assert_cmpuint(sc_conn_queued(conn), >, 0);
    fd = tagged_memfd(2);
    before = open_fds();
    g_assert_true(sc_conn_send_with_fd(conn, "@", 1, fd));
    g_assert_cmpuint(open_fds(), ==, before + 1);
    close(fd);
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (left > 0 && g_get_monotonic_time() < deadline) {
        ssize_t r = recv(sv[1], buf, MIN(sizeof(buf), left), 0);
        if (r > 0)
            left -= (size_t)r;
        else
            g_main_context_iteration(NULL, FALSE);
    }
    g_assert_cmpuint(left, ==, 0);
    expect_fd(sv[1], 2);
    g_assert_cmpuint(sc_conn_queued(conn), ==, 0);
    g_assert_cmpuint(open_fds(), ==, before - 1); /* the copy closed once sent */
    sc_conn_free(conn);
    close(sv[1]);
}

/* Reads n bytes (turning the loop so the queue drains): the first, with
 * its fd, must be '@' with the memfd tagged `tag`. */
static void expect_at_then(int sock, uint8_t tag, size_t n)
{
    size_t left = n - 1;
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    expect_fd(sock, tag);
    while (left > 0 && g_get_monotonic_time() < deadline) {
        size_t got = drain(sock);

        left -= MIN(got, left);
        if (!got)
            g_main_context_iteration(NULL, FALSE);
    }
    g_assert_cmpuint(left, ==, 0);
}

/* The direct send's other ends: a message with an fd larger than the
 * socket takes (the fd goes with its first bytes, the rest is queued
 * without it: no copy of the fd kept), and a socket full with nothing
 * queued (the send would block: the queue keeps a copy of the fd, closed
 * once it is sent). */
static void test_fd_partial(void)
{
    int sv[2], fd;
    g_autofree uint8_t *big = g_malloc0(BIG);
    unsigned before;

    big[0] = '@';
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    struct sc_conn *conn = sc_conn_new(sv[0], true, "test");
    /* partial: some of it out at once with the fd, the rest queued */
    fd = tagged_memfd(3);
    before = open_fds();
    g_assert_true(sc_conn_send_with_fd(conn, big, BIG, fd));
    g_assert_cmpuint(sc_conn_queued(conn), >, 0);
    g_assert_cmpuint(sc_conn_queued(conn), <, BIG);
    g_assert_cmpuint(open_fds(), ==, before);
    close(fd);
    expect_at_then(sv[1], 3, BIG);
    g_assert_cmpuint(sc_conn_queued(conn), ==, 0);
    /* the socket full, nothing queued: the would-block send is queued whole */
    while (send(sv[0], big + 1, 65536, MSG_DONTWAIT) > 0)
        ;
    fd = tagged_memfd(4);
    before = open_fds();
    g_assert_true(sc_conn_send_with_fd(conn, big, 4096, fd));
    g_assert_cmpuint(sc_conn_queued(conn), ==, 4096);
    g_assert_cmpuint(open_fds(), ==, before + 1); /* the queue's copy */
    close(fd);
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    uint8_t zero[65536];
    ssize_t r;
    /* the filler (zeros), up to the '@' */
    while (g_get_monotonic_time() < deadline &&
           ((r = recv(sv[1], zero, 1, MSG_PEEK | MSG_DONTWAIT)) <= 0 || zero[0] != '@')) {
        if (r > 0)
            g_assert_cmpint(recv(sv[1], zero, 1, 0), ==, 1);
        else
            g_main_context_iteration(NULL, FALSE);
    }
    expect_at_then(sv[1], 4, 4096);
    g_assert_cmpuint(sc_conn_queued(conn), ==, 0);
    g_assert_cmpuint(open_fds(), ==, before - 1); /* the copy closed once sent */
    sc_conn_free(conn);
    close(sv[1]);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/net/note-written", test_note_written);
    g_test_add_func("/net/fd-lent", test_fd_lent);
    g_test_add_func("/net/fd-partial", test_fd_partial);
    return g_test_run();
}
