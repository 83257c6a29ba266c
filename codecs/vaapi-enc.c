/* vaapi:h264 encoder — libva directly (VAEntrypointEncSliceLP or
 * EncSlice).  P-frames only, one reference, one slice; CBR rate control;
 * the SPS and PPS are written by us (vaapi-h264.c) and handed to the driver
 * as packed headers in front of every IDR, so each keyframe packet stands
 * alone (Annex-B, one access unit).  A dma-buf frame is imported as a VA
 * surface and converted to NV12 by VPP (zero copy); a memfd frame is
 * converted by libyuv into the mapped surface. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <va/va.h>
#include <va/va_enc_h264.h>

#include "codecs/backend.h"
#include "codecs/codec.h"
#include "codecs/vaapi.h"
#include "common/log.h"

#define LOG2_MAX_FRAME_NUM 8
#define MAX_BUFS 12

struct va_encoder {
    struct sc_encoder base;
    struct sc_va_display d;
    struct sc_va_uploader up;
    VAProfile profile;
    VAEntrypoint ep;
    VAConfigID cfg;
    VAContextID ctx;
    VASurfaceID input, recon[2];
    VABufferID coded;
    size_t coded_size;
    bool packed_headers;
    struct sc_h264_sps_info sps;
    uint32_t wmbs, hmbs;
    uint32_t frame_num, idr_pic_id, frames_since_idr;
    unsigned cur;        /* recon[cur] is written; recon[!cur] is the reference */
    bool force_idr, bitrate_changed;
    uint8_t *out;
    size_t out_size;
};

/* Downcast through the impl pointer (a programming error otherwise). */
static struct va_encoder *va_enc(struct sc_encoder *enc)
{
    g_assert(enc->impl == &sc_vaapi_h264_encoder);
    return (struct va_encoder *)enc;
}

static const VAEntrypoint enc_eps[] = { VAEntrypointEncSliceLP, VAEntrypointEncSlice };

static bool va_enc_probe(char *reason, size_t size)
{
    struct sc_va_display d;
    if (!sc_va_open(&d, reason, size))
        return false;
    VAProfile profile;
    VAEntrypoint ep;
    bool ok = sc_va_find_h264(&d, enc_eps, 2, &profile, &ep);
    if (!ok)
        sc_codec_reason(reason, size, "VA driver on %s (%s) has no H.264 encode entrypoint",
                        d.node, d.vendor ? d.vendor : "?");
    sc_va_close(&d);
    return ok;
}

static bool create_config(struct va_encoder *e, char *reason, size_t rsize)
{
    VAConfigAttrib attr[3] = { { .type = VAConfigAttribRTFormat },
                               { .type = VAConfigAttribRateControl },
                               { .type = VAConfigAttribEncPackedHeaders } };
    vaGetConfigAttributes(e->d.dpy, e->profile, e->ep, attr, 3);
    if (attr[0].value == VA_ATTRIB_NOT_SUPPORTED || !(attr[0].value & VA_RT_FORMAT_YUV420)) {
        sc_codec_reason(reason, rsize, "VA encoder has no YUV 4:2:0 support");
        return false;
    }
    uint32_t rc = attr[1].value != VA_ATTRIB_NOT_SUPPORTED && (attr[1].value & VA_RC_CBR)
                      ? VA_RC_CBR
                      : VA_RC_VBR;
    uint32_t want = VA_ENC_PACKED_HEADER_SEQUENCE | VA_ENC_PACKED_HEADER_PICTURE;
    e->packed_headers = attr[2].value != VA_ATTRIB_NOT_SUPPORTED && (attr[2].value & want) == want;
    VAConfigAttrib set[3] = { { VAConfigAttribRTFormat, VA_RT_FORMAT_YUV420 },
                              { VAConfigAttribRateControl, rc },
                              { VAConfigAttribEncPackedHeaders, want } };
    VAStatus st = vaCreateConfig(e->d.dpy, e->profile, e->ep, set, e->packed_headers ? 3 : 2,
                                 &e->cfg);
    if (st != VA_STATUS_SUCCESS) {
        sc_codec_reason(reason, rsize, "vaCreateConfig: %s", vaErrorStr(st));
        return false;
    }
    return true;
}

static bool create_surfaces(struct va_encoder *e, char *reason, size_t rsize)
{
    const struct sc_encoder_params *p = &e->base.params;
    VASurfaceID s[3];
    VAStatus st = vaCreateSurfaces(e->d.dpy, VA_RT_FORMAT_YUV420, p->width, p->height, s, 3,
                                   NULL, 0);
    if (st != VA_STATUS_SUCCESS) {
        sc_codec_reason(reason, rsize, "vaCreateSurfaces: %s", vaErrorStr(st));
        return false;
    }
    e->input = s[0];
    e->recon[0] = s[1];
    e->recon[1] = s[2];
    st = vaCreateContext(e->d.dpy, e->cfg, (int)p->width, (int)p->height, VA_PROGRESSIVE, s, 3,
                         &e->ctx);
    if (st == VA_STATUS_SUCCESS) {
        e->coded_size = (size_t)p->width * p->height * 3 / 2 + 65536;
        st = vaCreateBuffer(e->d.dpy, e->ctx, VAEncCodedBufferType, (unsigned)e->coded_size, 1,
                            NULL, &e->coded);
    }
    if (st != VA_STATUS_SUCCESS) {
        sc_codec_reason(reason, rsize, "vaCreateContext/coded buffer: %s", vaErrorStr(st));
        return false;
    }
    return true;
}

static void va_enc_destroy(struct sc_encoder *enc);

static struct sc_encoder *va_enc_create(const struct sc_encoder_params *p, char *reason,
                                        size_t rsize)
{
    static const char *const known[] = { NULL };
    if (!sc_codec_check_params(p, true, reason, rsize)
        || !sc_codec_options_check(p->options, known, reason, rsize))
        return NULL;
    struct va_encoder *e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    e->base.impl = &sc_vaapi_h264_encoder;
    e->base.params = *p;
    e->input = e->recon[0] = e->recon[1] = VA_INVALID_SURFACE;
    e->cfg = VA_INVALID_ID;
    e->ctx = VA_INVALID_ID;
    e->coded = VA_INVALID_ID;
    if (!sc_va_open(&e->d, reason, rsize)) {
        free(e);
        return NULL;
    }
    e->up.d = &e->d;
    if (!sc_va_find_h264(&e->d, enc_eps, 2, &e->profile, &e->ep)) {
        sc_codec_reason(reason, rsize, "no H.264 encode entrypoint on %s", e->d.node);
        goto err;
    }
    if (!create_config(e, reason, rsize) || !create_surfaces(e, reason, rsize))
        goto err;
    e->wmbs = (p->width + 15) / 16;
    e->hmbs = (p->height + 15) / 16;
    e->sps = (struct sc_h264_sps_info){
        .width = p->width, .height = p->height, .fps = p->fps,
        .profile_idc = e->profile == VAProfileH264High ? 100
                       : e->profile == VAProfileH264Main ? 77 : 66,
        .constraint_flags = e->profile == VAProfileH264ConstrainedBaseline ? 0xc0 : 0,
        .level_idc = sc_h264_level_for(p->width, p->height, p->fps),
        .log2_max_frame_num_minus4 = LOG2_MAX_FRAME_NUM - 4, .max_num_ref_frames = 1,
    };
    e->force_idr = true;
    return &e->base;
err:
    va_enc_destroy(&e->base);
    return NULL;
}

/* ---- per-frame parameter buffers ------------------------------------------ */

static bool add_buf(struct va_encoder *e, VABufferID *bufs, unsigned *n, VABufferType type,
                    size_t size, const void *data)
{
    if (*n >= MAX_BUFS)
        return false;
    return vaCreateBuffer(e->d.dpy, e->ctx, type, (unsigned)size, 1, (void *)data, &bufs[(*n)++])
           == VA_STATUS_SUCCESS;
}

static bool add_misc(struct va_encoder *e, VABufferID *bufs, unsigned *n,
                     VAEncMiscParameterType type, const void *data, size_t size)
{
    uint8_t tmp[sizeof(VAEncMiscParameterBuffer) + 256] = { 0 };
    g_assert(size <= 256);
    VAEncMiscParameterBuffer *m = (VAEncMiscParameterBuffer *)(void *)tmp;
    m->type = type;
    memcpy(m->data, data, size);
    return add_buf(e, bufs, n, VAEncMiscParameterBufferType, sizeof(*m) + size, tmp);
}

static bool add_packed(struct va_encoder *e, VABufferID *bufs, unsigned *n, uint32_t type,
                       const uint8_t *nal, size_t size)
{
    VAEncPackedHeaderParameterBuffer ph = { .type = type, .bit_length = (uint32_t)size * 8,
                                            .has_emulation_bytes = 1 };
    return add_buf(e, bufs, n, VAEncPackedHeaderParameterBufferType, sizeof(ph), &ph)
           && add_buf(e, bufs, n, VAEncPackedHeaderDataBufferType, size, nal);
}

static bool add_sequence(struct va_encoder *e, VABufferID *bufs, unsigned *n)
{
    const struct sc_encoder_params *p = &e->base.params;
    VAEncSequenceParameterBufferH264 sp;
    memset(&sp, 0, sizeof(sp));
    sp.level_idc = e->sps.level_idc;
    /* no periodic keyframes: a period longer than any stream (the IDRs we
     * ask for come from force_keyframe) */
    sp.intra_period = sp.intra_idr_period = p->keyframe_interval ? p->keyframe_interval : 0xffff;
    sp.ip_period = 1;
    sp.bits_per_second = p->bitrate;
    sp.max_num_ref_frames = 1;
    sp.picture_width_in_mbs = (uint16_t)e->wmbs;
    sp.picture_height_in_mbs = (uint16_t)e->hmbs;
    sp.seq_fields.bits.chroma_format_idc = 1;
    sp.seq_fields.bits.frame_mbs_only_flag = 1;
    sp.seq_fields.bits.direct_8x8_inference_flag = 1;
    sp.seq_fields.bits.log2_max_frame_num_minus4 = LOG2_MAX_FRAME_NUM - 4;
    sp.seq_fields.bits.pic_order_cnt_type = 2;
    sp.frame_cropping_flag = e->wmbs * 16 != p->width || e->hmbs * 16 != p->height;
    sp.frame_crop_right_offset = (e->wmbs * 16 - p->width) / 2;
    sp.frame_crop_bottom_offset = (e->hmbs * 16 - p->height) / 2;
    sp.vui_parameters_present_flag = 1;
    sp.vui_fields.bits.timing_info_present_flag = 1;
    sp.num_units_in_tick = 1;
    sp.time_scale = p->fps * 2;
    VAEncMiscParameterRateControl rc = { .bits_per_second = p->bitrate, .target_percentage = 100,
                                         .window_size = 1000, .initial_qp = 26, .min_qp = 10 };
    rc.rc_flags.bits.disable_frame_skip = 1;
    rc.rc_flags.bits.reset = e->bitrate_changed;
    VAEncMiscParameterFrameRate fr = { .framerate = p->fps };
    VAEncMiscParameterHRD hrd = { .initial_buffer_fullness = p->bitrate / 2,
                                  .buffer_size = p->bitrate };
    return add_buf(e, bufs, n, VAEncSequenceParameterBufferType, sizeof(sp), &sp)
           && add_misc(e, bufs, n, VAEncMiscParameterTypeRateControl, &rc, sizeof(rc))
           && add_misc(e, bufs, n, VAEncMiscParameterTypeFrameRate, &fr, sizeof(fr))
           && add_misc(e, bufs, n, VAEncMiscParameterTypeHRD, &hrd, sizeof(hrd));
}

static void pic_of(VAPictureH264 *pic, VASurfaceID s, uint32_t frame_num, uint32_t poc)
{
    memset(pic, 0, sizeof(*pic));
    pic->picture_id = s;
    pic->frame_idx = frame_num;
    pic->flags = VA_PICTURE_H264_SHORT_TERM_REFERENCE;
    pic->TopFieldOrderCnt = pic->BottomFieldOrderCnt = (int32_t)poc;
}

static void invalid_pic(VAPictureH264 *pic)
{
    memset(pic, 0, sizeof(*pic));
    pic->picture_id = VA_INVALID_SURFACE;
    pic->flags = VA_PICTURE_H264_INVALID;
}

static bool add_picture_and_slice(struct va_encoder *e, VABufferID *bufs, unsigned *n, bool idr)
{
    bool cabac = e->profile != VAProfileH264ConstrainedBaseline;
    bool t8x8 = e->profile == VAProfileH264High;
    VAEncPictureParameterBufferH264 pp;
    memset(&pp, 0, sizeof(pp));
    pic_of(&pp.CurrPic, e->recon[e->cur], e->frame_num, 2 * e->frames_since_idr);
    for (int i = 0; i < 16; i++)
        invalid_pic(&pp.ReferenceFrames[i]);
    if (!idr)
        pic_of(&pp.ReferenceFrames[0], e->recon[!e->cur],
               (e->frame_num + (1u << LOG2_MAX_FRAME_NUM) - 1) % (1u << LOG2_MAX_FRAME_NUM),
               2 * (e->frames_since_idr - 1));
    pp.coded_buf = e->coded;
    pp.frame_num = (uint16_t)e->frame_num;
    pp.pic_init_qp = 26;
    pp.pic_fields.bits.idr_pic_flag = idr;
    pp.pic_fields.bits.reference_pic_flag = 1;
    pp.pic_fields.bits.entropy_coding_mode_flag = cabac;
    pp.pic_fields.bits.transform_8x8_mode_flag = t8x8;
    pp.pic_fields.bits.deblocking_filter_control_present_flag = 1;

    VAEncSliceParameterBufferH264 sl;
    memset(&sl, 0, sizeof(sl));
    sl.num_macroblocks = e->wmbs * e->hmbs;
    sl.slice_type = idr ? 2 : 0; /* I : P */
    sl.idr_pic_id = (uint16_t)e->idr_pic_id;
    for (int i = 0; i < 32; i++) {
        invalid_pic(&sl.RefPicList0[i]);
        invalid_pic(&sl.RefPicList1[i]);
    }
    if (!idr)
        sl.RefPicList0[0] = pp.ReferenceFrames[0];
    return add_buf(e, bufs, n, VAEncPictureParameterBufferType, sizeof(pp), &pp)
           && add_buf(e, bufs, n, VAEncSliceParameterBufferType, sizeof(sl), &sl);
}

static bool add_headers(struct va_encoder *e, VABufferID *bufs, unsigned *n)
{
    uint8_t sps[128], pps[64];
    size_t ns = sc_h264_write_sps(&e->sps, sps, sizeof(sps));
    size_t np = sc_h264_write_pps(26, e->profile != VAProfileH264ConstrainedBaseline,
                                  e->profile == VAProfileH264High, pps, sizeof(pps));
    return ns && np && add_packed(e, bufs, n, VAEncPackedHeaderSequence, sps, ns)
           && add_packed(e, bufs, n, VAEncPackedHeaderPicture, pps, np);
}

/* ---- encode ------------------------------------------------------------------ */

static int read_coded(struct va_encoder *e, size_t *len)
{
    VACodedBufferSegment *seg = NULL;
    if (vaMapBuffer(e->d.dpy, e->coded, (void **)&seg) != VA_STATUS_SUCCESS)
        return -EIO;
    size_t total = 0;
    for (VACodedBufferSegment *s = seg; s; s = s->next)
        total += s->size;
    if (total > e->out_size) {
        uint8_t *b = realloc(e->out, total);
        if (!b) {
            vaUnmapBuffer(e->d.dpy, e->coded);
            return -ENOMEM;
        }
        e->out = b;
        e->out_size = total;
    }
    size_t pos = 0;
    for (VACodedBufferSegment *s = seg; s; s = s->next) {
        memcpy(e->out + pos, s->buf, s->size);
        pos += s->size;
    }
    vaUnmapBuffer(e->d.dpy, e->coded);
    *len = pos;
    return 0;
}

static int submit(struct va_encoder *e, bool idr)
{
    VABufferID bufs[MAX_BUFS];
    unsigned n = 0;
    bool ok = true;
    if (idr || e->bitrate_changed)
        ok = add_sequence(e, bufs, &n);
    if (ok && idr && e->packed_headers)
        ok = add_headers(e, bufs, &n);
    ok = ok && add_picture_and_slice(e, bufs, &n, idr);
    VAStatus st = VA_STATUS_ERROR_OPERATION_FAILED;
    if (ok && vaBeginPicture(e->d.dpy, e->ctx, e->input) == VA_STATUS_SUCCESS) {
        st = vaRenderPicture(e->d.dpy, e->ctx, bufs, (int)n);
        VAStatus end = vaEndPicture(e->d.dpy, e->ctx);
        st = st == VA_STATUS_SUCCESS ? end : st;
    }
    for (unsigned i = 0; i < n; i++)
        vaDestroyBuffer(e->d.dpy, bufs[i]);
    if (st == VA_STATUS_SUCCESS)
        st = vaSyncSurface(e->d.dpy, e->input);
    if (st != VA_STATUS_SUCCESS) {
        sc_warn("vaapi encode: %s", vaErrorStr(st));
        return -EIO;
    }
    e->bitrate_changed = false;
    return 0;
}

static int va_enc_encode(struct sc_encoder *enc, const struct sc_frame *frame,
                         const struct sc_box *damage, unsigned n_damage, sc_packet_fn cb,
                         void *data)
{
    (void)damage; /* the whole frame */
    (void)n_damage;
    struct va_encoder *e = va_enc(enc);
    double t0 = sc_codec_now_ms();
    int r = sc_va_upload(&e->up, frame, e->input, &enc->stats.zero_copy);
    enc->stats.convert_ms = sc_codec_now_ms() - t0;
    if (r)
        return r;
    uint32_t ki = enc->params.keyframe_interval;
    bool idr = e->force_idr || (ki && e->frames_since_idr >= ki);
    if (idr) {
        e->frame_num = 0;
        e->frames_since_idr = 0;
        e->idr_pic_id = (e->idr_pic_id + 1) & 0xffff;
    }
    r = submit(e, idr);
    if (r)
        return r;
    size_t len;
    r = read_coded(e, &len);
    if (r)
        return r;
    e->force_idr = false;
    e->frame_num = (e->frame_num + 1) % (1u << LOG2_MAX_FRAME_NUM);
    e->frames_since_idr++;
    e->cur = !e->cur; /* this picture is the next one's reference */
    struct sc_packet pkt = { .data = e->out, .size = len, .keyframe = idr, .seq = frame->seq };
    cb(&pkt, data);
    return 0;
}

static int va_enc_set_bitrate(struct sc_encoder *enc, uint32_t bitrate)
{
    struct va_encoder *e = va_enc(enc);
    enc->params.bitrate = bitrate; /* sent with the next picture */
    e->bitrate_changed = true;
    return 0;
}

static void va_enc_force_keyframe(struct sc_encoder *enc)
{
    (va_enc(enc))->force_idr = true;
}

static void va_enc_destroy(struct sc_encoder *enc)
{
    if (!enc)
        return;
    struct va_encoder *e = va_enc(enc);
    sc_va_uploader_finish(&e->up);
    if (e->coded != VA_INVALID_ID)
        vaDestroyBuffer(e->d.dpy, e->coded);
    if (e->ctx != VA_INVALID_ID)
        vaDestroyContext(e->d.dpy, e->ctx);
    if (e->input != VA_INVALID_SURFACE) {
        VASurfaceID s[3] = { e->input, e->recon[0], e->recon[1] };
        vaDestroySurfaces(e->d.dpy, s, 3);
    }
    if (e->cfg != VA_INVALID_ID)
        vaDestroyConfig(e->d.dpy, e->cfg);
    sc_va_close(&e->d);
    free(e->out);
    free(e);
}

const struct sc_encoder_ops sc_vaapi_h264_encoder = {
    .name = "vaapi", .codec = SC_CODEC_H264, .probe = va_enc_probe,
    .create = va_enc_create, .encode = va_enc_encode, .set_bitrate = va_enc_set_bitrate,
    .force_keyframe = va_enc_force_keyframe, .destroy = va_enc_destroy,
};
