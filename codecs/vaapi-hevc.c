/* vaapi:h265 encoder — H.265 (HEVC Main) on the GPU through VA-API.
 *
 * Probed like vaapi:h264: a DRM render node whose VA driver has an HEVC
 * Main encode entrypoint (EncSliceLP first, then EncSlice).  The encoding
 * itself is GStreamer's VA plugin (gst-plugins-bad "va": vah265lpenc or
 * vah265enc, registered only where such a driver exists) behind the same
 * appsrc/appsink driver as gstreamer:h265 (gst-enc.c), with the same
 * low-latency shape: no B-frames, one reference, CBR, an access unit
 * delimiter per frame, headers before every IDR.  Frames reach it as CPU
 * planes (libyuv I420, then NV12 by videoconvert): no zero copy yet.
 *
 * Not run on a GPU yet: on a machine without one the probe says why, and
 * the tests skip with that reason. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <va/va.h>

#include "codecs/backend.h"
#include "codecs/codec.h"
#include "codecs/gst-common.h"
#include "codecs/vaapi.h"

/* The VA element for node's HEVC encoder: the plugin names the first
 * render node's elements "vah265[lp]enc", the others
 * "varenderDNNNh265[lp]enc". */
static void element_name(const char *node, bool lp, char *buf, size_t size)
{
    const char *base = strrchr(node, '/');
    base = base ? base + 1 : node;
    snprintf(buf, size, "va%.32sh265%senc", strcmp(base, "renderD128") == 0 ? "" : base,
             lp ? "lp" : "");
}

/* The element to use, or false and why. */
static bool find_encoder(char *elem, size_t esize, char *reason, size_t size)
{
    static const VAEntrypoint eps[] = { VAEntrypointEncSliceLP, VAEntrypointEncSlice };
    static const VAProfile profiles[] = { VAProfileHEVCMain };
    struct sc_va_display d;
    VAProfile profile;
    VAEntrypoint ep;
    if (!sc_va_open(&d, reason, size))
        return false;
    bool ok = sc_va_find_profile(&d, profiles, 1, eps, 2, &profile, &ep);
    if (!ok)
        sc_codec_reason(reason, size, "VA driver on %s (%s) has no HEVC Main encode entrypoint",
                        d.node, d.vendor ? d.vendor : "?");
    else
        element_name(d.node, ep == VAEntrypointEncSliceLP, elem, esize);
    sc_va_close(&d);
    if (!ok)
        return false;
    const char *const need[] = { "appsrc", "appsink", "videoconvert", elem, NULL };
    return sc_gst_have_elements(need, reason, size);
}

static bool va_hevc_probe(char *reason, size_t size)
{
    char elem[64];
    return find_encoder(elem, sizeof(elem), reason, size);
}

static struct sc_encoder *va_hevc_create(const struct sc_encoder_params *p, char *reason,
                                         size_t rsize)
{
    static const char *const known[] = { NULL };
    char elem[64], desc[512];
    if (!sc_codec_check_params(p, true, reason, rsize)
        || !sc_codec_options_check(p->options, known, reason, rsize)
        || !find_encoder(elem, sizeof(elem), reason, rsize))
        return NULL;
    unsigned kbit = (p->bitrate + 999) / 1000;
    /* the plugin's GOP is at most 1024 frames: "on demand only" is that */
    uint32_t keyint = p->keyframe_interval && p->keyframe_interval < 1024 ? p->keyframe_interval
                                                                           : 1024;
    snprintf(desc, sizeof(desc),
             "videoconvert ! video/x-raw,format=NV12 ! %s name=enc aud=true b-frames=0 "
             "ref-frames=1 rate-control=cbr bitrate=%u key-int-max=%u ! "
             "video/x-h265,stream-format=byte-stream,alignment=au",
             elem, kbit ? kbit : 1, keyint);
    return sc_gst_encoder_create_desc(desc, p, reason, rsize);
}

const struct sc_encoder_ops sc_vaapi_h265_encoder = {
    .name = "vaapi", .codec = SC_CODEC_H265, .probe = va_hevc_probe, .create = va_hevc_create,
    .encode = sc_gst_enc_encode, .set_bitrate = sc_gst_enc_set_bitrate,
    .force_keyframe = sc_gst_enc_force_keyframe, .destroy = sc_gst_enc_destroy,
};
