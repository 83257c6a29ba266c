/* spicecast-bench: runs codec pipelines (source -> convert -> encode ->
 * decode) over built-in content or a Y4M recording and reports speed,
 * size and quality.  See spicecast-bench(1). */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo.h>

#include "codecs/backend.h"
#include "bench/bench.h"
#include "codecs/codec.h"
#include "bench/content.h"
#include "codecs/convert.h"
#include "common/messages.h"

#define MAX_PIPELINES 32
#define MAX_FRAMES 100000

struct run {
    const struct bench_options *o;
    struct bench_result *r;
    struct sc_decoder *dec;
    /* lossless: the client's surface, each packet drawn at its rect */
    uint8_t *canvas;
    uint8_t *src_y, *dec_y;
    struct sc_yuv scratch; /* for libyuv's bare conversion time */
    struct bench_bare *bare;
    double yuv_sum;
    uint64_t bytes;
    double decode_sum, psnr_sum, ssim_sum;
    double cb_ms; /* time spent in on_packet (decode, metrics): not encode time */
    unsigned decoded, dec_errors;
    int error;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: spicecast-bench [options]\n"
            "  --content LIST     text-scroll,desktop,video,y4m:PATH (default desktop)\n"
            "  --size WxH         frame size (default 1920x1080; y4m: the file's)\n"
            "  --frames N         frames per pipeline (default 150)\n"
            "  --fps N            target frame rate (default 30)\n"
            "  --bitrate BPS      target bit rate (default 4000000)\n"
            "  --keyint N         frames between keyframes, 0 = on demand (default 0)\n"
            "  --threads N        encoder threads, 0 = backend default (default 1)\n"
            "  --warmup N         frames left out of the timing (default 5)\n"
            "  --codecs LIST      encoder:codec;... (default: every backend)\n"
            "  --options OPTS     backend options, e.g. usage=screen (openh264), quality=90\n"
            "                     (mjpeg); pipelines that do not take them fail\n"
            "  --no-decode        skip decoding and quality metrics\n"
            "  --bare             also time GStreamer's own element on the same frames\n"
            "  --json FILE  --csv FILE  --plot FILE.png\n"
            "  --frame-png FILE   write the content's first frame as PNG, run nothing\n"
            "  --list             list backends and whether they work here\n"
            "  --quiet            no progress on stderr\n");
}

static bool parse_uint(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-' || v < min || v > max)
        return false;
    *out = (uint32_t)v;
    return true;
}

static bool parse_size(const char *s, uint32_t *w, uint32_t *h)
{
    char *end;
    errno = 0;
    unsigned long a = strtoul(s, &end, 10);
    if (errno || end == s || *end != 'x' || s[0] == '-')
        return false;
    const char *t = end + 1;
    unsigned long b = strtoul(t, &end, 10);
    if (errno || end == t || *end || t[0] == '-')
        return false;
    if (a < 16 || b < 16 || a > SC_CODEC_MAX_DIM || b > SC_CODEC_MAX_DIM)
        return false;
    *w = (uint32_t)a;
    *h = (uint32_t)b;
    return true;
}

static int parse_args(int argc, char **argv, struct bench_options *o)
{
    enum { O_CONTENT = 256, O_SIZE, O_FRAMES, O_FPS, O_BITRATE, O_KEYINT, O_THREADS,
           O_WARMUP, O_CODECS, O_OPTIONS, O_NODECODE, O_BARE, O_JSON, O_CSV, O_PLOT, O_LIST, O_QUIET,
           O_FRAME_PNG };
    static const struct option opts[] = {
        { "content", 1, 0, O_CONTENT }, { "size", 1, 0, O_SIZE }, { "frames", 1, 0, O_FRAMES },
        { "fps", 1, 0, O_FPS }, { "bitrate", 1, 0, O_BITRATE }, { "keyint", 1, 0, O_KEYINT },
        { "threads", 1, 0, O_THREADS }, { "warmup", 1, 0, O_WARMUP },
        { "codecs", 1, 0, O_CODECS }, { "options", 1, 0, O_OPTIONS },
        { "no-decode", 0, 0, O_NODECODE },
        { "bare", 0, 0, O_BARE }, { "json", 1, 0, O_JSON }, { "csv", 1, 0, O_CSV },
        { "plot", 1, 0, O_PLOT }, { "list", 0, 0, O_LIST }, { "quiet", 0, 0, O_QUIET },
        { "frame-png", 1, 0, O_FRAME_PNG },
        { "help", 0, 0, 'h' }, { 0, 0, 0, 0 },
    };
    static char content_buf[4096];
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        bool ok = true;
        switch (c) {
        case O_CONTENT:
            snprintf(content_buf, sizeof(content_buf), "%s", optarg);
            o->n_contents = 0;
            for (char *save, *t = strtok_r(content_buf, ",", &save); t && o->n_contents < 8;
                 t = strtok_r(NULL, ",", &save))
                o->contents[o->n_contents++] = t;
            ok = o->n_contents > 0;
            break;
        case O_SIZE: ok = parse_size(optarg, &o->width, &o->height); break;
        case O_FRAMES: ok = parse_uint(optarg, 1, MAX_FRAMES, &o->frames); break;
        case O_FPS: ok = parse_uint(optarg, 1, 240, &o->fps); break;
        case O_BITRATE: ok = parse_uint(optarg, 10000, 1000000000, &o->bitrate); break;
        case O_KEYINT: ok = parse_uint(optarg, 0, 100000, &o->keyint); break;
        case O_THREADS: ok = parse_uint(optarg, 0, 64, &o->threads); break;
        case O_WARMUP: ok = parse_uint(optarg, 0, 1000, &o->warmup); break;
        case O_CODECS: o->codecs = optarg; break;
        case O_OPTIONS: o->options = optarg; break;
        case O_NODECODE: o->decode = false; break;
        case O_BARE: o->bare = true; break;
        case O_JSON: o->json = optarg; break;
        case O_CSV: o->csv = optarg; break;
        case O_PLOT: o->plot = optarg; break;
        case O_FRAME_PNG: o->frame_png = optarg; break;
        case O_LIST: o->list = true; break;
        case O_QUIET: o->quiet = true; break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
        if (!ok) {
            fprintf(stderr, "spicecast-bench: invalid value '%s' for --%s\n", optarg,
                    opts[c - O_CONTENT].name);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "spicecast-bench: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    return 0;
}

static void list_backends(void)
{
    char label[48], reason[SC_CODEC_REASON_SIZE];
    printf("encoders (in order of preference):\n");
    for (size_t i = 0; sc_encoders[i]; i++) {
        sc_encoder_ops_label(sc_encoders[i], label, sizeof(label));
        bool ok = sc_encoder_probe(sc_encoders[i], reason, sizeof(reason));
        printf("  %-18s %s%s\n", label, ok ? "available" : "unavailable: ", ok ? "" : reason);
    }
    printf("decoders:\n");
    for (size_t i = 0; sc_decoders[i]; i++) {
        snprintf(label, sizeof(label), "%s:%s", sc_decoders[i]->name,
                 sc_codec_id_name(sc_decoders[i]->codec));
        bool ok = sc_decoder_probe(sc_decoders[i], reason, sizeof(reason));
        printf("  %-18s %s%s\n", label, ok ? "available" : "unavailable: ", ok ? "" : reason);
    }
}

/* ---- one pipeline ------------------------------------------------------------- */

static void decode_packet(struct run *run, const struct sc_packet *pkt);

static void on_packet(const struct sc_packet *pkt, void *data)
{
    struct run *run = data;
    double t_in = sc_codec_now_ms();
    decode_packet(run, pkt);
    run->cb_ms += sc_codec_now_ms() - t_in;
}

/* A lossless packet drawn on the canvas at its rect, as a client draws a
 * DRAW_COPY; false if it does not decode. */
static bool draw_packet(struct run *run, const struct sc_packet *pkt)
{
    const struct sc_box *b = &pkt->rect;
    size_t stride = (size_t)run->r->width * 4, row = (size_t)b->w * 4;
    uint8_t *dst = run->canvas + (size_t)b->y * stride + (size_t)b->x * 4;
    if (b->x < 0 || b->y < 0 || b->w <= 0 || b->h <= 0 || (uint32_t)(b->x + b->w) > run->r->width
        || (uint32_t)(b->y + b->h) > run->r->height)
        return false;
    if (pkt->codec == SC_CODEC_LZ4)
        return sc_lz4_image_decode(pkt->data, pkt->size, (uint32_t)b->w, (uint32_t)b->h, dst,
                                   stride);
    if (pkt->codec != SC_CODEC_RAW || pkt->size != row * (size_t)b->h)
        return false;
    for (int32_t y = 0; y < b->h; y++)
        memcpy(dst + (size_t)y * stride, pkt->data + (size_t)y * row, row);
    return true;
}

/* After a lossless frame's packets: the canvas against the source. */
static void check_canvas(struct run *run)
{
    struct bench_result *r = run->r;
    if (!run->canvas || run->error)
        return;
    sc_convert_bgrx_to_y(run->canvas, r->width * 4, r->width, r->height, run->dec_y, r->width);
    run->psnr_sum += sc_psnr_y(run->src_y, r->width, run->dec_y, r->width, r->width, r->height);
    run->ssim_sum += sc_ssim_y(run->src_y, r->width, run->dec_y, r->width, r->width, r->height);
    run->decoded++;
}

static void decode_packet(struct run *run, const struct sc_packet *pkt)
{
    struct bench_result *r = run->r;
    run->bytes += pkt->size;
    if (pkt->keyframe) {
        if (r->keyframes++ == 0)
            r->keyframe_bytes = pkt->size;
    }
    if (run->canvas) {
        double t0 = sc_codec_now_ms();
        if (!draw_packet(run, pkt))
            run->dec_errors++;
        run->decode_sum += sc_codec_now_ms() - t0;
        return;
    }
    if (!run->dec)
        return;
    struct sc_decoded_frame out;
    double t0 = sc_codec_now_ms();
    int d = sc_decoder_decode(run->dec, pkt->data, pkt->size, &out);
    run->decode_sum += sc_codec_now_ms() - t0;
    if (d < 0) {
        run->dec_errors++;
        return;
    }
    if (d == 0 || out.kind != SC_DECODED_CPU || out.width != r->width || out.height != r->height
        || !sc_convert_decoded_to_y(&out, run->dec_y, r->width)) {
        run->dec_errors++;
        return;
    }
    run->psnr_sum += sc_psnr_y(run->src_y, r->width, run->dec_y, r->width, r->width, r->height);
    run->ssim_sum += sc_ssim_y(run->src_y, r->width, run->dec_y, r->width, r->width, r->height);
    run->decoded++;
}

static void progress(const struct bench_options *o, const struct bench_result *r, uint32_t i)
{
    if (o->quiet)
        return;
    bool tty = isatty(STDERR_FILENO);
    if (tty && (i % 10 == 0 || i == o->frames))
        fprintf(stderr, "\r%s %s: frame %u/%u ", r->content, r->pipeline, i, o->frames);
    else if (!tty && (i == o->frames || (o->frames >= 100 && i % (o->frames / 4) == 0)))
        fprintf(stderr, "%s %s: frame %u/%u\n", r->content, r->pipeline, i, o->frames);
    if (tty && i == o->frames)
        fprintf(stderr, "\n");
}

static void finish_result(struct run *run, double *enc_ms, double conv_sum, unsigned timed)
{
    struct bench_result *r = run->r;
    const struct bench_options *o = run->o;
    double sum = 0;
    for (unsigned i = 0; i < timed; i++)
        sum += enc_ms[i];
    r->encode_fps = timed && sum > 0 ? timed / (sum / 1000.0) : NAN;
    r->convert_ms = timed ? conv_sum / timed : NAN;
    r->libyuv_ms = timed ? run->yuv_sum / timed : NAN;
    r->encode_ms_p50 = bench_percentile(enc_ms, timed, 50);
    r->encode_ms_p95 = bench_percentile(enc_ms, timed, 95);
    r->encode_ms_p99 = bench_percentile(enc_ms, timed, 99);
    r->kbps = r->frames ? run->bytes * 8.0 / (r->frames / (double)o->fps) / 1000.0 : NAN;
    r->decode_ms = run->decoded ? run->decode_sum / (run->decoded + run->dec_errors) : NAN;
    r->psnr_y = run->decoded ? run->psnr_sum / run->decoded : NAN;
    r->ssim_y = run->decoded ? run->ssim_sum / run->decoded : NAN;
    if ((run->dec || run->canvas) && run->dec_errors)
        snprintf(r->reason, sizeof(r->reason), "%u decode errors", run->dec_errors);
}

static int encode_loop(struct run *run, struct sc_content *content, struct sc_encoder *enc,
                       struct sc_frame *frame)
{
    const struct bench_options *o = run->o;
    struct bench_result *r = run->r;
    double *enc_ms = calloc(o->frames, sizeof(double)), conv_sum = 0;
    unsigned timed = 0;
    char err[256];
    int ret = 0;
    for (uint32_t i = 0; i < o->frames && enc_ms; i++) {
        int n = sc_content_next(content, frame, err, sizeof(err));
        if (n < 0) {
            fprintf(stderr, "spicecast-bench: %s\n", err);
            ret = -1; /* bad input: the whole run fails */
            break;
        }
        if (n == 0)
            break; /* end of the recording */
        if (run->dec || run->canvas)
            sc_convert_bgrx_to_y(frame->map, frame->stride, r->width, r->height, run->src_y,
                                 r->width);
        /* the frame's damage, as the server hands a display client's damage
         * to its lossless encoder (video encodes the whole frame anyway) */
        bool whole = frame->full_damage || frame->n_damage == 0;
        run->cb_ms = 0;
        double t0 = sc_codec_now_ms();
        int e = sc_encoder_encode_damage(enc, frame, whole ? NULL : frame->damage,
                                         whole ? 0 : frame->n_damage, on_packet, run);
        double t = sc_codec_now_ms() - t0 - run->cb_ms;
        check_canvas(run);
        if (e < 0) {
            r->failed = true;
            snprintf(r->reason, sizeof(r->reason), "encode failed at frame %u: %s", i,
                     strerror(-e));
            break;
        }
        r->frames++;
        if (i >= o->warmup) {
            enc_ms[timed++] = t;
            conv_sum += enc->stats.convert_ms;
            struct sc_yuv *y = &run->scratch; /* the same frame through libyuv alone */
            double c0 = sc_codec_now_ms();
            sc_convert_bgrx_to_i420(frame->map, frame->stride, r->width, r->height, y->plane[0],
                                    y->stride[0], y->plane[1], y->stride[1], y->plane[2],
                                    y->stride[2]);
            run->yuv_sum += sc_codec_now_ms() - c0;
        }
        bench_bare_frame(run->bare, frame, i);
        r->zero_copy = enc->stats.zero_copy;
        r->latency_frames = enc->stats.latency_frames;
        progress(o, r, i + 1);
    }
    if (!r->failed)
        finish_result(run, enc_ms, conv_sum, timed);
    free(enc_ms);
    return ret;
}

/* The decoder for the pipeline's packets, and the luma planes the metrics
 * compare; without one the run goes on undecoded (reason noted). */
static void setup_decoder(struct run *run, const struct sc_encoder_ops *ops)
{
    struct bench_result *r = run->r;
    const struct sc_decoder_ops *dops = sc_codec_is_lossless(ops->codec) ? NULL
                                                                         : sc_decoder_for(ops);
    char err[200] = "no working decoder for this codec";
    if (sc_codec_is_lossless(ops->codec)) { /* packets drawn at their rects */
        run->canvas = calloc((size_t)r->width * 4, r->height);
        snprintf(r->decoder, sizeof(r->decoder), "canvas");
        snprintf(err, sizeof(err), "out of memory");
    } else if (dops) {
        struct sc_decoder_params dp = { r->width, r->height, true };
        run->dec = sc_decoder_create(dops, &dp, err, sizeof(err));
        snprintf(r->decoder, sizeof(r->decoder), "%s:%s", dops->name,
                 sc_codec_id_name(dops->codec));
    }
    run->src_y = malloc((size_t)r->width * r->height);
    run->dec_y = malloc((size_t)r->width * r->height);
    if ((!run->dec && !run->canvas) || !run->src_y || !run->dec_y) {
        snprintf(r->reason, sizeof(r->reason), "decoder: %s", err);
        sc_decoder_destroy(run->dec);
        run->dec = NULL;
    }
}

/* Returns -1 only for bad input (content); backend trouble is recorded in r. */
static int run_pipeline(const struct bench_options *o, const char *content_spec,
                        const struct sc_encoder_ops *ops, struct bench_result *r)
{
    char err[200];
    memset(r, 0, sizeof(*r));
    r->psnr_y = r->ssim_y = NAN;
    snprintf(r->content, sizeof(r->content), "%s",
             strncmp(content_spec, "y4m:", 4) == 0 ? "y4m" : content_spec);
    sc_encoder_ops_label(ops, r->pipeline, sizeof(r->pipeline));
    struct sc_content *content = sc_content_create(content_spec, o->width, o->height, err,
                                                   sizeof(err));
    if (!content) {
        fprintf(stderr, "spicecast-bench: %s\n", err);
        return -1;
    }
    sc_content_size(content, &r->width, &r->height);
    r->available = sc_encoder_probe(ops, r->reason, sizeof(r->reason));
    if (!r->available) {
        sc_content_destroy(content);
        return 0;
    }
    struct sc_encoder_params p = {
        .width = r->width, .height = r->height, .fps = o->fps, .bitrate = o->bitrate,
        .keyframe_interval = o->keyint, .low_latency = true, .threads = o->threads,
        .options = o->options,
    };
    struct run run = { .o = o, .r = r };
    struct sc_frame *frame = sc_frame_new_memfd(r->width, r->height);
    if (!sc_yuv_init(&run.scratch, SC_PIXFMT_I420, r->width, r->height)) {
        sc_frame_unref(frame);
        frame = NULL;
    }
    struct sc_encoder *enc = sc_encoder_create(ops, &p, r->reason, sizeof(r->reason));
    int ret = 0;
    if (!enc || !frame) {
        r->failed = true;
        if (!frame)
            snprintf(r->reason, sizeof(r->reason), "cannot allocate a frame");
        goto out;
    }
    r->reason[0] = '\0';
    if (o->decode)
        setup_decoder(&run, ops);
    if (o->bare) {
        if (!o->quiet)
            fprintf(stderr, "%s %s: with bare GStreamer runs\n", r->content, r->pipeline);
        run.bare = bench_bare_new(o, ops, &p, r);
    }
    ret = encode_loop(&run, content, enc, frame);
    bench_bare_finish(run.bare, r);
out:
    sc_encoder_destroy(enc);
    sc_decoder_destroy(run.dec);
    free(run.canvas);
    free(run.src_y);
    free(run.dec_y);
    sc_yuv_finish(&run.scratch);
    sc_frame_unref(frame);
    sc_content_destroy(content);
    return ret;
}

static int select_pipelines(const struct bench_options *o, const struct sc_encoder_ops **ops)
{
    if (!o->codecs) {
        int n = 0;
        for (size_t i = 0; sc_encoders[i] && n < MAX_PIPELINES; i++)
            ops[n++] = sc_encoders[i];
        return n;
    }
    char err[256];
    int n = sc_codec_parse_list(o->codecs, ops, MAX_PIPELINES, err, sizeof(err));
    if (n < 0)
        fprintf(stderr, "spicecast-bench: --codecs: %s\n", err);
    return n;
}

static int write_outputs(const struct bench_options *o, const struct bench_result *r, unsigned n)
{
    int ret = 0;
    bench_print_table(stdout, r, n, o->bare);
    if (o->json && !bench_write_json(o->json, r, n)) {
        fprintf(stderr, "spicecast-bench: cannot write %s: %s\n", o->json, strerror(errno));
        ret = 1;
    }
    if (o->csv && !bench_write_csv(o->csv, r, n)) {
        fprintf(stderr, "spicecast-bench: cannot write %s: %s\n", o->csv, strerror(errno));
        ret = 1;
    }
    if (o->plot && !bench_write_plot(o->plot, r, n)) {
        fprintf(stderr, "spicecast-bench: cannot write %s\n", o->plot);
        ret = 1;
    }
    return ret;
}

/* The first frame of spec as a PNG (bench/bench-server.sh's desktop
 * picture is the pattern source's, through the "desktop" content). */
static int write_frame_png(const struct bench_options *o, const char *spec)
{
    char err[256] = "";
    uint32_t w, h;
    struct sc_content *c = sc_content_create(spec, o->width, o->height, err, sizeof(err));
    if (!c) {
        fprintf(stderr, "spicecast-bench: %s\n", err);
        return 1;
    }
    sc_content_size(c, &w, &h);
    struct sc_frame *f = sc_frame_new_memfd(w, h);
    int ret = 1;
    if (f && sc_content_next(c, f, err, sizeof(err)) == 1) {
        cairo_surface_t *s = cairo_image_surface_create_for_data(
            f->map + f->offset, CAIRO_FORMAT_RGB24, (int)w, (int)h, (int)f->stride);
        ret = cairo_surface_write_to_png(s, o->frame_png) != CAIRO_STATUS_SUCCESS;
        cairo_surface_destroy(s);
    }
    if (ret)
        fprintf(stderr, "spicecast-bench: cannot write %s %s\n", o->frame_png, err);
    sc_frame_unref(f);
    sc_content_destroy(c);
    return ret;
}

int main(int argc, char **argv)
{
    struct bench_options o = {
        .contents = { "desktop" }, .n_contents = 1, .width = 1920, .height = 1080,
        .frames = 150, .fps = 30, .bitrate = 4000000, .keyint = 0, .threads = 1,
        .warmup = 5, .decode = true,
    };
    if (parse_args(argc, argv, &o) < 0)
        return 2;
    if (o.list) {
        list_backends();
        return 0;
    }
    if (o.frame_png)
        return write_frame_png(&o, o.contents[0]);
    const struct sc_encoder_ops *ops[MAX_PIPELINES];
    int n_ops = select_pipelines(&o, ops);
    if (n_ops < 0)
        return 2;
    if (o.warmup >= o.frames)
        o.warmup = o.frames > 1 ? 1 : 0;
    struct bench_result *res = calloc((size_t)n_ops * o.n_contents, sizeof(*res));
    unsigned n = 0;
    bool any_failed = false;
    for (unsigned c = 0; c < o.n_contents; c++) {
        for (int i = 0; i < n_ops; i++) {
            if (run_pipeline(&o, o.contents[c], ops[i], &res[n]) < 0) {
                free(res);
                return 1; /* bad input */
            }
            any_failed |= res[n].failed;
            n++;
        }
    }
    int ret = write_outputs(&o, res, n);
    free(res);
    return ret ? ret : any_failed ? 3 : 0;
}
