/* fd passing over unix sockets: SCM_RIGHTS, close-on-exec, no leaks. */
#include "config.h"
#include "common/fdpass.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Room for one more fd than we accept, to tell "too many" from "just enough". */
union fd_cmsg {
    struct cmsghdr align;
    char buf[CMSG_SPACE(sizeof(int) * (SC_FD_MAX + 1))];
};

ssize_t sc_fd_sendmsg(int sock, const struct iovec *iov, int iovcnt, const int *fds,
                      unsigned nfds)
{
    union fd_cmsg cm;
    struct msghdr msg;
    ssize_t n;

    if (nfds > SC_FD_MAX || (nfds && !fds))
        return -EINVAL;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = (struct iovec *)iov;
    msg.msg_iovlen = iovcnt;
    if (nfds) {
        struct cmsghdr *c;

        memset(&cm, 0, sizeof(cm));
        msg.msg_control = cm.buf;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
        c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
        memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
    }
    do {
        n = sendmsg(sock, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : n;
}

/* Collects the SCM_RIGHTS fds of msg; closes all and fails if more than max. */
static int collect_fds(struct msghdr *msg, int *fds, unsigned *nfds, unsigned max_fds)
{
    bool bad = (msg->msg_flags & MSG_CTRUNC) != 0;
    unsigned n = 0;

    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
        const unsigned char *data = CMSG_DATA(c);
        size_t cnt;

        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
            continue;
        cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < cnt; i++) {
            int fd;

            memcpy(&fd, data + i * sizeof(int), sizeof(int));
            if (n < max_fds)
                fds[n++] = fd;
            else {
                close(fd);
                bad = true;
            }
        }
    }
    if (bad) {
        for (unsigned i = 0; i < n; i++)
            close(fds[i]);
        *nfds = 0;
        return -EPROTO;
    }
    *nfds = n;
    return 0;
}

ssize_t sc_fd_recvmsg(int sock, void *buf, size_t len, int *fds, unsigned *nfds,
                      unsigned max_fds)
{
    union fd_cmsg cm;
    struct iovec iov = { .iov_base = buf, .iov_len = len };
    struct msghdr msg;
    ssize_t n;
    int err;

    *nfds = 0;
    if (max_fds > SC_FD_MAX)
        max_fds = SC_FD_MAX;
    if (max_fds && !fds)
        max_fds = 0;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = cm.buf;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * (max_fds + 1));
    do {
        n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return -errno;
    err = collect_fds(&msg, fds, nfds, max_fds);
    return err ? err : n;
}
