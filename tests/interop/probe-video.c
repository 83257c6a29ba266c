/* probe-video: video streams as spice-gtk 0.42 logs them (see probe-video.h).
 *
 * The lines read here, all from spice-gtk's src/channel-display.c and
 * src/channel-display-gst.c (debug unless said otherwise):
 *   "display_handle_stream_create: id N"      STREAM_CREATE
 *   "display_handle_stream_destroy: id N"     STREAM_DESTROY
 *   "video margin: M"                         a STREAM_DATA on time (M ms early)
 *   "stream data too late by L ms"            a STREAM_DATA already late
 *   "A new element was added to Gstreamer's pipeline (NAME)"
 *   "display_stream_stats_debug: id=N #in-frames=... " at a stream's end
 *   "rendering too late by", "dropping a late MJPEG frame"   dropped on playback
 *   "the GStreamer pipeline dropped N frames"
 *   "From N video decoder elements, M can handle caps CAPS: ..."
 *   warnings: "notify the server that stream N does not exist" (the
 *   STREAM_REPORT with num_drops 0xffffffff), "could not create a video
 *   decoder", "GStreamer error...", "got an unexpected decoded buffer!"
 * Frames carry no stream id in the log: they count for the newest live
 * stream (the server keeps one stream per client at a time). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tests/interop/probe-video.h"

#ifdef HAVE_GSTREAMER
#include <dlfcn.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#endif

#define MAX_STREAMS 256
/* frames arriving this long after the first stream's creation are "steady"
 * (the first reports tune the server's stamps) */
#define STEADY_AFTER_US (2 * G_USEC_PER_SEC)
#define MAX_STEADY 8192

struct stream_rec {
    unsigned id;
    char decoder[48];       /* first decoder element plugged in, if any */
    bool gst;               /* a GStreamer pipeline was built (appsrc seen) */
    bool live;
    bool invalid;           /* ended by an invalid-stream report */
    unsigned frames, late, shown;
    int margin_min, margin_max;
    int64_t start_us, end_us;
    bool have_stats;
    unsigned st_in, st_drops_recv, st_drops_play;
};

static struct {
    bool enabled, verbose;
    GRecMutex lock;
    struct stream_rec rec[MAX_STREAMS];
    int n;
    unsigned created, invalid, create_failures, decoder_errors;
    unsigned playback_drops, pipeline_drops, orphan_frames;
    unsigned clock_back;    /* MULTI_MEDIA_TIME that moved the clock back */
    int64_t first_create_us;
    int steady[MAX_STEADY]; /* margins of the steady frames, ms */
    unsigned n_steady, steady_late;
    int64_t last_end_us;
    char first_error[160];
    char client_decoders[160];
    /* the primary as last seen outside the log writer (see pre_refresh) */
    SpiceChannel *display;
    SpiceDisplayPrimary primary;
    bool have_primary;
    const char *pre_refresh_path;
    bool pre_refresh_written;
} pv;

static const struct {
    const char *name;
    gint type;
    const char *caps;
} codec_names[] = {
    { "mjpeg", SPICE_VIDEO_CODEC_TYPE_MJPEG, "image/jpeg" },
    { "vp8", SPICE_VIDEO_CODEC_TYPE_VP8, "video/x-vp8" },
    { "h264", SPICE_VIDEO_CODEC_TYPE_H264, "video/x-h264" },
    { "vp9", SPICE_VIDEO_CODEC_TYPE_VP9, "video/x-vp9" },
    { "h265", SPICE_VIDEO_CODEC_TYPE_H265, "video/x-h265" },
};

bool pv_parse_codecs(const char *list, gint *codecs, int max, int *n)
{
    g_auto(GStrv) names = g_strsplit(list, ",", -1);

    *n = 0;
    for (char **s = names; *s; s++) {
        bool found = false;
        for (size_t i = 0; i < G_N_ELEMENTS(codec_names) && !found; i++) {
            if (g_ascii_strcasecmp(*s, codec_names[i].name) == 0) {
                if (*n >= max)
                    return false;
                codecs[(*n)++] = codec_names[i].type;
                found = true;
            }
        }
        if (!found) {
            fprintf(stderr, "probe: unknown video codec '%s' (mjpeg, vp8, h264, vp9, h265)\n", *s);
            return false;
        }
    }
    return *n > 0;
}

static const char *codec_name(gint type)
{
    for (size_t i = 0; i < G_N_ELEMENTS(codec_names); i++)
        if (codec_names[i].type == type)
            return codec_names[i].name;
    return "?";
}

/* ---- frame times (PROBE_FRAME_TIMES=FILE) ----------------------------------
 *
 * spice-gtk pushes each STREAM_DATA's bytes into its pipeline's appsrc on
 * arrival and pulls the decoded frames from its appsink in that order, the
 * PTS kept (channel-display-gst.c); each pulled frame is then drawn on the
 * surface (display-invalidate) or dropped ("rendering too late"), in order.
 * The probe defines the two GStreamer calls itself (the executable comes
 * first in symbol lookup) and passes them on with dlsym(RTLD_NEXT).  A line
 * per event, "EVENT HASH MONOTONIC_US", HASH being the FNV-1a of the frame's
 * bytes as the server logs it with the frame number (server/stream.c). */
#ifdef HAVE_GSTREAMER
#define FT_RING 64

static struct {
    FILE *f;
    GMutex lock;
    struct { GstClockTime pts; uint32_t hash; bool ends_aud; } pushed[FT_RING];
    unsigned n_pushed;
    uint32_t pulled[FT_RING]; /* decoded, not yet shown or dropped */
    unsigned pull_head, pull_tail;
} ft;

static void ft_event(const char *what, uint32_t hash)
{
    fprintf(ft.f, "%s %08x %" G_GINT64_FORMAT "\n", what, hash, g_get_monotonic_time());
}

static bool ends_with(const GstMapInfo *map, const char *tail, size_t n)
{
    return map->size >= n && memcmp(map->data + map->size - n, tail, n) == 0;
}

static void ft_pushed(GstBuffer *buffer)
{
    GstMapInfo map;
    uint32_t h = 2166136261u;

    if (!gst_buffer_map(buffer, &map, GST_MAP_READ))
        return;
    for (gsize i = 0; i < map.size; i++)
        h = (h ^ map.data[i]) * 16777619u;
    /* an H.264 or H.265 access unit delimiter at the end, alone or followed
     * by an empty filler SEI (server/stream-data.c) */
    bool aud = ends_with(&map, "\0\0\0\1\x09\xf0", 6) || ends_with(&map, "\0\0\0\1\x46\x01\x50", 7) ||
               ends_with(&map, "\0\0\0\1\x09\xf0\0\0\0\1\x06\x03\x00\x80", 14) ||
               ends_with(&map, "\0\0\0\1\x46\x01\x50\0\0\0\1\x4e\x01\x03\x00\x80", 16);
    gst_buffer_unmap(buffer, &map);
    g_mutex_lock(&ft.lock);
    ft.pushed[ft.n_pushed % FT_RING].pts = GST_BUFFER_PTS(buffer);
    ft.pushed[ft.n_pushed % FT_RING].hash = h;
    ft.pushed[ft.n_pushed % FT_RING].ends_aud = aud;
    ft.n_pushed++;
    ft_event("arrived", h);
    g_mutex_unlock(&ft.lock);
}

static void ft_pulled(GstSample *sample)
{
    GstBuffer *b = gst_sample_get_buffer(sample);
    uint32_t h = 0;

    g_mutex_lock(&ft.lock);
    for (unsigned i = 1; b && i <= MIN(ft.n_pushed, FT_RING); i++) {
        unsigned k = ft.n_pushed - i;
        if (ft.pushed[k % FT_RING].pts != GST_BUFFER_PTS(b))
            continue;
        /* a buffer ending with an access unit delimiter starts the next
         * buffer's picture (server/stream.c): the picture takes its PTS */
        if (ft.pushed[k % FT_RING].ends_aud && i > 1)
            k++;
        h = ft.pushed[k % FT_RING].hash;
        break;
    }
    if (ft.pull_tail - ft.pull_head < FT_RING)
        ft.pulled[ft.pull_tail++ % FT_RING] = h;
    ft_event("decoded", h);
    g_mutex_unlock(&ft.lock);
}

/* spice-gtk discarded the frame it pulled last */
static void ft_discarded(void)
{
    if (!ft.f)
        return;
    g_mutex_lock(&ft.lock);
    if (ft.pull_head != ft.pull_tail)
        ft_event("discarded", ft.pulled[--ft.pull_tail % FT_RING]);
    g_mutex_unlock(&ft.lock);
}

/* the oldest decoded frame was shown, or dropped */
static void ft_done(const char *what)
{
    if (!ft.f)
        return;
    g_mutex_lock(&ft.lock);
    if (ft.pull_head != ft.pull_tail)
        ft_event(what, ft.pulled[ft.pull_head++ % FT_RING]);
    g_mutex_unlock(&ft.lock);
}

G_MODULE_EXPORT GstFlowReturn gst_app_src_push_buffer(GstAppSrc *appsrc, GstBuffer *buffer)
{
    static GstFlowReturn (*real)(GstAppSrc *, GstBuffer *);

    if (!real)
        real = (GstFlowReturn(*)(GstAppSrc *, GstBuffer *))dlsym(RTLD_NEXT, __func__);
    if (ft.f)
        ft_pushed(buffer); /* before: the call takes the buffer */
    return real(appsrc, buffer);
}

G_MODULE_EXPORT GstSample *gst_app_sink_pull_sample(GstAppSink *appsink)
{
    static GstSample *(*real)(GstAppSink *);
    GstSample *sample;

    if (!real)
        real = (GstSample * (*)(GstAppSink *)) dlsym(RTLD_NEXT, __func__);
    sample = real(appsink);
    if (ft.f && sample)
        ft_pulled(sample);
    return sample;
}

static void ft_open(const char *path)
{
    g_mutex_init(&ft.lock);
    ft.f = fopen(path, "w");
    if (ft.f)
        setvbuf(ft.f, NULL, _IOLBF, 0);
    else
        fprintf(stderr, "probe: %s: %s\n", path, strerror(errno));
}
#else
static void ft_done(const char *what G_GNUC_UNUSED) {}
static void ft_discarded(void) {}
static void ft_open(const char *path G_GNUC_UNUSED)
{
    fprintf(stderr, "probe: built without GStreamer: no frame times\n");
}
#endif

/* ---- events (the lock is held) ------------------------------------------ */

static struct stream_rec *newest_live(void)
{
    for (int i = pv.n - 1; i >= 0; i--)
        if (pv.rec[i].live)
            return &pv.rec[i];
    return NULL;
}

static struct stream_rec *live_by_id(unsigned id)
{
    for (int i = pv.n - 1; i >= 0; i--)
        if (pv.rec[i].live && pv.rec[i].id == id)
            return &pv.rec[i];
    return NULL;
}

static void write_pre_refresh(void)
{
    if (!pv.pre_refresh_path || pv.pre_refresh_written || !pv.have_primary)
        return;
    pv.pre_refresh_written = true;
    FILE *f = fopen(pv.pre_refresh_path, "wb");
    if (!f) {
        fprintf(stderr, "probe: %s: %s\n", pv.pre_refresh_path, strerror(errno));
        return;
    }
    const SpiceDisplayPrimary *p = &pv.primary;
    fprintf(f, "P6\n%d %d\n255\n", p->width, p->height);
    for (int y = 0; y < p->height; y++) {
        const guint8 *row = p->data + (size_t)y * p->stride;
        for (int x = 0; x < p->width; x++) {
            guint8 rgb[3] = { row[4 * x + 2], row[4 * x + 1], row[4 * x] };
            fwrite(rgb, 3, 1, f);
        }
    }
    if (fclose(f) == 0)
        printf("pre_refresh_shot=%s\n", pv.pre_refresh_path);
}

static void stream_ended(struct stream_rec *r, bool invalid)
{
    r->live = false;
    r->invalid = invalid;
    r->end_us = g_get_monotonic_time();
    pv.last_end_us = r->end_us;
    if (r->shown > 0 && !invalid)
        write_pre_refresh();
    fprintf(stderr, "probe: stream %u %s: %u frames (%u late), %u shown, decoder %s\n", r->id,
            invalid ? "invalid" : "destroyed", r->frames, r->late, r->shown,
            r->decoder[0] ? r->decoder : r->gst ? "(none plugged)" : "builtin");
}

static void on_create(unsigned id)
{
    struct stream_rec *old = live_by_id(id);

    if (old)
        stream_ended(old, false);
    if (pv.created++ == 0)
        pv.first_create_us = g_get_monotonic_time();
    if (pv.n == MAX_STREAMS) {
        memmove(&pv.rec[0], &pv.rec[1], sizeof(pv.rec[0]) * (MAX_STREAMS - 1));
        pv.n--;
    }
    struct stream_rec *r = &pv.rec[pv.n++];
    memset(r, 0, sizeof(*r));
    r->id = id;
    r->live = true;
    r->start_us = g_get_monotonic_time();
    fprintf(stderr, "probe: stream %u created\n", id);
}

static void on_frame(int margin, bool late)
{
    struct stream_rec *r = newest_live();

    if (!r) {
        pv.orphan_frames++;
        return;
    }
    if (r->frames == 0 || margin < r->margin_min)
        r->margin_min = margin;
    if (r->frames == 0 || margin > r->margin_max)
        r->margin_max = margin;
    r->frames++;
    if (late)
        r->late++;
    if (g_get_monotonic_time() - pv.first_create_us >= STEADY_AFTER_US) {
        pv.steady_late += late;
        if (pv.n_steady < MAX_STEADY)
            pv.steady[pv.n_steady++] = margin;
    }
}

static void on_element(const char *name, size_t len)
{
    struct stream_rec *r = pv.n ? &pv.rec[pv.n - 1] : NULL;
    char el[48];

    if (!r || len == 0 || len >= sizeof(el))
        return;
    memcpy(el, name, len);
    el[len] = 0;
    if (strcmp(el, "appsrc") == 0)
        r->gst = true;
    if (!r->decoder[0] && strstr(el, "dec") && !strstr(el, "decodebin")) {
        g_strlcpy(r->decoder, el, sizeof(r->decoder));
        fprintf(stderr, "probe: stream %u decoder %s\n", r->id, el);
    }
}

static void on_stats(const char *p)
{
    unsigned id, in, drops_recv, drops_play;
    double ratio, late_ms;

    if (sscanf(p, "id=%u #in-frames=%u out/in=%lf #drops-on-receive=%u avg-late-time(ms)=%lf "
                  "#drops-on-playback=%u", &id, &in, &ratio, &drops_recv, &late_ms, &drops_play) != 6)
        return;
    for (int i = pv.n - 1; i >= 0; i--) {
        if (pv.rec[i].id == id && !pv.rec[i].have_stats) {
            pv.rec[i].have_stats = true;
            pv.rec[i].st_in = in;
            pv.rec[i].st_drops_recv = drops_recv;
            pv.rec[i].st_drops_play = drops_play;
            return;
        }
    }
}

static void on_error(const char *msg)
{
    pv.decoder_errors++;
    if (!pv.first_error[0])
        g_strlcpy(pv.first_error, msg, sizeof(pv.first_error));
}

static void on_decoder_list(const char *p)
{
    unsigned total, n;
    char caps[64];

    if (sscanf(p, "From %u video decoder elements, %u can handle caps %63[^:]", &total, &n, caps) != 3)
        return;
    g_strstrip(caps);
    for (size_t i = 0; i < G_N_ELEMENTS(codec_names); i++) {
        if (strcmp(caps, codec_names[i].caps) == 0 && n > 0) {
            size_t l = strlen(pv.client_decoders);
            snprintf(pv.client_decoders + l, sizeof(pv.client_decoders) - l, "%s%s:%u", l ? "," : "",
                     codec_names[i].name, n);
        }
    }
}

/* true when msg holds key; p then points just after it */
#define AFTER(key) ((p = strstr(msg, key)) != NULL && (p += strlen(key)) != NULL)

static void handle_message(const char *msg)
{
    const char *p, *q;

    if (AFTER("display_handle_stream_create: id ")) {
        on_create((unsigned)strtoul(p, NULL, 10));
    } else if (AFTER("display_handle_stream_destroy: id ")) {
        struct stream_rec *r = live_by_id((unsigned)strtoul(p, NULL, 10));
        if (r)
            stream_ended(r, false);
    } else if (AFTER("video margin: ")) {
        if (!strstr(p, "set to 0"))
            on_frame(atoi(p), false);
    } else if (AFTER("stream data too late by ")) {
        on_frame(-atoi(p), true);
    } else if (AFTER("A new element was added to Gstreamer's pipeline (")) {
        if ((q = strchr(p, ')')))
            on_element(p, (size_t)(q - p));
    } else if (AFTER("display_stream_stats_debug: ")) {
        on_stats(p);
    } else if (strstr(msg, "rendering too late by") || strstr(msg, "dropping a late MJPEG frame")) {
        pv.playback_drops++;
        if (strstr(msg, "rendering too late by"))
            ft_done("dropped");
    } else if (AFTER("the GStreamer pipeline dropped ")) {
        pv.pipeline_drops += (unsigned)strtoul(p, NULL, 10);
    } else if (AFTER("notify the server that stream ")) {
        struct stream_rec *r = live_by_id((unsigned)strtoul(p, NULL, 10));
        pv.invalid++;
        if (r)
            stream_ended(r, true);
    } else if (strstr(msg, "could not create a video decoder") ||
               strstr(msg, "could not create the ")) {
        pv.create_failures++;
        on_error(msg);
    } else if (strstr(msg, "got an unexpected decoded buffer")) {
        ft_discarded();
        on_error(msg);
    } else if (strstr(msg, "GStreamer error") ||
               strstr(msg, "stopping the video stream") || strstr(msg, "does not support the") ||
               strstr(msg, "got a frame without a sample")) {
        on_error(msg);
    } else if (AFTER("mm-time-reset, old ")) {
        /* "old OLD, new NEW": a step back (or > 500 ms forward) */
        unsigned long old = strtoul(p, NULL, 10);
        const char *n = strstr(p, "new ");
        /* (the first one, at MAIN_INIT, replaces an arbitrary start value) */
        if (pv.created > 0 && n && (guint32)(strtoul(n + 4, NULL, 10) - old) > 0x80000000u)
            pv.clock_back++;
    } else if ((p = strstr(msg, "From ")) && strstr(p, " can handle caps ")) {
        on_decoder_list(p);
    }
}

static GLogWriterOutput writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields,
                               gpointer data G_GNUC_UNUSED)
{
    const char *msg = NULL;
    char *copy = NULL;

    for (gsize i = 0; i < n_fields; i++) {
        if (strcmp(fields[i].key, "MESSAGE") != 0)
            continue;
        if (fields[i].length < 0)
            msg = fields[i].value;
        else
            msg = copy = g_strndup(fields[i].value, (gsize)fields[i].length);
        break;
    }
    if (msg && pv.verbose && (level & G_LOG_LEVEL_DEBUG))
        fprintf(stderr, "probe: spice-gtk: %s\n", msg);
    if (msg) {
        g_rec_mutex_lock(&pv.lock);
        handle_message(msg);
        g_rec_mutex_unlock(&pv.lock);
    }
    g_free(copy);
    /* spice-gtk's debug log is the probe's input, not its output */
    if (level & G_LOG_LEVEL_DEBUG)
        return G_LOG_WRITER_HANDLED;
    return g_log_writer_default(level, fields, n_fields, NULL);
}

/* ---- API ------------------------------------------------------------------ */

void pv_init(bool verbose)
{
    pv.enabled = true;
    pv.verbose = verbose;
    g_rec_mutex_init(&pv.lock);
    /* spice-common logs in the "Spice" domain, spice-gtk in "GSpice":
     * let both reach the writer */
    g_setenv("G_MESSAGES_DEBUG", "all", TRUE);
    spice_util_set_debug(TRUE);
    g_log_set_writer_func(writer, NULL, NULL);
    if (g_getenv("PROBE_FRAME_TIMES"))
        ft_open(g_getenv("PROBE_FRAME_TIMES"));
}

bool pv_enabled(void)
{
    return pv.enabled;
}

void pv_set_display(SpiceChannel *display)
{
    g_rec_mutex_lock(&pv.lock);
    pv.display = display;
    pv.have_primary = false;
    g_rec_mutex_unlock(&pv.lock);
}

void pv_set_pre_refresh_shot(const char *path)
{
    pv.pre_refresh_path = path;
}

void pv_on_invalidate(void)
{
    SpiceDisplayPrimary p;
    /* outside the lock: get_primary logs, and the writer takes the lock */
    bool have = pv.display && spice_display_channel_get_primary(pv.display, 0, &p) && p.data &&
                (p.format == SPICE_SURFACE_FMT_32_xRGB || p.format == SPICE_SURFACE_FMT_32_ARGB);

    g_rec_mutex_lock(&pv.lock);
    pv.have_primary = have;
    if (have)
        pv.primary = p;
    struct stream_rec *r = newest_live();
    if (r)
        r->shown++;
    g_rec_mutex_unlock(&pv.lock);
    ft_done("shown");
}

void pv_send_preference(SpiceChannel *display, const gint *codecs, int n)
{
    GError *err = NULL;
    GString *names = g_string_new(NULL);

    for (int i = 0; i < n; i++)
        g_string_append_printf(names, "%s%s", i ? "," : "", codec_name(codecs[i]));
    if (spice_display_channel_change_preferred_video_codec_types(display, codecs, (gsize)n, &err)) {
        printf("video_codec_preference=%s sent=yes\n", names->str);
    } else {
        printf("video_codec_preference=%s sent=no error=%s\n", names->str,
               err ? err->message : "unknown");
        g_clear_error(&err);
    }
    g_string_free(names, TRUE);
}

void pv_get_summary(struct pv_summary *s)
{
    memset(s, 0, sizeof(*s));
    g_rec_mutex_lock(&pv.lock);
    s->created = pv.created;
    s->invalid = pv.invalid;
    s->last_end_us = pv.last_end_us;
    s->pre_refresh_written = pv.pre_refresh_written;
    for (int i = 0; i < pv.n; i++) {
        s->live += pv.rec[i].live;
        s->frames += pv.rec[i].frames;
        s->shown += pv.rec[i].shown;
    }
    g_rec_mutex_unlock(&pv.lock);
}

static int cmp_int(const void *a, const void *b)
{
    return (*(const int *)a > *(const int *)b) - (*(const int *)a < *(const int *)b);
}

/* the margins (ms early at arrival, negative: late) of the steady frames */
static void print_steady(FILE *f)
{
    unsigned n = pv.n_steady;

    qsort(pv.steady, n, sizeof(pv.steady[0]), cmp_int);
    fprintf(f, "steady_frames=%u\nsteady_late=%u\n", n, pv.steady_late);
    if (n)
        fprintf(f, "steady_margin_p50=%d\nsteady_margin_p95=%d\nsteady_margin_max=%d\n",
                pv.steady[n / 2], pv.steady[(n * 95) / 100], pv.steady[n - 1]);
}

void pv_print(FILE *f)
{
    unsigned frames = 0, late = 0, shown = 0, live = 0;
    int margin_max = 0;
    int64_t now = g_get_monotonic_time();

    g_rec_mutex_lock(&pv.lock);
    for (int i = 0; i < pv.n; i++) {
        if (pv.rec[i].frames && pv.rec[i].margin_max > margin_max)
            margin_max = pv.rec[i].margin_max;
        frames += pv.rec[i].frames;
        late += pv.rec[i].late;
        shown += pv.rec[i].shown;
        live += pv.rec[i].live;
    }
    fprintf(f, "client_gst_decoders=%s\n", pv.client_decoders[0] ? pv.client_decoders : "none");
    fprintf(f, "streams_created=%u\nstreams_live=%u\nstreams_invalid=%u\n", pv.created, live, pv.invalid);
    fprintf(f, "stream_frames=%u\nstream_late=%u\nstream_shown=%u\n", frames, late, shown);
    fprintf(f, "stream_margin_max=%d\nclock_resets_back=%u\n", margin_max, pv.clock_back);
    fprintf(f, "decoder_errors=%u\ncreate_failures=%u\n", pv.decoder_errors, pv.create_failures);
    fprintf(f, "playback_drops=%u\npipeline_drops=%u\norphan_frames=%u\n", pv.playback_drops,
            pv.pipeline_drops, pv.orphan_frames);
    if (pv.first_error[0])
        fprintf(f, "first_decoder_error=%s\n", pv.first_error);
    print_steady(f);
    for (int i = 0; i < pv.n; i++) {
        const struct stream_rec *r = &pv.rec[i];
        double secs = ((r->live ? now : r->end_us) - r->start_us) / 1e6;
        fprintf(f, "stream%d id=%u decoder=%s frames=%u late=%u shown=%u margin=%d..%d seconds=%.2f "
                   "shown_rate=%.1f live=%s invalid=%s",
                i, r->id, r->decoder[0] ? r->decoder : r->gst ? "none" : "builtin", r->frames, r->late,
                r->shown, r->margin_min, r->margin_max, secs, secs > 0 ? r->shown / secs : 0.0,
                r->live ? "yes" : "no", r->invalid ? "yes" : "no");
        if (r->have_stats)
            fprintf(f, " stats_in=%u stats_drops_receive=%u stats_drops_playback=%u", r->st_in,
                    r->st_drops_recv, r->st_drops_play);
        fputc('\n', f);
    }
    g_rec_mutex_unlock(&pv.lock);
}
