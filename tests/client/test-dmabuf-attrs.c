/* The EGL attribute list the GL renderer imports a GL_SCANOUT2 scanout with
 * (client/renderer-dmabuf.c): per plane fd, offset and pitch in plane
 * order, the modifier split in halves on every plane when the display takes
 * modifiers and the layout has one, none for DRM_FORMAT_MOD_INVALID.  The
 * import itself needs a GPU (EGL_EXT_image_dma_buf_import); this is what it
 * is handed. */
#include "config.h"

#include <epoxy/egl.h>
#include <glib.h>

#include <drm_fourcc.h>

#include "client/client.h"
#include "client/renderer.h"

static EGLint find(const int32_t *a, unsigned n, EGLint key)
{
    for (unsigned i = 0; i + 1 < n; i += 2)
        if (a[i] == key)
            return a[i + 1];
    g_error("attribute 0x%x missing", key);
    return 0;
}

static bool has(const int32_t *a, unsigned n, EGLint key)
{
    for (unsigned i = 0; i + 1 < n; i += 2)
        if (a[i] == key)
            return true;
    return false;
}

static void test_nv12_modifier(void)
{
    const uint64_t mod = I915_FORMAT_MOD_Y_TILED;
    struct sc_client_scanout s = { .width = 64, .height = 32, .fourcc = DRM_FORMAT_NV12,
                                   .modifier = mod, .top_down = true, .n_planes = 2,
                                   .fds = { 7, 9 }, .offsets = { 0, 4096 }, .strides = { 128, 128 } };
    int32_t a[64];
    unsigned n = sc_renderer_dmabuf_attrs(&s, true, a, G_N_ELEMENTS(a));

    g_assert_cmpuint(n, ==, 6 + 2 * 10 + 1);
    g_assert_cmpint(a[n - 1], ==, EGL_NONE);
    g_assert_cmpint(find(a, n, EGL_WIDTH), ==, 64);
    g_assert_cmpint(find(a, n, EGL_LINUX_DRM_FOURCC_EXT), ==, (EGLint)DRM_FORMAT_NV12);
    g_assert_cmpint(find(a, n, EGL_DMA_BUF_PLANE0_FD_EXT), ==, 7);
    g_assert_cmpint(find(a, n, EGL_DMA_BUF_PLANE1_FD_EXT), ==, 9);
    g_assert_cmpint(find(a, n, EGL_DMA_BUF_PLANE1_OFFSET_EXT), ==, 4096);
    g_assert_cmpint(find(a, n, EGL_DMA_BUF_PLANE1_PITCH_EXT), ==, 128);
    g_assert_cmpint(find(a, n, EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT), ==, (EGLint)(uint32_t)mod);
    g_assert_cmpint(find(a, n, EGL_DMA_BUF_PLANE1_MODIFIER_HI_EXT), ==, (EGLint)(mod >> 32));
    g_assert_false(has(a, n, EGL_DMA_BUF_PLANE2_FD_EXT));

    /* no modifier extension: none passed */
    n = sc_renderer_dmabuf_attrs(&s, false, a, G_N_ELEMENTS(a));
    g_assert_cmpuint(n, ==, 6 + 2 * 6 + 1);
    g_assert_false(has(a, n, EGL_DMA_BUF_PLANE0_MODIFIER_LO_EXT));
    /* an implicit layout: none either */
    s.modifier = DRM_FORMAT_MOD_INVALID;
    n = sc_renderer_dmabuf_attrs(&s, true, a, G_N_ELEMENTS(a));
    g_assert_false(has(a, n, EGL_DMA_BUF_PLANE1_MODIFIER_HI_EXT));
}

static void test_bounds(void)
{
    struct sc_client_scanout s = { .width = 8, .height = 8, .fourcc = DRM_FORMAT_XRGB8888,
                                   .n_planes = 5 };
    int32_t a[64];

    g_assert_cmpuint(sc_renderer_dmabuf_attrs(&s, true, a, G_N_ELEMENTS(a)), ==, 0);
    s.n_planes = 0;
    g_assert_cmpuint(sc_renderer_dmabuf_attrs(&s, true, a, G_N_ELEMENTS(a)), ==, 0);
    s.n_planes = 4;
    g_assert_cmpuint(sc_renderer_dmabuf_attrs(&s, true, a, 40), ==, 0); /* 47 needed */
    g_assert_cmpuint(sc_renderer_dmabuf_attrs(&s, true, a, 47), ==, 47);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/dmabuf-attrs/nv12-modifier", test_nv12_modifier);
    g_test_add_func("/dmabuf-attrs/bounds", test_bounds);
    return g_test_run();
}
