/* Trusting a local server: whom we talk to on a unix socket (SO_PEERCRED).
 * Which scanout fds the viewer maps is sc_frame_fd_mappable() (common/frame.c). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/client.h"

bool sc_client_peer_uid_check(int fd, char *reason, size_t reason_size)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);

    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
        snprintf(reason, reason_size, "cannot tell who runs it (SO_PEERCRED: %s)",
                 strerror(errno));
        return false;
    }
    /* the credentials it had when it called listen() */
    if (cred.uid != getuid() && cred.uid != 0) {
        snprintf(reason, reason_size, "it runs as uid %u, not as us (uid %u) or root",
                 (unsigned)cred.uid, (unsigned)getuid());
        return false;
    }
    return true;
}
