/* ScanoutDMABUF2's arguments: the untrusted half of a multi-plane scanout
 * from QEMU (or anything that owns org.qemu), checked here; qemu-screen.c
 * takes the result as it takes ScanoutDMABUF's. */
#include "config.h"

#include "server/sources/qemu-planes.h"

#include <fcntl.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <gio/gunixfdlist.h>

#include "server/sources/qemu-dbus.h"

struct dmabuf2 {
    const int32_t *handles;
    const uint32_t *offset, *stride;
    gsize n_handles, n_offset, n_stride;
    uint32_t x, y, width, height, num_planes, fourcc, bw, bh;
    guint64 modifier;
    gboolean y0_top;
};

static bool four_bytes(uint32_t fourcc)
{
    return fourcc == DRM_FORMAT_XRGB8888 || fourcc == DRM_FORMAT_ARGB8888 ||
           fourcc == DRM_FORMAT_XBGR8888 || fourcc == DRM_FORMAT_ABGR8888;
}

static const char *check_geometry(const struct dmabuf2 *a)
{
    if (a->num_planes == 0 || a->num_planes > SC_FRAME_MAX_PLANES)
        return "plane count out of range (1 to 4)";
    if (a->n_handles != a->num_planes || a->n_offset != a->num_planes ||
        a->n_stride != a->num_planes)
        return "dmabuf, offset and stride do not have num_planes entries";
    if (!a->width || !a->height || a->width > MAX_DIM || a->height > MAX_DIM ||
        a->bw > MAX_DIM || a->bh > MAX_DIM)
        return "size out of range";
    if ((uint64_t)a->x + a->width > a->bw || (uint64_t)a->y + a->height > a->bh)
        return "the rectangle is outside the backing buffer";
    if ((a->x || a->y) && !(a->num_planes == 1 && four_bytes(a->fourcc)))
        return "a part of a buffer that is not one 4-byte plane";
    if (a->fourcc == 0)
        return "no format";
    return NULL;
}

/* The planes, with the rectangle's origin folded into plane 0's offset. */
static const char *fill_buffer(const struct dmabuf2 *a, struct sc_frame_buffer *b)
{
    uint64_t off0 = a->offset[0] + (uint64_t)a->y * a->stride[0] + (uint64_t)a->x * 4;

    if (off0 > UINT32_MAX)
        return "offset out of range";
    *b = (struct sc_frame_buffer){
        .kind = SC_FRAME_DMABUF, .width = a->width, .height = a->height,
        .stride = a->stride[0], .offset = (uint32_t)off0, .drm_fourcc = a->fourcc,
        .modifier = a->modifier, .top_down = a->y0_top, .n_planes = a->num_planes,
    };
    for (uint32_t i = 1; i < a->num_planes; i++)
        b->planes[i - 1] = (struct sc_frame_plane){ -1, a->offset[i], a->stride[i] };
    return NULL;
}

static void close_fds(int *fd, struct sc_frame_buffer *b)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
    sc_frame_planes_close(b->planes, b->n_planes);
}

/* The planes' fds from the list (a plane with plane 0's handle: -1), and
 * each buffer's size for the bounds check. */
static const char *take_fds(const struct dmabuf2 *a, GUnixFDList *fds, struct sc_frame_buffer *b,
                            int *fd, uint64_t *sizes)
{
    int n = fds ? g_unix_fd_list_get_length(fds) : 0;

    for (uint32_t i = 0; i < a->num_planes; i++) {
        int h = a->handles[i], f;
        off_t end;

        if (h < 0 || h >= n)
            return "a handle not in the message's fds";
        if (i > 0 && h == a->handles[0])
            continue;
        f = g_unix_fd_list_get(fds, h, NULL);
        if (f < 0)
            return "cannot take a plane's fd";
        if (i == 0)
            *fd = f;
        else
            b->planes[i - 1].fd = f;
        end = lseek(f, 0, SEEK_END);
        sizes[i] = end > 0 ? (uint64_t)end : 0;
    }
    return NULL;
}

bool sc_qemu_dmabuf2_parse(GVariant *params, GUnixFDList *fds, struct sc_frame_buffer *b,
                           int *fd, char *why, size_t why_size)
{
    struct dmabuf2 a = { 0 };
    GVariant *vh, *vo, *vs;
    uint64_t sizes[SC_FRAME_MAX_PLANES] = { 0 };
    const char *err;

    *fd = -1;
    *b = (struct sc_frame_buffer){ 0 };
    g_variant_get(params, DMABUF2_SIG, NULL, &a.x, &a.y, &a.width, &a.height, NULL, NULL,
                  &a.num_planes, &a.fourcc, &a.bw, &a.bh, &a.modifier, &a.y0_top);
    vh = g_variant_get_child_value(params, 0);
    vo = g_variant_get_child_value(params, 5);
    vs = g_variant_get_child_value(params, 6);
    a.handles = g_variant_get_fixed_array(vh, &a.n_handles, sizeof(int32_t));
    a.offset = g_variant_get_fixed_array(vo, &a.n_offset, sizeof(uint32_t));
    a.stride = g_variant_get_fixed_array(vs, &a.n_stride, sizeof(uint32_t));
    err = check_geometry(&a);
    if (!err)
        err = fill_buffer(&a, b);
    if (!err)
        err = take_fds(&a, fds, b, fd, sizes);
    if (!err && !sc_frame_planes_fit(b, sizes, why, why_size))
        err = why;
    if (err) {
        if (err != why)
            g_strlcpy(why, err, why_size);
        close_fds(fd, b);
    }
    g_variant_unref(vh);
    g_variant_unref(vo);
    g_variant_unref(vs);
    return !err;
}
