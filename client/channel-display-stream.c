/* The display channel's video streams: each decodes on its own bounded
 * worker (client/decode.h: off the GTK thread, skipping to the next
 * keyframe when it falls behind, falling back through the registry's
 * decoders for the codec); a decoded frame is shown as soon as it is back
 * on the loop (through the renderer's video_frame, else converted and
 * blitted into the canvas), whatever its mm time.  STREAM_REPORTs carry
 * what happened: the frames that arrived, those dropped, and the last
 * shown frame's delay (its mm time minus our clock when it was shown:
 * negative = late), so that the server's rate control works for us as it
 * does for spice-gtk (server/stream.c, learn_ahead / report_bad). */
#include "config.h"

#include <string.h>

#include "client/client-priv.h"
#include "client/decode.h"
#include "common/log.h"

#define MAX_STREAMS 64
#define REPORT_NO_DECODER 0xffffffffu
#define MAX_PENDING 3 /* packets queued or decoding per stream: ~50 ms at 60 fps */

struct client_stream {
    uint32_t id;
    uint8_t codec;
    uint8_t flags;
    uint32_t width, height;
    struct sc_rect dest;
    struct sc_clip clip;
    struct sc_decode_worker *dec; /* NULL: no decoder could be made */
    struct sc_channel *ch;
    /* the report window (spice-gtk's display_update_stream_report) */
    bool report_active, no_decoder_sent;
    uint32_t report_window, report_timeout_ms, report_unique;
    uint32_t frames;     /* packets received in the window */
    uint32_t drops_base; /* the worker's drop count when the window began */
    uint32_t start_mm, last_mm;
    int32_t last_delay;  /* the last frame's mm time - our clock when shown */
    int64_t window_us;   /* when the window began */
};

/* A stream is allocated when it is created: its clip alone is 4 KiB
 * (SC_MAX_CLIP_RECTS), and a display channel holding 64 of them inline
 * was 262 KiB, nearly all of it unused. */
struct sc_client_streams {
    struct sc_channel *ch;
    struct client_stream *s[MAX_STREAMS];
};

struct sc_client_streams *sc_client_streams_new(struct sc_channel *ch)
{
    struct sc_client_streams *st = g_new0(struct sc_client_streams, 1);

    st->ch = ch;
    return st;
}

/* The worker delivers nothing after its destroy (its deliver() runs on
 * this thread and checks that it is alive), so the stream can go at once;
 * a decode in flight ends off this thread, and the client's teardown
 * waits for its decoder (sc_client_free). */
static void stream_free(struct sc_client_streams *st, uint32_t id)
{
    struct client_stream *s = st->s[id];

    if (!s)
        return;
    sc_decode_worker_destroy(s->dec, st->ch->client->decoders);
    g_free(s);
    st->s[id] = NULL;
}

void sc_client_streams_free(struct sc_client_streams *st)
{
    if (!st)
        return;
    for (unsigned i = 0; i < MAX_STREAMS; i++)
        stream_free(st, i);
    g_free(st);
}

static struct sc_client_streams *streams(struct sc_channel *ch)
{
    return ((struct sc_client_display_channel *)ch->priv)->streams;
}

static struct client_stream *stream_get(struct sc_channel *ch, uint32_t id)
{
    struct sc_client_streams *st = streams(ch);

    return id < MAX_STREAMS ? st->s[id] : NULL;
}

/* ---- reports ------------------------------------------------------------------ */

static void window_start(struct client_stream *s)
{
    s->frames = 0;
    s->drops_base = s->dec ? sc_decode_worker_drops(s->dec) : 0;
    s->window_us = g_get_monotonic_time();
}

static void stream_report(struct client_stream *s, uint32_t drops)
{
    struct sc_channel *ch = s->ch;
    struct sc_stream_report r = { s->id, s->report_unique, s->start_mm, s->last_mm, s->frames,
                                  drops, s->last_delay, 0xffffffffu };
    struct sc_writer w;
    size_t st;

    if (!sc_caps_has_channel(&ch->scaps, SPICE_DISPLAY_CAP_STREAM_REPORT) ||
        !sc_channel_ready(ch))
        return;
    st = sc_channel_msg_begin(ch, &w, SPICE_MSGC_DISPLAY_STREAM_REPORT);
    sc_stream_report_write(&w, &r);
    sc_channel_msg_end(ch, &w, st);
    window_start(s);
}

/* A report when the window is full or its time is up: the frames that
 * arrived, those dropped before they were shown, the last one's delay. */
static void maybe_report(struct client_stream *s)
{
    int64_t age_ms = (g_get_monotonic_time() - s->window_us) / 1000;

    if (!s->report_active || !s->dec || !s->frames)
        return;
    if (s->frames >= s->report_window || (s->report_timeout_ms && age_ms >= s->report_timeout_ms))
        stream_report(s, sc_decode_worker_drops(s->dec) - s->drops_base);
}

/* ---- decoding and showing ------------------------------------------------------ */

static void stream_show(struct client_stream *s, const struct sc_decoded_frame *f)
{
    struct sc_client_head *h = sc_channel_head(s->ch);
    const struct sc_rect *d = &s->dest;

    if (h->cb.video_frame &&
        h->cb.video_frame(h->data, f, d->left, d->top, d->right - d->left, d->bottom - d->top))
        return;
    sc_canvas_blit_decoded(&h->canvas, f, s->flags & SPICE_STREAM_FLAGS_TOP_DOWN, d, &s->clip);
}

/* Stats of a shown frame: receive -> decode end -> present, and with a
 * frame stamp (common/stamp.h) capture -> receive and capture -> present */
static void frame_stats(struct client_stream *s, const struct sc_decode_result *r)
{
    struct sc_stats *st = s->ch->client->stats;
    int64_t now = sc_stats_now_us();
    struct sc_stamp stamp;

    sc_stats_record(st, "recv-decoded", r->decode_end_us - r->recv_us);
    sc_stats_record(st, "recv-present", now - r->recv_us);
    if (!sc_canvas_frame_stamp(r->frame, s->flags & SPICE_STREAM_FLAGS_TOP_DOWN, &stamp))
        return;
    sc_stats_record(st, "capture-recv", r->recv_us - stamp.time_us);
    sc_stats_record(st, "capture-present", now - stamp.time_us);
}

/* The overlay's figures of a shown frame (client/live-stats.h) */
static void live_stats(struct client_stream *s, const struct sc_decode_result *r)
{
    struct sc_live *l = s->ch->client->live;
    int64_t now = sc_stats_now_us();
    const char *name = sc_codec_id_name(s->codec);
    struct sc_stamp stamp;

    sc_live_frame(l, name ? name : "video");
    sc_live_sample(l, SC_CLIENT_LIVE_DECODE, r->decode_end_us - r->decode_start_us);
    sc_live_sample(l, SC_CLIENT_LIVE_RECV_DECODED, r->decode_end_us - r->recv_us);
    sc_live_sample(l, SC_CLIENT_LIVE_DECODED_PRESENT, now - r->decode_end_us);
    if (sc_canvas_frame_stamp(r->frame, s->flags & SPICE_STREAM_FLAGS_TOP_DOWN, &stamp))
        sc_live_sample(l, SC_CLIENT_LIVE_CAPTURE_PRESENT, now - stamp.time_us);
}

/* The worker's result, on the loop: shown at once (no playout delay) */
static void on_decoded(const struct sc_decode_result *r, void *data)
{
    struct client_stream *s = data;

    if (r->no_decoder) {
        if (s->report_active && !s->no_decoder_sent) {
            s->no_decoder_sent = true;
            stream_report(s, REPORT_NO_DECODER);
        }
        return;
    }
    if (r->status < 0)
        sc_debug("client: stream %u: a bad frame (%d)", s->id, r->status);
    if (r->frame) {
        stream_show(s, r->frame);
        if (s->ch->client->stats)
            frame_stats(s, r);
        if (s->ch->client->live)
            live_stats(s, r);
    }
    s->last_delay = (int32_t)(r->mm_time - sc_client_mm_now(s->ch->client));
    maybe_report(s);
}

bool sc_client_stream_msg_create(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_stream_create m;
    struct client_stream *s;
    char why[SC_CODEC_REASON_SIZE];

    if (!sc_stream_create_parse(body, len, &m) || m.id >= MAX_STREAMS)
        return false;
    if (!m.stream_width || !m.stream_height || m.stream_width > SC_CODEC_MAX_DIM ||
        m.stream_height > SC_CODEC_MAX_DIM || !sc_rect_sane(&m.dest))
        return false;
    stream_free(streams(ch), m.id);
    s = streams(ch)->s[m.id] = g_new(struct client_stream, 1);
    *s = (struct client_stream){ .id = m.id, .codec = m.codec_type,
                                 .flags = m.flags, .width = m.stream_width,
                                 .height = m.stream_height, .dest = m.dest, .clip = m.clip,
                                 .ch = ch };
    struct sc_decoder_params p = { m.stream_width, m.stream_height, true };
    s->dec = sc_decode_worker_new(m.codec_type, &p, NULL, MAX_PENDING, on_decoded, s, why,
                                  sizeof(why));
    if (!s->dec)
        sc_warn("client: stream %u codec %u: %s", m.id, m.codec_type, why);
    return true;
}

static bool stream_data(struct sc_channel *ch, uint32_t id, uint32_t mm, const uint8_t *data,
                        size_t size)
{
    struct client_stream *s = stream_get(ch, id);

    if (!s)
        return false;
    if (!s->dec)
        return true;
    if (!s->frames)
        s->start_mm = mm;
    s->frames++;
    s->last_mm = mm;
    if (!sc_decode_worker_submit(s->dec, data, size, mm, sc_stats_now_us()))
        maybe_report(s); /* a drop; a shown frame reports when it is shown */
    return true;
}

bool sc_client_stream_msg_data(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_stream_data m;

    return sc_stream_data_parse(body, len, &m) &&
           stream_data(ch, m.id, m.multi_media_time, m.data, m.data_size);
}

bool sc_client_stream_msg_data_sized(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_stream_data_sized m;
    struct client_stream *s;

    if (!sc_stream_data_sized_parse(body, len, &m) || !(s = stream_get(ch, m.id)) ||
        !sc_rect_sane(&m.dest))
        return false;
    s->dest = m.dest;
    return stream_data(ch, m.id, m.multi_media_time, m.data, m.data_size);
}

bool sc_client_stream_msg_clip(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct client_stream *s;
    struct sc_clip clip;
    uint32_t id;

    if (!sc_stream_clip_parse(body, len, &id, &clip) || !(s = stream_get(ch, id)))
        return false;
    s->clip = clip;
    return true;
}

bool sc_client_stream_msg_destroy(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct client_stream *s;
    uint32_t id;

    if (!sc_stream_destroy_parse(body, len, &id))
        return false;
    if ((s = stream_get(ch, id)))
        stream_free(streams(ch), id);
    return true;
}

bool sc_client_stream_msg_destroy_all(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_client_streams *st = streams(ch);

    (void)body, (void)len;
    for (unsigned i = 0; i < MAX_STREAMS; i++)
        stream_free(st, i);
    return true;
}

bool sc_client_stream_msg_activate_report(struct sc_channel *ch, const uint8_t *body, size_t len)
{
    struct sc_stream_activate_report m;
    struct client_stream *s;

    if (!sc_stream_activate_report_parse(body, len, &m) || !(s = stream_get(ch, m.stream_id)))
        return false;
    s->report_active = true;
    s->report_unique = m.unique_id;
    s->report_window = m.max_window_size ? m.max_window_size : 5;
    s->report_timeout_ms = m.timeout_ms;
    s->start_mm = s->last_mm = sc_client_mm_now(ch->client);
    window_start(s);
    if (!s->dec) {
        s->no_decoder_sent = true;
        stream_report(s, REPORT_NO_DECODER);
    }
    return true;
}
