/* Unit tests: fd passing over socketpair(), incl. spoofed/extra fds and
 * MSG_CTRUNC, checking that nothing leaks. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/fdpass.h"

static unsigned count_open_fds(void)
{
    GDir *d = g_dir_open("/proc/self/fd", 0, NULL);
    unsigned n = 0;

    g_assert_nonnull(d);
    while (g_dir_read_name(d))
        n++;
    g_dir_close(d);
    return n;
}

/* The `n` lowest free descriptor numbers: where the kernel puts new fds. */
static void lowest_free_fds(int *out, unsigned n)
{
    int held[64];

    g_assert_cmpuint(n, <=, G_N_ELEMENTS(held));
    for (unsigned i = 0; i < n; i++) {
        held[i] = dup(0);
        g_assert_cmpint(held[i], >=, 0);
        out[i] = held[i];
    }
    for (unsigned i = 0; i < n; i++)
        close(held[i]);
}

static void assert_closed(const int *fds, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        errno = 0;
        g_assert_cmpint(fcntl(fds[i], F_GETFD), ==, -1);
        g_assert_cmpint(errno, ==, EBADF);
    }
}

static void make_pair(int sv[2])
{
    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), ==, 0);
}

static ssize_t send_with_fds(int sock, const int *fds, unsigned n)
{
    struct iovec iov = { .iov_base = (void *)"@", .iov_len = 1 };

    return sc_fd_sendmsg(sock, &iov, 1, fds, n);
}

static void test_one_fd(void)
{
    int sv[2], p[2], got[4];
    unsigned nfds = 99;
    char c = 0, buf[8];
    struct iovec iov[2] = { { "ab", 2 }, { "c", 1 } };

    make_pair(sv);
    g_assert_cmpint(pipe(p), ==, 0);
    g_assert_cmpint(send_with_fds(sv[0], &p[1], 1), ==, 1);
    g_assert_cmpint(sc_fd_recvmsg(sv[1], &c, 1, got, &nfds, 4), ==, 1);
    g_assert_cmpint(c, ==, '@');
    g_assert_cmpuint(nfds, ==, 1);
    g_assert_true(fcntl(got[0], F_GETFD) & FD_CLOEXEC);
    g_assert_cmpint(write(got[0], "x", 1), ==, 1); /* it is the pipe's write end */
    g_assert_cmpint(read(p[0], buf, 1), ==, 1);
    g_assert_cmpint(buf[0], ==, 'x');
    close(got[0]);

    /* plain data, gathered iovecs, no fds */
    g_assert_cmpint(sc_fd_sendmsg(sv[0], iov, 2, NULL, 0), ==, 3);
    g_assert_cmpint(sc_fd_recvmsg(sv[1], buf, sizeof(buf), got, &nfds, 4), ==, 3);
    g_assert_cmpuint(nfds, ==, 0);
    g_assert_cmpmem(buf, 3, "abc", 3);

    /* too many fds to send */
    {
        int many[SC_FD_MAX + 1];
        for (unsigned i = 0; i < G_N_ELEMENTS(many); i++)
            many[i] = p[0];
        g_assert_cmpint(send_with_fds(sv[0], many, G_N_ELEMENTS(many)), ==, -EINVAL);
    }

    /* non-blocking with nothing to read, then EOF */
    g_assert_cmpint(fcntl(sv[1], F_SETFL, O_NONBLOCK), ==, 0);
    g_assert_cmpint(sc_fd_recvmsg(sv[1], buf, 1, got, &nfds, 4), ==, -EAGAIN);
    close(sv[0]);
    g_assert_cmpint(sc_fd_recvmsg(sv[1], buf, 1, got, &nfds, 4), ==, 0);
    /* writing to a closed peer: -EPIPE, no SIGPIPE */
    g_assert_cmpint(send_with_fds(sv[1], NULL, 0), ==, -EPIPE);
    close(sv[1]);
    close(p[0]);
    close(p[1]);
}

/* A peer sends more fds than we accept: all are closed, none leak. */
static void test_extra_fds(void)
{
    int sv[2], p[2], fds[3], got[2], predicted[8];
    unsigned nfds = 99, before;
    char c;

    make_pair(sv);
    g_assert_cmpint(pipe(p), ==, 0);
    fds[0] = p[0];
    fds[1] = p[1];
    fds[2] = p[0];
    g_assert_cmpint(send_with_fds(sv[0], fds, 3), ==, 1);
    before = count_open_fds();
    lowest_free_fds(predicted, 8);
    g_assert_cmpint(sc_fd_recvmsg(sv[1], &c, 1, got, &nfds, 2), ==, -EPROTO);
    g_assert_cmpuint(nfds, ==, 0);
    g_assert_cmpuint(count_open_fds(), ==, before);
    assert_closed(predicted, 8);

    /* max_fds 0: any fd is unexpected */
    g_assert_cmpint(send_with_fds(sv[0], fds, 1), ==, 1);
    g_assert_cmpint(sc_fd_recvmsg(sv[1], &c, 1, NULL, &nfds, 0), ==, -EPROTO);
    g_assert_cmpuint(count_open_fds(), ==, before);
    assert_closed(predicted, 8);

    /* the stream is still usable afterwards */
    g_assert_cmpint(send_with_fds(sv[0], fds, 2), ==, 1);
    g_assert_cmpint(sc_fd_recvmsg(sv[1], &c, 1, got, &nfds, 2), ==, 1);
    g_assert_cmpuint(nfds, ==, 2);
    close(got[0]);
    close(got[1]);
    g_assert_cmpuint(count_open_fds(), ==, before);
    close(sv[0]);
    close(sv[1]);
    close(p[0]);
    close(p[1]);
}

/* So many fds that the control buffer is truncated (MSG_CTRUNC). */
static void test_ctrunc(void)
{
    int sv[2], p[2], fds[SC_FD_MAX], got[1], predicted[SC_FD_MAX + 4];
    unsigned nfds = 99, before;
    char c;

    make_pair(sv);
    g_assert_cmpint(pipe(p), ==, 0);
    for (unsigned i = 0; i < SC_FD_MAX; i++)
        fds[i] = p[i & 1];
    g_assert_cmpint(send_with_fds(sv[0], fds, SC_FD_MAX), ==, 1);
    before = count_open_fds();
    lowest_free_fds(predicted, G_N_ELEMENTS(predicted));
    g_assert_cmpint(sc_fd_recvmsg(sv[1], &c, 1, got, &nfds, 1), ==, -EPROTO);
    g_assert_cmpuint(nfds, ==, 0);
    g_assert_cmpuint(count_open_fds(), ==, before);
    assert_closed(predicted, G_N_ELEMENTS(predicted));
    close(sv[0]);
    close(sv[1]);
    close(p[0]);
    close(p[1]);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/fdpass/one-fd", test_one_fd);
    g_test_add_func("/fdpass/extra-fds", test_extra_fds);
    g_test_add_func("/fdpass/ctrunc", test_ctrunc);
    return g_test_run();
}
