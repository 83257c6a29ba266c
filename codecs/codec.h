/* The codec layer: one encoder interface and one decoder interface for every
 * backend (video codecs and the lossless SPICE image forms alike), and the
 * registry that lists them in order of preference.
 *
 * An encoder takes XRGB8888 frames (struct sc_frame: memfd with a CPU
 * mapping, or a dma-buf for backends that can import one; NV12 frames with
 * a CPU view are read converted, sc_codec_frame_pixels) and emits packets:
 * one complete access unit per packet, keyframes flagged, in the form a
 * SPICE client decodes (PROTOCOL.md 5.9): H.264 Annex-B with SPS/PPS before
 * every IDR, H.265 Annex-B with VPS/SPS/PPS before every IDR, raw VP8/VP9
 * frames, one baseline JPEG per frame, and for the
 * lossless forms the pixels of a DRAW_COPY image (raw 32-bit rows, or the
 * SPICE LZ4 image payload).
 *
 * A decoder takes one packet and yields at most one frame, tagged as CPU
 * planes or as a dma-buf (VA-API surface export).
 *
 * Backends are known by their ops pointer; each file exports exactly one
 * const encoder ops and one const decoder ops.  probe() says at run time
 * whether the backend can work on this machine, and if not, why. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <spice/enums.h>

#include "common/frame.h"

/* Codec ids: SPICE's video codec types where one exists; the lossless image
 * forms (DRAW_COPY payloads) get ids above SPICE's range. */
enum sc_codec_id {
    SC_CODEC_MJPEG = SPICE_VIDEO_CODEC_TYPE_MJPEG,
    SC_CODEC_VP8 = SPICE_VIDEO_CODEC_TYPE_VP8,
    SC_CODEC_H264 = SPICE_VIDEO_CODEC_TYPE_H264,
    SC_CODEC_VP9 = SPICE_VIDEO_CODEC_TYPE_VP9,
    SC_CODEC_H265 = SPICE_VIDEO_CODEC_TYPE_H265,
    SC_CODEC_RAW = 0x100, /* SPICE_IMAGE_TYPE_BITMAP, 32BIT, top-down */
    SC_CODEC_LZ4 = 0x101, /* SPICE_IMAGE_TYPE_LZ4 payload */
};

/* "h264", "vp8", ... ; NULL for an unknown id. */
const char *sc_codec_id_name(int codec);
/* The id for a name, or -1. */
int sc_codec_id_from_name(const char *name);
bool sc_codec_is_lossless(int codec);

#define SC_CODEC_MAX_DIM 8192
#define SC_CODEC_REASON_SIZE 256

/* ---- encoder -------------------------------------------------------- */

struct sc_encoder_params {
    uint32_t width, height;
    uint32_t fps;               /* frames per second the caller aims at */
    uint32_t bitrate;           /* bits per second (ignored by lossless) */
    uint32_t keyframe_interval; /* frames between keyframes; 0 = only on demand */
    bool low_latency;           /* one frame in, one packet out, no lookahead */
    uint32_t threads;           /* 0: backend default; 1: one core */
    /* where the backend can (openh264: two temporal layers), every other
     * frame is one that no later frame refers to (H.264 nal_ref_idc 0), so
     * a receiver may be sent only the others: half the frame rate from the
     * same encoding.  Backends that cannot ignore it. */
    bool droppable;
    /* backend options, "key=value,key=value" (e.g. openh264 "usage=screen",
     * mjpeg "quality=80"); unknown keys are an error */
    const char *options;
};

/* What an encoder emits.  The packet and everything it points to belong to
 * the encoder: valid only during the sc_packet_fn call (copy what you keep,
 * or take a reference on `bytes` where the encoder hands them over). */
struct sc_packet {
    const uint8_t *data;
    size_t size;
    bool keyframe;
    uint64_t seq; /* sequence number of the frame it encodes */
    /* the area of the frame it carries, in picture coordinates (top row 0,
     * whatever frame->top_down): the whole frame for the video codecs, one
     * damage rectangle (or a band of one) for the lossless forms.  A backend
     * may leave it zero: sc_encoder_encode() fills in the whole frame. */
    struct sc_box rect;
    /* enum sc_codec_id of data: the encoder's codec, except that
     * lossless:lz4 emits SC_CODEC_RAW where LZ4 does not pay (see
     * codecs/lossless.c).  0 from a backend: sc_encoder_encode() fills in
     * the encoder's codec. */
    int codec;
    /* non-NULL: data lies in these bytes, which the encoder hands over: a
     * receiver keeps them with g_bytes_ref(), not a copy.  NULL: data is
     * the encoder's own (or the frame's), copied by who keeps it. */
    GBytes *bytes;
};

/* Called once per packet from inside encode(); data is valid only during
 * the call. */
typedef void (*sc_packet_fn)(const struct sc_packet *packet, void *data);

/* Per-frame facts an encoder reports after encode(). */
struct sc_encoder_stats {
    double convert_ms;      /* colour conversion part of the last encode */
    bool zero_copy;         /* the last frame reached the encoder without a CPU copy */
    uint32_t latency_frames; /* frames inside the pipeline (max seen) */
};

struct sc_encoder_ops;

/* Base struct: every backend's encoder embeds it first. */
struct sc_encoder {
    const struct sc_encoder_ops *impl;
    struct sc_encoder_params params;
    struct sc_encoder_stats stats;
};

struct sc_encoder_ops {
    const char *name;  /* backend: "openh264", "gstreamer", "vaapi", "lossless" */
    int codec;         /* enum sc_codec_id */
    /* Whether the backend can work here; if not, a human-readable reason. */
    bool (*probe)(char *reason, size_t reason_size);
    /* NULL on failure, with the reason in `reason`. */
    struct sc_encoder *(*create)(const struct sc_encoder_params *params, char *reason,
                                 size_t reason_size);
    /* Encodes one frame of params' size (the lossless forms: any size up to
     * SC_CODEC_MAX_DIM); calls `cb` for each packet (one per frame unless
     * the backend holds frames: see stats.latency_frames).  damage: what
     * changed since the last frame the caller's receiver has, n_damage
     * boxes in picture coordinates, clipped by the backend; NULL (and 0):
     * the whole frame.  The video codecs encode the whole frame whatever
     * the damage; the lossless forms emit one packet per box (tall boxes in
     * bands), each with its rect.  damage is the caller's, read during the
     * call only.  0 or -errno. */
    int (*encode)(struct sc_encoder *enc, const struct sc_frame *frame,
                  const struct sc_box *damage, unsigned n_damage, sc_packet_fn cb, void *data);
    int (*set_bitrate)(struct sc_encoder *enc, uint32_t bitrate); /* 0, -ENOTSUP, -errno */
    void (*force_keyframe)(struct sc_encoder *enc); /* the next frame is a keyframe */
    void (*destroy)(struct sc_encoder *enc);
};

struct sc_encoder *sc_encoder_create(const struct sc_encoder_ops *ops,
                                     const struct sc_encoder_params *params, char *reason,
                                     size_t reason_size);
/* The whole frame (damage NULL). */
int sc_encoder_encode(struct sc_encoder *enc, const struct sc_frame *frame, sc_packet_fn cb,
                      void *data);
/* Only the damaged boxes where the backend can (see encode above). */
int sc_encoder_encode_damage(struct sc_encoder *enc, const struct sc_frame *frame,
                             const struct sc_box *damage, unsigned n_damage, sc_packet_fn cb,
                             void *data);
int sc_encoder_set_bitrate(struct sc_encoder *enc, uint32_t bitrate);
void sc_encoder_force_keyframe(struct sc_encoder *enc);
void sc_encoder_destroy(struct sc_encoder *enc); /* NULL is fine */

/* The CPU pixels of a frame as BGRx rows of *stride bytes (in the frame's
 * row order, frame->top_down): an XRGB8888 (or ARGB8888, alpha not shown)
 * frame's own mapping, an NV12 frame's converted copy (made once, on first
 * use); NULL if it has no CPU view (sc_frame_wrap said why) or another
 * format.  Every CPU reader of a
 * frame's pixels goes through here, with this stride, not frame->stride. */
const uint8_t *sc_codec_frame_pixels(const struct sc_frame *frame, uint32_t *stride);

/* ---- decoder -------------------------------------------------------- */

enum sc_decoded_kind { SC_DECODED_CPU, SC_DECODED_DMABUF };
enum sc_pixfmt { SC_PIXFMT_I420, SC_PIXFMT_NV12, SC_PIXFMT_BGRX };

/* One decoded picture.  CPU: planes valid until the next decode() or
 * destroy().  DMABUF: fd owned by the decoder, valid likewise; import it
 * (EGL) or map it, do not close it. */
struct sc_decoded_frame {
    enum sc_decoded_kind kind;
    enum sc_pixfmt format;
    uint32_t width, height;
    unsigned n_planes;
    const uint8_t *plane[3]; /* CPU */
    uint32_t stride[3];
    int fd;                  /* DMABUF */
    uint32_t drm_fourcc;     /* DMABUF: DRM_FORMAT_NV12 ... */
    uint64_t modifier;
    uint32_t offset[3];
    bool keyframe;
};

struct sc_decoder_params {
    uint32_t width, height; /* from STREAM_CREATE / the image descriptor */
    /* true: give CPU planes even where the backend could export a dma-buf
     * (the benchmark, tests, a viewer without EGL import) */
    bool want_cpu;
};

struct sc_decoder_ops;

struct sc_decoder {
    const struct sc_decoder_ops *impl;
    struct sc_decoder_params params;
};

struct sc_decoder_ops {
    const char *name;
    int codec;
    bool (*probe)(char *reason, size_t reason_size);
    struct sc_decoder *(*create)(const struct sc_decoder_params *params, char *reason,
                                 size_t reason_size);
    /* Decodes one packet.  1: `out` holds a frame; 0: accepted, no frame
     * (yet); -errno: the packet is bad (the decoder stays usable and
     * recovers at the next keyframe). */
    int (*decode)(struct sc_decoder *dec, const uint8_t *data, size_t size,
                  struct sc_decoded_frame *out);
    void (*destroy)(struct sc_decoder *dec);
};

struct sc_decoder *sc_decoder_create(const struct sc_decoder_ops *ops,
                                     const struct sc_decoder_params *params, char *reason,
                                     size_t reason_size);
int sc_decoder_decode(struct sc_decoder *dec, const uint8_t *data, size_t size,
                      struct sc_decoded_frame *out);
void sc_decoder_destroy(struct sc_decoder *dec);

/* ---- registry ------------------------------------------------------- */

/* Every encoder built in, in order of preference (NULL-terminated). */
extern const struct sc_encoder_ops *const sc_encoders[];
extern const struct sc_decoder_ops *const sc_decoders[];

/* Probes once per process (thread-safe) and caches the answer. */
bool sc_encoder_probe(const struct sc_encoder_ops *ops, char *reason, size_t reason_size);
bool sc_decoder_probe(const struct sc_decoder_ops *ops, char *reason, size_t reason_size);

/* "openh264", "h264" -> ops; NULL if not built in. */
const struct sc_encoder_ops *sc_encoder_find(const char *name, const char *codec);
const struct sc_decoder_ops *sc_decoder_find(const char *name, const char *codec);
/* The decoder for packets of `enc`: the same backend if it has a working
 * decoder for the codec, else the first working decoder for the codec. */
const struct sc_decoder_ops *sc_decoder_for(const struct sc_encoder_ops *enc);

/* Parses spice-server's video-codecs syntax, "encoder:codec;encoder:codec"
 * (e.g. "vaapi:h264;openh264:h264;gstreamer:vp8"), into ops in the given
 * order.  Returns the count, or -1 with a message in err (unknown encoder
 * or codec, bad syntax, too many).  Entries are not probed. */
int sc_codec_parse_list(const char *list, const struct sc_encoder_ops **out, size_t max,
                        char *err, size_t err_size);
/* "openh264:h264" */
void sc_encoder_ops_label(const struct sc_encoder_ops *ops, char *buf, size_t size);
