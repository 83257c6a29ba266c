#include "config.h"

/* Frame descriptors: sealed memfd buffers, reference counting, damage, a
 * small pool of same-size frames for sources, and which buffers another
 * process hands us may be mapped. */

#include "common/frame.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <linux/magic.h>

#include <glib.h>

#include "common/log.h"

#define STRIDE_ALIGN 64
/* Largest buffer we create: 16384 x 16384 x 4. */
#define MAX_DIM 16384
/* The longest row a wrapped buffer may have: MAX_DIM pixels of 8 bytes,
 * with room for padding. */
#define MAX_STRIDE (MAX_DIM * 16)

static uint32_t stride_for(uint32_t width)
{
    return (width * 4 + STRIDE_ALIGN - 1) & ~(uint32_t)(STRIDE_ALIGN - 1);
}

struct sc_frame *sc_frame_new_memfd(uint32_t width, uint32_t height)
{
    if (width == 0 || height == 0 || width > MAX_DIM || height > MAX_DIM) {
        sc_warn("frame: bad size %ux%u", width, height);
        return NULL;
    }
    uint32_t stride = stride_for(width);
    size_t size = (size_t)stride * height;

    int fd = memfd_create("spicecast-frame", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0) {
        sc_warn("frame: memfd_create: %s", g_strerror(errno));
        return NULL;
    }
    if (ftruncate(fd, (off_t)size) < 0) {
        sc_warn("frame: ftruncate %zu: %s", size, g_strerror(errno));
        goto err_fd;
    }
    if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
        sc_warn("frame: F_ADD_SEALS: %s", g_strerror(errno));
        goto err_fd;
    }
    void *map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {
        sc_warn("frame: mmap %zu: %s", size, g_strerror(errno));
        goto err_fd;
    }

    struct sc_frame *frame = g_new0(struct sc_frame, 1);
    frame->refcount = 1;
    frame->kind = SC_FRAME_SHM;
    frame->fd = fd;
    frame->sealed = true;
    frame->width = width;
    frame->height = height;
    frame->stride = stride;
    frame->offset = 0;
    frame->drm_fourcc = DRM_FORMAT_XRGB8888;
    frame->modifier = DRM_FORMAT_MOD_LINEAR;
    frame->top_down = true;
    frame->full_damage = true;
    frame->map = map;
    frame->map_size = size;
    return frame;

err_fd:
    close(fd);
    return NULL;
}

struct sc_frame *sc_frame_ref(struct sc_frame *frame)
{
    g_assert(frame != NULL);
    g_assert(g_atomic_int_get(&frame->refcount) > 0);
    g_atomic_int_inc(&frame->refcount);
    return frame;
}

void sc_frame_unref(struct sc_frame *frame)
{
    if (!frame)
        return;
    g_assert(g_atomic_int_get(&frame->refcount) > 0);
    if (!g_atomic_int_dec_and_test(&frame->refcount))
        return;
    if (frame->release)
        frame->release(frame, frame->release_data);
    else
        sc_frame_destroy(frame);
}

void sc_frame_destroy(struct sc_frame *frame)
{
    if (!frame)
        return;
    if (frame->map)
        munmap(frame->map, frame->map_size);
    if (frame->uv_map)
        munmap(frame->uv_map, frame->uv_map_size);
    g_free(frame->cpu);
    if (frame->fd >= 0)
        close(frame->fd);
    sc_frame_planes_close(frame->planes, frame->n_planes);
    g_free(frame);
}

void sc_frame_planes_close(struct sc_frame_plane *planes, uint32_t n_planes)
{
    for (uint32_t i = 1; i < n_planes && i < SC_FRAME_MAX_PLANES; i++) {
        if (planes[i - 1].fd >= 0)
            close(planes[i - 1].fd);
        planes[i - 1].fd = -1;
    }
}

bool sc_frame_planes_dup(struct sc_frame_plane *dst, const struct sc_frame_plane *src,
                         uint32_t n_planes)
{
    for (uint32_t i = 1; i < n_planes && i < SC_FRAME_MAX_PLANES; i++) {
        dst[i - 1] = src[i - 1];
        if (src[i - 1].fd >= 0 && (dst[i - 1].fd = fcntl(src[i - 1].fd, F_DUPFD_CLOEXEC, 0)) < 0) {
            int err = errno;

            sc_frame_planes_close(dst, i);
            errno = err;
            return false;
        }
    }
    return true;
}

void sc_frame_reuse(struct sc_frame *frame)
{
    g_atomic_int_set(&frame->refcount, 1);
    frame->full_damage = false;
    frame->n_damage = 0;
    frame->seq = 0;
    frame->time_us = 0;
    frame->arrived_us = 0;
    /* the pixels change: a BGRx copy of the old ones must not be read */
    g_clear_pointer(&frame->cpu, g_free);
    frame->cpu_once = 0;
}

/* ---- damage ------------------------------------------------------------ */

static bool box_clip(struct sc_box *b, uint32_t fw, uint32_t fh)
{
    int64_t x0 = b->x, y0 = b->y;
    int64_t x1 = x0 + b->w, y1 = y0 + b->h;
    if (b->w <= 0 || b->h <= 0)
        return false;
    x0 = MAX(x0, 0);
    y0 = MAX(y0, 0);
    x1 = MIN(x1, (int64_t)fw);
    y1 = MIN(y1, (int64_t)fh);
    if (x0 >= x1 || y0 >= y1)
        return false;
    *b = (struct sc_box){ (int32_t)x0, (int32_t)y0, (int32_t)(x1 - x0), (int32_t)(y1 - y0) };
    return true;
}

static struct sc_box box_union(const struct sc_box *a, const struct sc_box *b)
{
    int32_t x0 = MIN(a->x, b->x), y0 = MIN(a->y, b->y);
    int32_t x1 = MAX(a->x + a->w, b->x + b->w);
    int32_t y1 = MAX(a->y + a->h, b->y + b->h);
    return (struct sc_box){ x0, y0, x1 - x0, y1 - y0 };
}

static bool box_contains(const struct sc_box *outer, const struct sc_box *in)
{
    return in->x >= outer->x && in->y >= outer->y &&
           in->x + in->w <= outer->x + outer->w &&
           in->y + in->h <= outer->y + outer->h;
}

static int64_t box_area(const struct sc_box *b)
{
    return (int64_t)b->w * b->h;
}

/* Merges b into the existing box whose bounding box grows the least. */
static void merge_least_growth(struct sc_frame *frame, const struct sc_box *b)
{
    uint32_t best = 0;
    int64_t best_growth = INT64_MAX;
    for (uint32_t i = 0; i < frame->n_damage; i++) {
        struct sc_box u = box_union(&frame->damage[i], b);
        int64_t growth = box_area(&u) - box_area(&frame->damage[i]);
        if (growth < best_growth) {
            best_growth = growth;
            best = i;
        }
    }
    frame->damage[best] = box_union(&frame->damage[best], b);
}

void sc_frame_add_damage(struct sc_frame *frame, int32_t x, int32_t y, int32_t w, int32_t h)
{
    struct sc_box b = { x, y, w, h };
    if (frame->full_damage && frame->n_damage == 0)
        return; /* already everything */
    if (!box_clip(&b, frame->width, frame->height))
        return;
    if (b.w == (int32_t)frame->width && b.h == (int32_t)frame->height) {
        sc_frame_set_full_damage(frame);
        return;
    }
    /* drop boxes the new one covers, skip it if one covers it */
    uint32_t n = 0;
    for (uint32_t i = 0; i < frame->n_damage; i++) {
        if (box_contains(&frame->damage[i], &b))
            return;
        if (!box_contains(&b, &frame->damage[i]))
            frame->damage[n++] = frame->damage[i];
    }
    frame->n_damage = n;
    if (n < SC_FRAME_MAX_DAMAGE)
        frame->damage[frame->n_damage++] = b;
    else
        merge_least_growth(frame, &b);
}

void sc_frame_set_full_damage(struct sc_frame *frame)
{
    frame->full_damage = true;
    frame->n_damage = 0;
}

/* ---- pool ---------------------------------------------------------------- */

struct sc_frame_pool {
    GMutex lock;
    uint32_t width, height;
    unsigned max_frames;
    unsigned n_frames;      /* created so far */
    unsigned n_out;         /* handed out, not yet released */
    bool destroyed;
    struct sc_frame **frames;
    bool *busy;
};

static void pool_free(struct sc_frame_pool *pool)
{
    g_mutex_clear(&pool->lock);
    g_free(pool->frames);
    g_free(pool->busy);
    g_free(pool);
}

static void pool_release(struct sc_frame *frame, void *data)
{
    struct sc_frame_pool *pool = data;
    bool free_pool = false;

    g_mutex_lock(&pool->lock);
    for (unsigned i = 0; i < pool->n_frames; i++) {
        if (pool->frames[i] == frame) {
            pool->busy[i] = false;
            break;
        }
    }
    g_assert(pool->n_out > 0);
    pool->n_out--;
    if (pool->destroyed) {
        sc_frame_destroy(frame);
        free_pool = pool->n_out == 0;
    }
    g_mutex_unlock(&pool->lock);
    if (free_pool)
        pool_free(pool);
}

struct sc_frame_pool *sc_frame_pool_new(uint32_t width, uint32_t height, unsigned max_frames)
{
    g_assert(max_frames > 0);
    if (width == 0 || height == 0 || width > MAX_DIM || height > MAX_DIM)
        return NULL;
    struct sc_frame_pool *pool = g_new0(struct sc_frame_pool, 1);
    g_mutex_init(&pool->lock);
    pool->width = width;
    pool->height = height;
    pool->max_frames = max_frames;
    pool->frames = g_new0(struct sc_frame *, max_frames);
    pool->busy = g_new0(bool, max_frames);
    return pool;
}

struct sc_frame *sc_frame_pool_get(struct sc_frame_pool *pool)
{
    struct sc_frame *frame = NULL;

    g_mutex_lock(&pool->lock);
    g_assert(!pool->destroyed);
    for (unsigned i = 0; i < pool->n_frames; i++) {
        if (!pool->busy[i]) {
            frame = pool->frames[i];
            pool->busy[i] = true;
            sc_frame_reuse(frame);
            break;
        }
    }
    if (!frame && pool->n_frames < pool->max_frames) {
        /* frames are created lazily, one at a time, as they are needed */
        frame = sc_frame_new_memfd(pool->width, pool->height);
        if (frame) {
            frame->release = pool_release;
            frame->release_data = pool;
            pool->frames[pool->n_frames] = frame;
            pool->busy[pool->n_frames] = true;
            pool->n_frames++;
            sc_frame_reuse(frame);
        }
    }
    if (frame)
        pool->n_out++;
    g_mutex_unlock(&pool->lock);
    return frame;
}

void sc_frame_pool_destroy(struct sc_frame_pool *pool)
{
    if (!pool)
        return;
    g_mutex_lock(&pool->lock);
    g_assert(!pool->destroyed);
    pool->destroyed = true;
    for (unsigned i = 0; i < pool->n_frames; i++) {
        if (!pool->busy[i])
            sc_frame_destroy(pool->frames[i]);
        pool->frames[i] = NULL;
    }
    pool->n_frames = 0;
    bool free_now = pool->n_out == 0;
    g_mutex_unlock(&pool->lock);
    if (free_now)
        pool_free(pool);
}

/* ---- buffers from another process ------------------------------------ */

#ifndef DMA_BUF_MAGIC
#define DMA_BUF_MAGIC 0x444d4142 /* "DMAB" */
#endif

/* A dma-buf lives on the dmabuf pseudo file system (Linux >= 5.3); older
 * kernels put it on the anon inode fs, where its fdinfo names the exporter. */
static bool is_dmabuf(int fd)
{
    struct statfs sf;
    char path[64], line[128];
    bool found = false;
    FILE *f;

    if (fstatfs(fd, &sf) == 0 && sf.f_type == DMA_BUF_MAGIC)
        return true;
    snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
    if (!(f = fopen(path, "re")))
        return false;
    while (!found && fgets(line, sizeof(line), f))
        found = !strncmp(line, "exp_name:", 9);
    fclose(f);
    return found;
}

bool sc_frame_fd_mappable(int fd, uint64_t need, char *reason, size_t reason_size)
{
    int seals = fcntl(fd, F_GET_SEALS);
    struct stat st;
    off_t size;

    if (seals >= 0 && (seals & F_SEAL_SHRINK)) {
        if (fstat(fd, &st) < 0) {
            snprintf(reason, reason_size, "fstat: %s", strerror(errno));
            return false;
        }
        size = st.st_size;
    } else if (is_dmabuf(fd)) {
        size = lseek(fd, 0, SEEK_END); /* st_size is 0 on kernels before 5.3 */
        if (size < 0) {
            snprintf(reason, reason_size, "lseek on the dma-buf: %s", strerror(errno));
            return false;
        }
    } else {
        snprintf(reason, reason_size, "%s",
                 seals >= 0 ? "a memfd (or shmem file) not sealed against shrinking (F_SEAL_SHRINK)"
                            : "neither a sealed memfd nor a dma-buf");
        return false;
    }
    if ((uint64_t)size < need) {
        snprintf(reason, reason_size, "the buffer holds %jd bytes, %" PRIu64 " needed",
                 (intmax_t)size, need);
        return false;
    }
    return true;
}

static bool wrap_map(struct sc_frame *f, bool from_peer, char *why, size_t why_size)
{
    uint64_t need = (uint64_t)f->offset + (uint64_t)f->stride * f->height;
    off_t size;
    void *map;

    if ((f->kind == SC_FRAME_DMABUF && f->modifier != DRM_FORMAT_MOD_LINEAR) ||
        (f->drm_fourcc != DRM_FORMAT_XRGB8888 && f->drm_fourcc != DRM_FORMAT_ARGB8888)) {
        snprintf(why, why_size, "not linear XRGB8888/ARGB8888");
        return false;
    }
    if (f->stride / 4 < f->width) {
        snprintf(why, why_size, "stride %u is less than a row of %u pixels", f->stride, f->width);
        return false;
    }
    if (need > SIZE_MAX) {
        snprintf(why, why_size, "%" PRIu64 " bytes do not fit in memory", need);
        return false;
    }
    if (from_peer) {
        if (!sc_frame_fd_mappable(f->fd, need, why, why_size))
            return false;
    } else if ((size = lseek(f->fd, 0, SEEK_END)) < 0 || (uint64_t)size < need) {
        snprintf(why, why_size, "the buffer holds %jd bytes, %" PRIu64 " needed",
                 (intmax_t)size, need);
        return false;
    }
    map = mmap(NULL, (size_t)need, PROT_READ, MAP_SHARED, f->fd, 0);
    if (map == MAP_FAILED) {
        snprintf(why, why_size, "mmap: %s", g_strerror(errno));
        return false;
    }
    f->map = map;
    f->map_size = (size_t)need;
    return true;
}

/* Maps `need` bytes of a plane's buffer read-only, if it cannot shrink. */
static uint8_t *map_plane(int fd, uint64_t need, char *why, size_t why_size)
{
    void *map;

    if (need > SIZE_MAX) {
        snprintf(why, why_size, "%" PRIu64 " bytes do not fit in memory", need);
        return NULL;
    }
    if (!sc_frame_fd_mappable(fd, need, why, why_size))
        return NULL;
    map = mmap(NULL, (size_t)need, PROT_READ, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) {
        snprintf(why, why_size, "mmap: %s", g_strerror(errno));
        return NULL;
    }
    return map;
}

/* NV12 in two linear planes: luma rows of at least width bytes, chroma
 * rows of at least width rounded up to even; each buffer that cannot
 * shrink mapped as far as its planes go (the bounds were checked, but a
 * size unknown then is looked at here).  Several planes need sealed
 * buffers from anyone: a shrunk chroma buffer would kill the encoder. */
static bool wrap_map_nv12(struct sc_frame *f, char *why, size_t why_size)
{
    const struct sc_frame_plane *uv = &f->planes[0];
    uint64_t end0 = sc_frame_plane_end(f->drm_fourcc, 0, 0, f->offset, f->stride, f->height);
    uint64_t end1 = sc_frame_plane_end(f->drm_fourcc, 0, 1, uv->offset, uv->stride, f->height);

    if (f->kind == SC_FRAME_DMABUF && f->modifier != DRM_FORMAT_MOD_LINEAR) {
        snprintf(why, why_size, "NV12 with modifier 0x%" PRIx64 ": not linear (tiled or "
                 "implicit: the GPU's layout)", f->modifier);
        return false;
    }
    if (f->stride < f->width || uv->stride < f->width + (f->width & 1)) {
        snprintf(why, why_size, "NV12 strides %u, %u are short of a row of %u pixels",
                 f->stride, uv->stride, f->width);
        return false;
    }
    if (uv->fd < 0)
        end0 = MAX(end0, end1);
    if (!(f->map = map_plane(f->fd, end0, why, why_size)))
        return false;
    f->map_size = (size_t)end0;
    if (uv->fd >= 0) {
        if (!(f->uv_map = map_plane(uv->fd, end1, why, why_size))) {
            munmap(f->map, f->map_size);
            f->map = NULL;
            return false;
        }
        f->uv_map_size = (size_t)end1;
    }
    return true;
}

bool sc_frame_wrap(struct sc_frame *frame, int fd, const struct sc_frame_buffer *b,
                   bool from_peer, char *why, size_t why_size)
{
    frame->refcount = 1;
    frame->kind = b->kind;
    frame->fd = fd;
    frame->width = b->width;
    frame->height = b->height;
    frame->stride = b->stride;
    frame->offset = b->offset;
    frame->drm_fourcc = b->drm_fourcc;
    frame->modifier = b->kind == SC_FRAME_SHM ? DRM_FORMAT_MOD_LINEAR : b->modifier;
    frame->top_down = b->top_down;
    frame->n_planes = b->n_planes > 1 ? MIN(b->n_planes, SC_FRAME_MAX_PLANES) : 1;
    for (uint32_t i = 1; i < frame->n_planes; i++)
        frame->planes[i - 1] = b->planes[i - 1];
    frame->full_damage = true;
    if (b->kind == SC_FRAME_SHM) {
        int seals = fcntl(fd, F_GET_SEALS);
        frame->sealed = seals >= 0 && (seals & F_SEAL_SHRINK);
        /* every plane's buffer: a client maps each */
        for (uint32_t i = 1; i < frame->n_planes; i++) {
            int pfd = frame->planes[i - 1].fd;
            seals = pfd >= 0 ? fcntl(pfd, F_GET_SEALS) : F_SEAL_SHRINK;
            frame->sealed = frame->sealed && seals >= 0 && (seals & F_SEAL_SHRINK);
        }
    }
    /* rows the CPU readers (libyuv: int strides) can walk: a peer's stride
     * of 0xfffffff0 over a sparse sealed memfd would be -16 there */
    for (uint32_t i = 0; i < frame->n_planes; i++) {
        uint32_t stride = i ? frame->planes[i - 1].stride : frame->stride;

        if (stride > MAX_STRIDE) {
            g_snprintf(why, why_size, "plane %u: stride %u (at most %u)", i, stride, MAX_STRIDE);
            return false;
        }
    }
    if (frame->n_planes == 2 && frame->drm_fourcc == DRM_FORMAT_NV12)
        return wrap_map_nv12(frame, why, why_size);
    if (frame->n_planes > 1) { /* the encoders know XRGB and NV12 */
        g_snprintf(why, why_size, "%u planes of %.4s", frame->n_planes,
                   (const char *)&frame->drm_fourcc);
        return false;
    }
    return wrap_map(frame, from_peer, why, why_size);
}

static bool layout_is_simple(enum sc_frame_kind kind, uint32_t n_planes, uint32_t offset,
                             uint64_t modifier)
{
    /* DRM_FORMAT_MOD_INVALID: the implicit layout, what a modifier-less
     * import (spice-gtk's) gets too */
    return n_planes <= 1 && offset == 0 &&
           (kind == SC_FRAME_SHM || modifier == DRM_FORMAT_MOD_LINEAR ||
            modifier == DRM_FORMAT_MOD_INVALID);
}

bool sc_frame_is_simple(const struct sc_frame *frame)
{
    return layout_is_simple(frame->kind, frame->n_planes, frame->offset, frame->modifier);
}

bool sc_frame_buffer_is_simple(const struct sc_frame_buffer *b)
{
    return layout_is_simple(b->kind, b->n_planes, b->offset, b->modifier);
}

/* Rows of plane i of a format: the chroma planes of the 4:2:0 formats have
 * half as many rows; the others (metadata planes included) are taken to
 * have as many as the image, which bounds them from above. */
static uint32_t plane_rows(uint32_t fourcc, unsigned i, uint32_t height)
{
    bool sub = fourcc == DRM_FORMAT_NV12 || fourcc == DRM_FORMAT_NV21 ||
               fourcc == DRM_FORMAT_YUV420 || fourcc == DRM_FORMAT_YVU420 ||
               fourcc == DRM_FORMAT_P010;
    return i > 0 && sub ? (height + 1) / 2 : height;
}

uint64_t sc_frame_plane_end(uint32_t fourcc, uint64_t modifier, unsigned i, uint32_t offset,
                            uint32_t stride, uint32_t height)
{
    if (i > 0 && modifier != DRM_FORMAT_MOD_LINEAR && modifier != DRM_FORMAT_MOD_INVALID)
        return (uint64_t)offset + 1;
    return offset + (uint64_t)stride * plane_rows(fourcc, i, height);
}

bool sc_frame_planes_fit(const struct sc_frame_buffer *b, const uint64_t *sizes, char *why,
                         size_t why_size)
{
    uint32_t n = b->n_planes > 1 ? b->n_planes : 1;

    if (n > SC_FRAME_MAX_PLANES) {
        g_snprintf(why, why_size, "%u planes (at most %d)", n, SC_FRAME_MAX_PLANES);
        return false;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t off = i ? b->planes[i - 1].offset : b->offset;
        uint32_t stride = i ? b->planes[i - 1].stride : b->stride;
        int fd_i = i && b->planes[i - 1].fd >= 0 ? (int)i : 0;
        uint64_t end = sc_frame_plane_end(b->drm_fourcc, b->kind == SC_FRAME_SHM ? 0 : b->modifier,
                                          i, off, stride, b->height);

        if (stride == 0) {
            g_snprintf(why, why_size, "plane %u has no stride", i);
            return false;
        }
        if (sizes && sizes[fd_i] > 0 && end > sizes[fd_i]) {
            g_snprintf(why, why_size, "plane %u ends at byte %" G_GUINT64_FORMAT
                       ", past its buffer's %" G_GUINT64_FORMAT, i, end, sizes[fd_i]);
            return false;
        }
    }
    return true;
}
