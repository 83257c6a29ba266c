/* vaapi:h264 — the shared part: opening a VA display on a render node (the
 * run-time probe), profile lookup, and getting a frame into an NV12 VA
 * surface: a dma-buf is imported as a surface (DRM PRIME 2) and converted
 * by VPP on the GPU, no CPU copy; a memfd frame is converted by libyuv
 * straight into the mapped surface. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <va/va.h>
#include <va/va_drm.h>
#include <va/va_drmcommon.h>
#include <va/va_vpp.h>

#include "codecs/backend.h"
#include "codecs/convert.h"
#include "codecs/vaapi.h"

static void va_quiet(void *ctx, const char *msg)
{
    (void)ctx;
    (void)msg;
}

static int node_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted list of /dev/dri/renderD* paths; count in *n. */
static char **render_nodes(size_t *n)
{
    *n = 0;
    DIR *dir = opendir("/dev/dri");
    if (!dir)
        return NULL;
    char **list = NULL;
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (strncmp(de->d_name, "renderD", 7) != 0)
            continue;
        char **l = realloc(list, (*n + 1) * sizeof(*l));
        if (!l)
            break;
        list = l;
        list[*n] = malloc(strlen(de->d_name) + 10);
        if (!list[*n])
            break;
        sprintf(list[(*n)++], "/dev/dri/%s", de->d_name);
    }
    closedir(dir);
    if (*n)
        qsort(list, *n, sizeof(*list), node_cmp);
    return list;
}

static bool try_node(struct sc_va_display *d, const char *node, char *reason, size_t size)
{
    d->fd = open(node, O_RDWR | O_CLOEXEC);
    if (d->fd < 0) {
        sc_codec_reason(reason, size, "cannot open %s: %s", node, strerror(errno));
        return false;
    }
    d->dpy = vaGetDisplayDRM(d->fd);
    if (!d->dpy) {
        sc_codec_reason(reason, size, "vaGetDisplayDRM(%s) failed", node);
        goto err_close;
    }
    vaSetErrorCallback(d->dpy, va_quiet, NULL);
    vaSetInfoCallback(d->dpy, va_quiet, NULL);
    int major, minor;
    VAStatus st = vaInitialize(d->dpy, &major, &minor);
    if (st != VA_STATUS_SUCCESS) {
        sc_codec_reason(reason, size, "vaInitialize on %s failed: %s (no VA-API driver for "
                        "this GPU?)", node, vaErrorStr(st));
        vaTerminate(d->dpy);
        goto err_close;
    }
    snprintf(d->node, sizeof(d->node), "%s", node);
    d->vendor = vaQueryVendorString(d->dpy);
    return true;
err_close:
    close(d->fd);
    d->fd = -1;
    d->dpy = NULL;
    return false;
}

bool sc_va_open(struct sc_va_display *d, char *reason, size_t size)
{
    memset(d, 0, sizeof(*d));
    d->fd = -1;
    size_t n;
    char **nodes = render_nodes(&n);
    bool ok = false;
    if (n == 0)
        sc_codec_reason(reason, size, "no DRM render node (/dev/dri/renderD*) on this machine");
    for (size_t i = 0; i < n && !ok; i++)
        ok = try_node(d, nodes[i], reason, size);
    for (size_t i = 0; i < n; i++)
        free(nodes[i]);
    free(nodes);
    return ok;
}

void sc_va_close(struct sc_va_display *d)
{
    if (d->dpy)
        vaTerminate(d->dpy);
    if (d->fd >= 0)
        close(d->fd);
    d->dpy = NULL;
    d->fd = -1;
}

bool sc_va_find_profile(struct sc_va_display *d, const VAProfile *prefs, size_t n_prefs,
                        const VAEntrypoint *eps, size_t n_eps, VAProfile *profile,
                        VAEntrypoint *ep)
{
    int max = vaMaxNumEntrypoints(d->dpy);
    VAEntrypoint *list = calloc((size_t)(max > 0 ? max : 1), sizeof(*list));
    bool found = false;
    for (size_t p = 0; list && p < n_prefs && !found; p++) {
        int n = 0;
        if (vaQueryConfigEntrypoints(d->dpy, prefs[p], list, &n) != VA_STATUS_SUCCESS)
            continue;
        for (size_t want = 0; want < n_eps && !found; want++)
            for (int i = 0; i < n && !found; i++)
                if (list[i] == eps[want]) {
                    *profile = prefs[p];
                    *ep = eps[want];
                    found = true;
                }
    }
    free(list);
    return found;
}

bool sc_va_find_h264(struct sc_va_display *d, const VAEntrypoint *eps, size_t n_eps,
                     VAProfile *profile, VAEntrypoint *ep)
{
    /* no B-frames: constrained baseline first, then main, then high */
    static const VAProfile prefs[] = { VAProfileH264ConstrainedBaseline, VAProfileH264Main,
                                       VAProfileH264High };
    return sc_va_find_profile(d, prefs, sizeof(prefs) / sizeof(*prefs), eps, n_eps, profile, ep);
}

bool sc_va_has_vpp(struct sc_va_display *d)
{
    int max = vaMaxNumEntrypoints(d->dpy), n = 0;
    VAEntrypoint *list = calloc((size_t)(max > 0 ? max : 1), sizeof(*list));
    bool ok = false;
    if (list && vaQueryConfigEntrypoints(d->dpy, VAProfileNone, list, &n) == VA_STATUS_SUCCESS)
        for (int i = 0; i < n; i++)
            ok |= list[i] == VAEntrypointVideoProc;
    free(list);
    return ok;
}

/* ---- getting a frame into an NV12 surface ------------------------------------ */

/* An NV12 image of the surface to write into: derived (the surface's own
 * memory) where the driver allows it, else a separate image put with
 * vaPutImage afterwards. */
static bool nv12_image(struct sc_va_uploader *u, VASurfaceID s, uint32_t w, uint32_t h,
                       VAImage *img, bool *derived)
{
    *derived = vaDeriveImage(u->d->dpy, s, img) == VA_STATUS_SUCCESS;
    if (*derived && img->format.fourcc == VA_FOURCC_NV12)
        return true;
    if (*derived)
        vaDestroyImage(u->d->dpy, img->image_id);
    *derived = false;
    VAImageFormat fmt = { .fourcc = VA_FOURCC_NV12, .byte_order = VA_LSB_FIRST,
                          .bits_per_pixel = 12 };
    return vaCreateImage(u->d->dpy, &fmt, (int)w, (int)h, img) == VA_STATUS_SUCCESS;
}

static int upload_cpu(struct sc_va_uploader *u, const struct sc_frame *frame, VASurfaceID dst)
{
    uint32_t stride;
    const uint8_t *px = sc_codec_frame_pixels(frame, &stride);
    if (!px)
        return -EINVAL;
    VAImage img;
    bool derived;
    if (!nv12_image(u, dst, frame->width, frame->height, &img, &derived))
        return -EIO;
    uint8_t *map = NULL;
    int ret = -EIO;
    if (vaMapBuffer(u->d->dpy, img.buf, (void **)&map) == VA_STATUS_SUCCESS) {
        ret = sc_convert_bgrx_to_nv12(px, stride, frame->width, frame->height,
                                      map + img.offsets[0], img.pitches[0],
                                      map + img.offsets[1], img.pitches[1])
                  ? 0
                  : -EINVAL;
        vaUnmapBuffer(u->d->dpy, img.buf);
    }
    if (ret == 0 && !derived
        && vaPutImage(u->d->dpy, dst, img.image_id, 0, 0, frame->width, frame->height, 0, 0,
                      frame->width, frame->height) != VA_STATUS_SUCCESS)
        ret = -EIO;
    vaDestroyImage(u->d->dpy, img.image_id);
    return ret;
}

static bool vpp_init(struct sc_va_uploader *u, uint32_t w, uint32_t h)
{
    if (u->vpp_ready || u->vpp_failed)
        return u->vpp_ready;
    u->vpp_failed = true;
    if (!sc_va_has_vpp(u->d))
        return false;
    if (vaCreateConfig(u->d->dpy, VAProfileNone, VAEntrypointVideoProc, NULL, 0, &u->vpp_cfg)
        != VA_STATUS_SUCCESS)
        return false;
    if (vaCreateContext(u->d->dpy, u->vpp_cfg, (int)w, (int)h, VA_PROGRESSIVE, NULL, 0,
                        &u->vpp_ctx) != VA_STATUS_SUCCESS) {
        vaDestroyConfig(u->d->dpy, u->vpp_cfg);
        return false;
    }
    u->vpp_ready = true;
    u->vpp_failed = false;
    return true;
}

/* Imports the dma-buf as a BGRX surface (DRM PRIME 2). */
static bool import_dmabuf(struct sc_va_uploader *u, const struct sc_frame *f, VASurfaceID *out)
{
    VADRMPRIMESurfaceDescriptor desc;
    memset(&desc, 0, sizeof(desc));
    desc.fourcc = VA_FOURCC_BGRX;
    desc.width = f->width;
    desc.height = f->height;
    desc.num_objects = 1;
    desc.objects[0].fd = f->fd;
    desc.objects[0].size = (uint32_t)(f->offset + (size_t)f->stride * f->height);
    desc.objects[0].drm_format_modifier = f->modifier;
    desc.num_layers = 1;
    desc.layers[0].drm_format = f->drm_fourcc;
    desc.layers[0].num_planes = 1;
    desc.layers[0].offset[0] = f->offset;
    desc.layers[0].pitch[0] = f->stride;
    VASurfaceAttrib attrs[2] = {
        { .type = VASurfaceAttribMemoryType, .flags = VA_SURFACE_ATTRIB_SETTABLE,
          .value = { .type = VAGenericValueTypeInteger,
                     .value.i = VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2 } },
        { .type = VASurfaceAttribExternalBufferDescriptor, .flags = VA_SURFACE_ATTRIB_SETTABLE,
          .value = { .type = VAGenericValueTypePointer, .value.p = &desc } },
    };
    return vaCreateSurfaces(u->d->dpy, VA_RT_FORMAT_RGB32, f->width, f->height, out, 1, attrs, 2)
           == VA_STATUS_SUCCESS;
}

static int upload_vpp(struct sc_va_uploader *u, const struct sc_frame *f, VASurfaceID dst)
{
    VASurfaceID src;
    if (!vpp_init(u, f->width, f->height) || !import_dmabuf(u, f, &src))
        return -ENOTSUP;
    VAProcPipelineParameterBuffer pp;
    memset(&pp, 0, sizeof(pp));
    VARectangle region = { 0, 0, (uint16_t)f->width, (uint16_t)f->height };
    pp.surface = src;
    pp.surface_region = &region;
    pp.output_region = &region;
    pp.output_background_color = 0xff000000;
    pp.surface_color_standard = VAProcColorStandardBT601;
    pp.output_color_standard = VAProcColorStandardBT601;
    VABufferID buf;
    int ret = -EIO;
    if (vaCreateBuffer(u->d->dpy, u->vpp_ctx, VAProcPipelineParameterBufferType, sizeof(pp), 1,
                       &pp, &buf) == VA_STATUS_SUCCESS) {
        if (vaBeginPicture(u->d->dpy, u->vpp_ctx, dst) == VA_STATUS_SUCCESS
            && vaRenderPicture(u->d->dpy, u->vpp_ctx, &buf, 1) == VA_STATUS_SUCCESS
            && vaEndPicture(u->d->dpy, u->vpp_ctx) == VA_STATUS_SUCCESS)
            ret = 0;
        vaDestroyBuffer(u->d->dpy, buf);
    }
    vaDestroySurfaces(u->d->dpy, &src, 1);
    return ret;
}

int sc_va_upload(struct sc_va_uploader *u, const struct sc_frame *frame, VASurfaceID dst,
                 bool *zero_copy)
{
    *zero_copy = false;
    if (frame->kind == SC_FRAME_DMABUF && frame->drm_fourcc == DRM_FORMAT_XRGB8888) {
        int r = upload_vpp(u, frame, dst);
        if (r == 0) {
            *zero_copy = true;
            return 0;
        }
        /* no VPP or the import failed: fall back to the CPU mapping */
    }
    return upload_cpu(u, frame, dst);
}

void sc_va_uploader_finish(struct sc_va_uploader *u)
{
    if (u->vpp_ready) {
        vaDestroyContext(u->d->dpy, u->vpp_ctx);
        vaDestroyConfig(u->d->dpy, u->vpp_cfg);
    }
    u->vpp_ready = false;
}
