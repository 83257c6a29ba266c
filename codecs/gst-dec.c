/* GStreamer decoders for vp8, vp9, h264 (h264parse + avdec_h264) and mjpeg
 * (jpegdec): appsrc (the caps spice-gtk uses) -> decoder -> I420 appsink,
 * driven synchronously: one packet in, its frame out.  Packets are checked
 * for their codec's basic framing before they reach the decoder; a decoder
 * error resets the pipeline so the next keyframe decodes.
 *
 * Knowing when the decoder is done with a packet: a serialized marker event
 * follows each packet; when it reaches the sink pad of the first element
 * after appsrc (streaming thread, in order), the packet has been handled,
 * and its frame, if any, is already in the appsink (every element after
 * appsrc works synchronously in that thread: no queue, decoders with frame
 * threading off).  So a dropped packet costs no timeout. */
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

#define STALL_TIMEOUT_US (10 * G_TIME_SPAN_SECOND) /* a decoder that hangs */
#define MARKER "spicecast-marker"

static int gst_dec_decode(struct sc_decoder *dec, const uint8_t *data, size_t size,
                          struct sc_decoded_frame *out);

struct gst_decoder {
    struct sc_decoder base;
    GstElement *pipeline, *src, *sink;
    GstSample *sample;
    GstVideoFrame frame;
    bool mapped;
    uint64_t pushed, got;
    GMutex lock;
    GCond cond;
    uint64_t marker_seen; /* the last marker that reached the decoder */
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
         * events until its next output, so none would reach avdec_h264 */
        return "h264parse name=dec ! avdec_h264 max-threads=1 output-corrupt=false";
    case SC_CODEC_VP8: return "vp8dec name=dec";
    case SC_CODEC_VP9: return "vp9dec name=dec";
    default: return "jpegdec name=dec";
    }
}

static bool probe_codec(int codec, char *r, size_t s)
{
    static const char *const h264[] = { "appsrc", "appsink", "h264parse", "avdec_h264",
                                        "videoconvert", NULL };
    static const char *const vp8[] = { "appsrc", "appsink", "vp8dec", "videoconvert", NULL };
    static const char *const vp9[] = { "appsrc", "appsink", "vp9dec", "videoconvert", NULL };
    static const char *const mjpeg[] = { "appsrc", "appsink", "jpegdec", "videoconvert", NULL };
    const char *const *l = codec == SC_CODEC_H264 ? h264
                           : codec == SC_CODEC_VP8 ? vp8
                           : codec == SC_CODEC_VP9 ? vp9
                                                   : mjpeg;
    return sc_gst_have_elements(l, r, s);
}

static bool probe_h264(char *r, size_t s) { return probe_codec(SC_CODEC_H264, r, s); }
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
    struct gst_decoder *d = data;
    GstEvent *ev = GST_PAD_PROBE_INFO_EVENT(info);
    const GstStructure *st = gst_event_get_structure(ev);
    guint64 n;
    if (GST_EVENT_TYPE(ev) != GST_EVENT_CUSTOM_DOWNSTREAM || !st
        || !gst_structure_has_name(st, MARKER) || !gst_structure_get_uint64(st, "n", &n))
        return GST_PAD_PROBE_OK;
    g_mutex_lock(&d->lock);
    d->marker_seen = n;
    g_cond_broadcast(&d->cond);
    g_mutex_unlock(&d->lock);
    return GST_PAD_PROBE_DROP;
}

static bool add_marker_probe(struct gst_decoder *d)
{
    GstElement *dec = gst_bin_get_by_name(GST_BIN(d->pipeline), "dec");
    GstPad *pad = dec ? gst_element_get_static_pad(dec, "sink") : NULL;
    if (pad)
        gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_marker, d, NULL);
    gst_clear_object(&pad);
    gst_clear_object(&dec);
    return pad != NULL;
}

static struct sc_decoder *gst_dec_create(int codec, const struct sc_decoder_params *p,
                                         char *reason, size_t rsize)
{
    (void)p;
    char launch[512];
    snprintf(launch, sizeof(launch),
             "appsrc name=src is-live=true format=time block=false max-bytes=0 ! %s ! "
             "videoconvert ! video/x-raw,format=I420 ! "
             "appsink name=sink sync=false async=false max-buffers=0 drop=false",
             chain_for(codec));
    struct gst_decoder *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    GError *err = NULL;
    d->pipeline = gst_parse_launch(launch, &err);
    if (!d->pipeline) {
        sc_codec_reason(reason, rsize, "pipeline: %s", err ? err->message : "?");
        g_clear_error(&err);
        free(d);
        return NULL;
    }
    g_clear_error(&err);
    d->src = gst_bin_get_by_name(GST_BIN(d->pipeline), "src");
    d->sink = gst_bin_get_by_name(GST_BIN(d->pipeline), "sink");
    g_mutex_init(&d->lock);
    g_cond_init(&d->cond);
    add_marker_probe(d);
    GstCaps *caps = gst_caps_from_string(caps_for(codec));
    gst_app_src_set_caps(GST_APP_SRC(d->src), caps);
    gst_caps_unref(caps);
    if (gst_element_set_state(d->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        sc_codec_reason(reason, rsize, "cannot start the decoder pipeline");
        gst_element_set_state(d->pipeline, GST_STATE_NULL);
        gst_object_unref(d->src);
        gst_object_unref(d->sink);
        gst_object_unref(d->pipeline);
        free(d);
        return NULL;
    }
    return &d->base;
}

static struct sc_decoder *create_h264(const struct sc_decoder_params *p, char *r, size_t s) { return gst_dec_create(SC_CODEC_H264, p, r, s); }
static struct sc_decoder *create_vp8(const struct sc_decoder_params *p, char *r, size_t s) { return gst_dec_create(SC_CODEC_VP8, p, r, s); }
static struct sc_decoder *create_vp9(const struct sc_decoder_params *p, char *r, size_t s) { return gst_dec_create(SC_CODEC_VP9, p, r, s); }
static struct sc_decoder *create_mjpeg(const struct sc_decoder_params *p, char *r, size_t s) { return gst_dec_create(SC_CODEC_MJPEG, p, r, s); }

/* ---- framing checks before the decoder sees a packet -------------------- */

static bool h264_plausible(const uint8_t *p, size_t n)
{
    /* Annex-B: starts with a start code, first NAL has forbidden_zero_bit 0
     * and a known type */
    size_t i;
    if (n >= 4 && p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 1)
        i = 4;
    else if (n >= 3 && p[0] == 0 && p[1] == 0 && p[2] == 1)
        i = 3;
    else
        return false;
    if (i >= n || (p[i] & 0x80))
        return false;
    unsigned type = p[i] & 0x1f;
    return type >= 1 && type <= 12;
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
    return true;
}

static bool vp9_plausible(const uint8_t *p, size_t n)
{
    return n >= 2 && (p[0] >> 6) == 2; /* frame_marker */
}

static bool jpeg_plausible(const uint8_t *p, size_t n)
{
    return n >= 4 && p[0] == 0xff && p[1] == 0xd8 && p[n - 2] == 0xff && p[n - 1] == 0xd9;
}

static bool plausible(int codec, const uint8_t *p, size_t n)
{
    switch (codec) {
    case SC_CODEC_H264: return h264_plausible(p, n);
    case SC_CODEC_VP8: return vp8_plausible(p, n);
    case SC_CODEC_VP9: return vp9_plausible(p, n);
    default: return jpeg_plausible(p, n);
    }
}

/* ---- decode ------------------------------------------------------------ */

static void reset_pipeline(struct gst_decoder *d)
{
    gst_element_set_state(d->pipeline, GST_STATE_NULL);
    GstBus *bus = gst_element_get_bus(d->pipeline);
    gst_bus_set_flushing(bus, TRUE);
    gst_bus_set_flushing(bus, FALSE);
    gst_object_unref(bus);
    gst_element_set_state(d->pipeline, GST_STATE_PLAYING);
    g_mutex_lock(&d->lock);
    d->pushed = d->got = d->marker_seen = 0;
    g_mutex_unlock(&d->lock);
}

/* Waits until the marker sent after packet n reached the decoder, then
 * takes its frame if it made one. */
static GstSample *wait_frame(struct gst_decoder *d, uint64_t n, char *err, size_t err_size)
{
    gint64 deadline = g_get_monotonic_time() + STALL_TIMEOUT_US;
    bool done = true;
    g_mutex_lock(&d->lock);
    while (d->marker_seen < n && done)
        done = g_cond_wait_until(&d->cond, &d->lock, deadline);
    g_mutex_unlock(&d->lock);
    if (sc_gst_bus_error(d->pipeline, true, err, err_size))
        return NULL;
    GstSample *s = gst_app_sink_try_pull_sample(GST_APP_SINK(d->sink), 0);
    if (!s)
        sc_codec_reason(err, err_size, done ? "the decoder dropped the packet"
                                             : "the decoder stalled");
    return s;
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
    unmap_last(d);
    if (!plausible(dec->impl->codec, data, size))
        return -EINVAL;
    GstBuffer *buf = gst_buffer_new_memdup(data, size);
    GST_BUFFER_PTS(buf) = d->pushed * (GST_SECOND / 30);
    if (gst_app_src_push_buffer(GST_APP_SRC(d->src), buf) != GST_FLOW_OK) {
        reset_pipeline(d);
        return -EIO;
    }
    d->pushed++;
    GstStructure *st = gst_structure_new(MARKER, "n", G_TYPE_UINT64, (guint64)d->pushed, NULL);
    gst_element_send_event(d->src, gst_event_new_custom(GST_EVENT_CUSTOM_DOWNSTREAM, st));
    char err[256];
    GstSample *s = wait_frame(d, d->pushed, err, sizeof(err));
    if (!s) {
        sc_debug("gstreamer decoder: %s", err);
        reset_pipeline(d); /* a clean start: the next keyframe decodes */
        return -EINVAL;
    }
    d->got++;
    return export_sample(d, s, out);
}

static void gst_dec_destroy(struct sc_decoder *dec)
{
    struct gst_decoder *d = gst_dec(dec);
    unmap_last(d);
    gst_element_set_state(d->pipeline, GST_STATE_NULL);
    gst_object_unref(d->src);
    gst_object_unref(d->sink);
    gst_object_unref(d->pipeline);
    g_mutex_clear(&d->lock);
    g_cond_clear(&d->cond);
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
GST_DECODER(sc_gst_mjpeg_decoder, SC_CODEC_MJPEG, probe_mjpeg, create_mjpeg);
