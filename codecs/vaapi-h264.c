/* H.264 bitstream pieces for the VA-API backend: an exp-Golomb writer with
 * emulation prevention for the SPS/PPS the encoder packs in front of every
 * IDR, and a bounds-checked reader for the decoder's header parsing. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "codecs/vaapi.h"

/* ---- writer ------------------------------------------------------------- */

void sc_bw_init(struct sc_bitwriter *w, uint8_t *buf, size_t cap)
{
    w->buf = buf;
    w->cap = cap;
    w->bits = 0;
    memset(buf, 0, cap);
}

void sc_bw_u(struct sc_bitwriter *w, unsigned n, uint32_t v)
{
    for (unsigned i = n; i-- > 0;) {
        if (w->bits / 8 >= w->cap)
            return; /* caller checks the size; never write out of bounds */
        if ((v >> i) & 1)
            w->buf[w->bits / 8] |= (uint8_t)(0x80 >> (w->bits % 8));
        w->bits++;
    }
}

void sc_bw_ue(struct sc_bitwriter *w, uint32_t v)
{
    uint64_t x = (uint64_t)v + 1;
    unsigned len = 0;
    while ((x >> len) > 1)
        len++;
    sc_bw_u(w, len, 0);
    sc_bw_u(w, len + 1, (uint32_t)x);
}

void sc_bw_se(struct sc_bitwriter *w, int32_t v)
{
    sc_bw_ue(w, v > 0 ? (uint32_t)(2 * v - 1) : (uint32_t)(-2 * (int64_t)v));
}

void sc_bw_trailing(struct sc_bitwriter *w)
{
    sc_bw_u(w, 1, 1);
    while (w->bits % 8)
        sc_bw_u(w, 1, 0);
}

/* start code + header byte + RBSP with emulation prevention */
static size_t wrap_nal(uint8_t header, const uint8_t *rbsp, size_t n, uint8_t *out, size_t cap)
{
    size_t o = 0;
    static const uint8_t start[] = { 0, 0, 0, 1 };
    if (cap < 5)
        return 0;
    memcpy(out, start, 4);
    out[4] = header;
    o = 5;
    unsigned zeros = 0;
    for (size_t i = 0; i < n; i++) {
        if (zeros >= 2 && rbsp[i] <= 3) {
            if (o >= cap)
                return 0;
            out[o++] = 3;
            zeros = 0;
        }
        if (o >= cap)
            return 0;
        out[o++] = rbsp[i];
        zeros = rbsp[i] == 0 ? zeros + 1 : 0;
    }
    return o;
}

uint8_t sc_h264_level_for(uint32_t width, uint32_t height, uint32_t fps)
{
    /* by macroblocks per second and frame size (H.264 table A-1) */
    static const struct { uint8_t level; uint32_t mbps, fs; } t[] = {
        { 30, 40500, 1620 },    { 31, 108000, 3600 },   { 32, 216000, 5120 },
        { 40, 245760, 8192 },   { 42, 522240, 8704 },   { 50, 589824, 22080 },
        { 51, 983040, 36864 },  { 52, 2073600, 36864 }, { 60, 4177920, 139264 },
        { 62, 16711680, 139264 },
    };
    uint32_t fs = ((width + 15) / 16) * ((height + 15) / 16);
    uint64_t mbps = (uint64_t)fs * fps;
    for (size_t i = 0; i < sizeof(t) / sizeof(*t); i++)
        if (fs <= t[i].fs && mbps <= t[i].mbps)
            return t[i].level;
    return 62;
}

size_t sc_h264_write_sps(const struct sc_h264_sps_info *s, uint8_t *out, size_t cap)
{
    uint8_t rbsp[64];
    struct sc_bitwriter w;
    sc_bw_init(&w, rbsp, sizeof(rbsp));
    uint32_t wmbs = (s->width + 15) / 16, hmbs = (s->height + 15) / 16;
    sc_bw_u(&w, 8, s->profile_idc);
    sc_bw_u(&w, 8, s->constraint_flags);
    sc_bw_u(&w, 8, s->level_idc);
    sc_bw_ue(&w, 0); /* seq_parameter_set_id */
    if (s->profile_idc == 100) {
        sc_bw_ue(&w, 1);   /* chroma_format_idc 4:2:0 */
        sc_bw_ue(&w, 0);   /* bit_depth_luma_minus8 */
        sc_bw_ue(&w, 0);   /* bit_depth_chroma_minus8 */
        sc_bw_u(&w, 1, 0); /* qpprime_y_zero_transform_bypass_flag */
        sc_bw_u(&w, 1, 0); /* seq_scaling_matrix_present_flag */
    }
    sc_bw_ue(&w, s->log2_max_frame_num_minus4);
    sc_bw_ue(&w, 2); /* pic_order_cnt_type 2: POC from frame_num, no B-frames */
    sc_bw_ue(&w, s->max_num_ref_frames);
    sc_bw_u(&w, 1, 0); /* gaps_in_frame_num_value_allowed_flag */
    sc_bw_ue(&w, wmbs - 1);
    sc_bw_ue(&w, hmbs - 1);
    sc_bw_u(&w, 1, 1); /* frame_mbs_only_flag */
    sc_bw_u(&w, 1, 1); /* direct_8x8_inference_flag */
    bool crop = wmbs * 16 != s->width || hmbs * 16 != s->height;
    sc_bw_u(&w, 1, crop);
    if (crop) { /* 4:2:0 crop units are 2 pixels */
        sc_bw_ue(&w, 0);
        sc_bw_ue(&w, (wmbs * 16 - s->width) / 2);
        sc_bw_ue(&w, 0);
        sc_bw_ue(&w, (hmbs * 16 - s->height) / 2);
    }
    sc_bw_u(&w, 1, 1); /* vui_parameters_present_flag: timing only */
    sc_bw_u(&w, 1, 0); /* aspect_ratio_info_present_flag */
    sc_bw_u(&w, 1, 0); /* overscan_info_present_flag */
    sc_bw_u(&w, 1, 0); /* video_signal_type_present_flag */
    sc_bw_u(&w, 1, 0); /* chroma_loc_info_present_flag */
    sc_bw_u(&w, 1, 1); /* timing_info_present_flag */
    sc_bw_u(&w, 32, 1);              /* num_units_in_tick */
    sc_bw_u(&w, 32, s->fps * 2);     /* time_scale */
    sc_bw_u(&w, 1, 0);               /* fixed_frame_rate_flag */
    sc_bw_u(&w, 1, 0); /* nal_hrd_parameters_present_flag */
    sc_bw_u(&w, 1, 0); /* vcl_hrd_parameters_present_flag */
    sc_bw_u(&w, 1, 0); /* pic_struct_present_flag */
    sc_bw_u(&w, 1, 1); /* bitstream_restriction_flag */
    sc_bw_u(&w, 1, 1); /* motion_vectors_over_pic_boundaries_flag */
    sc_bw_ue(&w, 0);   /* max_bytes_per_pic_denom */
    sc_bw_ue(&w, 0);   /* max_bits_per_mb_denom */
    sc_bw_ue(&w, 15);  /* log2_max_mv_length_horizontal */
    sc_bw_ue(&w, 15);  /* log2_max_mv_length_vertical */
    sc_bw_ue(&w, 0);   /* max_num_reorder_frames: output at once */
    sc_bw_ue(&w, s->max_num_ref_frames); /* max_dec_frame_buffering */
    sc_bw_trailing(&w);
    if (w.bits / 8 >= sizeof(rbsp))
        return 0;
    return wrap_nal(0x67, rbsp, w.bits / 8, out, cap); /* nal_ref_idc 3, type 7 */
}

size_t sc_h264_write_pps(int pic_init_qp, bool cabac, bool transform_8x8, uint8_t *out,
                         size_t cap)
{
    uint8_t rbsp[32];
    struct sc_bitwriter w;
    sc_bw_init(&w, rbsp, sizeof(rbsp));
    sc_bw_ue(&w, 0);           /* pic_parameter_set_id */
    sc_bw_ue(&w, 0);           /* seq_parameter_set_id */
    sc_bw_u(&w, 1, cabac);     /* entropy_coding_mode_flag */
    sc_bw_u(&w, 1, 0);         /* bottom_field_pic_order_in_frame_present_flag */
    sc_bw_ue(&w, 0);           /* num_slice_groups_minus1 */
    sc_bw_ue(&w, 0);           /* num_ref_idx_l0_default_active_minus1 */
    sc_bw_ue(&w, 0);           /* num_ref_idx_l1_default_active_minus1 */
    sc_bw_u(&w, 1, 0);         /* weighted_pred_flag */
    sc_bw_u(&w, 2, 0);         /* weighted_bipred_idc */
    sc_bw_se(&w, pic_init_qp - 26);
    sc_bw_se(&w, 0);           /* pic_init_qs_minus26 */
    sc_bw_se(&w, 0);           /* chroma_qp_index_offset */
    sc_bw_u(&w, 1, 1);         /* deblocking_filter_control_present_flag */
    sc_bw_u(&w, 1, 0);         /* constrained_intra_pred_flag */
    sc_bw_u(&w, 1, 0);         /* redundant_pic_cnt_present_flag */
    if (transform_8x8) {
        sc_bw_u(&w, 1, 1);     /* transform_8x8_mode_flag */
        sc_bw_u(&w, 1, 0);     /* pic_scaling_matrix_present_flag */
        sc_bw_se(&w, 0);       /* second_chroma_qp_index_offset */
    }
    sc_bw_trailing(&w);
    return wrap_nal(0x68, rbsp, w.bits / 8, out, cap); /* nal_ref_idc 3, type 8 */
}

/* ---- reader ------------------------------------------------------------- */

void sc_br_init(struct sc_bitreader *r, const uint8_t *buf, size_t size)
{
    r->buf = buf;
    r->size = size;
    r->pos = 0;
    r->error = false;
}

uint32_t sc_br_u(struct sc_bitreader *r, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        if (r->pos >= r->size * 8) {
            r->error = true;
            return 0;
        }
        v = (v << 1) | ((r->buf[r->pos / 8] >> (7 - r->pos % 8)) & 1);
        r->pos++;
    }
    return v;
}

uint32_t sc_br_ue(struct sc_bitreader *r)
{
    unsigned zeros = 0;
    while (!r->error && sc_br_u(r, 1) == 0) {
        if (++zeros > 31) {
            r->error = true;
            return 0;
        }
    }
    if (r->error)
        return 0;
    uint64_t v = ((uint64_t)1 << zeros) - 1 + sc_br_u(r, zeros);
    if (v > UINT32_MAX - 1) {
        r->error = true;
        return 0;
    }
    return (uint32_t)v;
}

int32_t sc_br_se(struct sc_bitreader *r)
{
    uint32_t k = sc_br_ue(r);
    return (k & 1) ? (int32_t)((k + 1) / 2) : -(int32_t)(k / 2);
}

size_t sc_h264_unescape(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t o = 0;
    unsigned zeros = 0;
    for (size_t i = 0; i < n; i++) {
        if (zeros >= 2 && in[i] == 3) {
            zeros = 0;
            continue;
        }
        out[o++] = in[i];
        zeros = in[i] == 0 ? zeros + 1 : 0;
    }
    return o;
}

bool sc_h264_more_rbsp_data(const struct sc_bitreader *r)
{
    /* the last 1 bit in the buffer is the rbsp_stop_one_bit */
    size_t last = r->size;
    while (last > 0 && r->buf[last - 1] == 0)
        last--;
    if (last == 0)
        return false;
    uint8_t b = r->buf[last - 1];
    unsigned tz = 0;
    while (!((b >> tz) & 1))
        tz++;
    size_t stop = (last - 1) * 8 + (7 - tz);
    return r->pos < stop;
}

bool sc_h264_next_nal(const uint8_t *buf, size_t size, size_t *pos, const uint8_t **nal,
                      size_t *nal_size)
{
    size_t i = *pos;
    /* find a start code */
    while (i + 3 <= size && !(buf[i] == 0 && buf[i + 1] == 0 && buf[i + 2] == 1))
        i++;
    if (i + 3 > size)
        return false;
    size_t start = i + 3, end = start;
    while (end + 3 <= size && !(buf[end] == 0 && buf[end + 1] == 0
                                && (buf[end + 2] == 1 || (buf[end + 2] == 0 && end + 3 < size
                                                          && buf[end + 3] == 1))))
        end++;
    if (end + 3 > size)
        end = size;
    /* trailing zero bytes belong to the next start code */
    size_t e = end;
    while (e > start && buf[e - 1] == 0 && e < size)
        e--;
    *nal = buf + start;
    *nal_size = e - start;
    *pos = end;
    return *nal_size > 0;
}

/* ---- header parsing ---------------------------------------------------------- */

static bool high_profile(uint8_t p)
{
    static const uint8_t hp[] = { 100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135 };
    for (size_t i = 0; i < sizeof(hp); i++)
        if (hp[i] == p)
            return true;
    return false;
}

int sc_h264_parse_sps(const uint8_t *rbsp, size_t n, struct sc_h264_sps *s, uint32_t *id)
{
    struct sc_bitreader r;
    sc_br_init(&r, rbsp, n);
    memset(s, 0, sizeof(*s));
    s->profile_idc = (uint8_t)sc_br_u(&r, 8);
    sc_br_u(&r, 8); /* constraint flags */
    s->level_idc = (uint8_t)sc_br_u(&r, 8);
    *id = sc_br_ue(&r);
    if (r.error || *id >= SC_H264_MAX_SPS)
        return -EINVAL;
    if (high_profile(s->profile_idc)) {
        if (sc_br_ue(&r) != 1)         /* chroma_format_idc */
            return -ENOTSUP;
        if (sc_br_ue(&r) != 0 || sc_br_ue(&r) != 0) /* bit depths */
            return -ENOTSUP;
        sc_br_u(&r, 1);                /* qpprime_y_zero_transform_bypass */
        if (sc_br_u(&r, 1))            /* seq_scaling_matrix_present */
            return -ENOTSUP;
    }
    uint32_t lfn = sc_br_ue(&r);
    s->poc_type = sc_br_ue(&r);
    if (lfn > 12 || s->poc_type > 2)
        return -EINVAL;
    s->log2_max_frame_num = lfn + 4;
    if (s->poc_type == 1)
        return -ENOTSUP;
    if (s->poc_type == 0) {
        uint32_t l = sc_br_ue(&r);
        if (l > 12)
            return -EINVAL;
        s->log2_max_poc_lsb = l + 4;
    }
    s->max_num_ref_frames = sc_br_ue(&r);
    s->gaps_allowed = sc_br_u(&r, 1);
    s->width_mbs = sc_br_ue(&r) + 1;
    s->height_mbs = sc_br_ue(&r) + 1;
    if (!sc_br_u(&r, 1)) /* frame_mbs_only_flag */
        return -ENOTSUP;
    s->direct_8x8 = sc_br_u(&r, 1);
    uint32_t cl = 0, cr = 0, ct = 0, cb = 0;
    if (sc_br_u(&r, 1)) {
        cl = sc_br_ue(&r);
        cr = sc_br_ue(&r);
        ct = sc_br_ue(&r);
        cb = sc_br_ue(&r);
    }
    if (r.error || s->max_num_ref_frames > SC_H264_MAX_REFS || s->width_mbs > SC_CODEC_MAX_DIM / 16
        || s->height_mbs > SC_CODEC_MAX_DIM / 16)
        return -EINVAL;
    uint64_t cw = 2ull * (cl + cr), ch = 2ull * (ct + cb);
    if (cw >= s->width_mbs * 16ull || ch >= s->height_mbs * 16ull)
        return -EINVAL;
    s->width = s->width_mbs * 16 - (uint32_t)cw;
    s->height = s->height_mbs * 16 - (uint32_t)ch;
    s->valid = true; /* VUI is not needed for decoding */
    return 0;
}

/* se(v) with the range H.264 7.4 gives the field (8-bit video), else the
 * reader's error flag: no arithmetic on a hostile 32-bit value */
static int32_t se_in(struct sc_bitreader *r, int32_t lo, int32_t hi)
{
    int32_t v = sc_br_se(r);
    if (v < lo || v > hi) {
        r->error = true;
        return 0;
    }
    return v;
}

int sc_h264_parse_pps(const uint8_t *rbsp, size_t n, const struct sc_h264_sps *sps,
                      struct sc_h264_pps *p, uint32_t *id)
{
    struct sc_bitreader r;
    sc_br_init(&r, rbsp, n);
    memset(p, 0, sizeof(*p));
    *id = sc_br_ue(&r);
    p->sps_id = sc_br_ue(&r);
    if (r.error || *id >= SC_H264_MAX_PPS || p->sps_id >= SC_H264_MAX_SPS)
        return -EINVAL;
    if (!sps[p->sps_id].valid)
        return -EINVAL;
    p->cabac = sc_br_u(&r, 1);
    p->bottom_field_pic_order_present = sc_br_u(&r, 1);
    if (sc_br_ue(&r) != 0) /* num_slice_groups_minus1: no FMO */
        return -ENOTSUP;
    p->num_ref_idx_l0_default = sc_br_ue(&r) + 1;
    sc_br_ue(&r); /* l1 default */
    p->weighted_pred = sc_br_u(&r, 1);
    p->weighted_bipred_idc = sc_br_u(&r, 2);
    p->pic_init_qp = 26 + se_in(&r, -26, 25);
    p->pic_init_qs = 26 + se_in(&r, -26, 25);
    p->chroma_qp_index_offset = se_in(&r, -12, 12);
    p->deblocking_filter_control_present = sc_br_u(&r, 1);
    p->constrained_intra_pred = sc_br_u(&r, 1);
    p->redundant_pic_cnt_present = sc_br_u(&r, 1);
    p->second_chroma_qp_index_offset = p->chroma_qp_index_offset;
    if (!r.error && sc_h264_more_rbsp_data(&r)) {
        p->transform_8x8 = sc_br_u(&r, 1);
        if (sc_br_u(&r, 1)) /* pic_scaling_matrix_present */
            return -ENOTSUP;
        p->second_chroma_qp_index_offset = se_in(&r, -12, 12);
    }
    if (r.error || p->num_ref_idx_l0_default > 32)
        return -EINVAL;
    p->valid = true;
    return 0;
}

static int parse_weights(struct sc_bitreader *r, struct sc_h264_slice *sl)
{
    sl->luma_log2_denom = sc_br_ue(r);
    sl->chroma_log2_denom = sc_br_ue(r);
    if (sl->luma_log2_denom > 7 || sl->chroma_log2_denom > 7)
        return -EINVAL;
    for (uint32_t i = 0; i < sl->num_ref_idx_l0_active; i++) {
        sl->luma_weight[i] = (int16_t)(1 << sl->luma_log2_denom);
        if (sc_br_u(r, 1)) {
            sl->luma_flag = true;
            sl->luma_weight[i] = (int16_t)se_in(r, -128, 127);
            sl->luma_offset[i] = (int16_t)se_in(r, -128, 127);
        }
        for (int j = 0; j < 2; j++)
            sl->chroma_weight[i][j] = (int16_t)(1 << sl->chroma_log2_denom);
        if (sc_br_u(r, 1)) {
            sl->chroma_flag = true;
            for (int j = 0; j < 2; j++) {
                sl->chroma_weight[i][j] = (int16_t)se_in(r, -128, 127);
                sl->chroma_offset[i][j] = (int16_t)se_in(r, -128, 127);
            }
        }
    }
    return r->error ? -EINVAL : 0;
}

/* ref_pic_list_modification() for list 0: short-term entries only */
static int parse_list_mods(struct sc_bitreader *r, struct sc_h264_slice *sl)
{
    for (;;) {
        uint32_t idc = sc_br_ue(r);
        if (r->error || idc > 3 || sl->n_mods == 33)
            return -EINVAL;
        if (idc == 3)
            return 0;
        if (idc == 2)
            return -ENOTSUP; /* long-term */
        sl->mods[sl->n_mods].idc = idc;
        sl->mods[sl->n_mods++].abs_diff_pic_num_minus1 = sc_br_ue(r);
    }
}

/* dec_ref_pic_marking(): sliding window, or MMCO 1 only */
static int parse_marking(struct sc_bitreader *r, struct sc_h264_slice *sl, bool idr)
{
    if (idr) {
        sc_br_u(r, 1); /* no_output_of_prior_pics */
        return sc_br_u(r, 1) ? -ENOTSUP : 0; /* long_term_reference_flag */
    }
    if (!sc_br_u(r, 1)) /* adaptive_ref_pic_marking_mode_flag */
        return 0;
    for (;;) {
        uint32_t op = sc_br_ue(r);
        if (r->error || op > 6)
            return -EINVAL;
        if (op == 0)
            return 0;
        if (op != 1 || sl->n_unmark == 32)
            return -ENOTSUP; /* long-term operations, "forget all" */
        sl->unmark_diff_minus1[sl->n_unmark++] = sc_br_ue(r);
    }
}

int sc_h264_parse_slice(const uint8_t *nal, size_t n, const struct sc_h264_sps *sps_list,
                        const struct sc_h264_pps *pps_list, struct sc_h264_slice *sl)
{
    struct sc_bitreader r;
    sc_br_init(&r, nal, n);
    memset(sl, 0, sizeof(*sl));
    sc_br_u(&r, 1); /* forbidden_zero_bit */
    sl->nal_ref_idc = sc_br_u(&r, 2);
    sl->nal_type = sc_br_u(&r, 5);
    bool idr = sl->nal_type == 5;
    sl->first_mb = sc_br_ue(&r);
    sl->slice_type = sc_br_ue(&r) % 5;
    sl->pps_id = sc_br_ue(&r);
    if (r.error || sl->pps_id >= SC_H264_MAX_PPS || !pps_list[sl->pps_id].valid)
        return -EINVAL;
    if (sl->slice_type != 0 && sl->slice_type != 2)
        return -ENOTSUP; /* B, SP, SI */
    if (idr && sl->slice_type != 2)
        return -EINVAL;
    const struct sc_h264_pps *pps = &pps_list[sl->pps_id];
    const struct sc_h264_sps *sps = &sps_list[pps->sps_id];
    if (!sps->valid || sl->first_mb >= sps->width_mbs * sps->height_mbs)
        return -EINVAL;
    sl->frame_num = sc_br_u(&r, sps->log2_max_frame_num);
    if (idr)
        sl->idr_pic_id = sc_br_ue(&r);
    if (sps->poc_type == 0) {
        sl->poc_lsb = sc_br_u(&r, sps->log2_max_poc_lsb);
        if (pps->bottom_field_pic_order_present)
            sl->delta_poc_bottom = sc_br_se(&r);
    }
    if (pps->redundant_pic_cnt_present && sc_br_ue(&r) != 0)
        return -ENOTSUP; /* redundant pictures */
    sl->num_ref_idx_l0_active = pps->num_ref_idx_l0_default;
    if (sl->slice_type == 0) {
        if (sc_br_u(&r, 1)) /* num_ref_idx_active_override_flag */
            sl->num_ref_idx_l0_active = sc_br_ue(&r) + 1;
        if (sl->num_ref_idx_l0_active > 32)
            return -EINVAL;
        if (sc_br_u(&r, 1)) { /* ref_pic_list_modification_flag_l0 */
            int m = parse_list_mods(&r, sl);
            if (m)
                return m;
        }
        if (pps->weighted_pred && parse_weights(&r, sl) < 0)
            return -EINVAL;
    }
    if (sl->nal_ref_idc) {
        int m = parse_marking(&r, sl, idr);
        if (m)
            return m;
    }
    if (pps->cabac && sl->slice_type != 2) {
        sl->cabac_init_idc = sc_br_ue(&r);
        if (sl->cabac_init_idc > 2)
            return -EINVAL;
    }
    sl->slice_qp_delta = se_in(&r, -51, 51); /* and 0 <= QP <= 51, below */
    if (pps->deblocking_filter_control_present) {
        sl->disable_deblocking = sc_br_ue(&r);
        if (sl->disable_deblocking > 2)
            return -EINVAL;
        if (sl->disable_deblocking != 1) {
            sl->alpha_div2 = se_in(&r, -6, 6);
            sl->beta_div2 = se_in(&r, -6, 6);
        }
    }
    int qp = pps->pic_init_qp + sl->slice_qp_delta;
    if (r.error || qp < 0 || qp > 51)
        return -EINVAL;
    sl->header_bits = (uint32_t)r.pos;
    return 0;
}
