/* A viewer's scanout mappings (scanout-maps.h says what and why). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "client/scanout-maps.h"
#include "common/frame.h"

void *sc_scanout_map(int fd, size_t need, size_t *size, char *reason, size_t reason_size)
{
    void *map;

    /* the client refused other fds already; this mapping is read on every
     * draw, long after, so it relies on the buffer not shrinking: recheck */
    if (!sc_frame_fd_mappable(fd, need, reason, reason_size))
        return NULL;
    map = mmap(NULL, need, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {
        snprintf(reason, reason_size, "mmap of the scanout: %s", strerror(errno));
        return NULL;
    }
    *size = need;
    return map;
}

const void *sc_scanout_maps_get(struct sc_scanout_maps *m, int fd, size_t need, char *reason,
                                 size_t reason_size)
{
    struct sc_scanout_map *slot = &m->e[0];
    struct stat st;

    if (fstat(fd, &st) < 0) {
        snprintf(reason, reason_size, "fstat of the scanout: %s", strerror(errno));
        return NULL;
    }
    m->tick++;
    for (unsigned i = 0; i < SC_SCANOUT_MAPS; i++) {
        struct sc_scanout_map *e = &m->e[i];

        /* a shorter mapping of the same buffer stays until it is the
         * oldest: its caller may still read it (NV12's luma, when the
         * chroma plane further into the same buffer is asked for next) */
        if (e->map && e->dev == (uint64_t)st.st_dev && e->ino == (uint64_t)st.st_ino &&
            e->size >= need) {
            e->used = m->tick;
            return e->map;
        }
        if (!e->map || (slot->map && e->used < slot->used))
            slot = e;
    }
    if (slot->map)
        munmap(slot->map, slot->size);
    *slot = (struct sc_scanout_map){ (uint64_t)st.st_dev, (uint64_t)st.st_ino, NULL, 0, m->tick };
    slot->map = sc_scanout_map(fd, need, &slot->size, reason, reason_size);
    return slot->map;
}

void sc_scanout_maps_clear(struct sc_scanout_maps *m)
{
    for (unsigned i = 0; i < SC_SCANOUT_MAPS; i++)
        if (m->e[i].map)
            munmap(m->e[i].map, m->e[i].size);
    memset(m, 0, sizeof(*m));
}
