/* vaapi:h264 internals shared by the VA-API encoder (vaapi-enc.c), decoder
 * (vaapi-dec.c) and the H.264 bitstream helpers (vaapi-h264.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <va/va.h>

#include "codecs/codec.h"

/* A VA display on a DRM render node. */
struct sc_va_display {
    int fd;
    VADisplay dpy;
    char node[64];
    const char *vendor;
};

/* Opens the first render node (/dev/dri/renderD*) on which vaInitialize
 * works.  false with exactly why not: no render node, cannot open it, no
 * VA driver for it. */
bool sc_va_open(struct sc_va_display *d, char *reason, size_t size);
void sc_va_close(struct sc_va_display *d);

/* The first profile of prefs with one of the entrypoints eps (in eps'
 * order of preference); false if none. */
bool sc_va_find_profile(struct sc_va_display *d, const VAProfile *prefs, size_t n_prefs,
                        const VAEntrypoint *eps, size_t n_eps, VAProfile *profile,
                        VAEntrypoint *ep);
/* The best H.264 profile with the given entrypoint(s); false if none. */
bool sc_va_find_h264(struct sc_va_display *d, const VAEntrypoint *eps, size_t n_eps,
                     VAProfile *profile, VAEntrypoint *ep);
bool sc_va_has_vpp(struct sc_va_display *d);

/* Converts frame (DMABUF via VPP, else CPU upload) into the NV12 surface
 * `dst`.  vpp_ctx/vpp_cfg are created lazily.  zero_copy set when the frame
 * was a dma-buf imported without a CPU copy. */
struct sc_va_uploader {
    struct sc_va_display *d;
    VAConfigID vpp_cfg;
    VAContextID vpp_ctx;
    bool vpp_ready, vpp_failed;
};
int sc_va_upload(struct sc_va_uploader *u, const struct sc_frame *frame, VASurfaceID dst,
                 bool *zero_copy);
void sc_va_uploader_finish(struct sc_va_uploader *u);

/* ---- H.264 bitstream: writing (encoder) ----------------------------------- */

struct sc_bitwriter {
    uint8_t *buf;
    size_t cap, bits;
};
void sc_bw_init(struct sc_bitwriter *w, uint8_t *buf, size_t cap);
void sc_bw_u(struct sc_bitwriter *w, unsigned n, uint32_t v);
void sc_bw_ue(struct sc_bitwriter *w, uint32_t v);
void sc_bw_se(struct sc_bitwriter *w, int32_t v);
void sc_bw_trailing(struct sc_bitwriter *w);

struct sc_h264_sps_info {
    uint32_t width, height; /* pixels */
    uint32_t fps;
    uint8_t profile_idc, constraint_flags, level_idc;
    uint8_t log2_max_frame_num_minus4;
    uint8_t max_num_ref_frames;
};
/* Writes a complete NAL (start code, header, RBSP with emulation
 * prevention) into out; returns its size in bytes, 0 if it does not fit. */
size_t sc_h264_write_sps(const struct sc_h264_sps_info *s, uint8_t *out, size_t cap);
size_t sc_h264_write_pps(int pic_init_qp, bool cabac, bool transform_8x8, uint8_t *out,
                         size_t cap);
uint8_t sc_h264_level_for(uint32_t width, uint32_t height, uint32_t fps);

/* ---- H.264 bitstream: reading (decoder) ----------------------------------- */

struct sc_bitreader {
    const uint8_t *buf; /* RBSP (emulation prevention removed) */
    size_t size, pos;   /* pos in bits */
    bool error;         /* read past the end or a value out of range */
};
void sc_br_init(struct sc_bitreader *r, const uint8_t *buf, size_t size);
uint32_t sc_br_u(struct sc_bitreader *r, unsigned n);
uint32_t sc_br_ue(struct sc_bitreader *r);
int32_t sc_br_se(struct sc_bitreader *r);
/* Removes emulation prevention bytes (00 00 03 -> 00 00); out holds at
 * least n bytes; returns the RBSP size. */
size_t sc_h264_unescape(const uint8_t *in, size_t n, uint8_t *out);
/* true if RBSP data remains before the rbsp_trailing_bits at bit `pos`. */
bool sc_h264_more_rbsp_data(const struct sc_bitreader *r);
/* Next NAL in an Annex-B buffer (nal, nal_size); false at the end. */
bool sc_h264_next_nal(const uint8_t *buf, size_t size, size_t *pos, const uint8_t **nal,
                      size_t *nal_size);

/* ---- H.264 header parsing (decoder) ------------------------------------------ */

#define SC_H264_MAX_SPS 32
#define SC_H264_MAX_PPS 256
#define SC_H264_MAX_REFS 16

struct sc_h264_sps {
    bool valid;
    uint8_t profile_idc, level_idc;
    uint32_t log2_max_frame_num, poc_type, log2_max_poc_lsb, max_num_ref_frames;
    bool gaps_allowed, direct_8x8;
    uint32_t width_mbs, height_mbs;
    uint32_t width, height; /* after cropping */
};

struct sc_h264_pps {
    bool valid;
    uint32_t sps_id;
    bool cabac, bottom_field_pic_order_present, weighted_pred;
    uint32_t weighted_bipred_idc, num_ref_idx_l0_default;
    int32_t pic_init_qp, pic_init_qs, chroma_qp_index_offset, second_chroma_qp_index_offset;
    bool deblocking_filter_control_present, constrained_intra_pred, redundant_pic_cnt_present;
    bool transform_8x8;
};

struct sc_h264_slice {
    uint32_t nal_type, nal_ref_idc;
    uint32_t first_mb, slice_type; /* slice_type % 5: 0 P, 2 I */
    uint32_t pps_id, frame_num, idr_pic_id, poc_lsb;
    int32_t delta_poc_bottom;
    uint32_t num_ref_idx_l0_active;
    uint32_t cabac_init_idc, disable_deblocking;
    int32_t slice_qp_delta, alpha_div2, beta_div2;
    /* pred_weight_table (P slices with weighted_pred) */
    uint32_t luma_log2_denom, chroma_log2_denom;
    bool luma_flag, chroma_flag;
    int16_t luma_weight[32], luma_offset[32], chroma_weight[32][2], chroma_offset[32][2];
    /* ref_pic_list_modification for list 0 (short-term: idc 0 or 1) */
    uint32_t n_mods;
    struct { uint32_t idc, abs_diff_pic_num_minus1; } mods[33];
    /* adaptive ref pic marking: only op 1 (unmark a short-term picture) */
    uint32_t n_unmark;
    uint32_t unmark_diff_minus1[32];
    uint32_t header_bits; /* slice_data_bit_offset: RBSP bits incl. the NAL header byte */
};

/* rbsp: the NAL payload after its header byte, emulation prevention
 * removed.  -EINVAL for a malformed header, -ENOTSUP for a feature this
 * decoder does not handle (interlace, FMO, scaling matrices, 4:4:4,
 * high bit depth, POC type 1). */
int sc_h264_parse_sps(const uint8_t *rbsp, size_t n, struct sc_h264_sps *sps, uint32_t *id);
int sc_h264_parse_pps(const uint8_t *rbsp, size_t n, const struct sc_h264_sps *sps,
                      struct sc_h264_pps *pps, uint32_t *id);
/* nal: the whole NAL incl. header byte, unescaped.  Also rejects (-ENOTSUP)
 * B/SP/SI slices and long-term references: P-only streams with short-term
 * references, list modification and marking, as our encoders, x264
 * zerolatency and openh264 produce. */
int sc_h264_parse_slice(const uint8_t *nal, size_t n, const struct sc_h264_sps *sps,
                        const struct sc_h264_pps *pps, struct sc_h264_slice *sl);
