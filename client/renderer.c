/* What every renderer shares: fitting the surface into the widget, the
 * scanout formats we show, the CPU mapping of a scanout fd. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <drm_fourcc.h>

#include "client/client.h"
#include "client/renderer.h"

void sc_viewport_fit(struct sc_viewport *vp, int ww, int wh, uint32_t sw, uint32_t sh)
{
    vp->widget_width = ww;
    vp->widget_height = wh;
    if (!sw || !sh || ww <= 0 || wh <= 0) {
        vp->x = vp->y = vp->width = vp->height = 0;
        return;
    }
    /* the largest w x h inside ww x wh with w / h = sw / sh */
    if ((uint64_t)ww * sh <= (uint64_t)wh * sw) {
        vp->width = ww;
        vp->height = (int)((uint64_t)ww * sh / sw);
    } else {
        vp->height = wh;
        vp->width = (int)((uint64_t)wh * sw / sh);
    }
    if (vp->width < 1)
        vp->width = 1;
    if (vp->height < 1)
        vp->height = 1;
    vp->x = (ww - vp->width) / 2;
    vp->y = (wh - vp->height) / 2;
}

unsigned sc_renderer_fourcc_bpp(uint32_t fourcc)
{
    switch (fourcc) {
    case DRM_FORMAT_XRGB8888:
    case DRM_FORMAT_ARGB8888:
        return 4;
    default:
        return 0;
    }
}

void *sc_renderer_map_scanout(int fd, uint32_t stride, uint32_t height, size_t *size,
                              char *reason, size_t reason_size)
{
    return sc_renderer_map_bytes(fd, (size_t)stride * height, size, reason, reason_size);
}

const void *sc_renderer_maps_get(struct sc_renderer_maps *m, int fd, size_t need, char *reason,
                                 size_t reason_size)
{
    struct sc_renderer_map *slot = &m->e[0];
    struct stat st;

    if (fstat(fd, &st) < 0) {
        snprintf(reason, reason_size, "fstat of the scanout: %s", strerror(errno));
        return NULL;
    }
    m->tick++;
    for (unsigned i = 0; i < SC_RENDERER_MAPS; i++) {
        struct sc_renderer_map *e = &m->e[i];

        if (e->map && e->dev == (uint64_t)st.st_dev && e->ino == (uint64_t)st.st_ino) {
            if (e->size >= need) {
                e->used = m->tick;
                return e->map;
            }
            slot = e; /* the same buffer, longer now: map it again */
            break;
        }
        if (!e->map || (slot->map && e->used < slot->used))
            slot = e;
    }
    if (slot->map)
        munmap(slot->map, slot->size);
    *slot = (struct sc_renderer_map){ (uint64_t)st.st_dev, (uint64_t)st.st_ino, NULL, 0, m->tick };
    slot->map = sc_renderer_map_bytes(fd, need, &slot->size, reason, reason_size);
    return slot->map;
}

void sc_renderer_maps_clear(struct sc_renderer_maps *m)
{
    for (unsigned i = 0; i < SC_RENDERER_MAPS; i++)
        if (m->e[i].map)
            munmap(m->e[i].map, m->e[i].size);
    memset(m, 0, sizeof(*m));
}

void *sc_renderer_map_bytes(int fd, size_t need, size_t *size, char *reason, size_t reason_size)
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
