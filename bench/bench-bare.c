/* spicecast-bench --bare: the same encoder through GStreamer's own element,
 * with the same settings, on the same frames:
 *   bare:      appsrc (BGRx) ! videoconvert ! <element> ! appsink
 *   bare i420: appsrc (I420, converted outside the timing) ! <element> ! appsink
 * Each frame is timed from push to its packet, like our encode() call, and
 * the bare pipelines get each frame right after ours, so that a busy
 * machine slows all three alike. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/backend.h"
#include "bench/bench.h"
#include "bench/content.h"
#include "codecs/convert.h"
#include "codecs/gst-common.h"

#if HAVE_GSTREAMER
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/video/video.h>

static bool element_desc(const struct sc_encoder_ops *enc, const struct sc_encoder_params *p,
                         char *buf, size_t size, char *reason, size_t rsize)
{
    if (strcmp(enc->name, "gstreamer") == 0)
        return sc_gst_encoder_desc(enc->codec, p, buf, size, reason, rsize);
    if (strcmp(enc->name, "openh264") == 0) {
        static const char *const need[] = { "openh264enc", NULL };
        return sc_gst_have_elements(need, reason, rsize) && sc_gst_openh264_desc(p, buf, size);
    }
    if (strcmp(enc->name, "vaapi") == 0 && enc->codec != SC_CODEC_H264) {
        sc_codec_reason(reason, rsize, "vaapi:%s is GStreamer's VA element already",
                        sc_codec_id_name(enc->codec));
        return false;
    }
    if (strcmp(enc->name, "vaapi") == 0) {
        static const char *const need[] = { "vaapih264enc", NULL };
        if (!sc_gst_have_elements(need, reason, rsize))
            return false;
        snprintf(buf, size, "vaapih264enc name=enc rate-control=cbr bitrate=%u keyframe-period=%u"
                 " ! video/x-h264,stream-format=byte-stream,alignment=au",
                 p->bitrate / 1000, p->keyframe_interval);
        return true;
    }
    sc_codec_reason(reason, rsize, "no GStreamer element equivalent");
    return false;
}

struct bare_pl {
    GstElement *pl, *src, *sink;
    GstVideoInfo info;
    bool i420, failed;
    double sum;
    unsigned timed;
};

struct bench_bare {
    const struct bench_options *o;
    struct bare_pl p[2]; /* BGRx + videoconvert, I420 */
};

static bool bare_open(struct bare_pl *b, const char *desc, const struct sc_encoder_params *p,
                      bool i420, char *reason, size_t rsize)
{
    char launch[1400];
    snprintf(launch, sizeof(launch),
             "appsrc name=src is-live=true format=time block=false max-bytes=0 ! %s%s ! "
             "appsink name=sink sync=false async=false max-buffers=0 drop=false",
             i420 ? "" : "videoconvert n-threads=1 ! ", desc);
    GError *gerr = NULL;
    b->i420 = i420;
    b->pl = gst_parse_launch(launch, &gerr);
    if (!b->pl) {
        sc_codec_reason(reason, rsize, "%s", gerr ? gerr->message : "parse failed");
        g_clear_error(&gerr);
        return false;
    }
    g_clear_error(&gerr);
    b->src = gst_bin_get_by_name(GST_BIN(b->pl), "src");
    b->sink = gst_bin_get_by_name(GST_BIN(b->pl), "sink");
    gst_video_info_set_format(&b->info, i420 ? GST_VIDEO_FORMAT_I420 : GST_VIDEO_FORMAT_BGRx,
                              p->width, p->height);
    GST_VIDEO_INFO_FPS_N(&b->info) = (gint)p->fps;
    GstCaps *caps = gst_video_info_to_caps(&b->info);
    gst_app_src_set_caps(GST_APP_SRC(b->src), caps);
    gst_caps_unref(caps);
    return gst_element_set_state(b->pl, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE;
}

static void bare_close(struct bare_pl *b)
{
    if (!b->pl)
        return;
    gst_element_set_state(b->pl, GST_STATE_NULL);
    gst_clear_object(&b->src);
    gst_clear_object(&b->sink);
    gst_clear_object(&b->pl);
}

/* The frame in the pipeline's input format, prepared before the clock
 * starts (the I420 pipeline's conversion is not timed). */
static GstBuffer *bare_input(struct bare_pl *b, const struct sc_frame *f)
{
    GstBuffer *buf = gst_buffer_new_allocate(NULL, b->info.size, NULL);
    GstVideoFrame vf;
    if (!gst_video_frame_map(&vf, &b->info, buf, GST_MAP_WRITE)) {
        gst_buffer_unref(buf);
        return NULL;
    }
    if (b->i420)
        sc_convert_bgrx_to_i420(f->map, f->stride, f->width, f->height,
                                GST_VIDEO_FRAME_PLANE_DATA(&vf, 0),
                                (uint32_t)GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 0),
                                GST_VIDEO_FRAME_PLANE_DATA(&vf, 1),
                                (uint32_t)GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 1),
                                GST_VIDEO_FRAME_PLANE_DATA(&vf, 2),
                                (uint32_t)GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 2));
    else
        for (uint32_t y = 0; y < f->height; y++)
            memcpy((uint8_t *)GST_VIDEO_FRAME_PLANE_DATA(&vf, 0)
                       + (size_t)y * GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 0),
                   f->map + (size_t)y * f->stride, (size_t)f->width * 4);
    gst_video_frame_unmap(&vf);
    return buf;
}

static void bare_push(struct bare_pl *b, const struct sc_frame *f, uint32_t i, uint32_t fps,
                      uint32_t warmup)
{
    if (b->failed || !b->pl)
        return;
    GstBuffer *buf = bare_input(b, f);
    if (!buf) {
        b->failed = true;
        return;
    }
    GST_BUFFER_PTS(buf) = gst_util_uint64_scale(i, GST_SECOND, fps);
    GST_BUFFER_DURATION(buf) = gst_util_uint64_scale(1, GST_SECOND, fps);
    double t0 = sc_codec_now_ms();
    gst_app_src_push_buffer(GST_APP_SRC(b->src), buf);
    GstSample *s = gst_app_sink_try_pull_sample(GST_APP_SINK(b->sink), 5 * GST_SECOND);
    double t = sc_codec_now_ms() - t0;
    if (!s) {
        b->failed = true;
        return;
    }
    gst_sample_unref(s);
    if (i >= warmup) {
        b->sum += t;
        b->timed++;
    }
}

struct bench_bare *bench_bare_new(const struct bench_options *o, const struct sc_encoder_ops *enc,
                                  const struct sc_encoder_params *p, struct bench_result *r)
{
    char desc[1024];
    if (!sc_gst_init(r->bare_reason, sizeof(r->bare_reason))
        || !element_desc(enc, p, desc, sizeof(desc), r->bare_reason, sizeof(r->bare_reason)))
        return NULL;
    struct bench_bare *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    b->o = o;
    for (int k = 0; k < 2; k++)
        if (!bare_open(&b->p[k], desc, p, k == 1, r->bare_reason, sizeof(r->bare_reason)))
            b->p[k].failed = true;
    return b;
}

void bench_bare_frame(struct bench_bare *b, const struct sc_frame *frame, uint32_t i)
{
    if (!b)
        return;
    for (int k = 0; k < 2; k++)
        bare_push(&b->p[k], frame, i, b->o->fps, b->o->warmup);
}

void bench_bare_finish(struct bench_bare *b, struct bench_result *r)
{
    if (!b)
        return;
    double fps[2];
    for (int k = 0; k < 2; k++) {
        struct bare_pl *x = &b->p[k];
        fps[k] = !x->failed && x->timed && x->sum > 0 ? x->timed / (x->sum / 1000.0) : NAN;
        bare_close(x);
    }
    r->bare_fps = fps[0];
    r->bare_i420_fps = fps[1];
    r->have_bare = !isnan(fps[0]) || !isnan(fps[1]);
    r->bare_ratio = r->encode_fps / r->bare_fps;
    r->bare_i420_ratio = r->encode_fps / r->bare_i420_fps;
    if (!r->have_bare && !r->bare_reason[0])
        snprintf(r->bare_reason, sizeof(r->bare_reason), "the bare pipeline gave no packets");
    free(b);
}
#else
struct bench_bare *bench_bare_new(const struct bench_options *o, const struct sc_encoder_ops *enc,
                                  const struct sc_encoder_params *p, struct bench_result *r)
{
    (void)o;
    (void)enc;
    (void)p;
    snprintf(r->bare_reason, sizeof(r->bare_reason), "built without GStreamer");
    return NULL;
}

void bench_bare_frame(struct bench_bare *b, const struct sc_frame *frame, uint32_t i)
{
    (void)b;
    (void)frame;
    (void)i;
}

void bench_bare_finish(struct bench_bare *b, struct bench_result *r)
{
    (void)b;
    (void)r;
}
#endif
