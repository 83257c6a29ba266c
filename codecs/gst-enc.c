/* gstreamer:vp8, gstreamer:vp9, gstreamer:h264 (x264enc), gstreamer:h265
 * (x265enc), gstreamer:mjpeg (jpegenc): appsrc -> encoder -> appsink,
 * real-time and low-latency settings, driven synchronously: push one I420
 * frame, pull its packet.  Frames are converted with libyuv straight into
 * the GstBuffer the pipeline consumes (no second copy).  A pipeline that
 * holds frames is reported through stats.latency_frames. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "codecs/backend.h"
#include "codecs/codec.h"
#include "codecs/convert.h"
#include "codecs/gst-common.h"
#include "common/log.h"

#define FIRST_TIMEOUT_NS (5 * GST_SECOND)
#define FRAME_TIMEOUT_NS (2 * GST_SECOND)

struct gst_encoder {
    struct sc_encoder base;
    GstElement *pipeline, *src, *sink, *enc;
    GstBufferPool *pool;
    GstVideoInfo info;
    uint64_t pushed, pulled;
    uint32_t fku_count;
    /* the last input buffer (our reference): once the pipeline is done with
     * it, the next frame of the same source only converts its damage */
    GstBuffer *last;
    uint64_t last_seq;
    /* MJPEG: jpegenc has quality, not bitrate; after set_bitrate() the
     * quality is steered towards the target (0: fixed quality) */
    uint32_t jpeg_target;
    int jpeg_quality;
    double jpeg_avg_bytes;
};

/* Downcast through the impl pointer (a programming error otherwise). */
static struct gst_encoder *gst_enc(struct sc_encoder *enc)
{
    g_assert(enc->impl->encode == sc_gst_enc_encode);
    return (struct gst_encoder *)enc;
}

/* ---- shared helpers ---------------------------------------------------- */

bool sc_gst_init(char *reason, size_t size)
{
    static gsize state; /* 0: not yet, 1: ok, 2: failed */
    static GError *init_error;
    if (g_once_init_enter(&state)) {
        gboolean ok = gst_init_check(NULL, NULL, &init_error);
        g_once_init_leave(&state, ok ? 1 : 2);
    }
    if (state != 1) {
        sc_codec_reason(reason, size, "gst_init failed: %s",
                        init_error ? init_error->message : "unknown error");
        return false;
    }
    return true;
}

bool sc_gst_have_elements(const char *const *names, char *reason, size_t size)
{
    if (!sc_gst_init(reason, size))
        return false;
    for (size_t i = 0; names[i]; i++) {
        GstElementFactory *f = gst_element_factory_find(names[i]);
        if (!f) {
            sc_codec_reason(reason, size, "GStreamer element '%s' is not installed", names[i]);
            return false;
        }
        gst_object_unref(f);
    }
    return true;
}

bool sc_gst_bus_error(GstElement *pipeline, bool warnings, char *buf, size_t size)
{
    GstBus *bus = gst_element_get_bus(pipeline);
    GstMessageType types = GST_MESSAGE_ERROR | (warnings ? GST_MESSAGE_WARNING : 0);
    GstMessage *m = gst_bus_pop_filtered(bus, types);
    gst_object_unref(bus);
    if (!m)
        return false;
    GError *err = NULL;
    if (GST_MESSAGE_TYPE(m) == GST_MESSAGE_ERROR)
        gst_message_parse_error(m, &err, NULL);
    else
        gst_message_parse_warning(m, &err, NULL);
    sc_codec_reason(buf, size, "%s: %s", GST_OBJECT_NAME(GST_MESSAGE_SRC(m)),
                    err ? err->message : "?");
    g_clear_error(&err);
    gst_message_unref(m);
    return true;
}

static uint32_t keyint(const struct sc_encoder_params *p)
{
    return p->keyframe_interval ? p->keyframe_interval : (1u << 30); /* 0: on demand only */
}

static bool jpeg_quality(const struct sc_encoder_params *p, int *q, char *reason, size_t rsize)
{
    char v[16];
    *q = 80;
    if (sc_codec_option(p->options, "quality", v, sizeof(v))) {
        char *end;
        long l = strtol(v, &end, 10);
        if (*end || l < 1 || l > 100) {
            sc_codec_reason(reason, rsize, "quality must be 1..100");
            return false;
        }
        *q = (int)l;
    }
    return true;
}

/* x265enc's bitrate is kbit/s, at most 102400 */
static unsigned kbit(uint32_t bitrate)
{
    unsigned k = (bitrate + 999) / 1000;
    return k < 1 ? 1 : k > 102400 ? 102400 : k;
}

/* x265 options beyond the element's properties, ':'-separated: VPS/SPS/PPS
 * before every keyframe (a client joins a stream at one), an access unit
 * delimiter in front of each frame like x264enc (server/stream.c moves it
 * to the end of the previous packet for spice-gtk's parser), IDR keyframes
 * (no open GOP), no B-frames, no lookahead (zerolatency sets the last two;
 * said again so a preset cannot bring them back), one frame thread: frame
 * threads hold frames back.  A VBV of one second at the bitrate, as x264enc
 * gets (vbv-buf-capacity=1000): keyframes stay within it.  set_bitrate()
 * changes only the target (x265enc reconfigures no VBV): a raise above the
 * first bitrate stays capped by it. */
static void x265_opts(const struct sc_encoder_params *p, char *buf, size_t size)
{
    snprintf(buf, size,
             "repeat-headers=1:aud=1:open-gop=0:bframes=0:rc-lookahead=0:frame-threads=1:"
             "vbv-maxrate=%u:vbv-bufsize=%u%s",
             kbit(p->bitrate), kbit(p->bitrate), p->threads == 1 ? ":pools=1" : "");
}

/* option preset=ultrafast|superfast|veryfast, default superfast.  Measured
 * with bench/rate-psnr.sh (1280x720, 90 frames, 150 k..2.4 Mbit/s) against
 * gstreamer:h264 (x264 ultrafast): bits at equal PSNR-Y, desktop /
 * text-scroll / video: ultrafast x1.31 / x1.17 / x0.26, superfast x0.90 /
 * x0.84 / x0.27, veryfast x0.83 / x0.73 / x0.19.  Ultrafast costs more bits
 * than H.264 on screen content; superfast's encode time was 1.0-1.5x
 * ultrafast's (p50, a loaded 2-core machine); veryfast's was not timed
 * cleanly here. */
static bool x265_preset(const struct sc_encoder_params *p, char *buf, size_t size, char *reason,
                        size_t rsize)
{
    snprintf(buf, size, "superfast");
    if (!sc_codec_option(p->options, "preset", buf, size))
        return true;
    if (strcmp(buf, "ultrafast") == 0 || strcmp(buf, "superfast") == 0
        || strcmp(buf, "veryfast") == 0)
        return true;
    sc_codec_reason(reason, rsize, "preset must be ultrafast, superfast or veryfast");
    return false;
}

bool sc_gst_encoder_desc(int codec, const struct sc_encoder_params *p, char *buf, size_t size,
                         char *reason, size_t rsize)
{
    static const char *const known_jpeg[] = { "quality", NULL };
    static const char *const known_h265[] = { "preset", NULL };
    static const char *const known_none[] = { NULL };
    const char *const *known = codec == SC_CODEC_MJPEG   ? known_jpeg
                               : codec == SC_CODEC_H265 ? known_h265
                                                        : known_none;
    if (!sc_codec_options_check(p->options, known, reason, rsize))
        return false;
    unsigned t = p->threads;
    int q;
    char preset[16], opts[200];
    switch (codec) {
    case SC_CODEC_H264: /* spice-server's settings, minus intra-refresh: we want IDRs */
        snprintf(buf, size,
                 "x264enc name=enc tune=zerolatency speed-preset=ultrafast bitrate=%u "
                 "key-int-max=%u threads=%u byte-stream=true bframes=0 rc-lookahead=0 "
                 "sync-lookahead=0 sliced-threads=%s vbv-buf-capacity=1000 ! "
                 "video/x-h264,stream-format=byte-stream,alignment=au",
                 (p->bitrate + 999) / 1000, keyint(p), t,
                 /* frame threads hold frames back: low latency slices instead */
                 p->low_latency && t != 1 ? "true" : "false");
        return true;
    case SC_CODEC_H265: /* the same low-latency choices as x264 above */
        if (!x265_preset(p, preset, sizeof(preset), reason, rsize))
            return false;
        x265_opts(p, opts, sizeof(opts));
        snprintf(buf, size,
                 "x265enc name=enc tune=zerolatency speed-preset=%s bitrate=%u "
                 "key-int-max=%u option-string=\"%s\" ! "
                 "video/x-h265,stream-format=byte-stream,alignment=au",
                 preset, kbit(p->bitrate), keyint(p) > 999999 ? 999999 : keyint(p), opts);
        return true;
    case SC_CODEC_VP8:
        snprintf(buf, size,
                 "vp8enc name=enc deadline=1 cpu-used=16 end-usage=cbr target-bitrate=%u "
                 "lag-in-frames=0 threads=%u keyframe-max-dist=%u buffer-size=1000 "
                 "buffer-initial-size=500 buffer-optimal-size=600 ! video/x-vp8",
                 p->bitrate, t ? t : 1, keyint(p) > 999999 ? 999999 : keyint(p));
        return true;
    case SC_CODEC_VP9:
        snprintf(buf, size,
                 "vp9enc name=enc deadline=1 cpu-used=8 end-usage=cbr target-bitrate=%u "
                 "lag-in-frames=0 threads=%u keyframe-max-dist=%u row-mt=%s buffer-size=1000 "
                 "buffer-initial-size=500 buffer-optimal-size=600 ! video/x-vp9",
                 p->bitrate, t ? t : 1, keyint(p) > 999999 ? 999999 : keyint(p),
                 t == 1 ? "false" : "true");
        return true;
    case SC_CODEC_MJPEG:
        if (!jpeg_quality(p, &q, reason, rsize))
            return false;
        snprintf(buf, size, "jpegenc name=enc quality=%d ! image/jpeg", q);
        return true;
    }
    sc_codec_reason(reason, rsize, "no GStreamer encoder for codec %d", codec);
    return false;
}

bool sc_gst_openh264_desc(const struct sc_encoder_params *p, char *buf, size_t size)
{
    char usage[16] = "camera", cx[16] = "low";
    sc_codec_option(p->options, "usage", usage, sizeof(usage));
    sc_codec_option(p->options, "complexity", cx, sizeof(cx));
    snprintf(buf, size,
             "openh264enc name=enc usage-type=%s complexity=%s multi-thread=%u "
             "rate-control=bitrate bitrate=%u gop-size=%u enable-frame-skip=false "
             "slice-mode=n-slices num-slices=1 ! "
             "video/x-h264,stream-format=byte-stream,alignment=au",
             usage, cx, p->threads ? p->threads : 1, p->bitrate,
             p->keyframe_interval ? p->keyframe_interval : 0x7fffffff);
    return true;
}

/* ---- encoder ------------------------------------------------------------ */

static const char *const *elements_for(int codec)
{
    static const char *const h264[] = { "appsrc", "appsink", "x264enc", NULL };
    static const char *const h265[] = { "appsrc", "appsink", "x265enc", NULL };
    static const char *const vp8[] = { "appsrc", "appsink", "vp8enc", NULL };
    static const char *const vp9[] = { "appsrc", "appsink", "vp9enc", NULL };
    static const char *const mjpeg[] = { "appsrc", "appsink", "jpegenc", NULL };
    switch (codec) {
    case SC_CODEC_H264: return h264;
    case SC_CODEC_H265: return h265;
    case SC_CODEC_VP8: return vp8;
    case SC_CODEC_VP9: return vp9;
    default: return mjpeg;
    }
}

static bool probe_h264(char *r, size_t s) { return sc_gst_have_elements(elements_for(SC_CODEC_H264), r, s); }
static bool probe_h265(char *r, size_t s) { return sc_gst_have_elements(elements_for(SC_CODEC_H265), r, s); }
static bool probe_vp8(char *r, size_t s) { return sc_gst_have_elements(elements_for(SC_CODEC_VP8), r, s); }
static bool probe_vp9(char *r, size_t s) { return sc_gst_have_elements(elements_for(SC_CODEC_VP9), r, s); }
static bool probe_mjpeg(char *r, size_t s) { return sc_gst_have_elements(elements_for(SC_CODEC_MJPEG), r, s); }

static bool setup_pool(struct gst_encoder *e, GstCaps *caps)
{
    e->pool = gst_video_buffer_pool_new();
    GstStructure *cfg = gst_buffer_pool_get_config(e->pool);
    gst_buffer_pool_config_set_params(cfg, caps, (guint)e->info.size, 4, 0);
    return gst_buffer_pool_set_config(e->pool, cfg) && gst_buffer_pool_set_active(e->pool, TRUE);
}

static struct sc_encoder *gst_enc_create(int codec, const struct sc_encoder_params *p,
                                         char *reason, size_t rsize)
{
    char desc[1024];
    if (!sc_codec_check_params(p, true, reason, rsize)
        || !sc_gst_encoder_desc(codec, p, desc, sizeof(desc), reason, rsize))
        return NULL;
    return sc_gst_encoder_create_desc(desc, p, reason, rsize);
}

struct sc_encoder *sc_gst_encoder_create_desc(const char *desc,
                                              const struct sc_encoder_params *p, char *reason,
                                              size_t rsize)
{
    char launch[1200];
    snprintf(launch, sizeof(launch),
             "appsrc name=src is-live=true format=time block=false max-bytes=0 ! %s ! "
             "appsink name=sink sync=false async=false max-buffers=0 drop=false", desc);
    struct gst_encoder *e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    GError *err = NULL;
    e->pipeline = gst_parse_launch(launch, &err);
    if (!e->pipeline) {
        sc_codec_reason(reason, rsize, "pipeline: %s", err ? err->message : "?");
        g_clear_error(&err);
        goto err_free;
    }
    g_clear_error(&err);
    e->src = gst_bin_get_by_name(GST_BIN(e->pipeline), "src");
    e->sink = gst_bin_get_by_name(GST_BIN(e->pipeline), "sink");
    e->enc = gst_bin_get_by_name(GST_BIN(e->pipeline), "enc");
    gst_video_info_set_format(&e->info, GST_VIDEO_FORMAT_I420, p->width, p->height);
    GST_VIDEO_INFO_FPS_N(&e->info) = (gint)p->fps;
    GST_VIDEO_INFO_FPS_D(&e->info) = 1;
    GstCaps *caps = gst_video_info_to_caps(&e->info);
    gst_app_src_set_caps(GST_APP_SRC(e->src), caps);
    bool pool_ok = setup_pool(e, caps);
    gst_caps_unref(caps);
    if (!pool_ok) {
        sc_codec_reason(reason, rsize, "cannot set up a buffer pool");
        goto err_pipeline;
    }
    if (gst_element_set_state(e->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        char msg[200] = "state change failed";
        sc_gst_bus_error(e->pipeline, false, msg, sizeof(msg));
        sc_codec_reason(reason, rsize, "cannot start the pipeline: %s", msg);
        goto err_pipeline;
    }
    return &e->base;
err_pipeline:
    if (e->pool) {
        gst_buffer_pool_set_active(e->pool, FALSE);
        gst_object_unref(e->pool);
    }
    gst_element_set_state(e->pipeline, GST_STATE_NULL);
    gst_clear_object(&e->src);
    gst_clear_object(&e->sink);
    gst_clear_object(&e->enc);
    gst_object_unref(e->pipeline);
err_free:
    free(e);
    return NULL;
}

static struct sc_encoder *create_h264(const struct sc_encoder_params *p, char *r, size_t s) { return gst_enc_create(SC_CODEC_H264, p, r, s); }
static struct sc_encoder *create_h265(const struct sc_encoder_params *p, char *r, size_t s) { return gst_enc_create(SC_CODEC_H265, p, r, s); }
static struct sc_encoder *create_vp8(const struct sc_encoder_params *p, char *r, size_t s) { return gst_enc_create(SC_CODEC_VP8, p, r, s); }
static struct sc_encoder *create_vp9(const struct sc_encoder_params *p, char *r, size_t s) { return gst_enc_create(SC_CODEC_VP9, p, r, s); }
static struct sc_encoder *create_mjpeg(const struct sc_encoder_params *p, char *r, size_t s) { return gst_enc_create(SC_CODEC_MJPEG, p, r, s); }

/* Converts the frame into a pooled buffer. */
/* Converts the damage of the frame into the last input buffer if nobody
 * else holds it any more: true, buffer reused. */
static bool convert_damage(struct gst_encoder *e, const struct sc_frame *frame,
                           const uint8_t *px, uint32_t stride)
{
    if (!e->last || frame->seq != e->last_seq + 1 || frame->full_damage
        || !gst_buffer_is_writable(e->last))
        return false;
    GstVideoFrame vf;
    if (!gst_video_frame_map(&vf, &e->info, e->last, GST_MAP_WRITE))
        return false;
    struct sc_yuv view = { .format = SC_PIXFMT_I420, .width = frame->width,
                           .height = frame->height };
    for (unsigned i = 0; i < 3; i++) {
        view.plane[i] = GST_VIDEO_FRAME_PLANE_DATA(&vf, i);
        view.stride[i] = (uint32_t)GST_VIDEO_FRAME_PLANE_STRIDE(&vf, i);
    }
    bool ok = sc_convert_bgrx_to_i420_damage(frame, px, stride, &view);
    gst_video_frame_unmap(&vf);
    return ok;
}

/* Converts the frame into a pooled buffer (or only its damage into the
 * last one); returns a reference for appsrc. */
static GstBuffer *frame_to_buffer(struct gst_encoder *e, const struct sc_frame *frame,
                                  const uint8_t *px, uint32_t stride)
{
    if (convert_damage(e, frame, px, stride)) {
        e->last_seq = frame->seq;
        return gst_buffer_ref(e->last);
    }
    gst_clear_buffer(&e->last);
    GstBuffer *buf = NULL;
    if (gst_buffer_pool_acquire_buffer(e->pool, &buf, NULL) != GST_FLOW_OK)
        return NULL;
    GstVideoFrame vf;
    if (!gst_video_frame_map(&vf, &e->info, buf, GST_MAP_WRITE)) {
        gst_buffer_unref(buf);
        return NULL;
    }
    bool ok = sc_convert_bgrx_to_i420(
        px, stride, frame->width, frame->height, GST_VIDEO_FRAME_PLANE_DATA(&vf, 0),
        (uint32_t)GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 0), GST_VIDEO_FRAME_PLANE_DATA(&vf, 1),
        (uint32_t)GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 1), GST_VIDEO_FRAME_PLANE_DATA(&vf, 2),
        (uint32_t)GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 2));
    gst_video_frame_unmap(&vf);
    if (!ok) {
        gst_buffer_unref(buf);
        return NULL;
    }
    e->last = gst_buffer_ref(buf);
    e->last_seq = frame->seq;
    return buf;
}

/* A small proportional controller: quality follows log2(target/actual),
 * on a running average of packet sizes. */
static void steer_jpeg_quality(struct gst_encoder *e, size_t bytes)
{
    if (!e->jpeg_target)
        return;
    double target = e->jpeg_target / 8.0 / e->base.params.fps;
    e->jpeg_avg_bytes = e->jpeg_avg_bytes > 0 ? 0.7 * e->jpeg_avg_bytes + 0.3 * bytes : bytes;
    double err = log2(target / e->jpeg_avg_bytes);
    if (fabs(err) < 0.05)
        return;
    int step = (int)lround(err * 12.0);
    step = step > 8 ? 8 : step < -8 ? -8 : step != 0 ? step : (err > 0 ? 1 : -1);
    int q = e->jpeg_quality + step;
    q = q < 5 ? 5 : q > 98 ? 98 : q;
    if (q != e->jpeg_quality) {
        e->jpeg_quality = q;
        g_object_set(e->enc, "quality", q, NULL);
    }
}

/* x265enc puts the stream headers (VPS, SPS, PPS, SEI) in front of its
 * first packet, before x265's own access unit, which with repeat-headers
 * and aud starts with an AUD and has the same headers again: a parser
 * that splits at AUDs (spice-gtk's h265parse) would see a unit without a
 * picture.  The length of such a prefix, 0 if the packet has none. */
static size_t h265_header_prefix(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 3 < n; i++) {
        if (p[i] != 0 || p[i + 1] != 0 || p[i + 2] != 1)
            continue;
        unsigned type = (p[i + 3] >> 1) & 0x3f;
        size_t start = i > 0 && p[i - 1] == 0 ? i - 1 : i; /* 4-byte start code */
        if (type == 35) /* AUD */
            return start;
        if (type < 32 || (type > 34 && type != 39)) /* not VPS/SPS/PPS/prefix SEI */
            return 0;
        i += 3;
    }
    return 0;
}

static int deliver(struct gst_encoder *e, GstSample *s, sc_packet_fn cb, void *data)
{
    GstBuffer *b = gst_sample_get_buffer(s);
    GstMapInfo m;
    if (!b || !gst_buffer_map(b, &m, GST_MAP_READ))
        return -EIO;
    size_t skip = e->base.impl->codec == SC_CODEC_H265 ? h265_header_prefix(m.data, m.size) : 0;
    struct sc_packet pkt = {
        .data = m.data + skip, .size = m.size - skip,
        .keyframe = !GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_DELTA_UNIT),
        .seq = GST_BUFFER_OFFSET(b) != GST_BUFFER_OFFSET_NONE ? GST_BUFFER_OFFSET(b) : e->pulled,
    };
    pkt.seq = GST_BUFFER_PTS_IS_VALID(b)
                  ? gst_util_uint64_scale_round(GST_BUFFER_PTS(b), e->base.params.fps, GST_SECOND)
                  : e->pulled;
    cb(&pkt, data);
    steer_jpeg_quality(e, m.size);
    gst_buffer_unmap(b, &m);
    e->pulled++;
    return 0;
}

int sc_gst_enc_encode(struct sc_encoder *enc, const struct sc_frame *frame,
                      const struct sc_box *damage, unsigned n_damage, sc_packet_fn cb, void *data)
{
    (void)damage; /* the whole frame; its own damage narrows the conversion */
    (void)n_damage;
    struct gst_encoder *e = gst_enc(enc);
    uint32_t stride;
    const uint8_t *px = sc_codec_frame_pixels(frame, &stride);
    if (!px)
        return -EINVAL;
    double t0 = sc_codec_now_ms();
    GstBuffer *buf = frame_to_buffer(e, frame, px, stride);
    enc->stats.convert_ms = sc_codec_now_ms() - t0;
    enc->stats.zero_copy = false;
    if (!buf)
        return -ENOMEM;
    GST_BUFFER_PTS(buf) = gst_util_uint64_scale(frame->seq, GST_SECOND, enc->params.fps);
    GST_BUFFER_DURATION(buf) = gst_util_uint64_scale(1, GST_SECOND, enc->params.fps);
    if (gst_app_src_push_buffer(GST_APP_SRC(e->src), buf) != GST_FLOW_OK)
        return -EIO;
    e->pushed++;
    /* one frame in, one packet out: wait for it; a pipeline that holds
     * frames shows up as latency */
    GstClockTime timeout = e->pulled == 0 ? FIRST_TIMEOUT_NS : FRAME_TIMEOUT_NS;
    GstSample *s = gst_app_sink_try_pull_sample(GST_APP_SINK(e->sink), timeout);
    while (s) {
        int r = deliver(e, s, cb, data);
        gst_sample_unref(s);
        if (r)
            return r;
        s = gst_app_sink_try_pull_sample(GST_APP_SINK(e->sink), 0);
    }
    uint64_t held = e->pushed - e->pulled;
    if (held > enc->stats.latency_frames)
        enc->stats.latency_frames = (uint32_t)held;
    char msg[256];
    if (sc_gst_bus_error(e->pipeline, false, msg, sizeof(msg))) {
        sc_error("gstreamer encoder: %s", msg);
        return -EIO;
    }
    return 0;
}

int sc_gst_enc_set_bitrate(struct sc_encoder *enc, uint32_t bitrate)
{
    struct gst_encoder *e = gst_enc(enc);
    switch (enc->impl->codec) {
    case SC_CODEC_H264:
        g_object_set(e->enc, "bitrate", (guint)((bitrate + 999) / 1000), NULL);
        return 0;
    case SC_CODEC_H265: /* x265enc reconfigures the running encoder */
        g_object_set(e->enc, "bitrate", (guint)kbit(bitrate), NULL);
        return 0;
    case SC_CODEC_VP8:
    case SC_CODEC_VP9:
        g_object_set(e->enc, "target-bitrate", (gint)bitrate, NULL);
        return 0;
    default: /* MJPEG: steer jpegenc's quality from now on */
        if (!e->jpeg_quality)
            g_object_get(e->enc, "quality", &e->jpeg_quality, NULL);
        e->jpeg_target = bitrate;
        return 0;
    }
}

void sc_gst_enc_force_keyframe(struct sc_encoder *enc)
{
    struct gst_encoder *e = gst_enc(enc);
    GstPad *pad = gst_element_get_static_pad(e->enc, "src");
    GstEvent *ev = gst_video_event_new_upstream_force_key_unit(GST_CLOCK_TIME_NONE, TRUE,
                                                               ++e->fku_count);
    gst_pad_send_event(pad, ev);
    gst_object_unref(pad);
}

void sc_gst_enc_destroy(struct sc_encoder *enc)
{
    struct gst_encoder *e = gst_enc(enc);
    gst_element_set_state(e->pipeline, GST_STATE_NULL);
    gst_clear_buffer(&e->last);
    gst_buffer_pool_set_active(e->pool, FALSE);
    gst_object_unref(e->pool);
    gst_object_unref(e->src);
    gst_object_unref(e->sink);
    gst_object_unref(e->enc);
    gst_object_unref(e->pipeline);
    free(e);
}

#define GST_ENCODER(var, id, probe_fn, create_fn)                                      \
    const struct sc_encoder_ops var = {                                                \
        .name = "gstreamer", .codec = id, .probe = probe_fn, .create = create_fn,      \
        .encode = sc_gst_enc_encode, .set_bitrate = sc_gst_enc_set_bitrate,            \
        .force_keyframe = sc_gst_enc_force_keyframe, .destroy = sc_gst_enc_destroy,    \
    }

GST_ENCODER(sc_gst_vp8_encoder, SC_CODEC_VP8, probe_vp8, create_vp8);
GST_ENCODER(sc_gst_vp9_encoder, SC_CODEC_VP9, probe_vp9, create_vp9);
GST_ENCODER(sc_gst_h264_encoder, SC_CODEC_H264, probe_h264, create_h264);
GST_ENCODER(sc_gst_h265_encoder, SC_CODEC_H265, probe_h265, create_h265);
GST_ENCODER(sc_gst_mjpeg_encoder, SC_CODEC_MJPEG, probe_mjpeg, create_mjpeg);
