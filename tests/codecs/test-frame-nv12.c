/* NV12 scanouts (two planes: luma, interleaved chroma) reach the CPU paths:
 * sc_frame_wrap maps a frame of two sealed memfds (or one memfd holding
 * both planes), sc_codec_frame_pixels gives its BGRx copy, exactly what
 * sc_convert_nv12_to_bgrx makes of the planes (the one conversion,
 * BT.601 limited range, viewer-headless shows them with too), and every
 * encoder here encodes it: lossless exactly that picture, video within
 * 30 dB PSNR-Y of it.  Before, the frame had no CPU view and every encoder
 * refused it (-EINVAL).  A chroma plane in a memfd that could shrink, and
 * a tiled dma-buf, get no CPU view (sc_frame_wrap says why). */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#include "bench/content.h"
#include "codecs/codec.h"
#include "codecs/convert.h"

#define W 320
#define H 180

struct nv12 {
    int fd[2];
    uint8_t *map[2];
    size_t size[2];
    struct sc_frame *ref; /* the planes converted to BGRx, for comparison */
};

static int plane_memfd(size_t size, bool seal, uint8_t **map)
{
    int fd = memfd_create("plane", MFD_CLOEXEC | MFD_ALLOW_SEALING);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, (off_t)size), ==, 0);
    if (seal)
        g_assert_cmpint(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), ==, 0);
    *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    g_assert_true(*map != MAP_FAILED);
    return fd;
}

/* Desktop content as NV12 in two memfds (the chroma one sealed or not). */
static void nv12_init(struct nv12 *n, bool seal_uv)
{
    struct sc_content *c = sc_content_create("desktop", W, H, NULL, 0);
    struct sc_frame *src = sc_frame_new_memfd(W, H);

    g_assert_cmpint(sc_content_next(c, src, NULL, 0), ==, 1);
    n->size[0] = (size_t)W * H;
    n->size[1] = (size_t)W * H / 2;
    n->fd[0] = plane_memfd(n->size[0], true, &n->map[0]);
    n->fd[1] = plane_memfd(n->size[1], seal_uv, &n->map[1]);
    g_assert_true(sc_convert_bgrx_to_nv12(src->map, src->stride, W, H, n->map[0], W, n->map[1],
                                          W));
    n->ref = sc_frame_new_memfd(W, H);
    g_assert_true(sc_convert_nv12_to_bgrx(n->map[0], W, n->map[1], W, W, H, n->ref->map,
                                          n->ref->stride));
    sc_frame_unref(src);
    sc_content_destroy(c);
}

static void nv12_finish(struct nv12 *n)
{
    for (int i = 0; i < 2; i++) {
        munmap(n->map[i], n->size[i]);
        close(n->fd[i]);
    }
    sc_frame_unref(n->ref);
}

/* A frame of the planes, as a source from another process wraps them:
 * true if it has a CPU view (else why says why). */
static struct sc_frame *wrap(const struct nv12 *n, enum sc_frame_kind kind, uint64_t modifier,
                             bool *viewed, char *why, size_t why_size)
{
    struct sc_frame_buffer b = {
        .kind = kind, .width = W, .height = H, .stride = W, .drm_fourcc = DRM_FORMAT_NV12,
        .modifier = modifier, .top_down = true, .n_planes = 2,
        .planes = { { dup(n->fd[1]), 0, W } },
    };
    struct sc_frame *f = g_new0(struct sc_frame, 1);

    *viewed = sc_frame_wrap(f, dup(n->fd[0]), &b, true, why, why_size);
    return f;
}

/* The frame's CPU pixels are exactly the planes converted. */
static void assert_pixels(const struct sc_frame *f, const struct sc_frame *ref)
{
    uint32_t stride = 0;
    const uint8_t *px = sc_codec_frame_pixels(f, &stride);

    g_assert_nonnull(px);
    g_assert_cmpuint(stride, >=, W * 4);
    for (uint32_t y = 0; y < H; y++)
        g_assert_cmpmem(px + (size_t)y * stride, W * 4, ref->map + (size_t)y * ref->stride,
                        W * 4);
    g_assert_true(sc_codec_frame_pixels(f, &stride) == px); /* made once */
}

static void test_view(void)
{
    struct nv12 n;
    char why[160] = "";
    bool viewed;

    nv12_init(&n, true);
    struct sc_frame *f = wrap(&n, SC_FRAME_SHM, DRM_FORMAT_MOD_LINEAR, &viewed, why, sizeof(why));
    g_assert_true(viewed);
    assert_pixels(f, n.ref);
    sc_frame_unref(f);
    /* a tiled dma-buf: its layout is the GPU's, no CPU view */
    f = wrap(&n, SC_FRAME_DMABUF, I915_FORMAT_MOD_Y_TILED, &viewed, why, sizeof(why));
    g_assert_false(viewed);
    g_assert_nonnull(strstr(why, "tiled"));
    g_assert_null(sc_codec_frame_pixels(f, &(uint32_t){ 0 }));
    sc_frame_unref(f);
    nv12_finish(&n);

    /* a chroma plane that could shrink under the encoder: none either */
    nv12_init(&n, false);
    f = wrap(&n, SC_FRAME_SHM, DRM_FORMAT_MOD_LINEAR, &viewed, why, sizeof(why));
    g_assert_false(viewed);
    g_assert_nonnull(strstr(why, "F_SEAL_SHRINK"));
    g_assert_null(sc_codec_frame_pixels(f, &(uint32_t){ 0 }));
    sc_frame_unref(f);
    nv12_finish(&n);
}

/* Both planes in one sealed memfd, the chroma after the luma. */
static void test_view_one_buffer(void)
{
    struct nv12 n;
    uint8_t *map;
    int fd = plane_memfd((size_t)W * H * 3 / 2, true, &map);
    struct sc_frame_buffer b = {
        .kind = SC_FRAME_SHM, .width = W, .height = H, .stride = W,
        .drm_fourcc = DRM_FORMAT_NV12, .top_down = true, .n_planes = 2,
        .planes = { { -1, W * H, W } },
    };
    struct sc_frame *f = g_new0(struct sc_frame, 1);
    char why[160] = "";

    nv12_init(&n, true);
    memcpy(map, n.map[0], n.size[0]);
    memcpy(map + n.size[0], n.map[1], n.size[1]);
    g_assert_true(sc_frame_wrap(f, fd, &b, true, why, sizeof(why)));
    assert_pixels(f, n.ref);
    sc_frame_unref(f);
    munmap(map, (size_t)W * H * 3 / 2);
    nv12_finish(&n);
}

static void on_packet(const struct sc_packet *p, void *data)
{
    GByteArray *out = data;

    g_byte_array_append(out, p->data, (guint)p->size);
}

/* Every encoder that works here encodes the NV12 frame; its decoder gives
 * the picture back (lossless: exactly; video: 30 dB PSNR-Y). */
static void test_encoders(void)
{
    struct nv12 n;
    char why[160] = "";
    bool viewed;
    unsigned tried = 0;

    nv12_init(&n, true);
    struct sc_frame *f = wrap(&n, SC_FRAME_SHM, DRM_FORMAT_MOD_LINEAR, &viewed, why, sizeof(why));
    g_assert_true(viewed);
    for (size_t i = 0; sc_encoders[i]; i++) {
        const struct sc_encoder_ops *ops = sc_encoders[i];
        const struct sc_decoder_ops *dops = sc_decoder_for(ops);
        struct sc_encoder_params p = { .width = W, .height = H, .fps = 30, .bitrate = 4000000,
                                       .low_latency = true, .threads = 1 };
        struct sc_decoder_params dp = { W, H, true };
        char reason[SC_CODEC_REASON_SIZE];
        struct sc_encoder *enc;
        struct sc_decoder *dec;
        struct sc_decoded_frame out;
        GByteArray *pkt = g_byte_array_new();

        if (!dops || !sc_encoder_probe(ops, NULL, 0) ||
            !(enc = sc_encoder_create(ops, &p, reason, sizeof(reason)))) {
            g_byte_array_unref(pkt);
            continue;
        }
        dec = sc_decoder_create(dops, &dp, reason, sizeof(reason));
        g_assert_nonnull(dec);
        g_assert_cmpint(sc_encoder_encode(enc, f, on_packet, pkt), ==, 0);
        g_assert_cmpint(sc_decoder_decode(dec, pkt->data, pkt->len, &out), ==, 1);
        if (sc_codec_is_lossless(ops->codec)) {
            g_autofree uint8_t *bgrx = g_malloc((size_t)W * H * 4);
            g_assert_true(sc_convert_decoded_to_bgrx(&out, bgrx, W * 4));
            for (size_t px = 0; px < (size_t)W * H; px++) /* ignoring the X byte */
                g_assert_cmpmem(bgrx + px * 4, 3, n.ref->map + (px / W) * n.ref->stride +
                                (px % W) * 4, 3);
        } else {
            g_autofree uint8_t *ry = g_malloc((size_t)W * H), *dy = g_malloc((size_t)W * H);
            g_assert_true(sc_convert_bgrx_to_y(n.ref->map, n.ref->stride, W, H, ry, W));
            g_assert_true(sc_convert_decoded_to_y(&out, dy, W));
            double db = sc_psnr_y(ry, W, dy, W, W, H);
            g_test_message("%s:%s: %.1f dB PSNR-Y", ops->name, sc_codec_id_name(ops->codec), db);
            g_assert_cmpfloat(db, >=, 30.0);
        }
        tried++;
        sc_decoder_destroy(dec);
        sc_encoder_destroy(enc);
        g_byte_array_unref(pkt);
    }
    g_assert_cmpuint(tried, >=, 1); /* lossless is always built in */
    sc_frame_unref(f);
    nv12_finish(&n);
}

/* An ARGB8888 scanout (QEMU's dma-bufs often are) is mapped by
 * sc_frame_wrap, and the encoders read it as BGRx: its alpha byte is not
 * shown, as the vmm source says. */
static void test_argb_view(void)
{
    uint8_t *map;
    int fd = plane_memfd((size_t)W * 4 * H, true, &map);
    struct sc_frame_buffer b = {
        .kind = SC_FRAME_DMABUF, .width = W, .height = H, .stride = W * 4,
        .drm_fourcc = DRM_FORMAT_ARGB8888, .modifier = DRM_FORMAT_MOD_LINEAR, .top_down = true,
    };
    struct sc_frame *f = g_new0(struct sc_frame, 1);
    char why[160] = "";
    uint32_t stride = 0;

    memset(map, 0x5a, (size_t)W * 4 * H);
    g_assert_true(sc_frame_wrap(f, dup(fd), &b, true, why, sizeof(why)));
    const uint8_t *px = sc_codec_frame_pixels(f, &stride);
    g_assert_nonnull(px);
    g_assert_cmpuint(stride, ==, W * 4);
    g_assert_cmpuint(px[(size_t)(H - 1) * stride + W * 4 - 1], ==, 0x5a);
    sc_frame_unref(f);
    munmap(map, (size_t)W * 4 * H);
    close(fd);
}

/* A peer's stride the CPU readers cannot walk (libyuv takes int strides:
 * 0xfffffff0 is -16 there, rows read before the mapping) is refused, for
 * NV12's chroma and for XRGB alike, even over a buffer that long (a sparse
 * sealed memfd of 4 GiB costs nothing). */
static void test_huge_stride_refused(void)
{
    const uint32_t huge = 0xfffffff0u;
    int big = memfd_create("big", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    int luma = memfd_create("luma", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    char why[160] = "";

    g_assert_cmpint(ftruncate(big, (off_t)huge + 4096), ==, 0);
    g_assert_cmpint(fcntl(big, F_ADD_SEALS, F_SEAL_SHRINK), ==, 0);
    g_assert_cmpint(ftruncate(luma, 4096), ==, 0);
    g_assert_cmpint(fcntl(luma, F_ADD_SEALS, F_SEAL_SHRINK), ==, 0);

    struct sc_frame_buffer nv12 = {
        .kind = SC_FRAME_SHM, .width = 16, .height = 2, .stride = 16,
        .drm_fourcc = DRM_FORMAT_NV12, .modifier = DRM_FORMAT_MOD_LINEAR, .top_down = true,
        .n_planes = 2, .planes = { { dup(big), 0, huge } },
    };
    struct sc_frame *f = g_new0(struct sc_frame, 1);
    g_assert_false(sc_frame_wrap(f, dup(luma), &nv12, true, why, sizeof(why)));
    g_assert_nonnull(strstr(why, "stride"));
    sc_frame_unref(f);

    struct sc_frame_buffer xrgb = {
        .kind = SC_FRAME_SHM, .width = 16, .height = 1, .stride = huge,
        .drm_fourcc = DRM_FORMAT_XRGB8888, .modifier = DRM_FORMAT_MOD_LINEAR, .top_down = true,
    };
    f = g_new0(struct sc_frame, 1);
    why[0] = 0;
    g_assert_false(sc_frame_wrap(f, dup(big), &xrgb, true, why, sizeof(why)));
    g_assert_nonnull(strstr(why, "stride"));
    sc_frame_unref(f);
    close(big);
    close(luma);
}

/* sc_frame_planes_dup/close: the planes past the first, a -1 kept as -1,
 * each dup its own close-on-exec fd, and all closed and -1 after. */
static void test_planes_dup_close(void)
{
    int a = memfd_create("plane-a", MFD_CLOEXEC), c = memfd_create("plane-c", MFD_CLOEXEC);
    struct sc_frame_plane src[SC_FRAME_MAX_PLANES - 1] = { { a, 16, 64 }, { -1, 32, 64 },
                                                           { c, 48, 128 } };
    struct sc_frame_plane dst[SC_FRAME_MAX_PLANES - 1];

    g_assert_cmpint(a, >=, 0);
    g_assert_cmpint(c, >=, 0);
    g_assert_true(sc_frame_planes_dup(dst, src, 4));
    g_assert_cmpint(dst[0].fd, >=, 0);
    g_assert_cmpint(dst[0].fd, !=, a);
    g_assert_cmpint(dst[1].fd, ==, -1);
    g_assert_cmpint(dst[2].fd, !=, c);
    g_assert_cmpuint(dst[2].offset, ==, 48);
    g_assert_cmpuint(dst[2].stride, ==, 128);
    g_assert_true(fcntl(dst[2].fd, F_GETFD) & FD_CLOEXEC);
    int kept = dst[2].fd;
    sc_frame_planes_close(dst, 4);
    for (int i = 0; i < 3; i++)
        g_assert_cmpint(dst[i].fd, ==, -1);
    g_assert_cmpint(fcntl(kept, F_GETFD), ==, -1); /* closed */
    g_assert_cmpint(fcntl(a, F_GETFD), >=, 0);      /* the sources stay open */
    close(a);
    close(c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/codecs/frame-nv12/view", test_view);
    g_test_add_func("/codecs/frame-nv12/view-one-buffer", test_view_one_buffer);
    g_test_add_func("/codecs/frame-nv12/encoders", test_encoders);
    g_test_add_func("/codecs/frame-nv12/planes-dup-close", test_planes_dup_close);
    g_test_add_func("/codecs/frame-argb/view", test_argb_view);
    g_test_add_func("/codecs/frame/huge-stride-refused", test_huge_stride_refused);
    return g_test_run();
}
