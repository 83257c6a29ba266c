#include "config.h"

/* --source image:PATH: a still image (PNG, PPM, JPEG, anything GdkPixbuf
 * reads), converted once to XRGB8888 (alpha composited over black).  A
 * static source: one full-damage frame each time it is started; the display
 * keeps showing the last frame. */

#include "server/sources/source.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>

#include "common/log.h"

#define MAX_DIM 16384

struct image {
    struct sc_source base;
    struct sc_frame *frame;
    GSource *pending; /* the one-shot emit */
};

static void convert_row(const guint8 *src, uint8_t *dst, int width, int channels)
{
    for (int x = 0; x < width; x++, src += channels, dst += 4) {
        if (channels == 4) {
            unsigned a = src[3];
            dst[0] = (uint8_t)((src[2] * a + 127) / 255);
            dst[1] = (uint8_t)((src[1] * a + 127) / 255);
            dst[2] = (uint8_t)((src[0] * a + 127) / 255);
        } else {
            dst[0] = src[2];
            dst[1] = src[1];
            dst[2] = src[0];
        }
        dst[3] = 0xff;
    }
}

static bool check_file(const char *path, GError **error)
{
    int w = 0, h = 0;
    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "image: %s: no such file", path);
        return false;
    }
    if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "image: %s: not a regular file", path);
        return false;
    }
    GdkPixbufFormat *fmt = gdk_pixbuf_get_file_info(path, &w, &h);
    if (!fmt) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                    "image: %s: unsupported or unrecognised image format", path);
        return false;
    }
    /* sizes come from the header: refuse before decoding anything */
    if (w > MAX_DIM || h > MAX_DIM) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "image: %s: %dx%d is too large (at most %dx%d)", path, w, h, MAX_DIM, MAX_DIM);
        return false;
    }
    return true;
}

static struct sc_frame *load_frame(const char *path, GError **error)
{
    GError *err = NULL;
    if (!check_file(path, error))
        return NULL;
    GdkPixbuf *pb = gdk_pixbuf_new_from_file(path, &err);
    if (!pb) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "image: %s: %s", path,
                    err ? err->message : "cannot decode");
        g_clear_error(&err);
        return NULL;
    }
    int w = gdk_pixbuf_get_width(pb), h = gdk_pixbuf_get_height(pb);
    int channels = gdk_pixbuf_get_n_channels(pb);
    struct sc_frame *f = NULL;
    if (w <= 0 || h <= 0 || w > MAX_DIM || h > MAX_DIM ||
        gdk_pixbuf_get_bits_per_sample(pb) != 8 ||
        gdk_pixbuf_get_colorspace(pb) != GDK_COLORSPACE_RGB || (channels != 3 && channels != 4) ||
        (channels == 4) != !!gdk_pixbuf_get_has_alpha(pb)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                    "image: %s: unsupported pixel layout (%dx%d, %d channels)", path, w, h, channels);
        goto out;
    }
    f = sc_frame_new_memfd((uint32_t)w, (uint32_t)h);
    if (!f) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "image: %s: cannot allocate a %dx%d frame",
                    path, w, h);
        goto out;
    }
    const guint8 *src = gdk_pixbuf_read_pixels(pb);
    int rowstride = gdk_pixbuf_get_rowstride(pb);
    for (int y = 0; y < h; y++)
        convert_row(src + (size_t)y * rowstride, f->map + (size_t)y * f->stride, w, channels);
    sc_frame_set_full_damage(f);
out:
    g_object_unref(pb);
    return f;
}

static struct sc_source *image_create(const char *args, GError **error)
{
    if (!args || !*args) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "image: a file is needed (image:PATH)");
        return NULL;
    }
    struct sc_frame *f = load_frame(args, error);
    if (!f)
        return NULL;
    struct image *img = g_new0(struct image, 1);
    img->base.impl = &sc_source_image;
    img->base.width = f->width;
    img->base.height = f->height;
    img->frame = f;
    sc_info("image: %s: %ux%u", args, f->width, f->height);
    return &img->base;
}

static gboolean emit_cb(gpointer data)
{
    struct image *img = data;
    g_source_unref(img->pending);
    img->pending = NULL;
    sc_source_emit_frame(&img->base, img->frame);
    return G_SOURCE_REMOVE;
}

static void image_start(struct sc_source *source)
{
    struct image *img = (struct image *)source;
    if (img->pending)
        return;
    img->pending = g_timeout_source_new(0);
    g_source_set_callback(img->pending, emit_cb, img, NULL);
    g_source_attach(img->pending, g_main_context_get_thread_default());
}

static void image_stop(struct sc_source *source)
{
    struct image *img = (struct image *)source;
    if (!img->pending)
        return;
    g_source_destroy(img->pending);
    g_source_unref(img->pending);
    img->pending = NULL;
}

static void image_destroy(struct sc_source *source)
{
    struct image *img = (struct image *)source;
    image_stop(source);
    sc_frame_unref(img->frame);
    g_free(img);
}

const struct sc_source_ops sc_source_image = {
    .name = "image",
    .help = "image:PATH  a still image (PNG, PPM, JPEG, ...)",
    .create = image_create,
    .start = image_start,
    .stop = image_stop,
    .destroy = image_destroy,
};
