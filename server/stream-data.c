/* What one STREAM_DATA carries: see stream-data.h.
 *
 * What spice-gtk 0.42 does with a STREAM_DATA's multi_media_time:
 * - its clock (spice-session.c spice_session_set_mm_time) is MAIN_INIT's
 *   multi_media_time plus the monotonic time since it read MAIN_INIT (or
 *   since a MAIN_MULTI_MEDIA_TIME: we send none), so it runs behind ours by
 *   MAIN_INIT's transit;
 * - at arrival (channel-display.c display_handle_stream_data) margin =
 *   mm_time - its clock.  margin < 0 is "late": a drop in the next
 *   STREAM_REPORT (display_update_stream_report: one per 5 frames or 1 s, or
 *   after 3 late frames in a row), whose last_frame_delay is the margin of
 *   its last frame; a late MJPEG frame is dropped undecoded
 *   (channel-display-gst.c queue_frame), other codecs decode it anyway;
 * - a decoded frame (appsink) waits for its mm_time (schedule_frame); one
 *   already due is shown at once if no other decoded frame is pending, else
 *   dropped unreported (display_frame, "rendering too late").  Through the
 *   widget's GstVideoOverlay the sink shows it at now + margin (0 on a
 *   STREAMING_MODE surface without audio; we set no such flag).
 * So a frame shows at max(decoded, mm_time) and counts late only if it
 * arrives after its mm_time.  The best stamp is the client's clock at
 * arrival plus a little: decoding (several ms for 720p H.264) hides that
 * little entirely.  spice-server stamps now + 50 ms, as we did: every frame
 * waited ~50 ms.  Now each client's margin over our clock is learned from
 * its reports: late frames raise it by their lateness (at least
 * AHEAD_STEP_MS); a last frame more than AHEAD_SPARE_MS early lowers it by
 * half the excess.  It settles at the transit and jitter of the client's
 * link minus its clock's lag (MAIN_INIT's transit, often several ms: the
 * margin may be negative), at most AHEAD_MAX_MS: a link slower than that
 * is still late for report_bad, and a negative last_frame_delay still
 * means a slow client, not a tight stamp. */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "server/channel.h"
#include "common/log.h"
#include "server/server-private.h"
#include "server/stream-data.h"
#include "common/frame.h"

#define AHEAD_START_MS 10 /* a client's margin before its first report */
#define AHEAD_MAX_MS 50   /* spice-server's fixed latency: never more */
#define AHEAD_MIN_MS (-1000)
#define AHEAD_STEP_MS 5   /* at least this much up after late frames */
#define AHEAD_SPARE_MS 8  /* frames arriving this early: margin enough */

/* SPICECAST_MM_AHEAD_MS=N: every frame stamped N ms ahead, not learned (to
 * measure against the old fixed 50 ms) */
static int ahead_from_env(void)
{
    const char *v = g_getenv("SPICECAST_MM_AHEAD_MS");
    char *end;
    long n;

    if (!v || !*v)
        return -1;
    n = strtol(v, &end, 10);
    if (*end || n < 0 || n > 10000) {
        sc_warn("SPICECAST_MM_AHEAD_MS=%s: not a number of ms, ignored", v);
        return -1;
    }
    return (int)n;
}

void sc_stream_data_opts_from_env(struct sc_stream_data_opts *o)
{
    o->fixed_ahead_ms = ahead_from_env();
    o->aud = g_strcmp0(g_getenv("SPICECAST_H264_AUD"), "0") != 0;
    o->aud_bare = g_strcmp0(g_getenv("SPICECAST_H264_AUD"), "bare") == 0;
}

void sc_stream_data_init(struct sc_stream_data_state *d, uint32_t now_mm)
{
    d->ahead_ms = AHEAD_START_MS;
    d->last_stamp = now_mm;
    d->aud_sent = false;
}

static uint32_t stamp(struct sc_stream_data_state *d, const struct sc_stream_data_opts *o,
                      uint32_t now_mm)
{
    int ahead = o->fixed_ahead_ms >= 0 ? o->fixed_ahead_ms : d->ahead_ms;
    uint32_t t = now_mm + (uint32_t)ahead;

    /* a lower margin must not turn the stamps back: spice-gtk's MJPEG
     * decoder drops its queue on a frame older than the previous one */
    if ((int32_t)(t - d->last_stamp) < 0)
        t = d->last_stamp;
    d->last_stamp = t;
    return t;
}

/* A report: the margin follows the client's lateness (see above). */
void sc_stream_data_learn(struct sc_stream_data_state *d, const struct sc_stream_report *r)
{
    int64_t delay = r->last_frame_delay, ahead = d->ahead_ms; /* no overflow */

    if (r->num_drops > 0 || delay < 0)
        ahead += MAX(AHEAD_STEP_MS, -delay);
    else if (delay > AHEAD_SPARE_MS)
        ahead -= (delay - AHEAD_SPARE_MS + 1) / 2;
    d->ahead_ms = (int)CLAMP(ahead, AHEAD_MIN_MS, AHEAD_MAX_MS);
}

/* FNV-1a, from h: ties a packet in the debug log to what the client
 * decodes (tests/interop/probe-video.c, frame times) */
static uint32_t hash_bytes(uint32_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* An H.264 access unit delimiter (7.3.2.4; primary_pic_type 7: any).
 * spice-gtk's pipeline (h264parse, caps without alignment) holds an access
 * unit until the next one starts: a frame's whole interval.  So each H.264
 * packet goes out without its own leading delimiter (x264 makes them) and
 * with the next unit's at its end: h264parse passes it on at once.  A unit
 * takes the PTS of the buffer it starts in, and spice-gtk matches decoded
 * frames to its queue by PTS: two units starting in one buffer would make
 * it discard one ("unexpected decoded buffer"), so a stream starts with a
 * STREAM_DATA holding a delimiter alone (unit k then starts in buffer k-1;
 * spice-gtk shows each frame as it decodes, as the stamps want anyway).
 *
 * The delimiter alone is not enough: h264parse (gst-plugins-bad 1.22,
 * gsth264parse.c gst_h264_parse_handle_frame) ends a unit when it collects
 * the NAL that starts the next one, and it collects a NAL only once it has
 * found the NAL's end, i.e. the next start code with a byte after it
 * (codecparsers' scan for 00 00 01 xx); a delimiter at a buffer's end waits
 * for the next buffer, and so did every frame, one interval (47 ms p50 at
 * 720p 30 fps glass-to-glass, 2026-12-07).  So the delimiter is followed by
 * a filler payload SEI of no bytes (7.3.2.3, D.1.3; payloadType 3, size 0,
 * then the RBSP stop bit): an SEI may come between a unit's delimiter and
 * its first slice (7.4.1.2.3), decoders skip a filler payload, and its
 * start code ends the delimiter, so h264parse passes the frame on at once
 * (the SEI waits for the next buffer, as the delimiter did).  The lone
 * delimiter that starts a stream goes without it (see below).  avdec_h264
 * (gst-libav 1.22, spice-gtk's decoder here) holds nothing more: with the
 * live appsrc spice-gtk makes (channel-display-gst.c app_source_setup,
 * is-live) avviddec picks slice threads, not frame threads, and a stream
 * without B-frames or POC gaps leaves libavcodec's reorder buffer
 * (h264_slice.c h264_select_output_frame, has_b_frames) at 0; measured
 * with a playbin set up as spice-gtk's: 0 frames held with this tail, 1
 * with the delimiter alone, for openh264 and x264 streams alike. */
static const uint8_t h264_tail[] = { 0, 0, 0, 1, 0x09, 0xf0,             /* delimiter */
                                     0, 0, 0, 1, 0x06, 0x03, 0x00, 0x80 }; /* filler SEI */
#define H264_AUD_SIZE 6
/* H.265's (7.3.2.5): NAL type 35, layer 0, temporal id 0; pic_type 2 (any),
 * then a prefix SEI (type 39) with an empty filler payload (D.2.1; a
 * prefix SEI may follow the delimiter, 7.4.2.4.4): h265parse holds units
 * as h264parse does */
static const uint8_t h265_tail[] = { 0, 0, 0, 1, 0x46, 0x01, 0x50,
                                     0, 0, 0, 1, 0x4e, 0x01, 0x03, 0x00, 0x80 };
#define H265_AUD_SIZE 7

/* What a packet of `codec` ends with (*n bytes; the delimiter its first
 * *aud_n), NULL for other codecs */
static const uint8_t *codec_tail(int codec, size_t *n, size_t *aud_n)
{
    if (codec == SPICE_VIDEO_CODEC_TYPE_H264) {
        *n = sizeof(h264_tail);
        *aud_n = H264_AUD_SIZE;
        return h264_tail;
    }
    if (codec == SPICE_VIDEO_CODEC_TYPE_H265) {
        *n = sizeof(h265_tail);
        *aud_n = H265_AUD_SIZE;
        return h265_tail;
    }
    *n = *aud_n = 0;
    return NULL;
}

/* The length of the delimiter at p's start (with a 4- or 3-byte start
 * code), 0 if there is none; aud (aud_n bytes: 4-byte start code, NAL
 * header, one payload byte) is the codec's: its payload (pic type) may
 * differ, so only the start code and NAL header are compared */
static size_t leading_aud(const uint8_t *p, size_t n, const uint8_t *aud, size_t aud_n)
{
    size_t hdr = aud_n - 1;

    if (n >= aud_n && memcmp(p, aud, hdr) == 0)
        return aud_n;
    if (n >= aud_n - 1 && memcmp(p, aud + 1, hdr - 1) == 0)
        return aud_n - 1;
    return 0;
}

/* What a STREAM_DATA goes with. */
struct out {
    struct sc_channel_client *cc;
    uint32_t id;
    struct sc_stream_data_state *d;
    const struct sc_stream_data_opts *o;
    uint64_t seq;
};

/* One STREAM_DATA: data, then tail (n_tail bytes). */
static void send_data(const struct out *out, const uint8_t *data, size_t n, const uint8_t *tail,
                      size_t n_tail)
{
    struct sc_channel_client *cc = out->cc;
    uint32_t mm = stamp(out->d, out->o, sc_server_mm_time(cc->server));
    uint32_t size = (uint32_t)(n + n_tail);
    size_t start = sc_cc_begin(cc, SPICE_MSG_DISPLAY_STREAM_DATA);

    /* sc_stream_data_write() in pieces */
    sc_write_u32(&cc->w, out->id);
    sc_write_u32(&cc->w, mm);
    sc_write_u32(&cc->w, size);
    sc_write_bytes(&cc->w, data, n);
    sc_write_bytes(&cc->w, tail, n_tail);
    sc_cc_end(cc, start);
    if (sc_log_debug_enabled())
        sc_debug("stream %u data: frame %" G_GUINT64_FORMAT " hash %08x, %u bytes, mm %u, %d ms "
                 "ahead", out->id, out->seq, hash_bytes(hash_bytes(2166136261u, data, n), tail, n_tail),
                 size, mm, (int32_t)(mm - sc_server_mm_time(cc->server)));
}

/* last: the frame's last packet (only that one ends its access unit) */
void sc_stream_data_send(struct sc_channel_client *cc, uint32_t id, struct sc_stream_data_state *d,
                         const struct sc_stream_data_opts *o, const struct sc_packet *p,
                         int codec, uint64_t seq, bool last)
{
    const struct out out = { cc, id, d, o, seq };
    size_t skip, tail_n, aud_n;
    const uint8_t *tail = codec_tail(codec, &tail_n, &aud_n);

    if (!tail || !o->aud) {
        send_data(&out, p->data, p->size, NULL, 0);
        return;
    }
    /* the stream's first delimiter alone, without the SEI: complete, it
     * would be collected before the stream's first picture, and h264parse
     * gave that picture a PTS of no buffer (spice-gtk: "unexpected decoded
     * buffer") */
    if (!d->aud_sent)
        send_data(&out, tail, 0, tail, aud_n);
    d->aud_sent = true;
    skip = leading_aud(p->data, p->size, tail, aud_n);
    send_data(&out, p->data + skip, p->size - skip, tail, !last ? 0 : o->aud_bare ? aud_n : tail_n);
}


/* µs from `from` to `to`, -1 when either is unknown or out of range */
static int32_t stage_us(int64_t from, int64_t to)
{
    if (!from || !to || to < from || to - from > INT32_MAX)
        return -1;
    return (int32_t)(to - from);
}

void sc_stream_data_send_times(struct sc_channel_client *cc, uint32_t id,
                               struct sc_stream_data_state *d, const struct sc_frame *f,
                               const int64_t at_us[SC_FRAME_STAGES])
{
    struct sc_frame_times m = { .stream_id = id, .frame = (uint32_t)f->seq,
                                .written_us = -1 };
    int64_t since, elapsed;
    size_t start;

    if (!sc_caps_has_channel(&cc->link.caps, SC_DISPLAY_CAP_FRAME_TIMES))
        return;
    for (int i = 0; i < SC_FRAME_STAGES; i++)
        m.us[i] = stage_us(f->time_us, at_us[i]);
    /* 'written' is known only once the bytes are out: this frame's when
     * the socket took them at once (the caller noted them before), else the
     * previous frame's goes with this one, if its bytes are out by now (a
     * frame whose bytes take longer than the next frame has none) */
    if (sc_conn_last_written(cc->conn, &since, &elapsed) && since != d->written_sent_us &&
        (since == f->time_us || (d->prev_time_us && since == d->prev_time_us))) {
        m.written_frame = since == f->time_us ? m.frame : d->prev_frame;
        m.written_us = stage_us(since, since + elapsed);
        d->written_sent_us = since; /* once per frame */
    }
    start = sc_cc_begin(cc, SC_MSG_DISPLAY_FRAME_TIMES);
    sc_frame_times_write(&cc->w, &m);
    sc_cc_end(cc, start);
    d->prev_frame = m.frame;
    d->prev_time_us = f->time_us;
}
