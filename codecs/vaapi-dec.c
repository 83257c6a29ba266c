/* vaapi:h264 decoder — libva directly (VAEntrypointVLD).  We parse the
 * SPS/PPS/slice headers (vaapi-h264.c), keep the reference list (sliding
 * window) and picture order counts, and hand each access unit to the
 * driver.  Decoded surfaces are exported as dma-bufs (DRM PRIME 2, NV12)
 * for the viewer to import like a local scanout; with want_cpu they are
 * mapped and given as NV12 planes instead.
 *
 * Scope: progressive 4:2:0 8-bit, P and I slices, sliding-window marking
 * without list reordering: what x264 zerolatency, openh264 and our VA
 * encoder send.  Anything else is refused with an error, as is a frame
 * whose reference is missing; decoding resumes at the next IDR. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <va/va.h>
#include <va/va_drmcommon.h>

#include "codecs/backend.h"
#include "codecs/codec.h"
#include "codecs/vaapi.h"
#include "common/log.h"

#define MAX_SLICES 64
#define N_SURFACES (SC_H264_MAX_REFS + 2)

struct ref { VASurfaceID s; uint32_t frame_num; int32_t poc; };

struct slice_in { struct sc_h264_slice h; const uint8_t *nal; size_t size; };

struct va_decoder {
    struct sc_decoder base;
    struct sc_va_display d;
    VAProfile profile;
    VAConfigID cfg;
    VAContextID ctx;
    VASurfaceID surf[N_SURFACES];
    uint32_t surf_w, surf_h, ctx_refs;
    struct sc_h264_sps sps[SC_H264_MAX_SPS];
    struct sc_h264_pps pps[SC_H264_MAX_PPS];
    struct ref refs[SC_H264_MAX_REFS];
    unsigned n_refs;
    bool need_idr;
    uint32_t prev_ref_frame_num, prev_frame_num_offset, prev_poc_lsb;
    int32_t prev_poc_msb;
    struct slice_in slices[MAX_SLICES];
    unsigned n_slices;
    uint8_t *rbsp;
    size_t rbsp_cap;
    /* the frame last given out */
    VAImage img;
    bool img_mapped;
    int fds[4];
    unsigned n_fds;
};

/* Downcast through the impl pointer (a programming error otherwise). */
static struct va_decoder *va_dec(struct sc_decoder *dec)
{
    g_assert(dec->impl == &sc_vaapi_h264_decoder);
    return (struct va_decoder *)dec;
}

static const VAEntrypoint dec_eps[] = { VAEntrypointVLD };

static bool va_dec_probe(char *reason, size_t size)
{
    struct sc_va_display d;
    if (!sc_va_open(&d, reason, size))
        return false;
    VAProfile profile;
    VAEntrypoint ep;
    bool ok = sc_va_find_h264(&d, dec_eps, 1, &profile, &ep);
    if (!ok)
        sc_codec_reason(reason, size, "VA driver on %s (%s) has no H.264 decode entrypoint",
                        d.node, d.vendor ? d.vendor : "?");
    sc_va_close(&d);
    return ok;
}

static void release_output(struct va_decoder *v)
{
    if (v->img_mapped) {
        vaUnmapBuffer(v->d.dpy, v->img.buf);
        vaDestroyImage(v->d.dpy, v->img.image_id);
        v->img_mapped = false;
    }
    for (unsigned i = 0; i < v->n_fds; i++)
        close(v->fds[i]);
    v->n_fds = 0;
}

static void destroy_context(struct va_decoder *v)
{
    if (v->ctx != VA_INVALID_ID)
        vaDestroyContext(v->d.dpy, v->ctx);
    if (v->surf_w)
        vaDestroySurfaces(v->d.dpy, v->surf, N_SURFACES);
    v->ctx = VA_INVALID_ID;
    v->surf_w = v->surf_h = 0;
    v->n_refs = 0;
}

static void va_dec_destroy(struct sc_decoder *dec)
{
    if (!dec)
        return;
    struct va_decoder *v = va_dec(dec);
    release_output(v);
    destroy_context(v);
    if (v->cfg != VA_INVALID_ID)
        vaDestroyConfig(v->d.dpy, v->cfg);
    sc_va_close(&v->d);
    free(v->rbsp);
    free(v);
}

static struct sc_decoder *va_dec_create(const struct sc_decoder_params *p, char *reason,
                                        size_t rsize)
{
    (void)p;
    struct va_decoder *v = calloc(1, sizeof(*v));
    if (!v)
        return NULL;
    v->base.impl = &sc_vaapi_h264_decoder;
    v->cfg = v->ctx = VA_INVALID_ID;
    v->need_idr = true;
    if (!sc_va_open(&v->d, reason, rsize)) {
        free(v);
        return NULL;
    }
    VAEntrypoint ep;
    VAConfigAttrib attr = { VAConfigAttribRTFormat, VA_RT_FORMAT_YUV420 };
    if (!sc_va_find_h264(&v->d, dec_eps, 1, &v->profile, &ep)
        || vaCreateConfig(v->d.dpy, VAProfileH264High, VAEntrypointVLD, &attr, 1, &v->cfg)
               != VA_STATUS_SUCCESS) {
        /* High decodes Main and Constrained Baseline streams too; fall back to
         * the profile the driver listed */
        if (vaCreateConfig(v->d.dpy, v->profile, VAEntrypointVLD, &attr, 1, &v->cfg)
            != VA_STATUS_SUCCESS) {
            sc_codec_reason(reason, rsize, "no H.264 decode config on %s", v->d.node);
            va_dec_destroy(&v->base);
            return NULL;
        }
    }
    return &v->base;
}

/* (Re)creates surfaces and context for an SPS. */
static int ensure_context(struct va_decoder *v, const struct sc_h264_sps *sps)
{
    uint32_t w = sps->width_mbs * 16, h = sps->height_mbs * 16;
    if (v->surf_w == w && v->surf_h == h && v->ctx_refs >= sps->max_num_ref_frames)
        return 0;
    destroy_context(v);
    if (vaCreateSurfaces(v->d.dpy, VA_RT_FORMAT_YUV420, w, h, v->surf, N_SURFACES, NULL, 0)
        != VA_STATUS_SUCCESS)
        return -ENOMEM;
    v->surf_w = w;
    v->surf_h = h;
    if (vaCreateContext(v->d.dpy, v->cfg, (int)w, (int)h, VA_PROGRESSIVE, v->surf, N_SURFACES,
                        &v->ctx) != VA_STATUS_SUCCESS) {
        destroy_context(v);
        return -EIO;
    }
    v->ctx_refs = SC_H264_MAX_REFS;
    return 0;
}

static VASurfaceID free_surface(struct va_decoder *v)
{
    for (unsigned i = 0; i < N_SURFACES; i++) {
        bool used = false;
        for (unsigned r = 0; r < v->n_refs && !used; r++)
            used = v->refs[r].s == v->surf[i];
        if (!used)
            return v->surf[i];
    }
    return VA_INVALID_SURFACE;
}

/* ---- parsing the access unit ---------------------------------------------------- */

static int parse_nal(struct va_decoder *v, const uint8_t *nal, size_t size)
{
    if (size < 2 || (nal[0] & 0x80))
        return -EINVAL;
    unsigned type = nal[0] & 0x1f;
    if (type != 1 && type != 5 && type != 7 && type != 8)
        return 0; /* SEI, AUD, filler...: nothing to decode */
    if (size > v->rbsp_cap) {
        uint8_t *b = realloc(v->rbsp, size);
        if (!b)
            return -ENOMEM;
        v->rbsp = b;
        v->rbsp_cap = size;
    }
    size_t n = sc_h264_unescape(nal, size, v->rbsp);
    uint32_t id;
    if (type == 7) {
        struct sc_h264_sps s;
        int r = sc_h264_parse_sps(v->rbsp + 1, n - 1, &s, &id);
        if (r == 0)
            v->sps[id] = s;
        return r;
    }
    if (type == 8) {
        struct sc_h264_pps p;
        int r = sc_h264_parse_pps(v->rbsp + 1, n - 1, v->sps, &p, &id);
        if (r == 0)
            v->pps[id] = p;
        return r;
    }
    if (v->n_slices == MAX_SLICES)
        return -ENOTSUP;
    struct slice_in *s = &v->slices[v->n_slices];
    int r = sc_h264_parse_slice(v->rbsp, n, v->sps, v->pps, &s->h);
    if (r)
        return r;
    s->nal = nal;
    s->size = size;
    v->n_slices++;
    return 0;
}

static int parse_au(struct va_decoder *v, const uint8_t *data, size_t size)
{
    size_t pos = 0;
    const uint8_t *nal;
    size_t nal_size;
    bool any = false;
    v->n_slices = 0;
    while (sc_h264_next_nal(data, size, &pos, &nal, &nal_size)) {
        any = true;
        int r = parse_nal(v, nal, nal_size);
        if (r)
            return r;
    }
    if (!any)
        return -EINVAL; /* not Annex-B */
    /* one picture: every slice agrees, and they start at macroblock 0 */
    for (unsigned i = 0; i < v->n_slices; i++) {
        const struct sc_h264_slice *a = &v->slices[0].h, *b = &v->slices[i].h;
        if (b->frame_num != a->frame_num || b->pps_id != a->pps_id
            || b->nal_type != a->nal_type || (i == 0 && a->first_mb != 0))
            return -EINVAL;
    }
    return 0;
}

/* ---- picture order and references ------------------------------------------------ */

static int32_t compute_poc(struct va_decoder *v, const struct sc_h264_sps *sps,
                           const struct sc_h264_slice *sl)
{
    bool idr = sl->nal_type == 5;
    if (sps->poc_type == 2) {
        uint32_t max = 1u << sps->log2_max_frame_num;
        uint32_t off = idr ? 0
                       : v->prev_ref_frame_num > sl->frame_num ? v->prev_frame_num_offset + max
                                                              : v->prev_frame_num_offset;
        v->prev_frame_num_offset = off;
        int32_t abs = (int32_t)(off + sl->frame_num);
        return idr ? 0 : sl->nal_ref_idc ? 2 * abs : 2 * abs - 1;
    }
    int32_t max_lsb = 1 << sps->log2_max_poc_lsb;
    if (idr)
        v->prev_poc_msb = 0, v->prev_poc_lsb = 0;
    int32_t lsb = (int32_t)sl->poc_lsb, plsb = (int32_t)v->prev_poc_lsb, msb = v->prev_poc_msb;
    if (lsb < plsb && plsb - lsb >= max_lsb / 2)
        msb += max_lsb;
    else if (lsb > plsb && lsb - plsb > max_lsb / 2)
        msb -= max_lsb;
    if (sl->nal_ref_idc) {
        v->prev_poc_msb = msb;
        v->prev_poc_lsb = (uint32_t)lsb;
    }
    int32_t top = msb + lsb, bottom = top + sl->delta_poc_bottom;
    return top < bottom ? top : bottom;
}

static void va_pic(VAPictureH264 *p, VASurfaceID s, uint32_t frame_num, int32_t poc,
                   uint32_t flags)
{
    memset(p, 0, sizeof(*p));
    p->picture_id = s;
    p->frame_idx = frame_num;
    p->flags = flags;
    p->TopFieldOrderCnt = p->BottomFieldOrderCnt = poc;
}

static int64_t pic_num(uint32_t frame_num, uint32_t cur, uint32_t maxfn)
{
    return frame_num > cur ? (int64_t)frame_num - maxfn : frame_num;
}

static void mark_reference(struct va_decoder *v, const struct sc_h264_sps *sps,
                           const struct sc_h264_slice *sl, VASurfaceID s, int32_t poc)
{
    if (sl->nal_type == 5)
        v->n_refs = 0;
    uint32_t maxfn = 1u << sps->log2_max_frame_num;
    for (uint32_t k = 0; k < sl->n_unmark; k++) { /* MMCO 1 */
        int64_t x = (int64_t)sl->frame_num - (sl->unmark_diff_minus1[k] + 1);
        for (unsigned i = 0; i < v->n_refs; i++)
            if (pic_num(v->refs[i].frame_num, sl->frame_num, maxfn) == x) {
                v->refs[i] = v->refs[--v->n_refs];
                break;
            }
    }
    uint32_t max_refs = sps->max_num_ref_frames ? sps->max_num_ref_frames : 1;
    if (sl->n_unmark == 0 && v->n_refs >= max_refs) {
        /* sliding window: drop the lowest FrameNumWrap */
        unsigned oldest = 0;
        int64_t best = INT64_MAX;
        for (unsigned i = 0; i < v->n_refs; i++) {
            int64_t wrap = pic_num(v->refs[i].frame_num, sl->frame_num, maxfn);
            if (wrap < best)
                best = wrap, oldest = i;
        }
        v->refs[oldest] = v->refs[--v->n_refs];
    }
    v->refs[v->n_refs++] = (struct ref){ s, sl->frame_num, poc };
    v->prev_ref_frame_num = sl->frame_num;
}

/* RefPicList0 for a P slice: short-term references by descending PicNum. */
static void build_list0(struct va_decoder *v, const struct sc_h264_sps *sps,
                        const struct sc_h264_slice *sl, VAPictureH264 *list)
{
    struct ref sorted[SC_H264_MAX_REFS];
    int64_t key[SC_H264_MAX_REFS];
    uint32_t maxfn = 1u << sps->log2_max_frame_num;
    for (unsigned i = 0; i < v->n_refs; i++) {
        sorted[i] = v->refs[i];
        key[i] = v->refs[i].frame_num > sl->frame_num ? (int64_t)v->refs[i].frame_num - maxfn
                                                      : v->refs[i].frame_num;
    }
    for (unsigned i = 1; i < v->n_refs; i++) /* insertion sort, n <= 16 */
        for (unsigned j = i; j > 0 && key[j] > key[j - 1]; j--) {
            struct ref t = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
            int64_t k = key[j];
            key[j] = key[j - 1];
            key[j - 1] = k;
        }
    /* ref_pic_list_modification (8.2.4.3.1), short-term pictures */
    unsigned n = v->n_refs;
    int64_t pred = sl->frame_num;
    for (uint32_t m = 0; m < sl->n_mods; m++) {
        int64_t d = sl->mods[m].abs_diff_pic_num_minus1 + 1;
        int64_t nowrap = sl->mods[m].idc == 0 ? pred - d : pred + d;
        if (nowrap < 0)
            nowrap += maxfn;
        else if (nowrap >= maxfn)
            nowrap -= maxfn;
        pred = nowrap;
        int64_t want = nowrap > sl->frame_num ? nowrap - maxfn : nowrap;
        unsigned at = m; /* entries before m are already placed */
        while (at < n && key[at] != want)
            at++;
        if (at == n || m >= n)
            continue; /* a missing picture: the driver conceals */
        struct ref t = sorted[at];
        int64_t tk = key[at];
        memmove(&sorted[m + 1], &sorted[m], (at - m) * sizeof(*sorted));
        memmove(&key[m + 1], &key[m], (at - m) * sizeof(*key));
        sorted[m] = t;
        key[m] = tk;
    }
    for (unsigned i = 0; i < 32; i++) {
        if (i < v->n_refs && i < sl->num_ref_idx_l0_active)
            va_pic(&list[i], sorted[i].s, sorted[i].frame_num, sorted[i].poc,
                   VA_PICTURE_H264_SHORT_TERM_REFERENCE);
        else
            va_pic(&list[i], VA_INVALID_SURFACE, 0, 0, VA_PICTURE_H264_INVALID);
    }
}

/* ---- submitting to the driver ------------------------------------------------------ */

static void fill_picture(struct va_decoder *v, const struct sc_h264_sps *sps,
                         const struct sc_h264_pps *pps, const struct sc_h264_slice *sl,
                         VASurfaceID cur, int32_t poc, VAPictureParameterBufferH264 *pp)
{
    memset(pp, 0, sizeof(*pp));
    va_pic(&pp->CurrPic, cur, sl->frame_num, poc, 0);
    for (unsigned i = 0; i < 16; i++) {
        if (i < v->n_refs)
            va_pic(&pp->ReferenceFrames[i], v->refs[i].s, v->refs[i].frame_num, v->refs[i].poc,
                   VA_PICTURE_H264_SHORT_TERM_REFERENCE);
        else
            va_pic(&pp->ReferenceFrames[i], VA_INVALID_SURFACE, 0, 0, VA_PICTURE_H264_INVALID);
    }
    pp->picture_width_in_mbs_minus1 = (uint16_t)(sps->width_mbs - 1);
    pp->picture_height_in_mbs_minus1 = (uint16_t)(sps->height_mbs - 1);
    pp->num_ref_frames = (uint8_t)sps->max_num_ref_frames;
    pp->seq_fields.bits.chroma_format_idc = 1;
    pp->seq_fields.bits.gaps_in_frame_num_value_allowed_flag = sps->gaps_allowed;
    pp->seq_fields.bits.frame_mbs_only_flag = 1;
    pp->seq_fields.bits.direct_8x8_inference_flag = sps->direct_8x8;
    pp->seq_fields.bits.MinLumaBiPredSize8x8 = sps->level_idc >= 31;
    pp->seq_fields.bits.log2_max_frame_num_minus4 = sps->log2_max_frame_num - 4;
    pp->seq_fields.bits.pic_order_cnt_type = sps->poc_type;
    pp->seq_fields.bits.log2_max_pic_order_cnt_lsb_minus4 =
        sps->poc_type == 0 ? sps->log2_max_poc_lsb - 4 : 0;
    pp->pic_init_qp_minus26 = (int8_t)(pps->pic_init_qp - 26);
    pp->pic_init_qs_minus26 = (int8_t)(pps->pic_init_qs - 26);
    pp->chroma_qp_index_offset = (int8_t)pps->chroma_qp_index_offset;
    pp->second_chroma_qp_index_offset = (int8_t)pps->second_chroma_qp_index_offset;
    pp->pic_fields.bits.entropy_coding_mode_flag = pps->cabac;
    pp->pic_fields.bits.weighted_pred_flag = pps->weighted_pred;
    pp->pic_fields.bits.weighted_bipred_idc = pps->weighted_bipred_idc;
    pp->pic_fields.bits.transform_8x8_mode_flag = pps->transform_8x8;
    pp->pic_fields.bits.constrained_intra_pred_flag = pps->constrained_intra_pred;
    pp->pic_fields.bits.pic_order_present_flag = pps->bottom_field_pic_order_present;
    pp->pic_fields.bits.deblocking_filter_control_present_flag =
        pps->deblocking_filter_control_present;
    pp->pic_fields.bits.redundant_pic_cnt_present_flag = pps->redundant_pic_cnt_present;
    pp->pic_fields.bits.reference_pic_flag = sl->nal_ref_idc != 0;
    pp->frame_num = (uint16_t)sl->frame_num;
}

static void fill_slice(struct va_decoder *v, const struct sc_h264_sps *sps,
                       const struct slice_in *in, VASliceParameterBufferH264 *sp)
{
    const struct sc_h264_slice *sl = &in->h;
    memset(sp, 0, sizeof(*sp));
    sp->slice_data_size = (uint32_t)in->size;
    sp->slice_data_flag = VA_SLICE_DATA_FLAG_ALL;
    sp->slice_data_bit_offset = (uint16_t)sl->header_bits;
    sp->first_mb_in_slice = (uint16_t)sl->first_mb;
    sp->slice_type = (uint8_t)sl->slice_type;
    sp->num_ref_idx_l0_active_minus1 =
        sl->slice_type == 0 ? (uint8_t)(sl->num_ref_idx_l0_active - 1) : 0;
    sp->cabac_init_idc = (uint8_t)sl->cabac_init_idc;
    sp->slice_qp_delta = (int8_t)sl->slice_qp_delta;
    sp->disable_deblocking_filter_idc = (uint8_t)sl->disable_deblocking;
    sp->slice_alpha_c0_offset_div2 = (int8_t)sl->alpha_div2;
    sp->slice_beta_offset_div2 = (int8_t)sl->beta_div2;
    if (sl->slice_type == 0)
        build_list0(v, sps, sl, sp->RefPicList0);
    else
        for (unsigned i = 0; i < 32; i++)
            va_pic(&sp->RefPicList0[i], VA_INVALID_SURFACE, 0, 0, VA_PICTURE_H264_INVALID);
    for (unsigned i = 0; i < 32; i++)
        va_pic(&sp->RefPicList1[i], VA_INVALID_SURFACE, 0, 0, VA_PICTURE_H264_INVALID);
    sp->luma_log2_weight_denom = (uint8_t)sl->luma_log2_denom;
    sp->chroma_log2_weight_denom = (uint8_t)sl->chroma_log2_denom;
    sp->luma_weight_l0_flag = sl->luma_flag;
    sp->chroma_weight_l0_flag = sl->chroma_flag;
    memcpy(sp->luma_weight_l0, sl->luma_weight, sizeof(sl->luma_weight));
    memcpy(sp->luma_offset_l0, sl->luma_offset, sizeof(sl->luma_offset));
    memcpy(sp->chroma_weight_l0, sl->chroma_weight, sizeof(sl->chroma_weight));
    memcpy(sp->chroma_offset_l0, sl->chroma_offset, sizeof(sl->chroma_offset));
}

static int render(struct va_decoder *v, VASurfaceID cur, const VAPictureParameterBufferH264 *pp,
                  const struct sc_h264_sps *sps)
{
    VAIQMatrixBufferH264 iq;
    memset(&iq, 16, sizeof(iq)); /* flat: no scaling matrices (refused when present) */
    VABufferID bufs[2 + 2 * MAX_SLICES];
    unsigned n = 0;
    VAStatus st = vaCreateBuffer(v->d.dpy, v->ctx, VAPictureParameterBufferType, sizeof(*pp), 1,
                                 (void *)pp, &bufs[n++]);
    if (st == VA_STATUS_SUCCESS)
        st = vaCreateBuffer(v->d.dpy, v->ctx, VAIQMatrixBufferType, sizeof(iq), 1, &iq,
                            &bufs[n++]);
    for (unsigned i = 0; i < v->n_slices && st == VA_STATUS_SUCCESS; i++) {
        VASliceParameterBufferH264 sp;
        fill_slice(v, sps, &v->slices[i], &sp);
        st = vaCreateBuffer(v->d.dpy, v->ctx, VASliceParameterBufferType, sizeof(sp), 1, &sp,
                            &bufs[n++]);
        if (st == VA_STATUS_SUCCESS)
            st = vaCreateBuffer(v->d.dpy, v->ctx, VASliceDataBufferType,
                                (unsigned)v->slices[i].size, 1, (void *)v->slices[i].nal,
                                &bufs[n++]);
    }
    if (st == VA_STATUS_SUCCESS)
        st = vaBeginPicture(v->d.dpy, v->ctx, cur);
    if (st == VA_STATUS_SUCCESS) {
        st = vaRenderPicture(v->d.dpy, v->ctx, bufs, (int)n);
        VAStatus end = vaEndPicture(v->d.dpy, v->ctx);
        st = st == VA_STATUS_SUCCESS ? end : st;
    }
    for (unsigned i = 0; i < n; i++)
        vaDestroyBuffer(v->d.dpy, bufs[i]);
    if (st == VA_STATUS_SUCCESS)
        st = vaSyncSurface(v->d.dpy, cur);
    if (st != VA_STATUS_SUCCESS) {
        sc_debug("vaapi decode: %s", vaErrorStr(st));
        return -EIO;
    }
    return 0;
}

/* ---- output -------------------------------------------------------------------------- */

static int output_cpu(struct va_decoder *v, VASurfaceID s, const struct sc_h264_sps *sps,
                      struct sc_decoded_frame *out)
{
    uint8_t *map;
    bool ok = vaDeriveImage(v->d.dpy, s, &v->img) == VA_STATUS_SUCCESS;
    if (ok && v->img.format.fourcc != VA_FOURCC_NV12) {
        vaDestroyImage(v->d.dpy, v->img.image_id);
        ok = false;
    }
    if (!ok) { /* no derived image: copy the surface into one with vaGetImage */
        VAImageFormat fmt = { .fourcc = VA_FOURCC_NV12, .byte_order = VA_LSB_FIRST,
                              .bits_per_pixel = 12 };
        if (vaCreateImage(v->d.dpy, &fmt, (int)v->surf_w, (int)v->surf_h, &v->img)
            != VA_STATUS_SUCCESS)
            return -EIO;
        if (vaGetImage(v->d.dpy, s, 0, 0, v->surf_w, v->surf_h, v->img.image_id)
            != VA_STATUS_SUCCESS) {
            vaDestroyImage(v->d.dpy, v->img.image_id);
            return -EIO;
        }
    }
    if (vaMapBuffer(v->d.dpy, v->img.buf, (void **)&map) != VA_STATUS_SUCCESS) {
        vaDestroyImage(v->d.dpy, v->img.image_id);
        return -EIO;
    }
    v->img_mapped = true;
    out->kind = SC_DECODED_CPU;
    out->format = SC_PIXFMT_NV12;
    out->n_planes = 2;
    for (unsigned i = 0; i < 2; i++) {
        out->plane[i] = map + v->img.offsets[i];
        out->stride[i] = v->img.pitches[i];
    }
    out->width = sps->width;
    out->height = sps->height;
    return 1;
}

static int output_dmabuf(struct va_decoder *v, VASurfaceID s, const struct sc_h264_sps *sps,
                         struct sc_decoded_frame *out)
{
    VADRMPRIMESurfaceDescriptor desc;
    if (vaExportSurfaceHandle(v->d.dpy, s, VA_SURFACE_ATTRIB_MEM_TYPE_DRM_PRIME_2,
                              VA_EXPORT_SURFACE_READ_ONLY | VA_EXPORT_SURFACE_COMPOSED_LAYERS,
                              &desc) != VA_STATUS_SUCCESS)
        return output_cpu(v, s, sps, out);
    for (unsigned i = 0; i < desc.num_objects && i < 4; i++)
        v->fds[v->n_fds++] = desc.objects[i].fd;
    if (desc.num_objects != 1 || desc.num_layers != 1) { /* one fd per frame, composed */
        release_output(v);
        return output_cpu(v, s, sps, out);
    }
    out->kind = SC_DECODED_DMABUF;
    out->format = SC_PIXFMT_NV12;
    out->fd = desc.objects[0].fd;
    out->drm_fourcc = desc.layers[0].drm_format;
    out->modifier = desc.objects[0].drm_format_modifier;
    out->n_planes = desc.layers[0].num_planes > 3 ? 3 : desc.layers[0].num_planes;
    for (unsigned i = 0; i < out->n_planes; i++) {
        out->offset[i] = desc.layers[0].offset[i];
        out->stride[i] = desc.layers[0].pitch[i];
    }
    out->width = sps->width;
    out->height = sps->height;
    return 1;
}

static int va_dec_decode(struct sc_decoder *dec, const uint8_t *data, size_t size,
                         struct sc_decoded_frame *out)
{
    struct va_decoder *v = va_dec(dec);
    release_output(v);
    int r = parse_au(v, data, size);
    if (r) {
        v->need_idr = true;
        return r == -ENOTSUP ? -ENOTSUP : -EINVAL;
    }
    if (v->n_slices == 0)
        return 0; /* parameter sets only */
    const struct sc_h264_slice *sl = &v->slices[0].h;
    const struct sc_h264_pps *pps = &v->pps[sl->pps_id];
    const struct sc_h264_sps *sps = &v->sps[pps->sps_id];
    bool idr = sl->nal_type == 5;
    uint32_t maxfn = 1u << sps->log2_max_frame_num;
    if (!idr && (v->need_idr || (!sps->gaps_allowed && sl->nal_ref_idc
                                 && sl->frame_num != (v->prev_ref_frame_num + 1) % maxfn)))
        goto err_wait_idr; /* a lost or broken reference: wait for the next IDR */
    if ((r = ensure_context(v, sps)) != 0)
        goto err_wait_idr;
    VASurfaceID cur = free_surface(v);
    if (cur == VA_INVALID_SURFACE)
        goto err_wait_idr;
    if (idr)
        v->n_refs = 0;
    int32_t poc = compute_poc(v, sps, sl);
    VAPictureParameterBufferH264 pp;
    fill_picture(v, sps, pps, sl, cur, poc, &pp);
    if (render(v, cur, &pp, sps) < 0)
        goto err_wait_idr;
    if (sl->nal_ref_idc)
        mark_reference(v, sps, sl, cur, poc);
    v->need_idr = false;
    out->keyframe = idr;
    return dec->params.want_cpu ? output_cpu(v, cur, sps, out)
                                : output_dmabuf(v, cur, sps, out);
err_wait_idr:
    v->need_idr = true;
    return -EINVAL;
}

const struct sc_decoder_ops sc_vaapi_h264_decoder = {
    .name = "vaapi", .codec = SC_CODEC_H264, .probe = va_dec_probe,
    .create = va_dec_create, .decode = va_dec_decode, .destroy = va_dec_destroy,
};
