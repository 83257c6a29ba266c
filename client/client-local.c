/* Trusting a local server: whom we talk to on a unix socket (SO_PEERCRED),
 * and which scanout fds the viewer maps: only buffers that cannot shrink under
 * the mapping.  A plain memfd can be ftruncate()d by the server after it
 * passed it, and reading the then unmapped pages kills us with SIGBUS; a
 * memfd sealed with F_SEAL_SHRINK cannot shrink, and neither can a dma-buf
 * (its size is fixed when it is exported; udmabuf wants sealed memfds for
 * this very reason). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include "client/client.h"

#ifndef DMA_BUF_MAGIC
#define DMA_BUF_MAGIC 0x444d4142 /* "DMAB" */
#endif

/* A dma-buf lives on the dmabuf pseudo file system (Linux >= 5.3); older
 * kernels put it on the anon inode fs, where its fdinfo names the exporter. */
static bool is_dmabuf(int fd)
{
    struct statfs sf;
    char path[64], line[128];
    bool found = false;
    FILE *f;

    if (fstatfs(fd, &sf) == 0 && sf.f_type == DMA_BUF_MAGIC)
        return true;
    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
    if (!(f = fopen(path, "re")))
        return false;
    while (!found && fgets(line, sizeof(line), f))
        found = !strncmp(line, "exp_name:", 9);
    fclose(f);
    return found;
}

bool sc_client_scanout_fd_check(int fd, uint64_t need, char *reason, size_t reason_size)
{
    int seals = fcntl(fd, F_GET_SEALS);
    struct stat st;
    off_t size;

    if (seals >= 0 && (seals & F_SEAL_SHRINK)) {
        if (fstat(fd, &st) < 0) {
            snprintf(reason, reason_size, "fstat: %s", strerror(errno));
            return false;
        }
        size = st.st_size;
    } else if (is_dmabuf(fd)) {
        size = lseek(fd, 0, SEEK_END); /* st_size is 0 on kernels before 5.3 */
        if (size < 0) {
            snprintf(reason, reason_size, "lseek on the dma-buf: %s", strerror(errno));
            return false;
        }
    } else {
        snprintf(reason, reason_size, "%s",
                 seals >= 0 ? "a memfd (or shmem file) not sealed against shrinking (F_SEAL_SHRINK)"
                            : "neither a sealed memfd nor a dma-buf");
        return false;
    }
    if ((uint64_t)size < need) {
        snprintf(reason, reason_size, "the buffer holds %jd bytes, %" PRIu64 " needed",
                 (intmax_t)size, need);
        return false;
    }
    return true;
}

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
