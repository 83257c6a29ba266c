/* openh264:h264 — Cisco's libopenh264 used directly, encoder and decoder.
 *
 * Encoder defaults: camera usage and low complexity (on this machine faster
 * and sharper than screen-content mode, which options "usage=screen"
 * selects), one slice, CAVLC, no frame skipping (one packet per frame),
 * constant SPS/PPS ids.  openh264 writes Annex-B with start codes and emits
 * SPS/PPS ahead of every IDR, so each keyframe packet stands alone. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <wels/codec_api.h>

#include "codecs/backend.h"
#include "codecs/codec.h"
#include "codecs/convert.h"
#include "common/log.h"

struct oh264_encoder {
    struct sc_encoder base;
    ISVCEncoder *wels;
    struct sc_yuv yuv;
    uint8_t *out;
    size_t out_size;
    uint64_t n_frames;
    bool have_prev;    /* yuv holds the conversion of frame last_seq */
    uint64_t last_seq;
};

/* Downcast through the impl pointer (a programming error otherwise). */
static struct oh264_encoder *oh264_enc(struct sc_encoder *enc)
{
    g_assert(enc->impl == &sc_openh264_encoder);
    return (struct oh264_encoder *)enc;
}

struct oh264_decoder {
    struct sc_decoder base;
    ISVCDecoder *wels;
};

/* Downcast through the impl pointer (a programming error otherwise). */
static struct oh264_decoder *oh264_dec(struct sc_decoder *dec)
{
    g_assert(dec->impl == &sc_openh264_decoder);
    return (struct oh264_decoder *)dec;
}

static bool oh264_probe(char *reason, size_t size)
{
    ISVCEncoder *e = NULL;
    if (WelsCreateSVCEncoder(&e) != 0 || !e) {
        sc_codec_reason(reason, size, "libopenh264: WelsCreateSVCEncoder failed");
        return false;
    }
    WelsDestroySVCEncoder(e);
    return true;
}

static bool oh264_dec_probe(char *reason, size_t size)
{
    ISVCDecoder *d = NULL;
    if (WelsCreateDecoder(&d) != 0 || !d) {
        sc_codec_reason(reason, size, "libopenh264: WelsCreateDecoder failed");
        return false;
    }
    WelsDestroyDecoder(d);
    return true;
}

static bool parse_options(const struct sc_encoder_params *p, SEncParamExt *ep, char *reason,
                          size_t rsize)
{
    static const char *const known[] = { "usage", "complexity", NULL };
    if (!sc_codec_options_check(p->options, known, reason, rsize))
        return false;
    char v[32];
    ep->iUsageType = CAMERA_VIDEO_REAL_TIME;
    if (sc_codec_option(p->options, "usage", v, sizeof(v))) {
        if (strcmp(v, "screen") == 0)
            ep->iUsageType = SCREEN_CONTENT_REAL_TIME;
        else if (strcmp(v, "camera") != 0) {
            sc_codec_reason(reason, rsize, "usage must be camera or screen, not '%s'", v);
            return false;
        }
    }
    ep->iComplexityMode = LOW_COMPLEXITY;
    if (sc_codec_option(p->options, "complexity", v, sizeof(v))) {
        if (strcmp(v, "medium") == 0)
            ep->iComplexityMode = MEDIUM_COMPLEXITY;
        else if (strcmp(v, "high") == 0)
            ep->iComplexityMode = HIGH_COMPLEXITY;
        else if (strcmp(v, "low") != 0) {
            sc_codec_reason(reason, rsize, "complexity must be low, medium or high");
            return false;
        }
    }
    return true;
}

static void fill_params(const struct sc_encoder_params *p, SEncParamExt *ep)
{
    ep->iPicWidth = (int)p->width;
    ep->iPicHeight = (int)p->height;
    ep->iTargetBitrate = (int)p->bitrate;
    ep->iMaxBitrate = UNSPECIFIED_BIT_RATE;
    ep->iRCMode = RC_BITRATE_MODE;
    ep->fMaxFrameRate = (float)p->fps;
    ep->uiIntraPeriod = p->keyframe_interval;
    ep->eSpsPpsIdStrategy = CONSTANT_ID;
    ep->bEnableFrameSkip = false;
    ep->iMultipleThreadIdc = p->threads ? (unsigned short)p->threads : 1;
    ep->iEntropyCodingModeFlag = 0;
    ep->iTemporalLayerNum = p->droppable ? 2 : 1;
    ep->iSpatialLayerNum = 1;
    ep->bPrefixNalAddingCtrl = false;
    SSpatialLayerConfig *l = &ep->sSpatialLayers[0];
    l->iVideoWidth = ep->iPicWidth;
    l->iVideoHeight = ep->iPicHeight;
    l->fFrameRate = ep->fMaxFrameRate;
    l->iSpatialBitrate = ep->iTargetBitrate;
    l->iMaxSpatialBitrate = UNSPECIFIED_BIT_RATE;
    l->sSliceArgument.uiSliceMode = SM_SINGLE_SLICE;
}

static struct sc_encoder *oh264_create(const struct sc_encoder_params *p, char *reason,
                                       size_t rsize)
{
    if (!sc_codec_check_params(p, true, reason, rsize))
        return NULL;
    struct oh264_encoder *e = calloc(1, sizeof(*e));
    if (!e || !sc_yuv_init(&e->yuv, SC_PIXFMT_I420, p->width, p->height)) {
        sc_codec_reason(reason, rsize, "out of memory");
        goto err_free;
    }
    if (WelsCreateSVCEncoder(&e->wels) != 0) {
        sc_codec_reason(reason, rsize, "WelsCreateSVCEncoder failed");
        goto err_free;
    }
    int quiet = WELS_LOG_QUIET;
    (*e->wels)->SetOption(e->wels, ENCODER_OPTION_TRACE_LEVEL, &quiet);
    SEncParamExt ep;
    (*e->wels)->GetDefaultParams(e->wels, &ep);
    if (!parse_options(p, &ep, reason, rsize))
        goto err_wels;
    fill_params(p, &ep);
    if ((*e->wels)->InitializeExt(e->wels, &ep) != 0) {
        sc_codec_reason(reason, rsize, "openh264 InitializeExt rejected %ux%u@%u %u bit/s",
                        p->width, p->height, p->fps, p->bitrate);
        goto err_wels;
    }
    int fmt = videoFormatI420;
    (*e->wels)->SetOption(e->wels, ENCODER_OPTION_DATAFORMAT, &fmt);
    return &e->base;
err_wels:
    WelsDestroySVCEncoder(e->wels);
err_free:
    if (e)
        sc_yuv_finish(&e->yuv);
    free(e);
    return NULL;
}

/* Gathers every NAL of every layer into one access unit.  libopenh264
 * writes the layers one after the other into its own bitstream buffer: then
 * the access unit is that buffer (valid until the next EncodeFrame()); the
 * copy into e->out is only for layers that are not back to back. */
static int collect(struct oh264_encoder *e, const SFrameBSInfo *info, const uint8_t **au,
                   size_t *len)
{
    size_t total = 0;
    bool contiguous = true;
    const uint8_t *first = info->iLayerNum > 0 ? info->sLayerInfo[0].pBsBuf : NULL;
    for (int i = 0; i < info->iLayerNum; i++) {
        contiguous = contiguous && info->sLayerInfo[i].pBsBuf == first + total;
        for (int n = 0; n < info->sLayerInfo[i].iNalCount; n++)
            total += (size_t)info->sLayerInfo[i].pNalLengthInByte[n];
    }
    *len = total;
    if (contiguous) {
        *au = first;
        return 0;
    }
    if (total > e->out_size) {
        uint8_t *b = realloc(e->out, total);
        if (!b)
            return -ENOMEM;
        e->out = b;
        e->out_size = total;
    }
    size_t pos = 0;
    for (int i = 0; i < info->iLayerNum; i++) {
        const SLayerBSInfo *l = &info->sLayerInfo[i];
        size_t n = 0;
        for (int k = 0; k < l->iNalCount; k++)
            n += (size_t)l->pNalLengthInByte[k];
        memcpy(e->out + pos, l->pBsBuf, n);
        pos += n;
    }
    *au = e->out;
    return 0;
}

static int oh264_encode(struct sc_encoder *enc, const struct sc_frame *frame,
                        const struct sc_box *damage, unsigned n_damage, sc_packet_fn cb,
                        void *data)
{
    (void)damage; /* the whole frame; its own damage narrows the conversion */
    (void)n_damage;
    struct oh264_encoder *e = oh264_enc(enc);
    uint32_t stride;
    const uint8_t *px = sc_codec_frame_pixels(frame, &stride);
    if (!px)
        return -EINVAL;
    double t0 = sc_codec_now_ms();
    struct sc_yuv *y = &e->yuv;
    /* the next frame of the same source: only its damage changed */
    bool partial = e->have_prev && frame->seq == e->last_seq + 1
                   && sc_convert_bgrx_to_i420_damage(frame, px, stride, y);
    e->have_prev = false;
    if (!partial && !sc_convert_bgrx_to_i420(px, stride, frame->width, frame->height,
                                             y->plane[0], y->stride[0], y->plane[1],
                                             y->stride[1], y->plane[2], y->stride[2]))
        return -EINVAL;
    e->have_prev = true;
    e->last_seq = frame->seq;
    enc->stats.convert_ms = sc_codec_now_ms() - t0;
    enc->stats.zero_copy = false;

    SSourcePicture pic = { 0 };
    pic.iColorFormat = videoFormatI420;
    pic.iPicWidth = (int)frame->width;
    pic.iPicHeight = (int)frame->height;
    for (int i = 0; i < 3; i++) {
        pic.pData[i] = y->plane[i];
        pic.iStride[i] = (int)y->stride[i];
    }
    pic.uiTimeStamp = (long long)(e->n_frames++ * 1000 / enc->params.fps);
    SFrameBSInfo info;
    memset(&info, 0, sizeof(info));
    if ((*e->wels)->EncodeFrame(e->wels, &pic, &info) != cmResultSuccess)
        return -EIO;
    if (info.eFrameType == videoFrameTypeSkip || info.eFrameType == videoFrameTypeInvalid)
        return 0;
    const uint8_t *au;
    size_t len;
    int r = collect(e, &info, &au, &len);
    if (r)
        return r;
    struct sc_packet pkt = { .data = au, .size = len,
                             .keyframe = info.eFrameType == videoFrameTypeIDR,
                             .seq = frame->seq };
    cb(&pkt, data);
    return 0;
}

static int oh264_set_bitrate(struct sc_encoder *enc, uint32_t bitrate)
{
    struct oh264_encoder *e = oh264_enc(enc);
    SBitrateInfo bi = { .iLayer = SPATIAL_LAYER_ALL, .iBitrate = (int)bitrate };
    if ((*e->wels)->SetOption(e->wels, ENCODER_OPTION_BITRATE, &bi) != 0)
        return -EINVAL;
    return 0;
}

static void oh264_force_keyframe(struct sc_encoder *enc)
{
    struct oh264_encoder *e = oh264_enc(enc);
    (*e->wels)->ForceIntraFrame(e->wels, true);
}

static void oh264_destroy(struct sc_encoder *enc)
{
    struct oh264_encoder *e = oh264_enc(enc);
    (*e->wels)->Uninitialize(e->wels);
    WelsDestroySVCEncoder(e->wels);
    sc_yuv_finish(&e->yuv);
    free(e->out);
    free(e);
}

/* ---- decoder --------------------------------------------------------- */

static struct sc_decoder *oh264_dec_create(const struct sc_decoder_params *p, char *reason,
                                           size_t rsize)
{
    (void)p;
    struct oh264_decoder *d = calloc(1, sizeof(*d));
    if (!d || WelsCreateDecoder(&d->wels) != 0) {
        sc_codec_reason(reason, rsize, "WelsCreateDecoder failed");
        free(d);
        return NULL;
    }
    int quiet = WELS_LOG_QUIET;
    (*d->wels)->SetOption(d->wels, DECODER_OPTION_TRACE_LEVEL, &quiet);
    SDecodingParam dp = { 0 };
    dp.sVideoProperty.eVideoBsType = VIDEO_BITSTREAM_AVC;
    dp.eEcActiveIdc = ERROR_CON_DISABLE; /* a broken frame is an error, not a smear */
    if ((*d->wels)->Initialize(d->wels, &dp) != 0) {
        sc_codec_reason(reason, rsize, "openh264 decoder Initialize failed");
        WelsDestroyDecoder(d->wels);
        free(d);
        return NULL;
    }
    return &d->base;
}

static int oh264_decode(struct sc_decoder *dec, const uint8_t *data, size_t size,
                        struct sc_decoded_frame *out)
{
    struct oh264_decoder *d = oh264_dec(dec);
    static const uint8_t aud[] = { 0, 0, 1, 0x09 };
    static const uint8_t filler_sei[] = { 0, 0, 1, 0x06, 0x03, 0x00, 0x80 };
    if (size > (size_t)(64 << 20))
        return -EINVAL;
    /* the server ends each access unit with the next one's delimiter and
     * an empty filler SEI (server/stream-data.c): DecodeFrameNoDelay would
     * take them as a new, empty unit and flush nothing, the picture lost;
     * they carry nothing */
    if (size >= 7 && memcmp(data + size - 7, filler_sei, 7) == 0)
        size -= size >= 8 && data[size - 8] == 0 ? 8 : 7;
    if (size >= 5 && memcmp(data + size - 5, aud, 4) == 0)
        size -= size >= 6 && data[size - 6] == 0 ? 6 : 5;
    if (size == 0)
        return 0; /* a delimiter alone: a stream's first message */
    unsigned char *planes[3] = { NULL, NULL, NULL };
    SBufferInfo bi;
    memset(&bi, 0, sizeof(bi));
    DECODING_STATE st =
        (*d->wels)->DecodeFrameNoDelay(d->wels, data, (int)size, planes, &bi);
    if (st != dsErrorFree) {
        sc_debug("openh264: decode state 0x%x", (unsigned)st);
        return -EINVAL;
    }
    if (bi.iBufferStatus != 1 || !planes[0])
        return 0;
    const SSysMEMBuffer *sb = &bi.UsrData.sSystemBuffer;
    out->kind = SC_DECODED_CPU;
    out->format = SC_PIXFMT_I420;
    out->width = (uint32_t)sb->iWidth;
    out->height = (uint32_t)sb->iHeight;
    out->n_planes = 3;
    for (int i = 0; i < 3; i++) {
        out->plane[i] = planes[i];
        out->stride[i] = (uint32_t)sb->iStride[i ? 1 : 0];
    }
    return 1;
}

static void oh264_dec_destroy(struct sc_decoder *dec)
{
    struct oh264_decoder *d = oh264_dec(dec);
    (*d->wels)->Uninitialize(d->wels);
    WelsDestroyDecoder(d->wels);
    free(d);
}

const struct sc_encoder_ops sc_openh264_encoder = {
    .name = "openh264", .codec = SC_CODEC_H264, .probe = oh264_probe,
    .create = oh264_create, .encode = oh264_encode, .set_bitrate = oh264_set_bitrate,
    .force_keyframe = oh264_force_keyframe, .destroy = oh264_destroy,
};
const struct sc_decoder_ops sc_openh264_decoder = {
    .name = "openh264", .codec = SC_CODEC_H264, .probe = oh264_dec_probe,
    .create = oh264_dec_create, .decode = oh264_decode, .destroy = oh264_dec_destroy,
};
