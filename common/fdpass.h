/* The one audited place that passes file descriptors over unix sockets
 * (STYLE.md 8).  Used for GL_SCANOUT_UNIX's '@' byte (PROTOCOL.md 5.12). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

#define SC_FD_MAX 32 /* most fds carried by one message, either way */

/* sendmsg() with MSG_NOSIGNAL and the fds as one SCM_RIGHTS message (nfds may
 * be 0; at most SC_FD_MAX).  Returns the bytes sent or -errno (retries EINTR;
 * -EAGAIN on a full non-blocking socket, -EINVAL for too many fds). */
ssize_t sc_fd_sendmsg(int sock, const struct iovec *iov, int iovcnt, const int *fds,
                      unsigned nfds);

/* recvmsg() with MSG_CMSG_CLOEXEC of up to `len` bytes.  Received fds go to
 * fds[0..*nfds).  If the control data was truncated (MSG_CTRUNC) or more than
 * max_fds (capped at SC_FD_MAX) fds arrived, every received fd is closed,
 * *nfds = 0 and -EPROTO is returned.  Returns the bytes received (0 at EOF)
 * or -errno (retries EINTR). */
ssize_t sc_fd_recvmsg(int sock, void *buf, size_t len, int *fds, unsigned *nfds,
                      unsigned max_fds);
