/* The codec registry: every backend built in, in order of preference,
 * probed at run time (once per process), selected with spice-server's
 * "encoder:codec;encoder:codec" syntax. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "codecs/backend.h"
#include "codecs/codec.h"
#include "codecs/convert.h"

const struct sc_encoder_ops *const sc_encoders[] = {
#if HAVE_VAAPI
    &sc_vaapi_h264_encoder,
#endif
#if HAVE_VAAPI && HAVE_GSTREAMER
    &sc_vaapi_h265_encoder,
#endif
#if HAVE_OPENH264
    &sc_openh264_encoder,
#endif
#if HAVE_GSTREAMER
    &sc_gst_vp8_encoder,
    &sc_gst_vp9_encoder,
    &sc_gst_h264_encoder,
    &sc_gst_h265_encoder,
    &sc_gst_mjpeg_encoder,
#endif
    &sc_lossless_lz4_encoder,
    &sc_lossless_raw_encoder,
    NULL,
};

const struct sc_decoder_ops *const sc_decoders[] = {
#if HAVE_VAAPI
    &sc_vaapi_h264_decoder,
#endif
#if HAVE_OPENH264
    &sc_openh264_decoder,
#endif
#if HAVE_GSTREAMER
    &sc_gst_vp8_decoder,
    &sc_gst_vp9_decoder,
    &sc_gst_h264_decoder,
    &sc_gst_h265_decoder,
    &sc_gst_mjpeg_decoder,
#endif
    &sc_lossless_lz4_decoder,
    &sc_lossless_raw_decoder,
    NULL,
};

static const struct { int id; const char *name; } codec_names[] = {
    { SC_CODEC_MJPEG, "mjpeg" }, { SC_CODEC_VP8, "vp8" }, { SC_CODEC_H264, "h264" },
    { SC_CODEC_VP9, "vp9" },     { SC_CODEC_H265, "h265" }, { SC_CODEC_RAW, "raw" },
    { SC_CODEC_LZ4, "lz4" },
};

const char *sc_codec_id_name(int codec)
{
    for (size_t i = 0; i < G_N_ELEMENTS(codec_names); i++)
        if (codec_names[i].id == codec)
            return codec_names[i].name;
    return NULL;
}

int sc_codec_id_from_name(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(codec_names); i++)
        if (strcmp(codec_names[i].name, name) == 0)
            return codec_names[i].id;
    return -1;
}

bool sc_codec_is_lossless(int codec)
{
    return codec == SC_CODEC_RAW || codec == SC_CODEC_LZ4;
}

/* ---- probing, cached ------------------------------------------------- */

#define MAX_BACKENDS 16
struct probe_cache {
    bool done, ok;
    char reason[SC_CODEC_REASON_SIZE];
};
static GMutex probe_lock;
static struct probe_cache enc_cache[MAX_BACKENDS], dec_cache[MAX_BACKENDS];

static bool cached_probe(struct probe_cache *c, bool (*probe)(char *, size_t), char *reason,
                         size_t size)
{
    g_mutex_lock(&probe_lock);
    if (!c->done) {
        c->reason[0] = '\0';
        c->ok = probe(c->reason, sizeof(c->reason));
        c->done = true;
    }
    bool ok = c->ok;
    if (reason && size)
        snprintf(reason, size, "%s", c->reason);
    g_mutex_unlock(&probe_lock);
    return ok;
}

bool sc_encoder_probe(const struct sc_encoder_ops *ops, char *reason, size_t size)
{
    for (size_t i = 0; sc_encoders[i] && i < MAX_BACKENDS; i++)
        if (sc_encoders[i] == ops)
            return cached_probe(&enc_cache[i], ops->probe, reason, size);
    return ops->probe(reason, size);
}

bool sc_decoder_probe(const struct sc_decoder_ops *ops, char *reason, size_t size)
{
    for (size_t i = 0; sc_decoders[i] && i < MAX_BACKENDS; i++)
        if (sc_decoders[i] == ops)
            return cached_probe(&dec_cache[i], ops->probe, reason, size);
    return ops->probe(reason, size);
}

/* ---- lookup ------------------------------------------------------------ */

const struct sc_encoder_ops *sc_encoder_find(const char *name, const char *codec)
{
    int id = sc_codec_id_from_name(codec);
    for (size_t i = 0; sc_encoders[i]; i++)
        if (sc_encoders[i]->codec == id && strcmp(sc_encoders[i]->name, name) == 0)
            return sc_encoders[i];
    return NULL;
}

const struct sc_decoder_ops *sc_decoder_find(const char *name, const char *codec)
{
    int id = sc_codec_id_from_name(codec);
    for (size_t i = 0; sc_decoders[i]; i++)
        if (sc_decoders[i]->codec == id && strcmp(sc_decoders[i]->name, name) == 0)
            return sc_decoders[i];
    return NULL;
}

const struct sc_decoder_ops *sc_decoder_for(const struct sc_encoder_ops *enc)
{
    for (size_t i = 0; sc_decoders[i]; i++)
        if (sc_decoders[i]->codec == enc->codec && strcmp(sc_decoders[i]->name, enc->name) == 0
            && sc_decoder_probe(sc_decoders[i], NULL, 0))
            return sc_decoders[i];
    for (size_t i = 0; sc_decoders[i]; i++)
        if (sc_decoders[i]->codec == enc->codec && sc_decoder_probe(sc_decoders[i], NULL, 0))
            return sc_decoders[i];
    return NULL;
}

void sc_encoder_ops_label(const struct sc_encoder_ops *ops, char *buf, size_t size)
{
    snprintf(buf, size, "%s:%s", ops->name, sc_codec_id_name(ops->codec));
}

static bool parse_entry(const char *entry, const struct sc_encoder_ops **out, char *err,
                        size_t err_size)
{
    const char *colon = strchr(entry, ':');
    if (!colon || colon == entry || !colon[1]) {
        sc_codec_reason(err, err_size, "'%s': expected encoder:codec", entry);
        return false;
    }
    g_autofree char *name = g_strndup(entry, colon - entry);
    const char *codec = colon + 1;
    if (sc_codec_id_from_name(codec) < 0) {
        sc_codec_reason(err, err_size, "'%s': unknown codec '%s'", entry, codec);
        return false;
    }
    *out = sc_encoder_find(name, codec);
    if (!*out) {
        sc_codec_reason(err, err_size, "'%s': no encoder '%s' for %s is built in", entry, name,
                        codec);
        return false;
    }
    return true;
}

int sc_codec_parse_list(const char *list, const struct sc_encoder_ops **out, size_t max,
                        char *err, size_t err_size)
{
    if (!list || !*list) {
        sc_codec_reason(err, err_size, "empty codec list");
        return -1;
    }
    g_auto(GStrv) entries = g_strsplit(list, ";", -1);
    size_t n = 0;
    for (size_t i = 0; entries[i]; i++) {
        char *e = g_strstrip(entries[i]);
        if (!*e)
            continue; /* spice-server tolerates a trailing ';' */
        if (n == max) {
            sc_codec_reason(err, err_size, "too many entries (max %zu)", max);
            return -1;
        }
        if (!parse_entry(e, &out[n], err, err_size))
            return -1;
        n++;
    }
    if (n == 0) {
        sc_codec_reason(err, err_size, "empty codec list");
        return -1;
    }
    return (int)n;
}

/* ---- dispatch -------------------------------------------------------- */

struct sc_encoder *sc_encoder_create(const struct sc_encoder_ops *ops,
                                     const struct sc_encoder_params *params, char *reason,
                                     size_t reason_size)
{
    if (!sc_encoder_probe(ops, reason, reason_size))
        return NULL;
    struct sc_encoder *enc = ops->create(params, reason, reason_size);
    if (enc) {
        enc->impl = ops;
        enc->params = *params;
        enc->params.options = NULL; /* not owned */
    }
    return enc;
}

/* Fills in what a backend may leave zero in its packets (codec.h). */
struct packet_fill {
    const struct sc_encoder *enc;
    const struct sc_frame *frame;
    sc_packet_fn cb;
    void *data;
};

static void fill_packet(const struct sc_packet *packet, void *data)
{
    const struct packet_fill *f = data;
    struct sc_packet p = *packet;
    if (p.rect.w <= 0 || p.rect.h <= 0)
        p.rect = (struct sc_box){ 0, 0, (int32_t)f->frame->width, (int32_t)f->frame->height };
    if (p.codec == 0)
        p.codec = f->enc->impl->codec;
    f->cb(&p, f->data);
}

int sc_encoder_encode_damage(struct sc_encoder *enc, const struct sc_frame *frame,
                             const struct sc_box *damage, unsigned n_damage, sc_packet_fn cb,
                             void *data)
{
    bool any_size = sc_codec_is_lossless(enc->impl->codec);
    if (any_size ? frame->width > SC_CODEC_MAX_DIM || frame->height > SC_CODEC_MAX_DIM
                 : frame->width != enc->params.width || frame->height != enc->params.height)
        return -EINVAL;
    struct packet_fill f = { enc, frame, cb, data };
    return enc->impl->encode(enc, frame, n_damage ? damage : NULL, damage ? n_damage : 0,
                             fill_packet, &f);
}

int sc_encoder_encode(struct sc_encoder *enc, const struct sc_frame *frame, sc_packet_fn cb,
                      void *data)
{
    return sc_encoder_encode_damage(enc, frame, NULL, 0, cb, data);
}

int sc_encoder_set_bitrate(struct sc_encoder *enc, uint32_t bitrate)
{
    if (bitrate == 0)
        return -EINVAL;
    int r = enc->impl->set_bitrate(enc, bitrate);
    if (r == 0)
        enc->params.bitrate = bitrate;
    return r;
}

void sc_encoder_force_keyframe(struct sc_encoder *enc)
{
    enc->impl->force_keyframe(enc);
}

void sc_encoder_destroy(struct sc_encoder *enc)
{
    if (enc)
        enc->impl->destroy(enc);
}

struct sc_decoder *sc_decoder_create(const struct sc_decoder_ops *ops,
                                     const struct sc_decoder_params *params, char *reason,
                                     size_t reason_size)
{
    if (!sc_decoder_probe(ops, reason, reason_size))
        return NULL;
    if (params->width == 0 || params->height == 0 || params->width > SC_CODEC_MAX_DIM
        || params->height > SC_CODEC_MAX_DIM) {
        sc_codec_reason(reason, reason_size, "bad size %ux%u", params->width, params->height);
        return NULL;
    }
    struct sc_decoder *dec = ops->create(params, reason, reason_size);
    if (dec) {
        dec->impl = ops;
        dec->params = *params;
    }
    return dec;
}

int sc_decoder_decode(struct sc_decoder *dec, const uint8_t *data, size_t size,
                      struct sc_decoded_frame *out)
{
    memset(out, 0, sizeof(*out));
    out->fd = -1;
    if (!data || size == 0)
        return -EINVAL;
    return dec->impl->decode(dec, data, size, out);
}

void sc_decoder_destroy(struct sc_decoder *dec)
{
    if (dec)
        dec->impl->destroy(dec);
}

/* ---- helpers for backends -------------------------------------------- */

void sc_codec_reason(char *reason, size_t size, const char *fmt, ...)
{
    if (!reason || !size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, size, fmt, ap);
    va_end(ap);
}

bool sc_codec_option(const char *options, const char *key, char *buf, size_t size)
{
    if (!options)
        return false;
    g_auto(GStrv) kv = g_strsplit(options, ",", -1);
    for (size_t i = 0; kv[i]; i++) {
        char *eq = strchr(kv[i], '=');
        size_t klen = eq ? (size_t)(eq - kv[i]) : strlen(kv[i]);
        if (klen == strlen(key) && strncmp(kv[i], key, klen) == 0) {
            snprintf(buf, size, "%s", eq ? eq + 1 : "");
            return true;
        }
    }
    return false;
}

bool sc_codec_options_check(const char *options, const char *const *known, char *reason,
                            size_t size)
{
    if (!options || !*options)
        return true;
    g_auto(GStrv) kv = g_strsplit(options, ",", -1);
    for (size_t i = 0; kv[i]; i++) {
        char *eq = strchr(kv[i], '=');
        if (eq)
            *eq = '\0';
        bool found = false;
        for (size_t k = 0; known[k] && !found; k++)
            found = strcmp(known[k], kv[i]) == 0;
        if (!found) {
            sc_codec_reason(reason, size, "unknown option '%s'", kv[i]);
            return false;
        }
    }
    return true;
}

bool sc_codec_check_params(const struct sc_encoder_params *p, bool need_even, char *reason,
                           size_t size)
{
    if (p->width == 0 || p->height == 0 || p->width > SC_CODEC_MAX_DIM
        || p->height > SC_CODEC_MAX_DIM) {
        sc_codec_reason(reason, size, "unsupported size %ux%u (1..%u)", p->width, p->height,
                        SC_CODEC_MAX_DIM);
        return false;
    }
    if (need_even && (p->width % 2 || p->height % 2)) {
        sc_codec_reason(reason, size, "size %ux%u: width and height must be even", p->width,
                        p->height);
        return false;
    }
    if (p->fps == 0 || p->fps > 1000) {
        sc_codec_reason(reason, size, "unsupported frame rate %u", p->fps);
        return false;
    }
    return true;
}

/* The BGRx copy of an NV12 frame (sc_frame_wrap mapped its planes), made
 * by the first caller on any thread; the frame is const to its readers, its
 * copy a cache they share (cpu_once orders its writes before their reads).
 * One conversion for every reader: sc_convert_nv12_to_bgrx, BT.601 limited
 * range (frames carry no colour space), as viewer-headless and the
 * window's shader show NV12 scanouts. */
static const uint8_t *nv12_pixels(const struct sc_frame *frame, uint32_t *stride)
{
    struct sc_frame *f = (struct sc_frame *)frame;

    if (g_once_init_enter(&f->cpu_once)) {
        uint32_t s = (f->width * 4 + 63) & ~63u;
        uint8_t *dst = g_try_malloc((size_t)s * f->height);
        const uint8_t *uv = (f->uv_map ? f->uv_map : f->map) + f->planes[0].offset;
        bool ok = dst && sc_convert_nv12_to_bgrx(f->map + f->offset, f->stride, uv,
                                                 f->planes[0].stride, f->width, f->height,
                                                 dst, s);

        if (!ok)
            g_clear_pointer(&dst, g_free);
        f->cpu = dst;
        f->cpu_stride = s;
        g_once_init_leave(&f->cpu_once, ok ? 1 : 2);
    }
    *stride = f->cpu_stride;
    return f->cpu;
}

const uint8_t *sc_codec_frame_pixels(const struct sc_frame *frame, uint32_t *stride)
{
    if (frame->map && frame->drm_fourcc == DRM_FORMAT_NV12 && frame->n_planes == 2)
        return nv12_pixels(frame, stride);
    /* ARGB8888: the same bytes; its alpha is not shown */
    if (!frame->map ||
        (frame->drm_fourcc != DRM_FORMAT_XRGB8888 && frame->drm_fourcc != DRM_FORMAT_ARGB8888))
        return NULL;
    if ((size_t)frame->offset + (size_t)frame->stride * frame->height > frame->map_size)
        return NULL;
    *stride = frame->stride;
    return frame->map + frame->offset;
}

double sc_codec_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
