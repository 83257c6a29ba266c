/* The EGL attribute list of a dma-buf scanout of several planes
 * (EGL_EXT_image_dma_buf_import, and _modifiers for the modifier), apart
 * from the GL renderer so that a test checks it where no GPU imports one. */
#include "config.h"

#include <epoxy/egl.h>

#include <drm_fourcc.h>

#include "client/client.h"
#include "client/renderer.h"

static const EGLint plane_attrs[4][5] = {
    { EGL_DMA_BUF_PLANE0_FD_EXT, EGL_DMA_BUF_PLANE0_OFFSET_EXT, EGL_DMA_BUF_PLANE0_PITCH_EXT,
      EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE0_MODIFIER_HI_EXT },
    { EGL_DMA_BUF_PLANE1_FD_EXT, EGL_DMA_BUF_PLANE1_OFFSET_EXT, EGL_DMA_BUF_PLANE1_PITCH_EXT,
      EGL_DMA_BUF_PLANE1_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE1_MODIFIER_HI_EXT },
    { EGL_DMA_BUF_PLANE2_FD_EXT, EGL_DMA_BUF_PLANE2_OFFSET_EXT, EGL_DMA_BUF_PLANE2_PITCH_EXT,
      EGL_DMA_BUF_PLANE2_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE2_MODIFIER_HI_EXT },
    { EGL_DMA_BUF_PLANE3_FD_EXT, EGL_DMA_BUF_PLANE3_OFFSET_EXT, EGL_DMA_BUF_PLANE3_PITCH_EXT,
      EGL_DMA_BUF_PLANE3_MODIFIER_LO_EXT, EGL_DMA_BUF_PLANE3_MODIFIER_HI_EXT },
};

unsigned sc_renderer_dmabuf_attrs(const struct sc_client_scanout *s, bool with_modifier,
                                  int32_t *attrs, unsigned max)
{
    unsigned n = 0;

    /* 6 + 10 a plane + EGL_NONE */
    if (s->n_planes == 0 || s->n_planes > 4 || max < 7 + 10 * s->n_planes)
        return 0;
    with_modifier = with_modifier && s->modifier != DRM_FORMAT_MOD_INVALID;
    attrs[n++] = EGL_WIDTH;
    attrs[n++] = (EGLint)s->width;
    attrs[n++] = EGL_HEIGHT;
    attrs[n++] = (EGLint)s->height;
    attrs[n++] = EGL_LINUX_DRM_FOURCC_EXT;
    attrs[n++] = (EGLint)s->fourcc;
    for (unsigned i = 0; i < s->n_planes; i++) {
        attrs[n++] = plane_attrs[i][0];
        attrs[n++] = s->fds[i];
        attrs[n++] = plane_attrs[i][1];
        attrs[n++] = (EGLint)s->offsets[i];
        attrs[n++] = plane_attrs[i][2];
        attrs[n++] = (EGLint)s->strides[i];
        if (with_modifier) {
            attrs[n++] = plane_attrs[i][3];
            attrs[n++] = (EGLint)(uint32_t)s->modifier;
            attrs[n++] = plane_attrs[i][4];
            attrs[n++] = (EGLint)(uint32_t)(s->modifier >> 32);
        }
    }
    attrs[n++] = EGL_NONE;
    return n;
}
