/* spicecast-bench --bare: the same encoder through GStreamer's own element,
 * with the same settings, on the same frames:
 *   bare:      appsrc (BGRx) ! videoconvert ! <element> ! appsink
 *   bare i420: appsrc (I420, converted outside the timing) ! <element> ! appsink
 * Each frame is timed from push to its packet, like our encode() call. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/backend.h"
#include "codecs/bench.h"
#include "codecs/content.h"
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

/* Times one bare pipeline; returns fps or NAN. */
static double run_one(const struct bench_options *o, const char *content_spec, const char *desc,
                      const struct sc_encoder_params *p, bool i420, char *reason, size_t rsize)
{
    char launch[1400];
    snprintf(launch, sizeof(launch),
             "appsrc name=src is-live=true format=time block=false max-bytes=0 ! %s%s ! "
             "appsink name=sink sync=false async=false max-buffers=0 drop=false",
             i420 ? "" : "videoconvert n-threads=1 ! ", desc);
    GError *gerr = NULL;
    GstElement *pl = gst_parse_launch(launch, &gerr);
    if (!pl) {
        sc_codec_reason(reason, rsize, "%s", gerr ? gerr->message : "parse failed");
        g_clear_error(&gerr);
        return NAN;
    }
    g_clear_error(&gerr);
    GstElement *src = gst_bin_get_by_name(GST_BIN(pl), "src");
    GstElement *sink = gst_bin_get_by_name(GST_BIN(pl), "sink");
    GstVideoInfo info;
    gst_video_info_set_format(&info, i420 ? GST_VIDEO_FORMAT_I420 : GST_VIDEO_FORMAT_BGRx,
                              p->width, p->height);
    GST_VIDEO_INFO_FPS_N(&info) = (gint)p->fps;
    GstCaps *caps = gst_video_info_to_caps(&info);
    gst_app_src_set_caps(GST_APP_SRC(src), caps);
    gst_caps_unref(caps);
    gst_element_set_state(pl, GST_STATE_PLAYING);

    char err[256];
    struct sc_content *c = sc_content_create(content_spec, p->width, p->height, err, sizeof(err));
    struct sc_frame *f = sc_content_frame_new(p->width, p->height);
    double sum = 0;
    unsigned timed = 0;
    for (uint32_t i = 0; c && f && i < o->frames; i++) {
        if (sc_content_next(c, f, err, sizeof(err)) != 1)
            break;
        GstBuffer *b = gst_buffer_new_allocate(NULL, info.size, NULL);
        GstVideoFrame vf;
        gst_video_frame_map(&vf, &info, b, GST_MAP_WRITE);
        if (i420)
            sc_convert_bgrx_to_i420(f->map, f->stride, p->width, p->height,
                                    GST_VIDEO_FRAME_PLANE_DATA(&vf, 0),
                                    (uint32_t)GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 0),
                                    GST_VIDEO_FRAME_PLANE_DATA(&vf, 1),
                                    (uint32_t)GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 1),
                                    GST_VIDEO_FRAME_PLANE_DATA(&vf, 2),
                                    (uint32_t)GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 2));
        else
            for (uint32_t y = 0; y < p->height; y++)
                memcpy((uint8_t *)GST_VIDEO_FRAME_PLANE_DATA(&vf, 0)
                           + (size_t)y * GST_VIDEO_FRAME_PLANE_STRIDE(&vf, 0),
                       f->map + (size_t)y * f->stride, (size_t)p->width * 4);
        gst_video_frame_unmap(&vf);
        GST_BUFFER_PTS(b) = gst_util_uint64_scale(i, GST_SECOND, p->fps);
        GST_BUFFER_DURATION(b) = gst_util_uint64_scale(1, GST_SECOND, p->fps);
        double t0 = sc_codec_now_ms();
        gst_app_src_push_buffer(GST_APP_SRC(src), b);
        GstSample *s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 5 * GST_SECOND);
        double t = sc_codec_now_ms() - t0;
        if (!s) {
            sc_codec_reason(reason, rsize, "no packet from the bare pipeline");
            sum = 0;
            break;
        }
        gst_sample_unref(s);
        if (i >= o->warmup) {
            sum += t;
            timed++;
        }
    }
    sc_content_frame_free(f);
    sc_content_destroy(c);
    gst_element_set_state(pl, GST_STATE_NULL);
    gst_object_unref(src);
    gst_object_unref(sink);
    gst_object_unref(pl);
    return sum > 0 ? timed / (sum / 1000.0) : NAN;
}

void bench_run_bare(const struct bench_options *o, const char *content,
                    const struct sc_encoder_ops *enc, const struct sc_encoder_params *p,
                    struct bench_result *r)
{
    char desc[1024];
    r->have_bare = false;
    if (!sc_gst_init(r->bare_reason, sizeof(r->bare_reason))
        || !element_desc(enc, p, desc, sizeof(desc), r->bare_reason, sizeof(r->bare_reason)))
        return;
    if (!o->quiet)
        fprintf(stderr, "%s %s: bare GStreamer runs\n", r->content, r->pipeline);
    r->bare_fps = run_one(o, content, desc, p, false, r->bare_reason, sizeof(r->bare_reason));
    r->bare_i420_fps = run_one(o, content, desc, p, true, r->bare_reason, sizeof(r->bare_reason));
    r->have_bare = !isnan(r->bare_fps) || !isnan(r->bare_i420_fps);
    r->bare_ratio = r->encode_fps / r->bare_fps;
    r->bare_i420_ratio = r->encode_fps / r->bare_i420_fps;
}
#else
void bench_run_bare(const struct bench_options *o, const char *content,
                    const struct sc_encoder_ops *enc, const struct sc_encoder_params *p,
                    struct bench_result *r)
{
    (void)o; (void)content; (void)enc; (void)p;
    r->have_bare = false;
    snprintf(r->bare_reason, sizeof(r->bare_reason), "built without GStreamer");
}
#endif
