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
    return sc_scanout_map(fd, (size_t)stride * height, size, reason, reason_size);
}
