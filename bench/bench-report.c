/* spicecast-bench output: aligned table, JSON, CSV, and a cairo chart. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>

#include "bench/bench.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double bench_percentile(double *v, unsigned n, double pct)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof(*v), cmp_double);
    double idx = pct / 100.0 * (n - 1);
    unsigned lo = (unsigned)floor(idx), hi = (unsigned)ceil(idx);
    return v[lo] + (v[hi] - v[lo]) * (idx - lo);
}

static void num(char *buf, size_t size, double v, int prec)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.*f", prec, v);
}

void bench_print_table(FILE *f, const struct bench_result *r, unsigned n, bool bare)
{
    fprintf(f, "%-12s %-18s %8s %7s %7s %7s %7s %6s %7s %9s %8s %7s %6s %5s", "content",
            "pipeline", "enc_fps", "p50ms", "p95ms", "p99ms", "convms", "yuvms", "decms",
            "kbit/s", "keyKB", "PSNR-Y", "SSIM-Y", "zcopy");
    if (bare)
        fprintf(f, " %8s %6s %8s %6s", "bare_fps", "ratio", "i420_fps", "ratio");
    fprintf(f, "  %s\n", "notes");
    for (unsigned i = 0; i < n; i++) {
        const struct bench_result *x = &r[i];
        if (!x->available || x->failed) {
            fprintf(f, "%-12s %-18s %s: %s\n", x->content, x->pipeline,
                    x->available ? "FAILED" : "unavailable", x->reason);
            continue;
        }
        char c[15][24];
        num(c[0], 24, x->encode_fps, 1);
        num(c[1], 24, x->encode_ms_p50, 2);
        num(c[2], 24, x->encode_ms_p95, 2);
        num(c[3], 24, x->encode_ms_p99, 2);
        num(c[4], 24, x->convert_ms, 2);
        num(c[5], 24, x->decode_ms, 2);
        num(c[6], 24, x->kbps, 0);
        num(c[7], 24, x->keyframe_bytes / 1024.0, 1);
        num(c[8], 24, x->psnr_y, 2);
        num(c[9], 24, x->ssim_y, 4);
        num(c[14], 24, x->libyuv_ms, 2);
        fprintf(f, "%-12s %-18s %8s %7s %7s %7s %7s %6s %7s %9s %8s %7s %6s %5s", x->content,
                x->pipeline, c[0], c[1], c[2], c[3], c[4], c[14], c[5], c[6], c[7], c[8], c[9],
                x->zero_copy ? "yes" : "no");
        if (bare) {
            num(c[10], 24, x->have_bare ? x->bare_fps : NAN, 1);
            num(c[11], 24, x->have_bare ? x->bare_ratio : NAN, 2);
            num(c[12], 24, x->have_bare ? x->bare_i420_fps : NAN, 1);
            num(c[13], 24, x->have_bare ? x->bare_i420_ratio : NAN, 2);
            fprintf(f, " %8s %6s %8s %6s", c[10], c[11], c[12], c[13]);
        }
        fprintf(f, "  dec=%s", x->decoder[0] ? x->decoder : "none");
        if (x->latency_frames)
            fprintf(f, " latency=%u", x->latency_frames);
        if (x->reason[0])
            fprintf(f, " (%s)", x->reason);
        if (bare && !x->have_bare && x->bare_reason[0])
            fprintf(f, " bare: %s", x->bare_reason);
        fprintf(f, "\n");
    }
}

static void json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

static void json_num(FILE *f, const char *key, double v, bool comma)
{
    fprintf(f, "\"%s\": ", key);
    if (isnan(v) || isinf(v))
        fprintf(f, "null");
    else
        fprintf(f, "%.4f", v);
    if (comma)
        fprintf(f, ", ");
}

static bool usable(const struct bench_result *x)
{
    return x->available && !x->failed;
}

bool bench_write_json(const char *path, const struct bench_result *r, unsigned n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fprintf(f, "[\n");
    for (unsigned i = 0; i < n; i++) {
        const struct bench_result *x = &r[i];
        bool u = usable(x);
        fprintf(f, "  {\"pipeline\": ");
        json_str(f, x->pipeline);
        fprintf(f, ", \"content\": ");
        json_str(f, x->content);
        fprintf(f, ", \"available\": %s, \"failed\": %s, \"reason\": ",
                x->available ? "true" : "false", x->failed ? "true" : "false");
        json_str(f, x->reason);
        fprintf(f, ", \"decoder\": ");
        json_str(f, x->decoder);
        fprintf(f, ", \"width\": %u, \"height\": %u, \"frames\": %u, ", x->width, x->height,
                x->frames);
        json_num(f, "encode_fps", u ? x->encode_fps : NAN, true);
        json_num(f, "encode_ms_p50", u ? x->encode_ms_p50 : NAN, true);
        json_num(f, "encode_ms_p95", u ? x->encode_ms_p95 : NAN, true);
        json_num(f, "encode_ms_p99", u ? x->encode_ms_p99 : NAN, true);
        json_num(f, "convert_ms", u ? x->convert_ms : NAN, true);
        json_num(f, "libyuv_ms", u ? x->libyuv_ms : NAN, true);
        json_num(f, "decode_ms", u ? x->decode_ms : NAN, true);
        json_num(f, "kbps", u ? x->kbps : NAN, true);
        json_num(f, "keyframe_bytes", u ? (double)x->keyframe_bytes : NAN, true);
        json_num(f, "psnr_y", u ? x->psnr_y : NAN, true);
        json_num(f, "ssim_y", u ? x->ssim_y : NAN, true);
        fprintf(f, "\"zero_copy\": %s, \"latency_frames\": %u, ", x->zero_copy ? "true" : "false",
                x->latency_frames);
        json_num(f, "bare_fps", x->have_bare ? x->bare_fps : NAN, true);
        json_num(f, "bare_ratio", x->have_bare ? x->bare_ratio : NAN, true);
        json_num(f, "bare_i420_fps", x->have_bare ? x->bare_i420_fps : NAN, true);
        json_num(f, "bare_i420_ratio", x->have_bare ? x->bare_i420_ratio : NAN, false);
        fprintf(f, "}%s\n", i + 1 < n ? "," : "");
    }
    fprintf(f, "]\n");
    return fclose(f) == 0;
}

static void csv_num(FILE *f, double v)
{
    if (isnan(v))
        fprintf(f, ",");
    else
        fprintf(f, ",%.4f", v);
}

bool bench_write_csv(const char *path, const struct bench_result *r, unsigned n)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fprintf(f, "content,pipeline,available,reason,decoder,width,height,frames,encode_fps,"
               "encode_ms_p50,encode_ms_p95,encode_ms_p99,convert_ms,libyuv_ms,decode_ms,kbps,"
               "keyframe_bytes,psnr_y,ssim_y,zero_copy,latency_frames,bare_fps,bare_ratio,"
               "bare_i420_fps,bare_i420_ratio\n");
    for (unsigned i = 0; i < n; i++) {
        const struct bench_result *x = &r[i];
        bool u = usable(x);
        char reason[SC_CODEC_REASON_SIZE];
        snprintf(reason, sizeof(reason), "%s", x->reason);
        for (char *p = reason; *p; p++)
            if (*p == '"')
                *p = '\'';
        fprintf(f, "%s,%s,%d,\"%s\",%s,%u,%u,%u", x->content, x->pipeline, x->available,
                reason, x->decoder, x->width, x->height, x->frames);
        double v[] = { x->encode_fps, x->encode_ms_p50, x->encode_ms_p95, x->encode_ms_p99,
                       x->convert_ms, x->libyuv_ms, x->decode_ms, x->kbps, (double)x->keyframe_bytes,
                       x->psnr_y, x->ssim_y };
        for (size_t k = 0; k < sizeof(v) / sizeof(*v); k++)
            csv_num(f, u ? v[k] : NAN);
        fprintf(f, ",%d,%u", x->zero_copy, x->latency_frames);
        csv_num(f, x->have_bare ? x->bare_fps : NAN);
        csv_num(f, x->have_bare ? x->bare_ratio : NAN);
        csv_num(f, x->have_bare ? x->bare_i420_fps : NAN);
        csv_num(f, x->have_bare ? x->bare_i420_ratio : NAN);
        fprintf(f, "\n");
    }
    return fclose(f) == 0;
}

/* ---- chart: one horizontal bar panel per metric ---------------------------- */

struct panel { const char *title; double (*get)(const struct bench_result *); bool log; };

static double get_fps(const struct bench_result *x) { return x->encode_fps; }
static double get_kbps(const struct bench_result *x) { return x->kbps; }
static double get_psnr(const struct bench_result *x) { return x->psnr_y; }

#define ROW_H 18
#define LABEL_W 260
#define PANEL_W 300

static void draw_panel(cairo_t *cr, const struct panel *p, const struct bench_result *r,
                       unsigned n, double x0, double y0)
{
    double max = 0;
    for (unsigned i = 0; i < n; i++)
        if (usable(&r[i]) && !isnan(p->get(&r[i])))
            max = fmax(max, p->log ? log10(1 + p->get(&r[i])) : p->get(&r[i]));
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_move_to(cr, x0, y0 - 8);
    cairo_show_text(cr, p->title);
    for (unsigned i = 0; i < n; i++) {
        double y = y0 + i * ROW_H;
        if (!usable(&r[i]) || isnan(p->get(&r[i])) || max <= 0)
            continue;
        double v = p->get(&r[i]);
        double w = (p->log ? log10(1 + v) : v) / max * (PANEL_W - 90);
        cairo_set_source_rgb(cr, 0.25, 0.45, 0.75);
        cairo_rectangle(cr, x0, y + 2, w, ROW_H - 4);
        cairo_fill(cr);
        char t[32];
        snprintf(t, sizeof(t), "%.1f", v);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_move_to(cr, x0 + w + 4, y + ROW_H - 5);
        cairo_show_text(cr, t);
    }
}

bool bench_write_plot(const char *path, const struct bench_result *r, unsigned n)
{
    static const struct panel panels[] = {
        { "encode fps (conversion included)", get_fps, false },
        { "kbit/s (log scale)", get_kbps, true },
        { "PSNR-Y dB", get_psnr, false },
    };
    int w = LABEL_W + 3 * PANEL_W + 40, h = 60 + (int)n * ROW_H + 20;
    uint32_t frames = 0, width = 0, height = 0;
    for (unsigned i = 0; i < n; i++)
        if (r[i].frames > frames)
            frames = r[i].frames, width = r[i].width, height = r[i].height;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 12);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_move_to(cr, 10, 20);
    char title[128];
    snprintf(title, sizeof(title), "spicecast-bench %ux%u, %u frames", width, height, frames);
    cairo_show_text(cr, title);
    double y0 = 55;
    for (unsigned i = 0; i < n; i++) {
        char label[128];
        snprintf(label, sizeof(label), "%s %s%s", r[i].content, r[i].pipeline,
                 usable(&r[i]) ? "" : " (n/a)");
        cairo_move_to(cr, 10, y0 + i * ROW_H + ROW_H - 5);
        cairo_show_text(cr, label);
    }
    for (unsigned k = 0; k < 3; k++)
        draw_panel(cr, &panels[k], r, n, LABEL_W + k * PANEL_W, y0);
    cairo_destroy(cr);
    cairo_status_t st = cairo_surface_write_to_png(s, path);
    cairo_surface_destroy(s);
    return st == CAIRO_STATUS_SUCCESS;
}
