/* The GL renderer (libepoxy, inside a GtkGLArea): the canvas as an RGB
 * texture updated with glTexSubImage2D per damaged rectangle, decoded video
 * frames as Y/U/V (or Y/UV) textures drawn by a YUV->RGB shader, and the
 * local scanout imported as an EGLImage (EGL_EXT_image_dma_buf_import) when
 * the context is an EGL one that has it, else mapped and uploaded (a linear
 * NV12 scanout always: Y and UV textures through the same shader). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <drm_fourcc.h>
#include <epoxy/egl.h>
#include <epoxy/gl.h>
#include <glib.h>

#include "client/client.h"
#include "client/renderer.h"
#include "common/log.h"

enum { PROG_RGB, PROG_I420, PROG_NV12, N_PROGS };

struct gl_renderer {
    struct sc_renderer base;
    bool es;
    GLuint vao, vbo;
    GLuint prog[N_PROGS];
    GLint u_swizzle; /* PROG_RGB: sample .bgr (BGRX bytes uploaded as RGBA) */
    GLuint canvas_tex;
    uint32_t canvas_w, canvas_h;
    /* video frame drawn over the canvas */
    GLuint yuv_tex[3];
    enum sc_pixfmt video_format;
    uint32_t video_tex_w, video_tex_h; /* the yuv_tex storage; 0: none yet */
    bool video_on;
    int32_t video_x, video_y, video_w, video_h;
    /* local scanout */
    GLuint scanout_tex;
    bool scanout_on, scanout_top_down, scanout_imported;
    EGLImageKHR image;
    struct sc_scanout_maps maps; /* the buffers' mappings: map, uv_map */
    const void *map;
    uint32_t scanout_stride;
    /* a mapped NV12 scanout: scanout_tex holds its luma (R8, from map),
     * nv12_uv_tex its chroma (RG8, from uv_map) */
    bool scanout_nv12;
    GLuint nv12_uv_tex;
    const void *uv_map;
    uint32_t nv12_off[2], nv12_stride[2], nv12_w, nv12_h;
};

static struct gl_renderer *from_base(struct sc_renderer *r)
{
    g_assert(r->impl == &sc_renderer_gl);
    return (struct gl_renderer *)r;
}

static const char vs_body[] =
    "IN vec2 pos;\n"
    "IN vec2 uv_in;\n"
    "OUT vec2 uv;\n"
    "void main() { uv = uv_in; gl_Position = vec4(pos, 0.0, 1.0); }\n";

static const char fs_rgb[] =
    "uniform sampler2D tex0;\n"
    "uniform int swizzle;\n"
    "void main() {\n"
    "  vec4 c = TEX(tex0, uv);\n"
    "  FRAG = vec4(swizzle != 0 ? c.bgr : c.rgb, 1.0);\n"
    "}\n";

/* BT.601 limited range, what our decoders produce, and the matrix of NV12
 * scanouts (libyuv's, that the server's sc_convert_nv12_to_bgrx uses) */
#define YUV2RGB                                                                 \
    "  y = 1.164 * (y - 0.0625); u -= 0.5; v -= 0.5;\n"                         \
    "  FRAG = vec4(y + 1.596 * v, y - 0.392 * u - 0.813 * v, y + 2.017 * u, 1.0);\n"

static const char fs_i420[] =
    "uniform sampler2D tex0, tex1, tex2;\n"
    "void main() {\n"
    "  float y = TEX(tex0, uv).r, u = TEX(tex1, uv).r, v = TEX(tex2, uv).r;\n" YUV2RGB "}\n";

static const char fs_nv12[] =
    "uniform sampler2D tex0, tex1;\n"
    "void main() {\n"
    "  float y = TEX(tex0, uv).r; vec2 c = TEX(tex1, uv).rg; float u = c.r, v = c.g;\n" YUV2RGB
    "}\n";

static GLuint compile(bool es, GLenum type, const char *body, char *reason, size_t reason_size)
{
    const char *head;
    const char *src[2];
    GLuint sh = glCreateShader(type);
    GLint ok = 0;

    if (type == GL_VERTEX_SHADER)
        head = es ? "#version 300 es\n#define IN in\n#define OUT out\n"
                  : "#version 150\n#define IN in\n#define OUT out\n";
    else
        head = es ? "#version 300 es\nprecision mediump float;\nin vec2 uv;\nout vec4 frag;\n"
                    "#define FRAG frag\n#define TEX texture\n"
                  : "#version 150\nin vec2 uv;\nout vec4 frag;\n#define FRAG frag\n#define TEX texture\n";
    src[0] = head;
    src[1] = body;
    glShaderSource(sh, 2, src, NULL);
    glCompileShader(sh);
    glGetShaderiv(sh, GL_COMPILE_STATUS, &ok);
    if (!ok) {
        char log[200] = "";
        glGetShaderInfoLog(sh, sizeof(log), NULL, log);
        snprintf(reason, reason_size, "shader: %s", log);
        glDeleteShader(sh);
        return 0;
    }
    return sh;
}

static GLuint link_program(bool es, const char *fs, char *reason, size_t reason_size)
{
    GLuint vs = compile(es, GL_VERTEX_SHADER, vs_body, reason, reason_size);
    GLuint f = vs ? compile(es, GL_FRAGMENT_SHADER, fs, reason, reason_size) : 0;
    GLuint p;
    GLint ok = 0;
    static const char *const samplers[] = { "tex0", "tex1", "tex2" };

    if (!f) {
        if (vs)
            glDeleteShader(vs);
        return 0;
    }
    p = glCreateProgram();
    glAttachShader(p, vs);
    glAttachShader(p, f);
    glBindAttribLocation(p, 0, "pos");
    glBindAttribLocation(p, 1, "uv_in");
    glLinkProgram(p);
    glDeleteShader(vs);
    glDeleteShader(f);
    glGetProgramiv(p, GL_LINK_STATUS, &ok);
    if (!ok) {
        snprintf(reason, reason_size, "shader program did not link");
        glDeleteProgram(p);
        return 0;
    }
    glUseProgram(p);
    for (int i = 0; i < 3; i++) {
        GLint loc = glGetUniformLocation(p, samplers[i]);
        if (loc >= 0)
            glUniform1i(loc, i);
    }
    return p;
}

static GLuint new_texture(void)
{
    GLuint t;

    glGenTextures(1, &t);
    glBindTexture(GL_TEXTURE_2D, t);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    return t;
}

static void gl_destroy(struct sc_renderer *r);

static struct sc_renderer *gl_create(char *reason, size_t reason_size)
{
    static const char *const fs[N_PROGS] = { fs_rgb, fs_i420, fs_nv12 };
    struct gl_renderer *gr;

    if (!epoxy_is_desktop_gl() && epoxy_gl_version() < 30) {
        snprintf(reason, reason_size, "OpenGL ES %d.%d: 3.0 needed", epoxy_gl_version() / 10,
                 epoxy_gl_version() % 10);
        return NULL;
    }
    if (epoxy_is_desktop_gl() && epoxy_gl_version() < 32) {
        snprintf(reason, reason_size, "OpenGL %d.%d: 3.2 needed", epoxy_gl_version() / 10,
                 epoxy_gl_version() % 10);
        return NULL;
    }
    gr = calloc(1, sizeof(*gr));
    if (!gr) {
        snprintf(reason, reason_size, "out of memory");
        return NULL;
    }
    gr->base.impl = &sc_renderer_gl;
    gr->es = !epoxy_is_desktop_gl();
    for (int i = 0; i < N_PROGS; i++) {
        gr->prog[i] = link_program(gr->es, fs[i], reason, reason_size);
        if (!gr->prog[i]) {
            gl_destroy(&gr->base);
            return NULL;
        }
    }
    gr->u_swizzle = glGetUniformLocation(gr->prog[PROG_RGB], "swizzle");
    glGenVertexArrays(1, &gr->vao);
    glGenBuffers(1, &gr->vbo);
    glBindVertexArray(gr->vao);
    glBindBuffer(GL_ARRAY_BUFFER, gr->vbo);
    glBufferData(GL_ARRAY_BUFFER, 16 * sizeof(GLfloat), NULL, GL_STREAM_DRAW);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 4 * sizeof(GLfloat), (void *)0);
    glEnableVertexAttribArray(1);
    glVertexAttribPointer(1, 2, GL_FLOAT, GL_FALSE, 4 * sizeof(GLfloat),
                          (void *)(2 * sizeof(GLfloat)));
    glBindVertexArray(0);
    sc_info("GL renderer: %s, %s", (const char *)glGetString(GL_RENDERER),
            (const char *)glGetString(GL_VERSION));
    return &gr->base;
}

static void gl_surface(struct sc_renderer *r, uint32_t width, uint32_t height)
{
    struct gl_renderer *gr = from_base(r);

    if (!gr->canvas_tex)
        gr->canvas_tex = new_texture();
    glBindTexture(GL_TEXTURE_2D, gr->canvas_tex);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, (GLsizei)width, (GLsizei)height, 0, GL_RGBA,
                 GL_UNSIGNED_BYTE, NULL);
    gr->canvas_w = width;
    gr->canvas_h = height;
    gr->video_on = false;
    if (!gr->scanout_on) {
        r->width = width;
        r->height = height;
    }
}

static void upload_rect(const uint8_t *pixels, uint32_t stride, unsigned bpp, GLenum format,
                        int x, int y, int w, int h)
{
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, (GLint)(stride / bpp));
    glTexSubImage2D(GL_TEXTURE_2D, 0, x, y, w, h, format, GL_UNSIGNED_BYTE,
                    pixels + (size_t)y * stride + (size_t)x * bpp);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
}

static bool overlaps(const cairo_rectangle_int_t *a, int32_t x, int32_t y, int32_t w, int32_t h)
{
    return a->x < x + w && x < a->x + a->width && a->y < y + h && y < a->y + a->height;
}

static void gl_update(struct sc_renderer *r, const uint8_t *canvas, uint32_t stride,
                      const cairo_rectangle_int_t *rects, int n_rects)
{
    struct gl_renderer *gr = from_base(r);

    if (!gr->canvas_tex)
        return;
    glBindTexture(GL_TEXTURE_2D, gr->canvas_tex);
    for (int i = 0; i < n_rects; i++) {
        upload_rect(canvas, stride, 4, GL_RGBA, rects[i].x, rects[i].y, rects[i].width,
                    rects[i].height);
        if (gr->video_on &&
            overlaps(&rects[i], gr->video_x, gr->video_y, gr->video_w, gr->video_h))
            gr->video_on = false; /* the canvas has newer pixels there */
    }
}

/* Storage is (re)allocated only when the frame's size or format changed;
 * other frames are written into it. */
static void upload_plane(GLuint tex, GLenum format, const uint8_t *data, uint32_t stride,
                         uint32_t w, uint32_t h, unsigned bpp, bool alloc)
{
    GLenum internal = format == GL_RG ? GL_RG8 : GL_R8;

    glBindTexture(GL_TEXTURE_2D, tex);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, (GLint)(stride / bpp));
    if (alloc)
        glTexImage2D(GL_TEXTURE_2D, 0, (GLint)internal, (GLsizei)w, (GLsizei)h, 0, format,
                     GL_UNSIGNED_BYTE, data);
    else
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, (GLsizei)w, (GLsizei)h, format, GL_UNSIGNED_BYTE,
                        data);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
}

static bool gl_video_frame(struct sc_renderer *r, const struct sc_decoded_frame *f, int32_t x,
                           int32_t y, int32_t w, int32_t h)
{
    struct gl_renderer *gr = from_base(r);
    uint32_t cw = (f->width + 1) / 2, ch = (f->height + 1) / 2;
    bool alloc = f->format != gr->video_format || f->width != gr->video_tex_w ||
                 f->height != gr->video_tex_h;

    if (f->kind != SC_DECODED_CPU || gr->scanout_on || !gr->canvas_tex)
        return false; /* a VA-API dma-buf: the client maps and composes it */
    if (f->format == SC_PIXFMT_I420 && f->n_planes == 3) {
        for (int i = 0; i < 3; i++)
            if (!gr->yuv_tex[i])
                gr->yuv_tex[i] = new_texture();
        upload_plane(gr->yuv_tex[0], GL_RED, f->plane[0], f->stride[0], f->width, f->height, 1,
                     alloc);
        upload_plane(gr->yuv_tex[1], GL_RED, f->plane[1], f->stride[1], cw, ch, 1, alloc);
        upload_plane(gr->yuv_tex[2], GL_RED, f->plane[2], f->stride[2], cw, ch, 1, alloc);
    } else if (f->format == SC_PIXFMT_NV12 && f->n_planes == 2) {
        for (int i = 0; i < 2; i++)
            if (!gr->yuv_tex[i])
                gr->yuv_tex[i] = new_texture();
        upload_plane(gr->yuv_tex[0], GL_RED, f->plane[0], f->stride[0], f->width, f->height, 1,
                     alloc);
        upload_plane(gr->yuv_tex[1], GL_RG, f->plane[1], f->stride[1], cw, ch, 2, alloc);
    } else {
        return false;
    }
    gr->video_format = f->format;
    gr->video_tex_w = f->width;
    gr->video_tex_h = f->height;
    gr->video_on = true;
    gr->video_x = x, gr->video_y = y, gr->video_w = w, gr->video_h = h;
    return true;
}

static void drop_scanout(struct gl_renderer *gr)
{
    if (gr->image != EGL_NO_IMAGE_KHR)
        eglDestroyImageKHR(eglGetCurrentDisplay(), gr->image);
    gr->image = EGL_NO_IMAGE_KHR;
    gr->map = NULL; /* the mappings stay in gr->maps */
    gr->uv_map = NULL;
    gr->scanout_nv12 = false;
    gr->scanout_on = false;
    gr->scanout_imported = false;
}

/* EGL_EXT_image_dma_buf_import, only where GTK gave us an EGL context */
static bool import_dmabuf(struct gl_renderer *gr, int fd, uint32_t width, uint32_t height,
                          uint32_t stride, uint32_t fourcc)
{
    EGLDisplay dpy;
    EGLint attrs[] = {
        EGL_WIDTH, (EGLint)width, EGL_HEIGHT, (EGLint)height,
        EGL_LINUX_DRM_FOURCC_EXT, (EGLint)fourcc,
        EGL_DMA_BUF_PLANE0_FD_EXT, fd,
        EGL_DMA_BUF_PLANE0_OFFSET_EXT, 0,
        EGL_DMA_BUF_PLANE0_PITCH_EXT, (EGLint)stride,
        EGL_NONE,
    };

    if (!epoxy_has_egl() || eglGetCurrentContext() == EGL_NO_CONTEXT)
        return false; /* a GLX context (GTK3 on X11) */
    dpy = eglGetCurrentDisplay();
    if (!epoxy_has_egl_extension(dpy, "EGL_EXT_image_dma_buf_import") ||
        !epoxy_has_gl_extension("GL_OES_EGL_image"))
        return false;
    gr->image = eglCreateImageKHR(dpy, EGL_NO_CONTEXT, EGL_LINUX_DMA_BUF_EXT, NULL, attrs);
    if (gr->image == EGL_NO_IMAGE_KHR) {
        sc_warn("GL renderer: EGL dma-buf import failed (0x%x), mapping instead", eglGetError());
        return false;
    }
    glBindTexture(GL_TEXTURE_2D, gr->scanout_tex);
    glEGLImageTargetTexture2DOES(GL_TEXTURE_2D, gr->image);
    return true;
}

static bool gl_gl_scanout(struct sc_renderer *r, int fd, uint32_t width, uint32_t height,
                          uint32_t stride, uint32_t fourcc, bool top_down)
{
    struct gl_renderer *gr = from_base(r);
    char reason[SC_RENDERER_REASON_SIZE];
    static bool told;

    drop_scanout(gr);
    r->width = gr->canvas_w;
    r->height = gr->canvas_h;
    if (fd < 0)
        return true;
    if (sc_renderer_fourcc_bpp(fourcc) != 4 || stride < width * 4) {
        sc_warn("GL renderer: scanout format %.4s stride %u not shown", (const char *)&fourcc,
                stride);
        return false;
    }
    if (!gr->scanout_tex)
        gr->scanout_tex = new_texture();
    gr->scanout_imported = import_dmabuf(gr, fd, width, height, stride, fourcc);
    if (!gr->scanout_imported) {
        gr->map = sc_scanout_maps_get(&gr->maps, fd, (size_t)stride * height, reason,
                                       sizeof(reason));
        if (!gr->map) {
            sc_warn("GL renderer: %s", reason);
            return false;
        }
        gr->scanout_stride = stride;
        glBindTexture(GL_TEXTURE_2D, gr->scanout_tex);
        glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
        glPixelStorei(GL_UNPACK_ROW_LENGTH, (GLint)(stride / 4));
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, (GLsizei)width, (GLsizei)height, 0, GL_RGBA,
                     GL_UNSIGNED_BYTE, gr->map);
        glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    }
    if (!told) {
        sc_info("GL renderer: scanout %s", gr->scanout_imported ? "imported as an EGLImage (dma-buf)"
                                                                : "mapped and uploaded (no EGL dma-buf import here)");
        told = true;
    }
    gr->scanout_on = true;
    gr->scanout_top_down = top_down;
    r->width = width;
    r->height = height;
    return true;
}

/* The mapped NV12 planes into their textures (alloc: new storage). */
static void nv12_upload(struct gl_renderer *gr, bool alloc)
{
    upload_plane(gr->scanout_tex, GL_RED, (const uint8_t *)gr->map + gr->nv12_off[0],
                 gr->nv12_stride[0], gr->nv12_w, gr->nv12_h, 1, alloc);
    upload_plane(gr->nv12_uv_tex, GL_RG, (const uint8_t *)gr->uv_map + gr->nv12_off[1],
                 gr->nv12_stride[1], (gr->nv12_w + 1) / 2, (gr->nv12_h + 1) / 2, 2, alloc);
}

/* Linear NV12 in two planes (sealed memfds, linear dma-bufs; the client
 * checked that each plane fits its buffer): mapped, and uploaded as luma
 * (R8) and chroma (RG8) textures that PROG_NV12 draws -- BT.601 limited
 * range, as the server's CPU view of such frames (sc_convert_nv12_to_bgrx)
 * and decoded video.  Each GL_DRAW uploads the planes again. */
static bool nv12_scanout(struct gl_renderer *gr, const struct sc_client_scanout *s)
{
    uint32_t cw = (s->width + 1) / 2, ch = (s->height + 1) / 2;
    char reason[SC_RENDERER_REASON_SIZE] = "";

    if (s->strides[0] < s->width || s->strides[1] < cw * 2 || s->strides[1] % 2) {
        sc_warn("GL renderer: NV12 scanout strides %u, %u are short of %u pixels or odd",
                s->strides[0], s->strides[1], s->width);
        return false;
    }
    gr->map = sc_scanout_maps_get(&gr->maps, s->fds[0],
                                   s->offsets[0] + (size_t)s->strides[0] * s->height, reason,
                                   sizeof(reason));
    if (gr->map)
        gr->uv_map = sc_scanout_maps_get(&gr->maps, s->fds[1],
                                          s->offsets[1] + (size_t)s->strides[1] * ch, reason,
                                          sizeof(reason));
    if (!gr->uv_map) {
        sc_warn("GL renderer: NV12 scanout: %s", reason);
        drop_scanout(gr);
        return false;
    }
    for (int i = 0; i < 2; i++) {
        gr->nv12_off[i] = s->offsets[i];
        gr->nv12_stride[i] = s->strides[i];
    }
    gr->nv12_w = s->width;
    gr->nv12_h = s->height;
    if (!gr->scanout_tex)
        gr->scanout_tex = new_texture();
    if (!gr->nv12_uv_tex)
        gr->nv12_uv_tex = new_texture();
    nv12_upload(gr, true);
    gr->scanout_on = gr->scanout_nv12 = true;
    gr->scanout_top_down = s->top_down;
    gr->base.width = s->width;
    gr->base.height = s->height;
    return true;
}

/* GL_SCANOUT2: linear NV12 mapped (nv12_scanout); RGB formats imported as
 * one EGLImage, with the modifier where the display takes modifiers.  A
 * tiled YUV EGLImage needs an external-texture (samplerExternalOES) shader,
 * not written: only a GPU makes such buffers, none here to test it on.  No
 * CPU fallback for tiled RGB: its layout is the GPU's; where EGL cannot
 * import (no GPU, a GLX context) the scanout is not shown, and says so
 * once. */
static bool gl_scanout_planes(struct sc_renderer *r, const struct sc_client_scanout *s)
{
    struct gl_renderer *gr = from_base(r);
    EGLint attrs[64];
    EGLDisplay dpy;
    bool mods;
    static bool told, told_nv12;
    const char *why = NULL;

    drop_scanout(gr);
    r->width = gr->canvas_w;
    r->height = gr->canvas_h;
    /* linear only: an implicit modifier (INVALID) may be a GPU's tiling */
    if (s->fourcc == DRM_FORMAT_NV12 && s->n_planes == 2 && s->modifier == DRM_FORMAT_MOD_LINEAR) {
        if (!nv12_scanout(gr, s))
            return false;
        if (!told_nv12)
            sc_info("GL renderer: scanout NV12 mapped and uploaded (luma and chroma textures, "
                    "BT.601 limited range)");
        told_nv12 = true;
        return true;
    }
    if (!epoxy_has_egl() || eglGetCurrentContext() == EGL_NO_CONTEXT)
        why = "no EGL context (GLX)";
    else if (!epoxy_has_egl_extension((dpy = eglGetCurrentDisplay()), "EGL_EXT_image_dma_buf_import") ||
             !epoxy_has_gl_extension("GL_OES_EGL_image"))
        why = "no EGL dma-buf import here (no GPU: EGL_EXT_image_dma_buf_import)";
    else if (sc_renderer_fourcc_bpp(s->fourcc) != 4)
        why = "a tiled or YUV scanout other than linear NV12 needs an external-texture "
              "shader (not written: it needs a GPU to test)";
    if (why) {
        if (!told)
            sc_info("GL renderer: scanout of %u planes, fourcc %.4s, not shown: %s", s->n_planes,
                    (const char *)&s->fourcc, why);
        told = true;
        return false;
    }
    mods = epoxy_has_egl_extension(dpy, "EGL_EXT_image_dma_buf_import_modifiers");
    if (!sc_renderer_dmabuf_attrs(s, mods, attrs, G_N_ELEMENTS(attrs)))
        return false;
    if (!gr->scanout_tex)
        gr->scanout_tex = new_texture();
    gr->image = eglCreateImageKHR(dpy, EGL_NO_CONTEXT, EGL_LINUX_DMA_BUF_EXT, NULL, attrs);
    if (gr->image == EGL_NO_IMAGE_KHR) {
        sc_warn("GL renderer: EGL import of %u planes (modifier 0x%" G_GINT64_MODIFIER
                "x) failed (0x%x)", s->n_planes, s->modifier, eglGetError());
        return false;
    }
    glBindTexture(GL_TEXTURE_2D, gr->scanout_tex);
    glEGLImageTargetTexture2DOES(GL_TEXTURE_2D, gr->image);
    gr->scanout_imported = gr->scanout_on = true;
    gr->scanout_top_down = s->top_down;
    r->width = s->width;
    r->height = s->height;
    return true;
}

static void gl_gl_draw(struct sc_renderer *r, uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    struct gl_renderer *gr = from_base(r);

    if (!gr->scanout_on || gr->scanout_imported || !gr->map)
        return;
    if (gr->scanout_nv12) { /* both planes, whole: a quarter of RGB's bytes */
        nv12_upload(gr, false);
        return;
    }
    if (x >= r->width || y >= r->height)
        return;
    if (w > r->width - x)
        w = r->width - x;
    if (h > r->height - y)
        h = r->height - y;
    glBindTexture(GL_TEXTURE_2D, gr->scanout_tex);
    upload_rect(gr->map, gr->scanout_stride, 4, GL_RGBA, (int)x, (int)y, (int)w, (int)h);
}

/* A textured quad: rect (x, y, w, h) in widget pixels, texture rows top-down
 * unless flip. */
static void quad(struct gl_renderer *gr, const struct sc_viewport *vp, double x, double y,
                 double w, double h, bool flip)
{
    GLfloat x0 = (GLfloat)(2.0 * x / vp->widget_width - 1.0);
    GLfloat x1 = (GLfloat)(2.0 * (x + w) / vp->widget_width - 1.0);
    GLfloat y0 = (GLfloat)(1.0 - 2.0 * y / vp->widget_height);
    GLfloat y1 = (GLfloat)(1.0 - 2.0 * (y + h) / vp->widget_height);
    GLfloat t0 = flip ? 1.0f : 0.0f, t1 = flip ? 0.0f : 1.0f;
    GLfloat v[16] = { x0, y0, 0, t0, x1, y0, 1, t0, x0, y1, 0, t1, x1, y1, 1, t1 };

    glBindVertexArray(gr->vao);
    glBindBuffer(GL_ARRAY_BUFFER, gr->vbo);
    glBufferSubData(GL_ARRAY_BUFFER, 0, sizeof(v), v);
    glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    glBindVertexArray(0);
}

static void draw_video(struct gl_renderer *gr, const struct sc_viewport *vp)
{
    double sx = (double)vp->width / gr->canvas_w, sy = (double)vp->height / gr->canvas_h;
    int n = gr->video_format == SC_PIXFMT_NV12 ? 2 : 3;

    glUseProgram(gr->prog[gr->video_format == SC_PIXFMT_NV12 ? PROG_NV12 : PROG_I420]);
    for (int i = 0; i < n; i++) {
        glActiveTexture(GL_TEXTURE0 + (GLenum)i);
        glBindTexture(GL_TEXTURE_2D, gr->yuv_tex[i]);
    }
    glActiveTexture(GL_TEXTURE0);
    quad(gr, vp, vp->x + gr->video_x * sx, vp->y + gr->video_y * sy, gr->video_w * sx,
         gr->video_h * sy, false);
}

static void gl_draw(struct sc_renderer *r, cairo_t *cr, const struct sc_viewport *vp)
{
    struct gl_renderer *gr = from_base(r);
    GLuint tex = gr->scanout_on ? gr->scanout_tex : gr->canvas_tex;

    (void)cr;
    glViewport(0, 0, vp->widget_width, vp->widget_height);
    glClearColor(0, 0, 0, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    if (!tex || !vp->width || !vp->height)
        return;
    glDisable(GL_BLEND);
    if (gr->scanout_on && gr->scanout_nv12) {
        glUseProgram(gr->prog[PROG_NV12]);
        glActiveTexture(GL_TEXTURE1);
        glBindTexture(GL_TEXTURE_2D, gr->nv12_uv_tex);
        glActiveTexture(GL_TEXTURE0);
        glBindTexture(GL_TEXTURE_2D, gr->scanout_tex);
        quad(gr, vp, vp->x, vp->y, vp->width, vp->height, !gr->scanout_top_down);
        glUseProgram(0);
        return;
    }
    glUseProgram(gr->prog[PROG_RGB]);
    /* BGRX bytes uploaded as RGBA need .bgr; an imported XRGB8888 EGLImage samples as RGB */
    glUniform1i(gr->u_swizzle, gr->scanout_on && gr->scanout_imported ? 0 : 1);
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, tex);
    quad(gr, vp, vp->x, vp->y, vp->width, vp->height, gr->scanout_on && !gr->scanout_top_down);
    if (!gr->scanout_on && gr->video_on)
        draw_video(gr, vp);
    glUseProgram(0);
}

static void gl_destroy(struct sc_renderer *r)
{
    struct gl_renderer *gr;

    if (!r)
        return;
    gr = from_base(r);
    drop_scanout(gr);
    sc_scanout_maps_clear(&gr->maps);
    for (int i = 0; i < N_PROGS; i++)
        if (gr->prog[i])
            glDeleteProgram(gr->prog[i]);
    if (gr->canvas_tex)
        glDeleteTextures(1, &gr->canvas_tex);
    if (gr->scanout_tex)
        glDeleteTextures(1, &gr->scanout_tex);
    if (gr->nv12_uv_tex)
        glDeleteTextures(1, &gr->nv12_uv_tex);
    glDeleteTextures(3, gr->yuv_tex);
    if (gr->vbo)
        glDeleteBuffers(1, &gr->vbo);
    if (gr->vao)
        glDeleteVertexArrays(1, &gr->vao);
    free(gr);
}

const struct sc_renderer_ops sc_renderer_gl = {
    .name = "gl",
    .create = gl_create,
    .surface = gl_surface,
    .update = gl_update,
    .video_frame = gl_video_frame,
    .gl_scanout = gl_gl_scanout,
    .gl_scanout_planes = gl_scanout_planes,
    .gl_draw = gl_gl_draw,
    .draw = gl_draw,
    .destroy = gl_destroy,
};
