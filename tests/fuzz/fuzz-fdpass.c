/* libFuzzer: fd passing (common/fdpass.c), the receive side that the client
 * runs on every byte from a local server (GL_SCANOUT_UNIX's fds).  A peer
 * that controls the other end of the socket chooses the payload, how many
 * fds come (up to 40, past SC_FD_MAX), in how many SCM_RIGHTS messages,
 * and the socket type; the receiver chooses its buffer size and max_fds.
 *
 * Input: flags, nsend, max_fds, recv_len, then the payload.
 *   flags bits 0-1: SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET
 *   bit 2: the fds go as two SCM_RIGHTS headers; bit 3: a second message
 *   follows (no fds); bit 4: the receiver passes fds = NULL.
 *
 * Checked on every input: sc_fd_recvmsg never reports more fds than asked
 * for, every fd it reports is open and close-on-exec, an -EPROTO leaves
 * none, and no fd leaks: every fd sent is a dup of one pipe's write end, so
 * once the harness has closed what it got and the sockets, the pipe's read
 * end must see EOF. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/fdpass.h"
#include "tests/fuzz/fuzz-util.h"

#define MAX_SEND 40

/* Sends nfds dups of `wr` with the payload, in one or two SCM_RIGHTS. */
static void send_with_fds(int sock, const uint8_t *p, size_t len, int wr, unsigned nfds, bool two)
{
    union {
        struct cmsghdr align;
        char buf[2 * CMSG_SPACE(sizeof(int) * MAX_SEND)];
    } cm;
    struct iovec iov = { .iov_base = (void *)p, .iov_len = len };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    int fds[MAX_SEND];
    unsigned first = two ? nfds / 2 : nfds;

    for (unsigned i = 0; i < nfds; i++)
        if ((fds[i] = fcntl(wr, F_DUPFD_CLOEXEC, 0)) < 0)
            abort();
    memset(&cm, 0, sizeof(cm));
    if (nfds) {
        struct cmsghdr *c;
        msg.msg_control = cm.buf;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * first) +
                             (two ? CMSG_SPACE(sizeof(int) * (nfds - first)) : 0);
        c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * first);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * first);
        if (two) {
            c = CMSG_NXTHDR(&msg, c);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int) * (nfds - first));
            memcpy(CMSG_DATA(c), fds + first, sizeof(int) * (nfds - first));
        }
    }
    /* may fail (a zero-length datagram with no fds is fine, a zero-byte
     * stream send carries nothing): the receiver copes with either */
    (void)sendmsg(sock, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    for (unsigned i = 0; i < nfds; i++)
        close(fds[i]);
}

/* Receives until the socket is empty, checking every result. */
static void receive_all(int sock, size_t recv_len, unsigned max_fds, bool null_fds)
{
    uint8_t *buf = malloc(recv_len ? recv_len : 1);
    int fds[SC_FD_MAX];

    for (int round = 0; buf && round < 8; round++) {
        unsigned nfds = 12345;
        ssize_t n = sc_fd_recvmsg(sock, buf, recv_len, null_fds ? NULL : fds, &nfds, max_fds);
        unsigned cap = null_fds ? 0 : (max_fds < SC_FD_MAX ? max_fds : SC_FD_MAX);

        if (n < 0 && nfds != 0)
            abort(); /* an error leaves no fds behind */
        if (nfds > cap)
            abort();
        for (unsigned i = 0; i < nfds; i++) {
            int fl = fcntl(fds[i], F_GETFD);
            if (fl < 0 || !(fl & FD_CLOEXEC))
                abort(); /* not open, or not close-on-exec */
            close(fds[i]);
        }
        if (n == -EAGAIN || n == 0 || (n < 0 && n != -EPROTO))
            break;
        if (n > 0 && (size_t)n > recv_len)
            abort();
        if (recv_len == 0 && n == 0)
            break;
    }
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_STREAM };
    int sv[2], pipefd[2];
    uint8_t b;

    if (size < 4)
        return 0;
    uint8_t flags = data[0];
    unsigned nsend = data[1] % (MAX_SEND + 1), max_fds = data[2] % (SC_FD_MAX + 8);
    size_t recv_len = data[3] * 16u + (data[3] & 15);
    const uint8_t *payload = data + 4;
    size_t plen = size - 4;

    if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) < 0)
        abort();
    if (socketpair(AF_UNIX, types[flags & 3] | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) < 0)
        abort();
    if (plen > 16384)
        plen = 16384; /* fits a socket buffer: the send never blocks */
    send_with_fds(sv[0], payload, plen, pipefd[1], nsend, flags & 4);
    if (flags & 8)
        send_with_fds(sv[0], payload, plen / 2, pipefd[1], 0, false);
    close(pipefd[1]);
    receive_all(sv[1], recv_len, max_fds, flags & 16);
    close(sv[0]);
    close(sv[1]);
    /* every write end closed, the ones in flight too: EOF, not EAGAIN */
    if (read(pipefd[0], &b, 1) != 0) {
        fprintf(stderr, "fuzz-fdpass: a passed fd leaked\n");
        abort();
    }
    close(pipefd[0]);
    return 0;
}
