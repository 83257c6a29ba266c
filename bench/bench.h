/* spicecast-bench internals: one result row per (content, pipeline). */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "codecs/codec.h"

struct bench_options {
    const char *contents[8];
    unsigned n_contents;
    uint32_t width, height, frames, fps, bitrate, keyint, threads, warmup;
    const char *codecs; /* NULL: every backend built in */
    const char *options; /* backend options for every pipeline */
    const char *json, *csv, *plot;
    const char *frame_png; /* write the first content's first frame there, run nothing */
    bool bare, decode, quiet, list;
};

struct bench_result {
    char content[64];
    char pipeline[48];
    char decoder[48];
    bool available;
    bool failed;           /* available, but the run hit an error (reason) */
    char reason[SC_CODEC_REASON_SIZE];
    uint32_t width, height, frames;
    double encode_fps, encode_ms_p50, encode_ms_p95, encode_ms_p99;
    double convert_ms, decode_ms;
    double libyuv_ms; /* libyuv's bare BGRX->I420 time on the same frames */
    double kbps;
    uint64_t keyframe_bytes; /* size of the first keyframe */
    uint32_t keyframes;
    double psnr_y, ssim_y;   /* NAN when not decoded */
    bool zero_copy;
    uint32_t latency_frames;
    /* --bare */
    bool have_bare;
    char bare_reason[128];
    double bare_fps, bare_ratio;           /* GStreamer: appsrc BGRx ! videoconvert ! element */
    double bare_i420_fps, bare_i420_ratio; /* GStreamer: appsrc I420 ! element (no conversion) */
};

void bench_print_table(FILE *f, const struct bench_result *r, unsigned n, bool bare);
bool bench_write_json(const char *path, const struct bench_result *r, unsigned n);
bool bench_write_csv(const char *path, const struct bench_result *r, unsigned n);
bool bench_write_plot(const char *path, const struct bench_result *r, unsigned n);

/* --bare: GStreamer's own element equivalent to `enc`, same settings, fed
 * each frame right after our pipeline encoded it.  NULL (bare_reason set)
 * if there is no equivalent. */
struct bench_bare;
struct bench_bare *bench_bare_new(const struct bench_options *o, const struct sc_encoder_ops *enc,
                                  const struct sc_encoder_params *p, struct bench_result *r);
void bench_bare_frame(struct bench_bare *b, const struct sc_frame *frame, uint32_t i);
/* Fills the bare_* fields (after encode_fps is known) and frees b. */
void bench_bare_finish(struct bench_bare *b, struct bench_result *r);

/* p50/p95/p99 of n samples (sorts them) */
double bench_percentile(double *v, unsigned n, double pct);
