/* Video streams for remote clients (ARCHITECTURE.md "remote").
 *
 * Motion detection is per display: a few frames with damage in quick
 * succession put the display in video mode; STILL_MS without a new frame
 * take it out, and every client then gets a lossless refresh of the whole
 * surface.  In video mode each display client that can decode one of the
 * server's codecs joins a stream group (encoder backend, width, height).
 * A group encodes each frame once on a worker thread (codecs/worker.c) and
 * fans the packets out as STREAM_DATA.  A client that cannot take a packet
 * (send queue full, acks pending) skips it and waits for a keyframe, which
 * the group is asked for; the other clients are not held back.
 *
 * Rate control tells two kinds of slow client apart by their STREAM_REPORTs
 * (drops, or frames late) and their socket:
 * - a slow link (packets skipped for back-pressure, or a long send queue)
 *   moves one rate class down: a group encoding at half the bitrate;
 * - a slow decoder (bad reports while its socket drains) stays in its group
 *   and is sent every other frame ("thin"), which is safe only for frames
 *   no later frame refers to: every MJPEG frame is one; an H.264 group's
 *   encoder is made (or replaced, at its first thin client) asking for such
 *   frames (sc_encoder_params.droppable: openh264 then makes every other
 *   frame nal_ref_idc 0, for ~25 % more bits, so groups start without).
 *   A P-frame chain without such frames (VP8, VP9, other H.264 encoders)
 *   cannot be thinned: that client is sent every frame.  A new encoder
 *   would cost the server a core and not lower the client's decoding work;
 *   half the frames halve it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "server/channel.h"
#include "codecs/worker.h"
#include "server/display.h"
#include "common/log.h"
#include "server/server-private.h"
#include "codecs/packet.h"
#include "server/stream-data.h"
#include "server/stream.h"
#include "common/stats.h"

#define MOTION_FRAMES 3    /* consecutive changing frames that start video */
#define MOTION_GAP_MS 300  /* ... each at most this long after the previous */
#define STILL_MS 300       /* no new frame for this long: back to lossless */
#define DEFAULT_FPS 30     /* an encoder's rate before the source's is known */
#define KEYFRAME_INTERVAL 300
#define MAX_VIDEO_CODECS 16
#define DEFAULT_BITRATE (8u * 1000 * 1000)
/* Rate classes: a group encodes at bitrate >> class.  A client that keeps
 * skipping packets (it cannot take them) or reports drops moves one class
 * down, to a slower group; after enough good reports it moves back up. */
#define MAX_RATE_CLASS 3
#define SKIPS_TO_SLOW_DOWN 3
#define GOOD_REPORTS_TO_SPEED_UP 6
#define RATE_CHANGE_MIN_US (2 * G_USEC_PER_SEC) /* one step at most per 2 s */
#define BAD_REPORTS_TO_THIN 3 /* consecutive, with a draining socket */
#define THIN_REPORTS_MIN 12   /* good reports before a thin client gets all */
#define THIN_REPORTS_MAX 192  /* ... doubling each time it is thinned again */
/* a send queue longer than this (or 1/4 s of the group's bitrate) is a
 * link that does not keep up */
#define LINK_BACKLOG_MIN (256u * 1024)

struct sc_stream_group {
    struct sc_streams *streams;
    const struct sc_encoder_ops *ops;
    uint32_t width, height;
    struct sc_encode_worker *worker;
    GList *clients;
    uint64_t last_seq;
    bool have_seq;
    unsigned rate_class;
    bool top_down; /* of the frames it encodes: else the client flips */
    uint64_t encoded, busy; /* frames encoded; frames dropped, encoder busy */
    /* the newest frame the busy encoder refused: encoded as soon as a
     * result comes back, unless a newer one replaces it first (the latest
     * picture always goes out, the ones in between are dropped) */
    struct sc_frame *next;
    bool droppable;         /* its encoder was asked for droppable frames */
    bool droppable_seen;    /* it made a frame a thin client may skip */
};

/* A display client's stream state. */
struct sc_stream_client {
    struct sc_streams *streams;
    struct sc_channel_client *cc; /* its owner: messages go through it */
    void (*refresh)(void *data);  /* the stream ended: a lossless refresh */
    void *data;
    struct sc_stream_group *group;
    uint32_t id;          /* the current stream's id */
    uint32_t next_id;
    bool created;         /* STREAM_CREATE sent for id */
    bool need_key;        /* skip packets until a keyframe */
    uint32_t failed;      /* bit per SPICE codec type the client could not decode */
    uint8_t n_preferred;  /* PREFERRED_VIDEO_CODEC_TYPE */
    uint8_t preferred[SC_MAX_VIDEO_CODECS];
    /* rate control: the client's group encodes at bitrate >> rate_class */
    unsigned rate_class;
    unsigned skips;        /* packets skipped for back-pressure in this group */
    unsigned good_reports; /* consecutive reports without drops or lateness */
    gint64 rate_changed_us;
    /* a client that decodes too slowly while its socket drains: it is sent
     * only the frames others refer to (half the rate, same encoder) */
    bool thin;
    bool thin_skipped_last; /* the previous packet was left out */
    unsigned bad_reports;  /* consecutive reports with drops or lateness */
    unsigned report_skips; /* skips at the previous report */
    unsigned thin_reports; /* good reports needed to leave thin (doubles) */
    uint64_t thinned;      /* packets left out for it */
    gint64 key_asked_us;   /* the last keyframe its drops asked for */
    struct sc_stream_data_state data_state; /* stamps and delimiters (stream-data.c) */
};

struct sc_streams {
    struct sc_server *server;
    bool enabled;
    const struct sc_encoder_ops *codecs[MAX_VIDEO_CODECS];
    int n_codecs;
    uint32_t bitrate;
    GList *groups;
    /* motion detection */
    bool video;
    unsigned motion_run;
    gint64 last_motion_us;
    gint64 last_capture_us;   /* the previous changing frame's time_us */
    gint64 frame_interval_us; /* the source's, smoothed: encoders take its rate */
    guint still_timer;
    struct sc_display_listener display_listener;
    struct sc_stream_data_opts data_opts; /* bench knobs (stream-data.h) */
};

/* ---- setup ----------------------------------------------------------- */

static int codec_list_default(const struct sc_encoder_ops **out, int max)
{
    int n = 0;

    for (int i = 0; sc_encoders[i] && n < max; i++) {
        if (!sc_codec_is_lossless(sc_encoders[i]->codec))
            out[n++] = sc_encoders[i];
    }
    return n;
}

static void on_display_frame(struct sc_frame *frame, void *data);

struct sc_streams *sc_streams_new(struct sc_server *server, const char *mode, const char *codecs,
                                  uint32_t bitrate, GError **error)
{
    struct sc_streams *s = g_new0(struct sc_streams, 1);
    char err[256];

    s->server = server;
    s->bitrate = bitrate ? bitrate : DEFAULT_BITRATE;
    s->display_listener = (struct sc_display_listener){ .frame = on_display_frame, .data = s };
    sc_stream_data_opts_from_env(&s->data_opts);
    if (mode && strcmp(mode, "all") == 0) {
        s->enabled = true;
    } else if (mode && strcmp(mode, "off") != 0) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "unknown streaming-video mode '%s' (off or all)", mode);
        goto err;
    }
    if (codecs) {
        s->n_codecs = sc_codec_parse_list(codecs, s->codecs, MAX_VIDEO_CODECS, err, sizeof(err));
        if (s->n_codecs < 0) {
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "video codecs: %s", err);
            goto err;
        }
    } else {
        s->n_codecs = codec_list_default(s->codecs, MAX_VIDEO_CODECS);
    }
    if (!s->enabled)
        return s; /* nothing to probe */
    /* keep what works on this machine; say why the rest does not */
    for (int i = 0; i < s->n_codecs; i++) {
        char label[64], reason[SC_CODEC_REASON_SIZE];

        sc_encoder_ops_label(s->codecs[i], label, sizeof(label));
        if (sc_codec_is_lossless(s->codecs[i]->codec) ||
            !sc_encoder_probe(s->codecs[i], reason, sizeof(reason))) {
            if (sc_codec_is_lossless(s->codecs[i]->codec))
                g_strlcpy(reason, "not a video codec", sizeof(reason));
            sc_info("video codec %s unavailable: %s", label, reason);
            memmove(&s->codecs[i], &s->codecs[i + 1], sizeof(s->codecs[0]) * (s->n_codecs - i - 1));
            s->n_codecs--;
            i--;
        }
    }
    if (s->n_codecs == 0)
        sc_warn("streaming-video is on but no video encoder works here: lossless only");
    return s;
err:
    g_free(s);
    return NULL;
}

bool sc_streams_enabled(const struct sc_streams *s)
{
    return s && s->enabled && s->n_codecs > 0;
}

/* ---- groups ----------------------------------------------------------- */

static void group_free(struct sc_stream_group *g)
{
    char label[64];

    sc_encoder_ops_label(g->ops, label, sizeof(label));
    sc_info("video stream group %s %ux%u at %u bit/s ended: %" G_GUINT64_FORMAT
            " frames encoded, %" G_GUINT64_FORMAT " dropped (encoder busy)",
            label, g->width, g->height, g->streams->bitrate >> g->rate_class, g->encoded, g->busy);
    sc_encode_worker_destroy(g->worker);
    if (g->next)
        sc_frame_unref(g->next);
    g_list_free(g->clients);
    g_free(g);
}

static void group_leave(struct sc_stream_group *g, struct sc_stream_client *sc)
{
    struct sc_streams *s = g->streams;

    g->clients = g_list_remove(g->clients, sc);
    sc->group = NULL;
    if (!g->clients) {
        s->groups = g_list_remove(s->groups, g);
        group_free(g);
    }
}

static void send_stream_create(struct sc_stream_client *sc, struct sc_stream_group *g)
{
    struct sc_channel_client *cc = sc->cc;
    struct sc_stream_create m;
    size_t start;

    memset(&m, 0, sizeof(m));
    sc->id = sc->next_id;
    sc->next_id = (sc->next_id + 1) % 64; /* SPICE_MAX_NUM_STREAMS */
    m.surface_id = 0;
    m.id = sc->id;
    m.flags = g->top_down ? SPICE_STREAM_FLAGS_TOP_DOWN : 0;
    m.codec_type = (uint8_t)g->ops->codec;
    m.stream_width = m.src_width = g->width;
    m.stream_height = m.src_height = g->height;
    m.dest = (struct sc_rect){ 0, 0, (int32_t)g->width, (int32_t)g->height };
    m.clip.type = SPICE_CLIP_TYPE_NONE;
    start = sc_cc_begin(cc, SPICE_MSG_DISPLAY_STREAM_CREATE);
    sc_stream_create_write(&cc->w, &m);
    sc_cc_end(cc, start);
    if (sc_caps_has_channel(&cc->link.caps, SPICE_DISPLAY_CAP_STREAM_REPORT)) {
        struct sc_stream_activate_report r = { sc->id, sc->id, 5, 1000 };
        start = sc_cc_begin(cc, SPICE_MSG_DISPLAY_STREAM_ACTIVATE_REPORT);
        sc_stream_activate_report_write(&cc->w, &r);
        sc_cc_end(cc, start);
    }
    sc->created = true;
    sc->need_key = true;
    sc->data_state.aud_sent = false;
}

static void group_fail(struct sc_stream_group *g, const char *why)
{
    int codec = g->ops->codec;
    GList *clients;
    char label[64];

    sc_encoder_ops_label(g->ops, label, sizeof(label));
    sc_warn("video stream %s failed (%s): its clients go back to lossless", label, why);
    /* the group goes with its last client: walk a copy */
    clients = g_list_copy(g->clients);
    for (GList *l = clients; l; l = l->next) {
        struct sc_stream_client *sc = l->data;
        sc->failed |= 1u << codec;
        sc_stream_client_stop(sc, true);
        sc->refresh(sc->data);
    }
    g_list_free(clients);
}

/* Moves a client to another rate class: it leaves its group now and joins
 * (or creates) the group of its new class with the next frame. */
static void change_rate(struct sc_stream_client *sc, unsigned rate_class, const char *why)
{
    struct sc_stream_group *g = sc->group;

    gint64 now = g_get_monotonic_time();

    /* a stall is one event, not one per skipped packet */
    if (!g || rate_class == sc->rate_class || now - sc->rate_changed_us < RATE_CHANGE_MIN_US)
        return;
    sc->rate_changed_us = now;
    sc_info("client %s: video at 1/%u of the bitrate (%s)", sc_conn_peer(sc->cc->conn),
            1u << rate_class, why);
    sc->rate_class = rate_class;
    sc->good_reports = 0;
    sc_stream_client_stop(sc, true);
}

/* A thin client (it decodes too slowly) is left every other droppable
 * frame out; true: leave this one out */
static bool thin_skip(struct sc_stream_client *sc, bool droppable)
{
    if (!sc->thin || !droppable || sc->thin_skipped_last) {
        sc->thin_skipped_last = false;
        return false;
    }
    sc->thin_skipped_last = true;
    sc->thinned++;
    return true;
}

/* Encodes frame, or keeps it as the group's next frame while the encoder
 * is busy (a frame kept earlier is dropped then). */
static void group_submit(struct sc_stream_group *g, struct sc_frame *frame)
{
    if (sc_encode_worker_submit(g->worker, frame)) {
        if (g->next && g->next != frame) { /* older than the frame just taken */
            g->busy++;
            sc_frame_unref(g->next);
            g->next = NULL;
        }
        return;
    }
    if (g->next) {
        g->busy++;
        sc_debug("video encoder busy: frame %" G_GUINT64_FORMAT " dropped", g->next->seq);
        sc_frame_unref(g->next);
    }
    g->next = sc_frame_ref(frame);
}

/* On the loop thread: the packets of one frame, fanned out. */
static void group_done(struct sc_frame *frame, const struct sc_packet *packets, size_t n,
                       int status, void *data)
{
    struct sc_stream_group *g = data;
    GList *slow = NULL;
    bool want_key = false;
    struct sc_encode_times et = sc_encode_worker_times(g->worker);
    int64_t at[SC_FRAME_STAGES] = { frame->arrived_us, et.submit_us, et.start_us, et.end_us };

    if (status < 0) {
        group_fail(g, g_strerror(-status));
        return;
    }
    g->encoded++;
    for (size_t i = 0; i < n; i++)
        g->droppable_seen |= sc_packet_is_droppable(g->ops->codec, packets[i].data, packets[i].size);
    for (GList *l = g->clients; l; l = l->next) {
        struct sc_stream_client *sc = l->data;
        struct sc_channel_client *cc = sc->cc;
        bool sent = false;

        for (size_t i = 0; i < n; i++) {
            const struct sc_packet *p = &packets[i];

            if (sc->need_key && !p->keyframe) {
                want_key = true;
                continue;
            }
            if (sc->thin && thin_skip(sc, sc_packet_is_droppable(g->ops->codec, p->data, p->size)))
                continue;
            if (!sc_cc_can_send(cc)) {
                /* the client is behind: it skips until the next keyframe,
                 * and moves to a slower group if it keeps falling behind */
                sc->need_key = true;
                want_key = true;
                if (++sc->skips == SKIPS_TO_SLOW_DOWN && sc->rate_class < MAX_RATE_CLASS)
                    slow = g_list_prepend(slow, sc);
                continue;
            }
            if (!sc->created)
                send_stream_create(sc, g);
            sc_stream_data_send(cc, sc->id, &sc->data_state, &g->streams->data_opts, p,
                                g->ops->codec, frame->seq, i + 1 == n);
            if (!sent) { /* its first byte queued */
                sc_stats_record_since(g->streams->server->stats, "queued", frame->time_us);
                at[SC_FRAME_QUEUED] = sc_stats_now_us();
            }
            sent = true;
            sc->need_key = false;
        }
        if (!sent)
            continue;
        /* its last byte written; its stages to a client that takes them */
        sc_conn_note_written(cc->conn, g->streams->server->stats, "written", frame->time_us);
        sc_stream_data_send_times(cc, sc->id, &sc->data_state, frame, at);
    }
    if (want_key)
        sc_encode_worker_force_keyframe(g->worker);
    if (g->next) { /* a result is back: there is room for the kept frame */
        struct sc_frame *next = g->next;
        g->next = NULL;
        group_submit(g, next);
        sc_frame_unref(next);
    }
    /* the group may go with its last client: nothing of g after this */
    for (GList *l = slow; l; l = l->next) {
        struct sc_stream_client *sc = l->data;
        change_rate(sc, sc->rate_class + 1, "it cannot keep up");
    }
    g_list_free(slow);
}

static struct sc_stream_group *group_find(struct sc_streams *s, const struct sc_encoder_ops *ops,
                                          const struct sc_frame *f, unsigned rate_class)
{
    for (GList *l = s->groups; l; l = l->next) {
        struct sc_stream_group *g = l->data;
        if (g->ops == ops && g->width == f->width && g->height == f->height &&
            g->rate_class == rate_class && g->top_down == f->top_down)
            return g;
    }
    return NULL;
}

/* A worker with a new encoder for g's codec, size, rate class and
 * g->droppable; NULL (logged) on failure. */
static struct sc_encode_worker *group_worker(struct sc_stream_group *g)
{
    struct sc_encoder_params params = {
        .width = g->width, .height = g->height, .fps = sc_streams_source_fps(g->streams),
        .bitrate = g->streams->bitrate >> g->rate_class, .keyframe_interval = KEYFRAME_INTERVAL,
        .low_latency = true, .droppable = g->droppable,
    };
    char reason[SC_CODEC_REASON_SIZE], label[64];
    struct sc_encoder *enc = sc_encoder_create(g->ops, &params, reason, sizeof(reason));
    struct sc_encode_worker *w;

    sc_encoder_ops_label(g->ops, label, sizeof(label));
    if (!enc) {
        sc_warn("video encoder %s for %ux%u: %s", label, g->width, g->height, reason);
        return NULL;
    }
    w = sc_encode_worker_new(enc, g_main_context_get_thread_default(), 2, group_done, g);
    if (!w) {
        sc_encoder_destroy(enc);
        return NULL;
    }
    sc_encode_worker_set_stats(w, g->streams->server->stats);
    sc_debug("video stream group %s %ux%u at %u bit/s, %u fps%s", label, g->width, g->height,
             params.bitrate, params.fps, g->droppable ? ", droppable frames" : "");
    return w;
}

static struct sc_stream_group *group_new(struct sc_streams *s, const struct sc_encoder_ops *ops,
                                         const struct sc_frame *f, unsigned rate_class,
                                         bool droppable)
{
    struct sc_stream_group *g = g_new0(struct sc_stream_group, 1);

    g->streams = s;
    g->ops = ops;
    g->width = f->width;
    g->height = f->height;
    g->rate_class = rate_class;
    g->top_down = f->top_down;
    g->droppable = droppable && ops->codec == SPICE_VIDEO_CODEC_TYPE_H264;
    g->worker = group_worker(g);
    if (!g->worker) {
        g_free(g);
        return NULL;
    }
    s->groups = g_list_prepend(s->groups, g);
    return g;
}

/* An H.264 group gets its first thin client (thinned there, or joining
 * it): its encoder is replaced by one that makes droppable frames (every other frame nal_ref_idc 0; it costs
 * bits, so groups start without).  The stream goes on: the new encoder
 * starts with a keyframe, the frames in flight are lost.  Once per group. */
static void group_make_droppable(struct sc_stream_group *g)
{
    struct sc_encode_worker *w;

    if (g->droppable || g->droppable_seen || g->ops->codec != SPICE_VIDEO_CODEC_TYPE_H264)
        return;
    g->droppable = true;
    w = group_worker(g);
    if (!w)
        return; /* the old encoder goes on: its clients get every frame */
    sc_encode_worker_destroy(g->worker);
    g->worker = w;
}

/* ---- codec choice ------------------------------------------------------ */

static bool client_decodes(const struct sc_stream_client *sc, int codec)
{
    const struct sc_caps *caps = &sc->cc->link.caps;
    bool multi = sc_caps_has_channel(caps, SPICE_DISPLAY_CAP_MULTI_CODEC);

    if (sc->failed & (1u << codec))
        return false;
    switch (codec) {
    case SPICE_VIDEO_CODEC_TYPE_MJPEG:
        return !multi || sc_caps_has_channel(caps, SPICE_DISPLAY_CAP_CODEC_MJPEG);
    case SPICE_VIDEO_CODEC_TYPE_VP8:
        return multi && sc_caps_has_channel(caps, SPICE_DISPLAY_CAP_CODEC_VP8);
    case SPICE_VIDEO_CODEC_TYPE_H264:
        return multi && sc_caps_has_channel(caps, SPICE_DISPLAY_CAP_CODEC_H264);
    case SPICE_VIDEO_CODEC_TYPE_VP9:
        return multi && sc_caps_has_channel(caps, SPICE_DISPLAY_CAP_CODEC_VP9);
    case SPICE_VIDEO_CODEC_TYPE_H265:
        return multi && sc_caps_has_channel(caps, SPICE_DISPLAY_CAP_CODEC_H265);
    default:
        return false;
    }
}

/* The client's preference first (PREFERRED_VIDEO_CODEC_TYPE), then ours. */
static const struct sc_encoder_ops *choose_codec(struct sc_streams *s,
                                                 const struct sc_stream_client *sc)
{
    for (unsigned p = 0; p < sc->n_preferred; p++)
        for (int i = 0; i < s->n_codecs; i++)
            if (s->codecs[i]->codec == sc->preferred[p] && client_decodes(sc, s->codecs[i]->codec))
                return s->codecs[i];
    for (int i = 0; i < s->n_codecs; i++)
        if (client_decodes(sc, s->codecs[i]->codec))
            return s->codecs[i];
    return NULL;
}

/* ---- motion detection and routing ----------------------------------------- */

static gboolean still_timeout(gpointer data)
{
    struct sc_streams *s = data;

    s->still_timer = 0;
    s->video = false;
    s->motion_run = 0;
    /* every streaming client gets the still picture losslessly */
    while (s->groups) {
        struct sc_stream_group *g = s->groups->data;
        struct sc_stream_client *sc = g->clients->data;

        sc_stream_client_stop(sc, true);
        sc->refresh(sc->data);
    }
    sc_debug("video mode off: the screen is still");
    return G_SOURCE_REMOVE;
}

/* The display's listener: motion detection on each new frame, before any
 * display client routes it (the display calls its listeners in order,
 * and this one is added first). */
static void on_display_frame(struct sc_frame *frame, void *data)
{
    struct sc_streams *s = data;
    gint64 now = g_get_monotonic_time();
    bool changed = frame->full_damage || frame->n_damage > 0;

    if (!s->enabled || !changed)
        return;
    /* the frame's start, for the latency measured from its STREAM_DATA */
    sc_debug("frame %" G_GUINT64_FORMAT " emitted at %" G_GINT64_FORMAT " us", frame->seq, now);
    if (now - s->last_motion_us <= MOTION_GAP_MS * 1000) {
        /* the source's cadence from its capture times (the display may
         * hand frames on in bursts), over about 8 frames of runs of motion;
         * a run's first interval is from whatever changed before it */
        gint64 iv = frame->time_us - s->last_capture_us;
        if (iv > 0 && s->motion_run >= 2)
            s->frame_interval_us += s->frame_interval_us ? (iv - s->frame_interval_us) / 8 : iv;
        s->motion_run++;
    } else {
        s->motion_run = 1;
    }
    s->last_capture_us = frame->time_us;
    s->last_motion_us = now;
    if (!s->video && s->motion_run >= MOTION_FRAMES) {
        s->video = true;
        sc_debug("video mode on");
    }
    if (s->video) {
        if (s->still_timer)
            g_source_remove(s->still_timer);
        s->still_timer = g_timeout_add(STILL_MS, still_timeout, s);
    }
}

const struct sc_display_listener *sc_streams_display_listener(struct sc_streams *s)
{
    return &s->display_listener;
}

uint32_t sc_streams_source_fps(const struct sc_streams *s)
{
    /* the rates sources run at; each takes measured rates up to about the
     * geometric mean with the next, so loop jitter does not make a new
     * rate (and 24, 25 fps video gets 30's bits per frame: a little less
     * than the bitrate) */
    static const struct { uint32_t fps; int64_t min_interval_us; } rates[] = {
        { 120, 0 }, { 60, 1000000 / 85 }, { 30, 1000000 / 42 }, { 15, 1000000 / 21 },
    };
    int64_t iv = s->frame_interval_us;

    if (iv <= 0)
        return DEFAULT_FPS;
    for (unsigned i = G_N_ELEMENTS(rates); i-- > 1;)
        if (iv >= rates[i].min_interval_us)
            return rates[i].fps;
    return rates[0].fps;
}

bool sc_streams_video(const struct sc_streams *s)
{
    return s && s->video;
}

bool sc_streams_take(struct sc_stream_client *sc, struct sc_frame *frame)
{
    struct sc_streams *s = sc->streams;
    struct sc_stream_group *g = sc->group;

    /* the caller checked that its surface has the frame's size: a new size
     * goes through the lossless path first, and its SURFACE_CREATE stops
     * the stream, so a group always has the frame's size here */
    if (!s->video)
        return false;
    while (!sc->group) {
        const struct sc_encoder_ops *ops = choose_codec(s, sc);

        if (!ops)
            return false;
        g = group_find(s, ops, frame, sc->rate_class);
        if (g && sc->thin)
            group_make_droppable(g);
        if (!g)
            g = group_new(s, ops, frame, sc->rate_class, sc->thin);
        if (!g) {
            sc->failed |= 1u << ops->codec;
            continue;
        }
        g->clients = g_list_prepend(g->clients, sc);
        sc->group = g;
        sc->created = false;
        sc->need_key = true;
        sc->skips = sc->report_skips = 0;
        sc->bad_reports = 0;
        sc_encode_worker_force_keyframe(g->worker);
    }
    g = sc->group;
    /* once per frame per group, however many clients share it */
    if (!g->have_seq || g->last_seq != frame->seq || frame->seq == 0) {
        g->last_seq = frame->seq;
        g->have_seq = true;
        /* before submit: the worker may start on it at once */
        sc_stats_record_since(s->server->stats, "display", frame->time_us);
        group_submit(g, frame);
    }
    return true;
}

void sc_stream_client_stop(struct sc_stream_client *sc, bool send)
{
    struct sc_channel_client *cc;

    if (!sc || !sc->group)
        return;
    cc = sc->cc;
    if (send && sc->created && !cc->closing) {
        size_t start = sc_cc_begin(cc, SPICE_MSG_DISPLAY_STREAM_DESTROY);
        sc_stream_destroy_write(&cc->w, sc->id);
        sc_cc_end(cc, start);
    }
    sc->created = false;
    group_leave(sc->group, sc);
}

/* Whether the client's link, not its decoder, holds it back: packets were
 * skipped for back-pressure since its last report, acks are overdue, or
 * its send queue holds more than LINK_BACKLOG_MIN or 1/4 s of video. */
static bool link_backlogged(const struct sc_stream_client *sc, bool skipped)
{
    struct sc_channel_client *cc = sc->cc;
    size_t quarter_s = (sc->group->streams->bitrate >> sc->rate_class) / 8 / 4;

    return skipped || !sc_cc_can_send(cc) ||
           sc_conn_queued(cc->conn) > MAX(LINK_BACKLOG_MIN, quarter_s);
}

/* Drops or late frames: a slower group for a slow link, every other
 * frame for a slow decoder. */
static void report_bad(struct sc_stream_client *sc, bool skipped)
{
    struct sc_stream_group *g = sc->group;

    sc->good_reports = 0;
    if (link_backlogged(sc, skipped)) {
        sc->bad_reports = 0;
        if (sc->rate_class < MAX_RATE_CLASS)
            change_rate(sc, sc->rate_class + 1, "frames dropped or late, its link backs up");
        return;
    }
    if (++sc->bad_reports < BAD_REPORTS_TO_THIN || sc->thin)
        return;
    sc->thin = true;
    sc->thin_skipped_last = false;
    sc->thin_reports = sc->thin_reports ? MIN(sc->thin_reports * 2, THIN_REPORTS_MAX)
                                        : THIN_REPORTS_MIN;
    group_make_droppable(g);
    sc_info("client %s decodes too slowly (frames dropped or late, its socket drains): %s",
            sc_conn_peer(sc->cc->conn),
            g->droppable_seen ? "every other frame of the same stream"
            : g->droppable    ? "every other frame, if its encoder makes frames it may skip"
                              : "its codec has no frames it may skip: all are sent");
}

static void report_good(struct sc_stream_client *sc)
{
    sc->bad_reports = 0;
    sc->good_reports++;
    if (sc->thin) {
        if (sc->good_reports >= sc->thin_reports) {
            sc->thin = false;
            sc->good_reports = 0;
            sc_info("client %s keeps up: every frame again (%" G_GUINT64_FORMAT
                    " left out so far)", sc_conn_peer(sc->cc->conn), sc->thinned);
        }
        return;
    }
    if (sc->good_reports >= GOOD_REPORTS_TO_SPEED_UP && sc->rate_class > 0)
        change_rate(sc, sc->rate_class - 1, "it keeps up");
}

/* A client that skips to the next keyframe after a drop (our viewer's
 * SC_DISPLAY_CAP_KEYFRAME_ON_DROP) gets one at once, not at the next
 * interval (KEYFRAME_INTERVAL frames): at most one a second. */
static void keyframe_for_drops(struct sc_stream_client *sc)
{
    gint64 now = g_get_monotonic_time();

    if (!sc_caps_has_channel(&sc->cc->link.caps, SC_DISPLAY_CAP_KEYFRAME_ON_DROP) ||
        now - sc->key_asked_us < G_USEC_PER_SEC)
        return;
    sc->key_asked_us = now;
    sc->need_key = true; /* what it would drop anyway */
    sc_encode_worker_force_keyframe(sc->group->worker);
    sc_debug("stream %u: the client dropped frames, a keyframe for it", sc->id);
}

void sc_stream_client_report(struct sc_stream_client *sc, const struct sc_stream_report *r)
{
    /* only reports about the stream the client has now: spice-gtk keeps
     * answering packets of a stream it dropped, and those stale reports
     * arrive after we moved on (the next stream is not created yet) */
    if (!sc->group || !sc->created || r->stream_id != sc->id)
        return;
    if (r->num_drops == UINT32_MAX) {
        /* the client could not create a decoder: it dropped the stream */
        char label[64];
        sc_encoder_ops_label(sc->group->ops, label, sizeof(label));
        sc_info("client %s cannot decode %s: trying the next codec",
                sc_conn_peer(sc->cc->conn), label);
        sc->failed |= 1u << sc->group->ops->codec;
        sc->created = false; /* already gone on the client side */
        group_leave(sc->group, sc);
        sc->refresh(sc->data);
        return;
    }
    sc_debug("stream %u report: %u frames, %u drops, delay %d ms", r->stream_id, r->num_frames,
             r->num_drops, r->last_frame_delay);
    sc_stream_data_learn(&sc->data_state, r);
    if (r->num_drops > 0)
        keyframe_for_drops(sc);
    bool skipped = sc->skips != sc->report_skips;
    sc->report_skips = sc->skips;
    if (r->num_drops > 0 || r->last_frame_delay < 0)
        report_bad(sc, skipped);
    else
        report_good(sc);
}

/* ---- per display client ----------------------------------------------------- */

struct sc_stream_client *sc_stream_client_new(struct sc_streams *s, struct sc_channel_client *cc,
                                              void (*refresh)(void *data), void *data)
{
    struct sc_stream_client *sc;

    if (!s)
        return NULL;
    sc = g_new0(struct sc_stream_client, 1);
    sc->streams = s;
    sc->cc = cc;
    sc->refresh = refresh;
    sc->data = data;
    sc_stream_data_init(&sc->data_state, sc_server_mm_time(cc->server));
    return sc;
}

void sc_stream_client_free(struct sc_stream_client *sc)
{
    if (!sc)
        return;
    sc_stream_client_stop(sc, false);
    g_free(sc);
}

void sc_stream_client_prefer(struct sc_stream_client *sc, const uint8_t *codecs, unsigned n)
{
    if (!sc)
        return;
    sc->n_preferred = (uint8_t)MIN(n, sizeof(sc->preferred));
    memcpy(sc->preferred, codecs, sc->n_preferred);
    /* a new preference takes effect with the next stream */
    sc_stream_client_stop(sc, true);
}

unsigned sc_streams_n_groups(const struct sc_streams *s)
{
    return s ? g_list_length(s->groups) : 0;
}

void sc_streams_free(struct sc_streams *s)
{
    if (!s)
        return;
    if (s->still_timer)
        g_source_remove(s->still_timer);
    g_list_free_full(s->groups, (GDestroyNotify)group_free);
    g_free(s);
}
