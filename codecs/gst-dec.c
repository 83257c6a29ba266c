/* GStreamer decoders for vp8, vp9, h264 (h264parse + avdec_h264), h265
 * (h265parse + avdec_h265) and mjpeg (jpegdec): appsrc (the caps spice-gtk
 * uses) -> decoder -> I420 appsink, driven synchronously: one packet in, its frame out.  Packets are checked
 * for their codec's basic framing before they reach the decoder, and frames
 * larger than SC_CODEC_MAX_DIM are refused before they are decoded (mjpeg,
 * vp8: from the packet's header; h264, h265: by caps at the parser's output,
 * from the SPS; vp9: only by caps at the decoder's output, after decoding).
 *
 * Knowing when the decoder is done with a packet: a serialized marker event
 * follows each packet; when it reaches the sink pad of the first element
 * after appsrc (streaming thread, in order), the packet has been handled,
 * and its frame, if any, is already in the appsink (every element after
 * appsrc works synchronously in that thread: no queue, decoders with frame
 * threading off).  So a dropped packet costs no timeout.  An ERROR or
 * WARNING on the bus (after which no marker comes: the streaming thread
 * stops) wakes the caller at once, through a bus sync handler.
 *
 * No wait is unbounded: a packet the decoder has not finished within
 * STALL_TIMEOUT_US fails with -ETIMEDOUT.  After a failure the pipeline is
 * restarted when its streaming thread is idle (the packet's marker came
 * back); after an error or a stall it is dropped whole, torn down on a
 * thread of its own (stopping a busy streaming thread would block), and
 * the next packet starts a fresh one.  Either way the decoder stays usable
 * and recovers at the next keyframe (codec.h's contract). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>

#include "codecs/backend.h"
#include "codecs/codec.h"
#include "codecs/gst-common.h"
#include "common/log.h"

/* a packet the decoder has not finished by then fails: a 1080p frame takes
 * a few ms, the largest allowed (SC_CODEC_MAX_DIM squared) 0.3 to 0.9 s on
 * a busy 2-core machine */
#define STALL_TIMEOUT_US (1 * G_TIME_SPAN_SECOND)
#define MARKER "spicecast-marker"
#define MAX_DIM G_STRINGIFY(SC_CODEC_MAX_DIM)
#define SIZE_CAPS "width=(int)[1," MAX_DIM "],height=(int)[1," MAX_DIM "]"

static int gst_dec_decode(struct sc_decoder *dec, const uint8_t *data, size_t size,
                          struct sc_decoded_frame *out);

/* One pipeline and what its streaming thread reports.  Owned by the
 * decoder; after a failure, by the thread that tears it down. */
struct gst_pipe {
    GstElement *pipeline, *src, *sink;
    uint64_t pushed;
    GMutex lock;
    GCond cond;
    uint64_t marker_seen; /* the last marker that reached the decoder */
    bool error, warning;  /* posted since the last reset: why */
    char why[SC_CODEC_REASON_SIZE];
};

struct gst_decoder {
    struct sc_decoder base;
    int codec;
    struct gst_pipe *pipe; /* NULL after a failure until the next packet */
    GstSample *sample;
    GstVideoFrame frame;
    bool mapped;
};

/* Downcast through the impl pointer (a programming error otherwise). */
static struct gst_decoder *gst_dec(struct sc_decoder *dec)
{
    g_assert(dec->impl->decode == gst_dec_decode);
    return (struct gst_decoder *)dec;
}

/* appsrc caps as spice-gtk sets them (PROTOCOL.md 5.9), and the decoder */
static const char *caps_for(int codec)
{
    switch (codec) {
    case SC_CODEC_H264: return "video/x-h264,stream-format=byte-stream,alignment=au";
    case SC_CODEC_H265: return "video/x-h265,stream-format=byte-stream,alignment=au";
    case SC_CODEC_VP8: return "video/x-vp8";
    case SC_CODEC_VP9: return "video/x-vp9";
    default: return "image/jpeg";
    }
}

static const char *chain_for(int codec)
{
    switch (codec) {
    case SC_CODEC_H264:
        /* the marker probe sits on the parser: h264parse holds serialized
         * events until its next output, so none would reach avdec_h264.
         * The caps after it refuse an SPS too large before any decoding. */
        return "h264parse name=dec ! video/x-h264," SIZE_CAPS " ! "
               "avdec_h264 max-threads=1 output-corrupt=false";
    case SC_CODEC_H265: /* the same, for the same reasons */
        return "h265parse name=dec ! video/x-h265," SIZE_CAPS " ! "
               "avdec_h265 max-threads=1 output-corrupt=false";
    case SC_CODEC_VP8: return "vp8dec name=dec";
    case SC_CODEC_VP9: return "vp9dec name=dec";
    default: return "jpegdec name=dec";
    }
}

static bool probe_codec(int codec, char *r, size_t s)
{
    static const char *const h264[] = { "appsrc", "appsink", "h264parse", "avdec_h264",
                                        "videoconvert", NULL };
    static const char *const h265[] = { "appsrc", "appsink", "h265parse", "avdec_h265",
                                        "videoconvert", NULL };
    static const char *const vp8[] = { "appsrc", "appsink", "vp8dec", "videoconvert", NULL };
    static const char *const vp9[] = { "appsrc", "appsink", "vp9dec", "videoconvert", NULL };
    static const char *const mjpeg[] = { "appsrc", "appsink", "jpegdec", "videoconvert", NULL };
    const char *const *l = codec == SC_CODEC_H264 ? h264
                           : codec == SC_CODEC_H265 ? h265
                           : codec == SC_CODEC_VP8 ? vp8
                           : codec == SC_CODEC_VP9 ? vp9
                                                   : mjpeg;
    return sc_gst_have_elements(l, r, s);
}

static bool probe_h264(char *r, size_t s) { return probe_codec(SC_CODEC_H264, r, s); }
static bool probe_h265(char *r, size_t s) { return probe_codec(SC_CODEC_H265, r, s); }
static bool probe_vp8(char *r, size_t s) { return probe_codec(SC_CODEC_VP8, r, s); }
static bool probe_vp9(char *r, size_t s) { return probe_codec(SC_CODEC_VP9, r, s); }
static bool probe_mjpeg(char *r, size_t s) { return probe_codec(SC_CODEC_MJPEG, r, s); }

static void unmap_last(struct gst_decoder *d)
{
    if (d->mapped)
        gst_video_frame_unmap(&d->frame);
    d->mapped = false;
    if (d->sample)
        gst_sample_unref(d->sample);
    d->sample = NULL;
}

/* streaming thread: a marker reached the decoder's sink pad */
static GstPadProbeReturn on_marker(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    (void)pad;
    struct gst_pipe *p = data;
    GstEvent *ev = GST_PAD_PROBE_INFO_EVENT(info);
    const GstStructure *st = gst_event_get_structure(ev);
    guint64 n;
    if (GST_EVENT_TYPE(ev) != GST_EVENT_CUSTOM_DOWNSTREAM || !st
        || !gst_structure_has_name(st, MARKER) || !gst_structure_get_uint64(st, "n", &n))
        return GST_PAD_PROBE_OK;
    g_mutex_lock(&p->lock);
    p->marker_seen = n;
    g_cond_broadcast(&p->cond);
    g_mutex_unlock(&p->lock);
    return GST_PAD_PROBE_DROP;
}

/* any thread that posts: an ERROR or WARNING fails the packet.  An error
 * wakes the caller at once (the streaming thread stops: no marker would
 * come); after a warning the packet's marker still comes.  The rest is
 * dropped, so that nothing piles up on the bus. */
static GstBusSyncReply on_bus(GstBus *bus, GstMessage *m, gpointer data)
{
    (void)bus;
    struct gst_pipe *p = data;
    GstMessageType type = GST_MESSAGE_TYPE(m);
    GError *err = NULL;
    if (type == GST_MESSAGE_ERROR)
        gst_message_parse_error(m, &err, NULL);
    else if (type == GST_MESSAGE_WARNING)
        gst_message_parse_warning(m, &err, NULL);
    if (type == GST_MESSAGE_ERROR || type == GST_MESSAGE_WARNING) {
        g_mutex_lock(&p->lock);
        if (!p->error && !p->warning)
            sc_codec_reason(p->why, sizeof(p->why), "%s: %s", GST_MESSAGE_SRC_NAME(m),
                            err ? err->message : "?");
        p->error |= type == GST_MESSAGE_ERROR;
        p->warning |= type == GST_MESSAGE_WARNING;
        g_cond_broadcast(&p->cond);
        g_mutex_unlock(&p->lock);
    }
    g_clear_error(&err);
    gst_message_unref(m); /* a dropped message is the handler's to unref */
    return GST_BUS_DROP;
}

static bool watch_pipe(struct gst_pipe *p)
{
    GstBus *bus = gst_element_get_bus(p->pipeline);
    GstElement *dec = gst_bin_get_by_name(GST_BIN(p->pipeline), "dec");
    GstPad *pad = dec ? gst_element_get_static_pad(dec, "sink") : NULL;
    gst_bus_set_sync_handler(bus, on_bus, p, NULL);
    if (pad)
        gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_marker, p, NULL);
    bool ok = pad != NULL;
    gst_clear_object(&pad);
    gst_clear_object(&dec);
    gst_object_unref(bus);
    return ok;
}

/* Stops the pipeline (joining its streaming thread) and frees it. */
static void pipe_free(struct gst_pipe *p)
{
    gst_element_set_state(p->pipeline, GST_STATE_NULL);
    GstBus *bus = gst_element_get_bus(p->pipeline);
    gst_bus_set_sync_handler(bus, NULL, NULL, NULL);
    gst_object_unref(bus);
    gst_object_unref(p->src);
    gst_object_unref(p->sink);
    gst_object_unref(p->pipeline);
    g_mutex_clear(&p->lock);
    g_cond_clear(&p->cond);
    free(p);
}

static gpointer pipe_reaper(gpointer data)
{
    pipe_free(data);
    return NULL;
}

/* A pipeline whose streaming thread may still be busy with the packet (a
 * stall, an error) goes away without the caller waiting for it. */
static void pipe_abandon(struct gst_pipe *p)
{
    GThread *t = g_thread_try_new("sc-gst-dec-reap", pipe_reaper, p, NULL);
    if (t)
        g_thread_unref(t);
    else
        pipe_free(p); /* no thread: the old way, waiting */
}

/* Restarts an idle pipeline (every packet answered): quick. */
static void pipe_reset(struct gst_pipe *p)
{
    gst_element_set_state(p->pipeline, GST_STATE_NULL);
    gst_element_set_state(p->pipeline, GST_STATE_PLAYING);
    g_mutex_lock(&p->lock);
    p->pushed = p->marker_seen = 0;
    p->error = p->warning = false;
    g_mutex_unlock(&p->lock);
}

/* true if the streaming thread has answered every packet */
static bool pipe_idle(struct gst_pipe *p)
{
    g_mutex_lock(&p->lock);
    bool idle = !p->error && p->marker_seen >= p->pushed;
    g_mutex_unlock(&p->lock);
    return idle;
}

static struct gst_pipe *pipe_new(int codec, char *reason, size_t rsize)
{
    char launch[640];
    snprintf(launch, sizeof(launch),
             "appsrc name=src is-live=true format=time block=false max-bytes=0 ! %s ! "
             "video/x-raw," SIZE_CAPS " ! videoconvert ! video/x-raw,format=I420 ! "
             "appsink name=sink sync=false async=false max-buffers=0 drop=false",
             chain_for(codec));
    struct gst_pipe *p = calloc(1, sizeof(*p));
    if (!p)
        return NULL;
    GError *err = NULL;
    p->pipeline = gst_parse_launch(launch, &err);
    if (!p->pipeline) {
        sc_codec_reason(reason, rsize, "pipeline: %s", err ? err->message : "?");
        g_clear_error(&err);
        free(p);
        return NULL;
    }
    g_clear_error(&err);
    p->src = gst_bin_get_by_name(GST_BIN(p->pipeline), "src");
    p->sink = gst_bin_get_by_name(GST_BIN(p->pipeline), "sink");
    g_mutex_init(&p->lock);
    g_cond_init(&p->cond);
    if (!watch_pipe(p)) { /* no marker would ever come back */
        sc_codec_reason(reason, rsize, "no decoder element named dec");
        pipe_free(p);
        return NULL;
    }
    GstCaps *caps = gst_caps_from_string(caps_for(codec));
    gst_app_src_set_caps(GST_APP_SRC(p->src), caps);
    gst_caps_unref(caps);
    if (gst_element_set_state(p->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        sc_codec_reason(reason, rsize, "cannot start the decoder pipeline");
        pipe_free(p);
        return NULL;
    }
    return p;
}

static struct sc_decoder *gst_dec_create(int codec, const struct sc_decoder_params *params,
                                         char *reason, size_t rsize)
{
    (void)params;
    struct gst_decoder *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->codec = codec;
    d->pipe = pipe_new(codec, reason, rsize);
    if (!d->pipe) {
        free(d);
        return NULL;
    }
    return &d->base;
}

static struct sc_decoder *create_h264(const struct sc_decoder_params *p, char *r, size_t s) { return gst_dec_create(SC_CODEC_H264, p, r, s); }
static struct sc_decoder *create_h265(const struct sc_decoder_params *p, char *r, size_t s) { return gst_dec_create(SC_CODEC_H265, p, r, s); }
static struct sc_decoder *create_vp8(const struct sc_decoder_params *p, char *r, size_t s) { return gst_dec_create(SC_CODEC_VP8, p, r, s); }
static struct sc_decoder *create_vp9(const struct sc_decoder_params *p, char *r, size_t s) { return gst_dec_create(SC_CODEC_VP9, p, r, s); }
static struct sc_decoder *create_mjpeg(const struct sc_decoder_params *p, char *r, size_t s) { return gst_dec_create(SC_CODEC_MJPEG, p, r, s); }

/* ---- framing checks before the decoder sees a packet -------------------- */

static bool dims_ok(unsigned w, unsigned h)
{
    return w && h && w <= SC_CODEC_MAX_DIM && h <= SC_CODEC_MAX_DIM;
}

/* Annex-B: the offset of the first NAL's header after the leading start
 * code, or 0 if the packet does not start with one */
static size_t annexb_first_nal(const uint8_t *p, size_t n)
{
    if (n >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 1)
        return 4;
    if (n >= 3 && p[0] == 0 && p[1] == 0 && p[2] == 1)
        return 3;
    return 0;
}

static bool h264_plausible(const uint8_t *p, size_t n)
{
    /* a start code; the first NAL has forbidden_zero_bit 0 and a known type */
    size_t i = annexb_first_nal(p, n);
    if (!i || i >= n || (p[i] & 0x80))
        return false;
    unsigned type = p[i] & 0x1f;
    return type >= 1 && type <= 12;
}

static bool h265_plausible(const uint8_t *p, size_t n)
{
    /* a start code; the first NAL's two-byte header (H.265 7.3.1.2):
     * forbidden_zero_bit 0, a type that can start an access unit (VCL
     * 0-9, IRAP 16-21; VPS, SPS, PPS, AUD, prefix SEI 32-35, 39), the base
     * layer (nuh_layer_id 0) and nuh_temporal_id_plus1 not 0 */
    size_t i = annexb_first_nal(p, n);
    if (!i || i + 1 >= n || (p[i] & 0x80))
        return false;
    unsigned type = (p[i] >> 1) & 0x3f, layer = (p[i] & 1) << 5 | p[i + 1] >> 3;
    if (layer != 0 || (p[i + 1] & 7) == 0)
        return false;
    return type <= 9 || (type >= 16 && type <= 21) || (type >= 32 && type <= 35) || type == 39;
}

static bool vp8_plausible(const uint8_t *p, size_t n)
{
    if (n < 3)
        return false;
    uint32_t tag = p[0] | p[1] << 8 | (uint32_t)p[2] << 16;
    bool key = !(tag & 1);
    uint32_t version = (tag >> 1) & 7, first_part = tag >> 5;
    if (version > 3 || first_part > n)
        return false;
    if (key && (n < 10 || p[3] != 0x9d || p[4] != 0x01 || p[5] != 0x2a))
        return false;
    return !key || dims_ok((p[6] | p[7] << 8) & 0x3fff, (p[8] | p[9] << 8) & 0x3fff);
}

static bool vp9_plausible(const uint8_t *p, size_t n)
{
    return n >= 2 && (p[0] >> 6) == 2; /* frame_marker */
}

/* The size in a JPEG's frame header (SOFn, before the first scan) */
static bool jpeg_size_ok(const uint8_t *p, size_t n)
{
    size_t i = 2;
    while (i + 4 <= n && p[i] == 0xff) {
        unsigned m = p[i + 1];
        size_t len = (size_t)p[i + 2] << 8 | p[i + 3];
        if (m == 0xff) { /* fill byte */
            i++;
            continue;
        }
        if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc)
            return len >= 8 && i + 9 <= n
                   && dims_ok((unsigned)p[i + 7] << 8 | p[i + 8], (unsigned)p[i + 5] << 8 | p[i + 6]);
        if (m == 0xda || len < 2)
            return false;
        i += 2 + len;
    }
    return false;
}

static bool jpeg_plausible(const uint8_t *p, size_t n)
{
    return n >= 4 && p[0] == 0xff && p[1] == 0xd8 && p[n - 2] == 0xff && p[n - 1] == 0xd9
           && jpeg_size_ok(p, n);
}

static bool plausible(int codec, const uint8_t *p, size_t n)
{
    switch (codec) {
    case SC_CODEC_H264: return h264_plausible(p, n);
    case SC_CODEC_H265: return h265_plausible(p, n);
    case SC_CODEC_VP8: return vp8_plausible(p, n);
    case SC_CODEC_VP9: return vp9_plausible(p, n);
    default: return jpeg_plausible(p, n);
    }
}

/* ---- decode ------------------------------------------------------------ */

/* Waits (bounded) until the marker sent after the last packet reached the
 * decoder, then takes the packet's frame: 1 and *out, or -errno and why. */
static int wait_frame(struct gst_pipe *p, GstSample **out, char *why, size_t wsize)
{
    gint64 deadline = g_get_monotonic_time() + STALL_TIMEOUT_US;
    bool failed, done;
    g_mutex_lock(&p->lock);
    while (p->marker_seen < p->pushed && !p->error)
        if (!g_cond_wait_until(&p->cond, &p->lock, deadline))
            break;
    failed = p->error || p->warning;
    done = p->marker_seen >= p->pushed;
    if (failed)
        sc_codec_reason(why, wsize, "%s", p->why);
    g_mutex_unlock(&p->lock);
    if (failed)
        return -EINVAL;
    if (!done) {
        sc_codec_reason(why, wsize, "the decoder stalled (no answer in %d ms)",
                        (int)(STALL_TIMEOUT_US / 1000));
        return -ETIMEDOUT;
    }
    /* the newest frame: a packet holding several must not leave a queue */
    GstSample *s, *last = NULL;
    while ((s = gst_app_sink_try_pull_sample(GST_APP_SINK(p->sink), 0))) {
        if (last)
            gst_sample_unref(last);
        last = s;
    }
    if (!last) {
        sc_codec_reason(why, wsize, "the decoder dropped the packet");
        return -EINVAL;
    }
    *out = last;
    return 1;
}

static int pipe_decode(struct gst_pipe *p, const uint8_t *data, size_t size, GstSample **out,
                       char *why, size_t wsize)
{
    GstBuffer *buf = gst_buffer_new_memdup(data, size);
    GST_BUFFER_PTS(buf) = p->pushed * (GST_SECOND / 30);
    if (gst_app_src_push_buffer(GST_APP_SRC(p->src), buf) != GST_FLOW_OK) {
        sc_codec_reason(why, wsize, "appsrc refused the packet");
        return -EIO;
    }
    p->pushed++;
    GstStructure *st = gst_structure_new(MARKER, "n", G_TYPE_UINT64, (guint64)p->pushed, NULL);
    gst_element_send_event(p->src, gst_event_new_custom(GST_EVENT_CUSTOM_DOWNSTREAM, st));
    return wait_frame(p, out, why, wsize);
}

static int export_sample(struct gst_decoder *d, GstSample *s, struct sc_decoded_frame *out)
{
    GstVideoInfo info;
    GstCaps *caps = gst_sample_get_caps(s);
    GstBuffer *b = gst_sample_get_buffer(s);
    if (!caps || !b || !gst_video_info_from_caps(&info, caps)
        || !gst_video_frame_map(&d->frame, &info, b, GST_MAP_READ)) {
        gst_sample_unref(s);
        return -EIO;
    }
    d->sample = s;
    d->mapped = true;
    out->kind = SC_DECODED_CPU;
    out->format = SC_PIXFMT_I420;
    out->width = (uint32_t)GST_VIDEO_INFO_WIDTH(&info);
    out->height = (uint32_t)GST_VIDEO_INFO_HEIGHT(&info);
    out->n_planes = 3;
    for (unsigned i = 0; i < 3; i++) {
        out->plane[i] = GST_VIDEO_FRAME_PLANE_DATA(&d->frame, i);
        out->stride[i] = (uint32_t)GST_VIDEO_FRAME_PLANE_STRIDE(&d->frame, i);
    }
    out->keyframe = !GST_BUFFER_FLAG_IS_SET(b, GST_BUFFER_FLAG_DELTA_UNIT);
    return 1;
}

static int gst_dec_decode(struct sc_decoder *dec, const uint8_t *data, size_t size,
                          struct sc_decoded_frame *out)
{
    struct gst_decoder *d = gst_dec(dec);
    char why[SC_CODEC_REASON_SIZE];
    GstSample *s = NULL;
    unmap_last(d);
    if (!plausible(d->codec, data, size))
        return -EINVAL;
    if (!d->pipe && !(d->pipe = pipe_new(d->codec, why, sizeof(why)))) {
        sc_debug("gstreamer decoder: %s", why);
        return -EIO;
    }
    int r = pipe_decode(d->pipe, data, size, &s, why, sizeof(why));
    if (r < 0) {
        /* a clean start: the next keyframe decodes */
        sc_debug("gstreamer decoder: %s", why);
        if (pipe_idle(d->pipe)) {
            pipe_reset(d->pipe);
        } else {
            pipe_abandon(d->pipe); /* the next packet builds a new one */
            d->pipe = NULL;
        }
        return r;
    }
    return export_sample(d, s, out);
}

static void gst_dec_destroy(struct sc_decoder *dec)
{
    struct gst_decoder *d = gst_dec(dec);
    unmap_last(d);
    if (d->pipe)
        pipe_free(d->pipe); /* idle: every packet it had was answered */
    free(d);
}

#define GST_DECODER(var, id, probe_fn, create_fn)                                     \
    const struct sc_decoder_ops var = {                                               \
        .name = "gstreamer", .codec = id, .probe = probe_fn, .create = create_fn,     \
        .decode = gst_dec_decode, .destroy = gst_dec_destroy,                         \
    }

GST_DECODER(sc_gst_vp8_decoder, SC_CODEC_VP8, probe_vp8, create_vp8);
GST_DECODER(sc_gst_vp9_decoder, SC_CODEC_VP9, probe_vp9, create_vp9);
GST_DECODER(sc_gst_h264_decoder, SC_CODEC_H264, probe_h264, create_h264);
GST_DECODER(sc_gst_h265_decoder, SC_CODEC_H265, probe_h265, create_h265);
GST_DECODER(sc_gst_mjpeg_decoder, SC_CODEC_MJPEG, probe_mjpeg, create_mjpeg);
