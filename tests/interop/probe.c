/* probe: a small SPICE client on the real spice-gtk library
 * (spice-client-glib-2.0), used by the interop tests to check a server from
 * the point of view of a stock client.
 *
 * Every mode prints machine-readable "key=value" lines on stdout and exits
 * 0 when its check holds, 1 when it does not, 2 on a usage error.
 *
 *   probe --uri URI [--password P] [--timeout S] [--ca-file F] MODE...
 *     --ca-file F            TLS: trust the CA in F (spice-gtk's "ca-file";
 *                            spice://HOST?tls-port=P links over TLS)
 *     --host-subject S       TLS: the server certificate's subject ("cert-subject")
 *     --screenshot OUT.ppm   wait for the primary surface, MARK and drawing,
 *                            then write the primary as a binary PPM
 *     --count-updates S      count display changes for S seconds, print the
 *                            count, the rate and the invalidated area
 *     --min-rate R           with --count-updates: fail below R changes/s
 *     --expect-auth-fail     succeed only if the link is refused with
 *                            SPICE_CHANNEL_ERROR_AUTH (permission denied)
 *     --clients N            N sessions at once; all must end up with the
 *                            same primary pixels (a checksum per client)
 *     --send-key SCANCODE    press and release a PC set-1 scancode
 *     --send-pointer X,Y     move the pointer (position in client mouse
 *                            mode, relative motion in server mode)
 *     --pointer-trail N      first move through N positions, one per 10 ms
 *                            (client mouse mode), ending at X,Y: spice-gtk
 *                            sends no more than 8 moves without a
 *                            MOUSE_MOTION_ACK, so X,Y only arrives if the
 *                            server acknowledges motion
 *     --click                then press and release the left button
 *     --compression N        ask for image compression N (1 = off: raw
 *                            bitmaps, 7 = LZ4) with PREFERRED_COMPRESSION
 *     --settle MS            quiet time before a picture counts as drawn
 *     --hold S               after a successful check, stay connected S
 *                            more seconds (prints "holding" first)
 *
 *   Video streams (probe-video.c reads them from spice-gtk's debug log):
 *     --streams              watch streams; modes then also print
 *                            streams_created=, stream_frames=, and one
 *                            "streamN id= decoder= frames= late= shown= ..."
 *                            line per stream
 *     --video-codec LIST     (implies --streams) once the display channel is
 *                            open, send PREFERRED_VIDEO_CODEC_TYPE with LIST
 *                            (mjpeg,vp8,h264,vp9,h265; first preferred)
 *     --after-stream         with --screenshot: wait until a stream showed
 *                            frames and was destroyed, then for --settle ms
 *                            with no drawing, then write the screenshot
 *     --min-stream-frames N  with --after-stream: N STREAM_DATA first
 *     --pre-refresh-shot OUT the primary as a PPM at the moment the first
 *                            stream that showed frames is destroyed, before
 *                            what the server draws next
 *     --freeze AT,FOR        AT s after the first drawing, block the main
 *                            loop (and so every channel) for FOR s, as a
 *                            stalled client or network would */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <spice-client.h>

#include "tests/interop/probe-video.h"

#define MAX_CLIENTS 64
#define POLL_MS 10

struct client {
    int index;
    SpiceSession *session;
    SpiceChannel *main;
    SpiceChannel *display;
    SpiceInputsChannel *inputs;
    bool primary;
    bool marked;
    bool inputs_open;
    bool closed;            /* a channel closed or failed after opening */
    unsigned invalidates;   /* display-invalidate signals */
    uint64_t area;          /* invalidated pixels */
    gint64 first_inval_us;
    gint64 last_inval_us;
    bool dirty;             /* invalidated since the last checksum */
    uint64_t checksum;
    bool have_checksum;
    int cursor_w, cursor_h; /* last cursor shape from the cursor channel */
    unsigned cursor_shapes, cursor_moves, cursor_hides;
    int auth_error;         /* 1 once SPICE_CHANNEL_ERROR_AUTH was seen */
    int link_error;         /* other link/connect/io errors */
};

static struct {
    const char *uri;
    const char *password;
    const char *ca_file, *host_subject;
    double timeout_s;
    const char *screenshot;
    double count_s;
    double min_rate;
    bool expect_auth_fail;
    int n_clients;
    long key;
    bool have_pointer;
    bool click;
    int trail;
    int px, py;
    int settle_ms;
    double hold_s;
    int compression;
    bool verbose;
    bool streams;
    gint video_codecs[PV_MAX_CODECS];
    int n_video_codecs;
    bool after_stream;
    unsigned min_stream_frames;
    const char *pre_refresh_shot;
    double freeze_at, freeze_for;
    int channel_id; /* the display channel watched (the head) */
} opt = { .timeout_s = 30, .n_clients = 1, .key = -1, .settle_ms = 300, .min_rate = -1 };

static struct client clients[MAX_CLIENTS];
static GMainLoop *loop;
static int exit_code = 1;

/* state of the running check */
static gint64 count_start_us;     /* 0 until counting starts */
static unsigned count_changes;
static unsigned changes_half[2];
static uint64_t count_area_start;
static unsigned count_inval_start;
static bool input_sent;
static gint64 input_sent_us;
static uint64_t checksum_at_input;
static unsigned changes_after_input;

static gboolean quit_loop(gpointer data G_GNUC_UNUSED)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

static bool finished;

static void finish(int code)
{
    if (finished)
        return;
    finished = true;
    exit_code = code;
    if (code == 0 && opt.hold_s > 0) {
        printf("holding=%.1f\n", opt.hold_s);
        g_timeout_add((guint)(opt.hold_s * 1000), quit_loop, NULL);
        return;
    }
    g_main_loop_quit(loop);
}

static const char *event_name(SpiceChannelEvent ev)
{
    switch (ev) {
    case SPICE_CHANNEL_OPENED: return "opened";
    case SPICE_CHANNEL_SWITCHING: return "switching";
    case SPICE_CHANNEL_CLOSED: return "closed";
    case SPICE_CHANNEL_ERROR_CONNECT: return "error-connect";
    case SPICE_CHANNEL_ERROR_TLS: return "error-tls";
    case SPICE_CHANNEL_ERROR_LINK: return "error-link";
    case SPICE_CHANNEL_ERROR_AUTH: return "error-auth";
    case SPICE_CHANNEL_ERROR_IO: return "error-io";
    default: return "none";
    }
}

static const char *channel_name(SpiceChannel *ch)
{
    int type = 0;
    g_object_get(ch, "channel-type", &type, NULL);
    return spice_channel_type_to_string(type);
}

/* ---- pixels ------------------------------------------------------------ */

/* FNV-style hash of the R,G,B bytes of a 32-bit xRGB primary (X ignored). */
static bool primary_checksum(struct client *c, uint64_t *out, int *w, int *h)
{
    SpiceDisplayPrimary p;
    if (!c->display || !spice_display_channel_get_primary(c->display, 0, &p) || !p.data)
        return false;
    uint64_t hash = 1469598103934665603ull;
    for (int y = 0; y < p.height; y++) {
        const guint8 *row = p.data + (size_t)y * p.stride;
        for (int x = 0; x < p.width; x++) {
            uint32_t v = row[4 * x] | (uint32_t)row[4 * x + 1] << 8 | (uint32_t)row[4 * x + 2] << 16;
            hash = (hash ^ v) * 1099511628211ull;
        }
    }
    *out = hash;
    if (w) *w = p.width;
    if (h) *h = p.height;
    return true;
}

static bool write_ppm(struct client *c, const char *path)
{
    SpiceDisplayPrimary p;
    if (!c->display || !spice_display_channel_get_primary(c->display, 0, &p) || !p.data) {
        fprintf(stderr, "probe: no primary surface to write\n");
        return false;
    }
    if (p.format != SPICE_SURFACE_FMT_32_xRGB && p.format != SPICE_SURFACE_FMT_32_ARGB) {
        fprintf(stderr, "probe: unexpected primary format %d\n", p.format);
        return false;
    }
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "probe: %s: %s\n", path, strerror(errno));
        return false;
    }
    fprintf(f, "P6\n%d %d\n255\n", p.width, p.height);
    guint8 *rgb = g_malloc((size_t)p.width * 3);
    bool ok = true;
    for (int y = 0; y < p.height && ok; y++) {
        const guint8 *row = p.data + (size_t)y * p.stride;
        for (int x = 0; x < p.width; x++) {
            rgb[3 * x] = row[4 * x + 2];
            rgb[3 * x + 1] = row[4 * x + 1];
            rgb[3 * x + 2] = row[4 * x];
        }
        ok = fwrite(rgb, 3, p.width, f) == (size_t)p.width;
    }
    g_free(rgb);
    if (fclose(f) != 0)
        ok = false;
    if (ok)
        printf("screenshot=%s width=%d height=%d\n", path, p.width, p.height);
    return ok;
}

/* ---- readiness ----------------------------------------------------------- */

static bool client_drawn(const struct client *c)
{
    return c->primary && c->marked && c->invalidates > 0;
}

/* Drawn, and either quiet for settle_ms or updating for over 2 s (an
 * animated source never goes quiet). */
static bool client_settled(const struct client *c, gint64 now)
{
    if (!client_drawn(c))
        return false;
    if (now - c->last_inval_us >= (gint64)opt.settle_ms * 1000)
        return true;
    return now - c->first_inval_us >= 2 * G_USEC_PER_SEC;
}

/* ---- signal handlers ----------------------------------------------------- */

static void on_primary_create(SpiceChannel *ch G_GNUC_UNUSED, gint format, gint width,
                              gint height, gint stride G_GNUC_UNUSED, gint shmid G_GNUC_UNUSED,
                              gpointer data G_GNUC_UNUSED, gpointer user)
{
    struct client *c = user;
    c->primary = true;
    if (opt.verbose)
        fprintf(stderr, "probe[%d]: primary %dx%d format %d\n", c->index, width, height, format);
}

static void on_primary_destroy(SpiceChannel *ch G_GNUC_UNUSED, gpointer user)
{
    struct client *c = user;
    c->primary = false;
    c->have_checksum = false;
    if (pv_enabled() && c->index == 0)
        pv_set_display(c->display);
}

static void on_invalidate(SpiceChannel *ch G_GNUC_UNUSED, gint x G_GNUC_UNUSED,
                          gint y G_GNUC_UNUSED, gint w, gint h, gpointer user)
{
    struct client *c = user;
    gint64 now = g_get_monotonic_time();
    if (c->invalidates == 0)
        c->first_inval_us = now;
    c->invalidates++;
    c->last_inval_us = now;
    if (w > 0 && h > 0)
        c->area += (uint64_t)w * (uint64_t)h;
    c->dirty = true;
    if (pv_enabled() && c->index == 0)
        pv_on_invalidate();
}

static void on_mark(SpiceChannel *ch G_GNUC_UNUSED, gint mark, gpointer user)
{
    struct client *c = user;
    c->marked = mark != 0;
    if (opt.verbose)
        fprintf(stderr, "probe[%d]: mark %d\n", c->index, mark);
}

static void on_cursor_notify(GObject *ch, GParamSpec *ps G_GNUC_UNUSED, gpointer user)
{
    struct client *c = user;
    SpiceCursorShape *shape = NULL;
    g_object_get(ch, "cursor", &shape, NULL);
    if (shape) {
        c->cursor_w = shape->width;
        c->cursor_h = shape->height;
        c->cursor_shapes++;
        g_boxed_free(SPICE_TYPE_CURSOR_SHAPE, shape);
    }
}

static void on_cursor_move(SpiceCursorChannel *ch G_GNUC_UNUSED, gint x G_GNUC_UNUSED,
                           gint y G_GNUC_UNUSED, gpointer user)
{
    ((struct client *)user)->cursor_moves++;
}

static void on_cursor_hide(SpiceCursorChannel *ch G_GNUC_UNUSED, gpointer user)
{
    ((struct client *)user)->cursor_hides++;
}

static void on_channel_event(SpiceChannel *ch, SpiceChannelEvent ev, gpointer user)
{
    struct client *c = user;
    const GError *err = spice_channel_get_error(ch);
    if (opt.verbose || ev >= SPICE_CHANNEL_ERROR_CONNECT)
        fprintf(stderr, "probe[%d]: %s channel: %s%s%s\n", c->index, channel_name(ch),
                event_name(ev), err ? ": " : "", err ? err->message : "");
    switch (ev) {
    case SPICE_CHANNEL_OPENED:
        if (SPICE_IS_INPUTS_CHANNEL(ch))
            c->inputs_open = true;
        if (ch == c->display && opt.n_video_codecs > 0)
            pv_send_preference(ch, opt.video_codecs, opt.n_video_codecs);
        break;
    case SPICE_CHANNEL_ERROR_AUTH:
        c->auth_error = 1;
        break;
    case SPICE_CHANNEL_CLOSED:
        c->closed = true;
        break;
    case SPICE_CHANNEL_ERROR_CONNECT:
    case SPICE_CHANNEL_ERROR_TLS:
    case SPICE_CHANNEL_ERROR_LINK:
    case SPICE_CHANNEL_ERROR_IO:
        c->link_error = ev;
        break;
    default:
        break;
    }
}

static void on_channel_new(SpiceSession *s G_GNUC_UNUSED, SpiceChannel *ch, gpointer user)
{
    struct client *c = user;
    g_signal_connect(ch, "channel-event", G_CALLBACK(on_channel_event), c);
    if (SPICE_IS_MAIN_CHANNEL(ch)) {
        c->main = ch;
        return;  /* the session connects main itself */
    }
    if (SPICE_IS_DISPLAY_CHANNEL(ch)) {
        int id = 0;
        g_object_get(ch, "channel-id", &id, NULL);
        if (c->index == 0)
            printf("display_channel=%d\n", id);
        if (id != opt.channel_id)
            return;
        c->display = ch;
        if (pv_enabled() && c->index == 0)
            pv_set_display(ch);
        g_signal_connect(ch, "display-primary-create", G_CALLBACK(on_primary_create), c);
        g_signal_connect(ch, "display-primary-destroy", G_CALLBACK(on_primary_destroy), c);
        g_signal_connect(ch, "display-invalidate", G_CALLBACK(on_invalidate), c);
        g_signal_connect(ch, "display-mark", G_CALLBACK(on_mark), c);
    } else if (SPICE_IS_INPUTS_CHANNEL(ch)) {
        c->inputs = SPICE_INPUTS_CHANNEL(ch);
    } else if (SPICE_IS_CURSOR_CHANNEL(ch)) {
        g_signal_connect(ch, "notify::cursor", G_CALLBACK(on_cursor_notify), c);
        g_signal_connect(ch, "cursor-move", G_CALLBACK(on_cursor_move), c);
        g_signal_connect(ch, "cursor-hide", G_CALLBACK(on_cursor_hide), c);
    } else {
        return;  /* audio, usbredir, ...: not needed */
    }
    spice_channel_connect(ch);
}

/* ---- the checks, run from a periodic timer --------------------------------- */

static void sample_changes(struct client *c, gint64 now)
{
    if (!c->dirty)
        return;
    c->dirty = false;
    uint64_t sum;
    if (!primary_checksum(c, &sum, NULL, NULL))
        return;
    bool changed = !c->have_checksum || sum != c->checksum;
    c->checksum = sum;
    c->have_checksum = true;
    if (!changed)
        return;
    if (count_start_us) {
        count_changes++;
        double t = (now - count_start_us) / 1e6;
        changes_half[t < opt.count_s / 2 ? 0 : 1]++;
    }
    if (input_sent && sum != checksum_at_input)
        changes_after_input++;
}

static bool tick_count(struct client *c, gint64 now)
{
    if (!count_start_us) {
        if (!client_drawn(c))
            return false;
        count_start_us = now;
        count_area_start = c->area;
        count_inval_start = c->invalidates;
        uint64_t sum;
        if (primary_checksum(c, &sum, NULL, NULL)) {
            c->checksum = sum;
            c->have_checksum = true;
        }
        c->dirty = false;
        return false;
    }
    double t = (now - count_start_us) / 1e6;
    if (t < opt.count_s)
        return false;
    SpiceDisplayPrimary p = { 0 };
    spice_display_channel_get_primary(c->display, 0, &p);
    double rate = count_changes / t;
    double frames = p.width > 0 ? (double)(c->area - count_area_start) / ((double)p.width * p.height) : 0;
    printf("seconds=%.2f\nchanges=%u\nrate=%.1f\n", t, count_changes, rate);
    printf("changes_first_half=%u\nchanges_second_half=%u\n", changes_half[0], changes_half[1]);
    printf("invalidates=%u\nfull_frames_invalidated=%.1f\nfull_frame_rate=%.1f\n",
           c->invalidates, frames, frames / t);
    printf("invalidates_window=%u\ninvalidate_rate=%.1f\n", c->invalidates - count_inval_start,
           (c->invalidates - count_inval_start) / t);
    printf("size=%dx%d\n", p.width, p.height);
    if (pv_enabled())
        pv_print(stdout);
    bool ok = opt.min_rate < 0 || rate >= opt.min_rate;
    if (c->closed || c->link_error) {
        printf("disconnected=yes\n");
        ok = false;
    } else {
        printf("disconnected=no\n");
    }
    finish(ok ? 0 : 1);
    return true;
}

static bool tick_clients(gint64 now)
{
    for (int i = 0; i < opt.n_clients; i++)
        if (!client_settled(&clients[i], now))
            return false;
    uint64_t sums[MAX_CLIENTS];
    int w = 0, h = 0;
    for (int i = 0; i < opt.n_clients; i++)
        if (!primary_checksum(&clients[i], &sums[i], &w, &h))
            return false;
    bool same = true;
    for (int i = 1; i < opt.n_clients; i++)
        same = same && sums[i] == sums[0];
    /* An animated source may differ between clients for a frame; retry
     * until the timeout before calling it a failure. */
    static int attempts;
    if (!same && ++attempts < 50)
        return false;
    for (int i = 0; i < opt.n_clients; i++)
        printf("client%d checksum=%016" PRIx64 " size=%dx%d\n", i, sums[i], w, h);
    printf("clients=%d identical=%s attempts=%d\n", opt.n_clients, same ? "yes" : "no", attempts + 1);
    if (same && opt.screenshot && !write_ppm(&clients[0], opt.screenshot))
        same = false;
    finish(same ? 0 : 1);
    return true;
}

static bool tick_input(struct client *c, gint64 now)
{
    static int trail_sent;
    if (!input_sent) {
        if (!client_settled(c, now) || !c->inputs_open)
            return false;
        if (opt.have_pointer && trail_sent < opt.trail) {
            spice_inputs_channel_position(c->inputs, opt.px + (opt.trail - trail_sent), opt.py, 0, 0);
            if (++trail_sent == opt.trail)
                printf("trail=%d\n", trail_sent);
            return false;
        }
        primary_checksum(c, &checksum_at_input, NULL, NULL);
        if (opt.have_pointer) {
            int mode = 0;
            g_object_get(c->main, "mouse-mode", &mode, NULL);
            if (mode == SPICE_MOUSE_MODE_CLIENT) {
                spice_inputs_channel_position(c->inputs, opt.px, opt.py, 0, 0);
                printf("pointer=position %d,%d\n", opt.px, opt.py);
            } else {
                spice_inputs_channel_motion(c->inputs, opt.px, opt.py, 0);
                printf("pointer=motion %d,%d\n", opt.px, opt.py);
            }
        }
        if (opt.click) {
            spice_inputs_channel_button_press(c->inputs, SPICE_MOUSE_BUTTON_LEFT,
                                              SPICE_MOUSE_BUTTON_MASK_LEFT);
            spice_inputs_channel_button_release(c->inputs, SPICE_MOUSE_BUTTON_LEFT, 0);
            printf("click=left\n");
        }
        if (opt.key >= 0) {
            spice_inputs_channel_key_press(c->inputs, (guint)opt.key);
            spice_inputs_channel_key_release(c->inputs, (guint)opt.key);
            printf("key=0x%02lx\n", opt.key);
        }
        input_sent = true;
        input_sent_us = now;
        c->dirty = false;
        return false;
    }
    /* give the messages time to leave and the server time to redraw */
    if (now - input_sent_us < 1500 * 1000)
        return false;
    printf("display_changed_after_input=%s\n", changes_after_input ? "yes" : "no");
    printf("cursor_shapes=%u cursor_size=%dx%d cursor_moves=%u cursor_hides=%u\n",
           c->cursor_shapes, c->cursor_w, c->cursor_h, c->cursor_moves, c->cursor_hides);
    if (opt.screenshot && !write_ppm(c, opt.screenshot)) {
        finish(1);
        return true;
    }
    finish(c->closed || c->link_error ? 1 : 0);
    return true;
}

/* --after-stream: a stream came and went, then the picture settled */
static bool tick_after_stream(struct client *c, gint64 now)
{
    struct pv_summary s;

    pv_get_summary(&s);
    if (!client_drawn(c) || s.created == 0 || s.live > 0 || s.frames < opt.min_stream_frames)
        return false;
    gint64 last = MAX(c->last_inval_us, s.last_end_us);
    if (now - last < (gint64)opt.settle_ms * 1000)
        return false;
    printf("quiet_ms=%d\n", (int)((now - last) / 1000));
    pv_print(stdout);
    finish(write_ppm(c, opt.screenshot) && !c->closed && !c->link_error ? 0 : 1);
    return true;
}

static gboolean on_tick(gpointer data G_GNUC_UNUSED)
{
    gint64 now = g_get_monotonic_time();
    struct client *c0 = &clients[0];

    if (finished)
        return G_SOURCE_CONTINUE;
    static bool frozen;
    if (opt.freeze_for > 0 && !frozen && client_drawn(c0) &&
        now - c0->first_inval_us >= (gint64)(opt.freeze_at * G_USEC_PER_SEC)) {
        frozen = true;
        g_usleep((gulong)(opt.freeze_for * G_USEC_PER_SEC));
        printf("froze=%.1f\n", opt.freeze_for);
        return G_SOURCE_CONTINUE;
    }

    if (opt.expect_auth_fail) {
        if (c0->auth_error) {
            printf("auth=denied\n");
            finish(0);
        } else if (c0->link_error || c0->closed) {
            printf("auth=other-error event=%d\n", c0->link_error);
            finish(1);
        } else if (c0->marked) {
            printf("auth=accepted\n");
            finish(1);
        }
        return G_SOURCE_CONTINUE;
    }
    for (int i = 0; i < opt.n_clients; i++) {
        if (clients[i].auth_error) {
            printf("auth=denied client=%d\n", i);
            finish(1);
            return G_SOURCE_CONTINUE;
        }
        if (clients[i].link_error && !client_drawn(&clients[i])) {
            printf("error=link client=%d event=%d\n", i, clients[i].link_error);
            finish(1);
            return G_SOURCE_CONTINUE;
        }
        sample_changes(&clients[i], now);
    }
    if (opt.n_clients > 1) {
        tick_clients(now);
    } else if (opt.count_s > 0) {
        tick_count(c0, now);
    } else if (opt.after_stream && opt.screenshot) {
        tick_after_stream(c0, now);
    } else if (opt.key >= 0 || opt.have_pointer || opt.click) {
        tick_input(c0, now);
    } else if (opt.screenshot && client_settled(c0, now)) {
        finish(write_ppm(c0, opt.screenshot) ? 0 : 1);
    }
    return G_SOURCE_CONTINUE;
}

static gboolean on_timeout(gpointer data G_GNUC_UNUSED)
{
    struct client *c = &clients[0];
    if (finished)
        return G_SOURCE_REMOVE;
    printf("error=timeout primary=%d marked=%d invalidates=%u\n", c->primary, c->marked,
           c->invalidates);
    if (pv_enabled())
        pv_print(stdout);
    finish(1);
    return G_SOURCE_REMOVE;
}

/* ---- options ------------------------------------------------------------- */

static gboolean parse_pointer(const char *name G_GNUC_UNUSED, const char *value,
                              gpointer data G_GNUC_UNUSED, GError **error)
{
    if (sscanf(value, "%d,%d", &opt.px, &opt.py) != 2) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "expected X,Y: %s", value);
        return FALSE;
    }
    opt.have_pointer = true;
    return TRUE;
}

static gboolean parse_freeze(const char *name G_GNUC_UNUSED, const char *value,
                             gpointer data G_GNUC_UNUSED, GError **error)
{
    if (sscanf(value, "%lf,%lf", &opt.freeze_at, &opt.freeze_for) != 2 || opt.freeze_at < 0 ||
        opt.freeze_for <= 0 || opt.freeze_for > 60) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "expected AT,FOR: %s", value);
        return FALSE;
    }
    return TRUE;
}

static gboolean parse_key(const char *name G_GNUC_UNUSED, const char *value,
                          gpointer data G_GNUC_UNUSED, GError **error)
{
    char *end;
    opt.key = strtol(value, &end, 0);
    if (*end || opt.key < 0 || opt.key > 0x1ff) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "bad scancode: %s", value);
        return FALSE;
    }
    return TRUE;
}

static bool parse_options(int argc, char **argv)
{
    char *uri = NULL, *password = NULL, *shot = NULL, *codecs = NULL, *pre_shot = NULL;
    char *ca_file = NULL, *subject = NULL;
    gboolean auth_fail = FALSE, verbose = FALSE, click = FALSE, streams = FALSE, after = FALSE;
    gint min_frames = 1;
    GOptionEntry entries[] = {
        { "uri", 0, 0, G_OPTION_ARG_STRING, &uri, "spice://HOST:PORT or spice+unix://PATH", "URI" },
        { "password", 0, 0, G_OPTION_ARG_STRING, &password, "ticket password", "P" },
        { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, "TLS: the CA to trust", "FILE" },
        { "host-subject", 0, 0, G_OPTION_ARG_STRING, &subject, "TLS: server subject", "S" },
        { "timeout", 0, 0, G_OPTION_ARG_DOUBLE, &opt.timeout_s, "give up after S seconds", "S" },
        { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, &shot, "write the primary as PPM", "OUT" },
        { "count-updates", 0, 0, G_OPTION_ARG_DOUBLE, &opt.count_s, "count display changes", "S" },
        { "min-rate", 0, 0, G_OPTION_ARG_DOUBLE, &opt.min_rate, "fail below R changes/s", "R" },
        { "expect-auth-fail", 0, 0, G_OPTION_ARG_NONE, &auth_fail, "expect permission denied", NULL },
        { "clients", 0, 0, G_OPTION_ARG_INT, &opt.n_clients, "N sessions at once", "N" },
        { "send-key", 0, 0, G_OPTION_ARG_CALLBACK, parse_key, "press+release a scancode", "SC" },
        { "send-pointer", 0, 0, G_OPTION_ARG_CALLBACK, parse_pointer, "move the pointer", "X,Y" },
        { "pointer-trail", 0, 0, G_OPTION_ARG_INT, &opt.trail, "N moves before X,Y", "N" },
        { "click", 0, 0, G_OPTION_ARG_NONE, &click, "left click after the move", NULL },
        { "settle", 0, 0, G_OPTION_ARG_INT, &opt.settle_ms, "quiet time in ms", "MS" },
        { "compression", 0, 0, G_OPTION_ARG_INT, &opt.compression, "preferred compression", "N" },
        { "hold", 0, 0, G_OPTION_ARG_DOUBLE, &opt.hold_s, "stay connected S seconds more", "S" },
        { "streams", 0, 0, G_OPTION_ARG_NONE, &streams, "watch video streams", NULL },
        { "video-codec", 0, 0, G_OPTION_ARG_STRING, &codecs, "preferred video codecs", "LIST" },
        { "after-stream", 0, 0, G_OPTION_ARG_NONE, &after, "screenshot after a stream ended", NULL },
        { "min-stream-frames", 0, 0, G_OPTION_ARG_INT, &min_frames, "stream frames first", "N" },
        { "freeze", 0, 0, G_OPTION_ARG_CALLBACK, parse_freeze, "stall AT s for FOR s", "AT,FOR" },
        { "pre-refresh-shot", 0, 0, G_OPTION_ARG_FILENAME, &pre_shot, "PPM as a stream ends", "OUT" },
        { "channel-id", 0, 0, G_OPTION_ARG_INT, &opt.channel_id, "the display channel (head)", "N" },
        { "verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "log channel events", NULL },
        { NULL, 0, 0, 0, NULL, NULL, NULL }
    };
    GOptionContext *ctx = g_option_context_new("- spice-gtk probe for the interop tests");
    g_option_context_add_main_entries(ctx, entries, NULL);
    GError *err = NULL;
    bool ok = g_option_context_parse(ctx, &argc, &argv, &err);
    g_option_context_free(ctx);
    if (!ok) {
        fprintf(stderr, "probe: %s\n", err->message);
        g_error_free(err);
        return false;
    }
    opt.uri = uri;
    opt.password = password;
    opt.ca_file = ca_file;
    opt.host_subject = subject;
    opt.screenshot = shot;
    opt.expect_auth_fail = auth_fail;
    opt.verbose = verbose;
    opt.click = click;
    opt.after_stream = after;
    opt.min_stream_frames = min_frames > 0 ? (unsigned)min_frames : 0;
    opt.pre_refresh_shot = pre_shot;
    if (codecs && !pv_parse_codecs(codecs, opt.video_codecs, PV_MAX_CODECS, &opt.n_video_codecs))
        return false;
    opt.streams = streams || codecs || after || pre_shot;
    if (after && !shot) {
        fprintf(stderr, "probe: --after-stream needs --screenshot\n");
        return false;
    }
    if (!opt.uri || opt.n_clients < 1 || opt.n_clients > MAX_CLIENTS || opt.timeout_s <= 0) {
        fprintf(stderr, "probe: need --uri, and 1 <= --clients <= %d\n", MAX_CLIENTS);
        return false;
    }
    return true;
}

static void client_start(struct client *c, int index)
{
    c->index = index;
    c->session = spice_session_new();
    g_object_set(c->session, "uri", opt.uri, NULL);
    if (opt.password)
        g_object_set(c->session, "password", opt.password, NULL);
    if (opt.ca_file)
        g_object_set(c->session, "ca-file", opt.ca_file, NULL);
    if (opt.host_subject)
        g_object_set(c->session, "cert-subject", opt.host_subject, NULL);
    if (opt.compression > 0)
        g_object_set(c->session, "preferred-compression", opt.compression, NULL);
    g_signal_connect(c->session, "channel-new", G_CALLBACK(on_channel_new), c);
    if (!spice_session_connect(c->session))
        c->link_error = SPICE_CHANNEL_ERROR_CONNECT;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!parse_options(argc, argv))
        return 2;
    if (opt.streams) {
        pv_init(opt.verbose);
        if (opt.pre_refresh_shot)
            pv_set_pre_refresh_shot(opt.pre_refresh_shot);
    }
    loop = g_main_loop_new(NULL, FALSE);
    for (int i = 0; i < opt.n_clients; i++)
        client_start(&clients[i], i);
    g_timeout_add(POLL_MS, on_tick, NULL);
    g_timeout_add((guint)(opt.timeout_s * 1000), on_timeout, NULL);
    g_main_loop_run(loop);
    for (int i = 0; i < opt.n_clients; i++) {
        if (clients[i].session) {
            spice_session_disconnect(clients[i].session);
            g_object_unref(clients[i].session);
        }
    }
    g_main_loop_unref(loop);
    return exit_code;
}
