/* Frame descriptors: a scanout buffer as the display sees it.
 *
 * A frame is a buffer (a dma-buf, or a sealed memfd standing in for one on
 * machines without a render node) plus its geometry and the damage since the
 * previous frame of the same source.  Frames are reference counted
 * (atomically: encoders hold them on worker threads); when the last
 * reference goes, `release` hands the buffer back to its owner (the source),
 * which may reuse it.  Nothing on the local path maps or copies pixels; the
 * CPU mapping exists for the lossless and video encoders. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <drm_fourcc.h>
#include <glib.h>

enum sc_frame_kind { SC_FRAME_SHM, SC_FRAME_DMABUF };

/* A damage rectangle in frame pixels. */
struct sc_box { int32_t x, y, w, h; };

#define SC_FRAME_MAX_DAMAGE 16

/* A plane after the first (NV12's chroma, a modifier's metadata plane):
 * its fd is -1 when it lives in the first plane's buffer. */
#define SC_FRAME_MAX_PLANES 4
struct sc_frame_plane {
    int fd;
    uint32_t offset, stride;
};

struct sc_frame;
typedef void (*sc_frame_release_fn)(struct sc_frame *frame, void *data);

struct sc_frame {
    int refcount; /* atomic; use sc_frame_ref/unref */
    enum sc_frame_kind kind;
    int fd;              /* owned by the frame's creator */
    /* SHM only: sealed against shrinking (F_SEAL_SHRINK), so a client may
     * map the fd without risking SIGBUS; only such SHM fds are passed (with
     * several planes: every plane's buffer is) */
    bool sealed;
    uint32_t width, height;
    uint32_t stride;     /* bytes per row */
    uint32_t offset;     /* of the first pixel in the buffer */
    uint32_t drm_fourcc; /* DRM_FORMAT_XRGB8888 (bytes B,G,R,X) for now */
    uint64_t modifier;   /* DRM_FORMAT_MOD_LINEAR for memfds */
    bool top_down;       /* true: the first row is the top row */
    /* planes: the first is fd/offset/stride above; n_planes counts them all
     * (0 and 1: one plane); planes[i] is plane i + 1, its fd (if >= 0)
     * owned like fd.  Only a client that took GL_SCANOUT2 gets a frame of
     * several planes, or with a modifier other than linear, as an fd. */
    uint32_t n_planes;
    struct sc_frame_plane planes[SC_FRAME_MAX_PLANES - 1];
    uint64_t seq;        /* source frame number */
    /* when the source captured it: CLOCK_MONOTONIC µs (sc_stats_now_us(),
     * g_get_monotonic_time()); 0: unknown (sc_source_emit_frame() then
     * sets the emit time).  Every latency stage is measured from it. */
    int64_t time_us;
    /* when the server's display first got it (same clock; a frame emitted
     * again keeps it); 0: not yet (sc_frame_reuse() clears it) */
    int64_t arrived_us;
    /* damage since the previous frame; n_damage == 0 with full_damage set
     * means "everything" (first frame, resize) */
    bool full_damage;
    uint32_t n_damage;
    struct sc_box damage[SC_FRAME_MAX_DAMAGE];
    /* CPU view (mmap of fd), NULL if the buffer cannot be mapped: XRGB8888
     * pixels, or (NV12) the luma plane and, when it shares fd, the chroma */
    uint8_t *map;
    size_t map_size;
    /* NV12 with its chroma plane in a buffer of its own: that buffer's
     * read-only mapping (sc_frame_wrap); NULL otherwise */
    uint8_t *uv_map;
    size_t uv_map_size;
    /* The BGRx copy of an NV12 frame that the CPU paths read, made on first
     * use (sc_codec_frame_pixels, any thread, once: cpu_once) and freed with
     * the frame; NULL until then and for every other frame */
    gsize cpu_once;
    uint8_t *cpu;
    uint32_t cpu_stride;
    sc_frame_release_fn release;
    void *release_data;
};

/* A sealed memfd buffer of w x h XRGB8888, mapped read-write; the frame owns
 * fd and mapping and frees both when its last reference goes, unless a
 * release callback is set (then the callback decides: typically it puts the
 * frame back into a pool with sc_frame_reuse()). */
struct sc_frame *sc_frame_new_memfd(uint32_t width, uint32_t height);
struct sc_frame *sc_frame_ref(struct sc_frame *frame);
void sc_frame_unref(struct sc_frame *frame);
/* Frees a frame's fd and mapping (for release callbacks that drop it). */
void sc_frame_destroy(struct sc_frame *frame);
/* Re-arms a released frame (refcount 1, damage cleared). */
void sc_frame_reuse(struct sc_frame *frame);

/* Damage helpers: add a box (clipped to the frame; merges into a bounding
 * box when the list is full). */
void sc_frame_add_damage(struct sc_frame *frame, int32_t x, int32_t y, int32_t w, int32_t h);
void sc_frame_set_full_damage(struct sc_frame *frame);

/* A buffer made elsewhere (QEMU's dma-buf, an embedding VMM's scanout):
 * its kind and geometry. */
struct sc_frame_buffer {
    enum sc_frame_kind kind;
    uint32_t width, height;
    uint32_t stride, offset; /* bytes per row; of the first pixel */
    uint32_t drm_fourcc;
    uint64_t modifier; /* dma-bufs only; SHM is linear */
    bool top_down;
    /* more planes (0 or 1: one): planes[i] is plane i + 1; its fd (-1: in
     * the first plane's buffer) is taken over as `fd` is */
    uint32_t n_planes;
    struct sc_frame_plane planes[SC_FRAME_MAX_PLANES - 1];
};

/* Whether the frame is a plain single-plane linear buffer at offset 0, as
 * GL_SCANOUT_UNIX (and spice-gtk's import) needs. */
bool sc_frame_is_simple(const struct sc_frame *frame);
/* The same rule for a buffer not yet wrapped. */
bool sc_frame_buffer_is_simple(const struct sc_frame_buffer *b);

/* The planes past the first (planes[0..n_planes-2], as struct sc_frame and
 * struct sc_frame_buffer hold them): closes every fd >= 0 and sets it -1. */
void sc_frame_planes_close(struct sc_frame_plane *planes, uint32_t n_planes);
/* Copies them from src to dst with each fd >= 0 dup()ed (close-on-exec);
 * false, errno set and nothing left open, if a dup fails. */
bool sc_frame_planes_dup(struct sc_frame_plane *dst, const struct sc_frame_plane *src,
                         uint32_t n_planes);

/* Makes `frame` -- zeroed by the caller, alone or as the first member of a
 * larger struct -- a frame of buffer `b` around `fd`, which it takes over
 * (sc_frame_destroy closes it): refcount 1, full damage, `sealed` for SHM
 * that cannot shrink, and a read-only CPU view for the encoders (map,
 * map_size) where one is safe: linear XRGB8888/ARGB8888 with rows of at
 * least 4 * width, in a buffer that holds offset + stride * height bytes;
 * a buffer from another process (from_peer) must moreover be one that cannot
 * shrink (sc_frame_fd_mappable).  Linear NV12 in two planes gets one too
 * (map, and uv_map for a chroma plane in a buffer of its own) if every
 * plane's buffer cannot shrink (sc_frame_fd_mappable, whoever sent it) and
 * holds its plane: the encoders read it converted to BGRx
 * (sc_codec_frame_pixels).  Returns whether it has a CPU view; if not,
 * `why` says why (the frame is still whole: local clients get its fd). */
bool sc_frame_wrap(struct sc_frame *frame, int fd, const struct sc_frame_buffer *b,
                   bool from_peer, char *why, size_t why_size);
/* Checks the plane layout of `b` (at most SC_FRAME_MAX_PLANES planes, a
 * stride for each, offset + stride * rows within `size` bytes of each
 * buffer whose size is known, i.e. > 0): false + why. */
/* The end (offset + bytes) of plane i of a layout in its buffer: stride
 * times the rows (half the image's, rounded up, for the chroma planes of
 * the 4:2:0 formats NV12, NV21, YUV420, YVU420, P010; the image's for the
 * others).  With a modifier other than linear the planes after the first
 * (compression metadata) have a layout of the driver's: only their offset
 * is bounded (offset + 1). */
uint64_t sc_frame_plane_end(uint32_t fourcc, uint64_t modifier, unsigned i, uint32_t offset,
                            uint32_t stride, uint32_t height);
bool sc_frame_planes_fit(const struct sc_frame_buffer *b, const uint64_t *sizes, char *why,
                         size_t why_size);

/* Whether a buffer fd from another process may be mmapped for `need` bytes:
 * a memfd sealed against shrinking (F_SEAL_SHRINK) or a dma-buf, at least
 * `need` bytes long.  A plain memfd can be ftruncate()d by its owner after it
 * passed it, and reading the then unmapped pages kills the reader with
 * SIGBUS; a sealed memfd cannot shrink, nor can a dma-buf (its size is fixed
 * when it is exported; udmabuf wants sealed memfds for this very reason).
 * The viewer checks a server's scanout fds, the QEMU D-Bus source QEMU's.
 * false + reason (one line). */
bool sc_frame_fd_mappable(int fd, uint64_t need, char *reason, size_t reason_size);

/* A small pool of memfd frames of one size, for sources. */
struct sc_frame_pool;
struct sc_frame_pool *sc_frame_pool_new(uint32_t width, uint32_t height, unsigned max_frames);
/* A free frame (refcount 1), or NULL when all are in use. */
struct sc_frame *sc_frame_pool_get(struct sc_frame_pool *pool);
/* Frees the pool; frames still referenced are freed when released. */
void sc_frame_pool_destroy(struct sc_frame_pool *pool);

/* Cursor image, premultiplied B,G,R,A bytes, width*height*4. */
struct sc_cursor_shape {
    uint32_t width, height;
    uint32_t hot_x, hot_y;
    const uint8_t *pixels;
};
