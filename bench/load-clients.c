/* load-clients: N receive-only SPICE viewers (main + display sessions) from
 * one process, for bench/fanout.  They link with tests/interop/raw-client.h,
 * advertise the display caps spice-gtk sends (multi-codec, MJPEG, VP8,
 * H.264, VP9, stream reports, LZ4, preferred codec) and a preferred codec,
 * then drain their sockets from one poll() loop without decoding anything:
 * they answer SET_ACK / the ack window / PING and send STREAM_REPORTs the way
 * spice-gtk does (a report per activate-report window or timeout).
 *
 *   load-clients (--tcp HOST:PORT | --unix PATH) [--password P]
 *       [--codec mjpeg|vp8|h264|vp9] [--warmup S] [--window S]
 *       [--server-pid PID] [--slow-decoder K:FPS] [--slow-link K:BYTES_PER_S]
 *       [--per-viewer] N
 *
 * --slow-decoder K:FPS: the first K viewers "decode" at most FPS frames/s:
 *   a frame beyond that is reported dropped and late, while the socket is
 *   still drained at full speed (a client whose CPU, not its link, is short).
 * --slow-link K:BYTES_PER_S: the first K viewers read their display socket
 *   at most that fast (a slow link: the server's queue for them grows).
 *
 * After --warmup seconds (default 5) it counts for --window seconds
 * (default 10) and prints one line of key=value figures: per-viewer frames
 * (STREAM_DATA messages), lossless draws, bytes, and with --server-pid the
 * server's CPU time (utime + stime from /proc/PID/stat) in that window. */
#include "config.h"

#include <inttypes.h>
#include <signal.h>
#include <sys/resource.h>
#include <time.h>

#define IO_TIMEOUT_MS 10000
#include "tests/interop/raw-client.h"

#ifndef MIN
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#endif

#define READ_CHUNK 65536
#define KEEP_BODY 64     /* bytes of a message body kept: the fields we read */
#define POLL_MS 5
#define DECODE_BURST 2.0 /* frames a slow decoder may take at once */

struct chan {
    int fd;
    bool mini;
    uint64_t serial;
    uint8_t head[SC_FULL_HEADER_SIZE];
    size_t head_got;
    struct sc_data_header h;
    uint8_t body[KEEP_BODY];
    uint32_t body_got;
    uint32_t ack_window, since_ack;
};

struct viewer {
    struct chan main, disp;
    uint32_t mm_base; /* the server's mm clock at MAIN_INIT ... */
    int64_t mm_base_ms; /* ... and our clock then */
    /* the stream report window (STREAM_ACTIVATE_REPORT) */
    bool reporting;
    uint32_t stream_id, unique_id, window, timeout_ms;
    uint32_t rep_frames, rep_drops, rep_start_mm, rep_end_mm;
    int64_t rep_start_ms;
    int32_t last_delay;
    /* modes */
    double decode_fps, decode_tokens; /* 0: decodes everything */
    double link_rate, link_tokens;    /* bytes/s; 0: unlimited */
    int64_t tokens_ms;
    /* counters */
    uint64_t frames, drops, draws, bytes, creates;
    uint64_t frames0, drops0, draws0, bytes0, creates0; /* at the window start */
    bool dead;
};

static struct {
    uint8_t codec;
    double warmup, window;
    long server_pid;
    int slow_dec_n, slow_link_n;
    double slow_dec_fps, slow_link_rate;
    bool per_viewer;
} opt = { SPICE_VIDEO_CODEC_TYPE_H264, 5, 10, 0, 0, 0, 0, 0, false };

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- sending ------------------------------------------------------------ */

static bool chan_send(struct chan *c, uint16_t type, const struct sc_writer *body)
{
    struct sc_writer w;
    sc_writer_init(&w);
    size_t start = sc_msg_begin(&w, c->mini, ++c->serial, type);
    if (body)
        sc_write_bytes(&w, body->data, body->size);
    sc_msg_end(&w, start, c->mini);
    bool ok = send_writer(c->fd, &w);
    sc_writer_finish(&w);
    return ok;
}

static void send_report(struct viewer *v)
{
    struct sc_stream_report r = {
        .stream_id = v->stream_id, .unique_id = v->unique_id,
        .start_frame_mm_time = v->rep_start_mm, .end_frame_mm_time = v->rep_end_mm,
        .num_frames = v->rep_frames, .num_drops = v->rep_drops,
        .last_frame_delay = v->last_delay, .audio_delay = UINT32_MAX,
    };
    struct sc_writer w;
    sc_writer_init(&w);
    sc_stream_report_write(&w, &r);
    chan_send(&v->disp, SPICE_MSGC_DISPLAY_STREAM_REPORT, &w);
    sc_writer_finish(&w);
    v->rep_frames = v->rep_drops = 0;
}

/* ---- receiving ---------------------------------------------------------- */

/* A frame of the reported stream: decoded or (slow decoder) dropped late. */
static void on_frame(struct viewer *v, uint32_t id, uint32_t mm_time)
{
    int64_t t = now_ms();
    int32_t delay = (int32_t)(mm_time - (v->mm_base + (uint32_t)(t - v->mm_base_ms)));

    v->frames++;
    if (v->decode_fps > 0) {
        if (v->decode_tokens >= 1) {
            v->decode_tokens -= 1;
        } else {
            v->drops++;
            v->rep_drops++;
            delay -= (int32_t)(1000 / v->decode_fps); /* it would be shown that late */
        }
    }
    if (!v->reporting || id != v->stream_id)
        return;
    if (v->rep_frames == 0) {
        v->rep_start_mm = mm_time;
        v->rep_start_ms = t;
    }
    v->rep_frames++;
    v->rep_end_mm = mm_time;
    v->last_delay = delay;
    if (v->rep_frames >= v->window || t - v->rep_start_ms >= v->timeout_ms)
        send_report(v);
}

static bool on_base(struct chan *c, const uint8_t *b, uint32_t n)
{
    struct sc_writer w;
    bool ok = true;

    sc_writer_init(&w);
    if (c->h.type == SPICE_MSG_SET_ACK) {
        struct sc_set_ack a;
        ok = sc_set_ack_parse(b, n, &a);
        if (ok) {
            c->ack_window = a.window;
            c->since_ack = 0;
            sc_ack_sync_write(&w, a.generation);
            ok = chan_send(c, SPICE_MSGC_ACK_SYNC, &w);
        }
    } else if (c->h.type == SPICE_MSG_PING) {
        struct sc_ping p;
        ok = sc_ping_parse(b, n, &p);
        if (ok) {
            sc_pong_write(&w, p.id, p.timestamp);
            ok = chan_send(c, SPICE_MSGC_PONG, &w);
        }
    }
    sc_writer_finish(&w);
    return ok;
}

static void on_display(struct viewer *v, const uint8_t *b, uint32_t n)
{
    struct sc_stream_activate_report a;

    switch (v->disp.h.type) {
    case SPICE_MSG_DISPLAY_STREAM_CREATE:
        v->creates++;
        break;
    case SPICE_MSG_DISPLAY_STREAM_DATA:
        if (n >= 8)
            on_frame(v, sc_get_u32(b), sc_get_u32(b + 4));
        break;
    case SPICE_MSG_DISPLAY_STREAM_ACTIVATE_REPORT:
        if (sc_stream_activate_report_parse(b, n, &a) && a.max_window_size > 0) {
            v->reporting = true;
            v->stream_id = a.stream_id;
            v->unique_id = a.unique_id;
            v->window = a.max_window_size;
            v->timeout_ms = a.timeout_ms;
            v->rep_frames = v->rep_drops = 0;
        }
        break;
    case SPICE_MSG_DISPLAY_STREAM_DESTROY:
        if (n >= 4 && sc_get_u32(b) == v->stream_id)
            v->reporting = false;
        break;
    case SPICE_MSG_DISPLAY_DRAW_COPY:
        v->draws++;
        break;
    default:
        break;
    }
}

static bool on_message(struct viewer *v, struct chan *c)
{
    uint32_t n = c->h.size < KEEP_BODY ? c->h.size : KEEP_BODY;

    if (!on_base(c, c->body, n))
        return false;
    if (c == &v->disp)
        on_display(v, c->body, n);
    if (c->ack_window && c->h.type != SPICE_MSG_SET_ACK && ++c->since_ack >= c->ack_window) {
        c->since_ack = 0;
        return chan_send(c, SPICE_MSGC_ACK, NULL);
    }
    return true;
}

/* Splits what was read into messages; only the first KEEP_BODY bytes of a
 * body are kept. */
static bool chan_feed(struct viewer *v, struct chan *c, const uint8_t *p, size_t n)
{
    size_t hs = sc_data_header_size(c->mini);

    while (n > 0 || c->head_got == hs) {
        if (c->head_got < hs) {
            size_t k = MIN(hs - c->head_got, n);
            memcpy(c->head + c->head_got, p, k);
            c->head_got += k;
            p += k;
            n -= k;
            if (c->head_got < hs)
                break;
            if (!sc_data_header_parse(c->head, hs, c->mini, &c->h))
                return false;
            c->body_got = 0;
        }
        size_t k = MIN((size_t)(c->h.size - c->body_got), n);
        if (c->body_got < KEEP_BODY)
            memcpy(c->body + c->body_got, p, MIN(k, (size_t)(KEEP_BODY - c->body_got)));
        c->body_got += (uint32_t)k;
        p += k;
        n -= k;
        if (c->body_got < c->h.size)
            break;
        c->head_got = 0;
        if (!on_message(v, c))
            return false;
    }
    return true;
}

/* Reads what is there (at most `max` bytes); false when the server is gone. */
static bool chan_read(struct viewer *v, struct chan *c, size_t max)
{
    static uint8_t buf[READ_CHUNK];
    ssize_t n = recv(c->fd, buf, MIN(max, sizeof(buf)), MSG_DONTWAIT);

    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return true;
    if (n <= 0)
        return false;
    if (c == &v->disp) {
        v->bytes += (uint64_t)n;
        v->link_tokens -= (double)n;
    }
    return chan_feed(v, c, buf, (size_t)n);
}

/* ---- sessions ------------------------------------------------------------- */

static bool send_preferred_codec(struct chan *d)
{
    struct sc_preferred_video_codecs p = { .num = 1, .codecs = { opt.codec } };
    struct sc_writer w;
    sc_writer_init(&w);
    sc_preferred_video_codecs_write(&w, &p);
    bool ok = chan_send(d, SPICE_MSGC_DISPLAY_PREFERRED_VIDEO_CODEC_TYPE, &w);
    sc_writer_finish(&w);
    return ok;
}

/* Links main + display for one viewer (blocking: setup only). */
static bool viewer_link(struct viewer *v)
{
    struct link m = { .fd = -1 }, d = { .fd = -1 };
    uint32_t session = good_main(&m);

    if (!session || !good_channel(&d, session, SPICE_CHANNEL_DISPLAY) || !attach_display(&m, &d))
        return false;
    v->main = (struct chan){ .fd = m.fd, .mini = m.mini, .serial = 1 };
    v->disp = (struct chan){ .fd = d.fd, .mini = d.mini, .serial = 1 };
    v->mm_base = m.init.multi_media_time;
    v->mm_base_ms = now_ms();
    v->tokens_ms = v->mm_base_ms;
    return send_preferred_codec(&v->disp);
}

static void refill(struct viewer *v, int64_t t)
{
    double dt = (double)(t - v->tokens_ms) / 1000.0;

    v->tokens_ms = t;
    if (v->decode_fps > 0)
        v->decode_tokens = MIN(DECODE_BURST, v->decode_tokens + dt * v->decode_fps);
    if (v->link_rate > 0)
        v->link_tokens = MIN((double)READ_CHUNK, v->link_tokens + dt * v->link_rate);
}

/* ---- measuring -------------------------------------------------------------- */

/* The server's utime + stime in seconds; -1 without a pid or /proc. */
static double server_cpu(void)
{
    char path[64], buf[1024];
    unsigned long ut, st;
    FILE *f;
    size_t n;

    if (opt.server_pid <= 0)
        return -1;
    snprintf(path, sizeof(path), "/proc/%ld/stat", opt.server_pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* the name may hold spaces */
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static double self_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static void snapshot(struct viewer *vs, int n)
{
    for (int i = 0; i < n; i++) {
        struct viewer *v = &vs[i];
        v->frames0 = v->frames;
        v->drops0 = v->drops;
        v->draws0 = v->draws;
        v->bytes0 = v->bytes;
        v->creates0 = v->creates;
    }
}

static void print_results(struct viewer *vs, int n, double secs, double cpu, double self)
{
    uint64_t fmin = UINT64_MAX, fmax = 0, ftot = 0, draws = 0, bytes = 0, creates = 0, drops = 0;
    uint64_t fast_min = UINT64_MAX, slow_tot = 0;
    int dead = 0, n_slow = 0;

    for (int i = 0; i < n; i++) {
        struct viewer *v = &vs[i];
        uint64_t f = v->frames - v->frames0;
        fmin = MIN(fmin, f);
        fmax = MAX(fmax, f);
        ftot += f;
        drops += v->drops - v->drops0;
        draws += v->draws - v->draws0;
        bytes += v->bytes - v->bytes0;
        creates += v->creates - v->creates0;
        dead += v->dead;
        if (v->decode_fps > 0 || v->link_rate > 0) {
            n_slow++;
            slow_tot += f;
        } else {
            fast_min = MIN(fast_min, f);
        }
        if (opt.per_viewer)
            printf("viewer=%d frames=%" PRIu64 " drops=%" PRIu64 " creates=%" PRIu64 "%s\n", i, f,
                   v->drops - v->drops0, v->creates - v->creates0, v->dead ? " dead" : "");
    }
    printf("viewers=%d window_s=%.2f server_cpu_s=%.3f server_cpu_per_s=%.4f "
           "frames_min=%" PRIu64 " frames_mean=%.1f frames_max=%" PRIu64 " fps_mean=%.2f "
           "reported_drops=%" PRIu64 " draws=%" PRIu64 " stream_creates=%" PRIu64
           " mbit_per_viewer=%.2f client_cpu_per_s=%.3f dead=%d",
           n, secs, cpu, cpu >= 0 ? cpu / secs : -1.0, fmin, (double)ftot / n, fmax,
           (double)ftot / n / secs, drops, draws, creates, (double)bytes * 8 / n / secs / 1e6,
           self / secs, dead);
    if (n_slow == 0)
        printf("\n");
    else
        printf(" slow_viewers=%d slow_frames_mean=%.1f others_frames_min=%" PRIu64 "\n", n_slow,
               (double)slow_tot / n_slow, fast_min == UINT64_MAX ? 0 : fast_min);
    fflush(stdout);
}

/* ---- the loop ----------------------------------------------------------------- */

/* One poll round over every live socket; a display socket out of link
 * tokens is not read this round. */
static void poll_round(struct viewer *vs, int n, struct pollfd *pfds)
{
    int64_t t = now_ms();

    for (int i = 0; i < n; i++) {
        struct viewer *v = &vs[i];
        refill(v, t);
        pfds[2 * i] = (struct pollfd){ .fd = v->dead ? -1 : v->main.fd, .events = POLLIN };
        bool starved = v->link_rate > 0 && v->link_tokens < 1;
        pfds[2 * i + 1] = (struct pollfd){ .fd = v->dead || starved ? -1 : v->disp.fd,
                                           .events = POLLIN };
    }
    if (poll(pfds, (nfds_t)(2 * n), POLL_MS) <= 0)
        return;
    for (int i = 0; i < n; i++) {
        struct viewer *v = &vs[i];
        size_t max = v->link_rate > 0 ? (size_t)v->link_tokens : READ_CHUNK;
        bool ok = true;

        if (pfds[2 * i].revents)
            ok = chan_read(v, &v->main, READ_CHUNK);
        if (ok && pfds[2 * i + 1].revents)
            ok = chan_read(v, &v->disp, max);
        if (!ok && !v->dead) {
            fprintf(stderr, "load-clients: viewer %d: the server closed the session\n", i);
            v->dead = true;
        }
    }
}

static void run(struct viewer *vs, int n)
{
    struct pollfd *pfds = calloc((size_t)(2 * n), sizeof(*pfds));
    int64_t start = now_ms(), t0 = start + (int64_t)(opt.warmup * 1000);
    int64_t t1 = t0 + (int64_t)(opt.window * 1000), t;
    double cpu0 = -1, self0 = 0;
    bool counting = false;

    while ((t = now_ms()) < t1) {
        if (!counting && t >= t0) {
            counting = true;
            cpu0 = server_cpu();
            self0 = self_cpu();
            snapshot(vs, n);
            t0 = t;
        }
        poll_round(vs, n, pfds);
    }
    double cpu1 = server_cpu();
    print_results(vs, n, (double)(t - t0) / 1000.0, cpu0 >= 0 && cpu1 >= 0 ? cpu1 - cpu0 : -1,
                  self_cpu() - self0);
    free(pfds);
}

/* ---- options ---------------------------------------------------------------- */

static bool parse_codec(const char *s)
{
    static const struct { const char *name; uint8_t type; } codecs[] = {
        { "mjpeg", SPICE_VIDEO_CODEC_TYPE_MJPEG }, { "vp8", SPICE_VIDEO_CODEC_TYPE_VP8 },
        { "h264", SPICE_VIDEO_CODEC_TYPE_H264 },   { "vp9", SPICE_VIDEO_CODEC_TYPE_VP9 },
    };
    for (size_t i = 0; i < sizeof(codecs) / sizeof(codecs[0]); i++) {
        if (!strcmp(s, codecs[i].name)) {
            opt.codec = codecs[i].type;
            return true;
        }
    }
    return false;
}

/* "K:VALUE" */
static bool parse_count_value(const char *s, int *k, double *value)
{
    char *end;
    long n = strtol(s, &end, 10);
    if (*end != ':' || n < 0)
        return false;
    *k = (int)n;
    *value = strtod(end + 1, &end);
    return *end == '\0' && *value > 0;
}

static bool parse_option(const char *o, const char *val)
{
    if (!strcmp(o, "--codec"))
        return parse_codec(val);
    if (!strcmp(o, "--warmup"))
        return (opt.warmup = atof(val)) >= 0;
    if (!strcmp(o, "--window"))
        return (opt.window = atof(val)) > 0;
    if (!strcmp(o, "--server-pid"))
        return (opt.server_pid = atol(val)) > 0;
    if (!strcmp(o, "--slow-decoder"))
        return parse_count_value(val, &opt.slow_dec_n, &opt.slow_dec_fps);
    if (!strcmp(o, "--slow-link"))
        return parse_count_value(val, &opt.slow_link_n, &opt.slow_link_rate);
    return peer_option(o, val);
}

static int usage(void)
{
    fprintf(stderr, "usage: load-clients (--tcp HOST:PORT | --unix PATH) [--password P]\n"
                    "  [--codec mjpeg|vp8|h264|vp9] [--warmup S] [--window S] [--server-pid PID]\n"
                    "  [--slow-decoder K:FPS] [--slow-link K:BYTES_PER_S] [--per-viewer] N\n");
    return 2;
}

int main(int argc, char **argv)
{
    int i = 1;

    signal(SIGPIPE, SIG_IGN);
    for (; i < argc && argv[i][0] == '-'; i += 2) {
        if (!strcmp(argv[i], "--per-viewer")) {
            opt.per_viewer = true;
            i--;
        } else if (i + 1 >= argc || !parse_option(argv[i], argv[i + 1])) {
            return usage();
        }
    }
    int n = i + 1 == argc ? atoi(argv[i]) : 0;
    if (n <= 0 || (!peer.host && !peer.unix_path))
        return usage();
    peer.display_caps = 1u << SPICE_DISPLAY_CAP_MULTI_CODEC | 1u << SPICE_DISPLAY_CAP_CODEC_MJPEG |
                        1u << SPICE_DISPLAY_CAP_CODEC_VP8 | 1u << SPICE_DISPLAY_CAP_CODEC_H264 |
                        1u << SPICE_DISPLAY_CAP_CODEC_VP9 | 1u << SPICE_DISPLAY_CAP_STREAM_REPORT |
                        1u << SPICE_DISPLAY_CAP_LZ4_COMPRESSION |
                        1u << SPICE_DISPLAY_CAP_PREF_VIDEO_CODEC_TYPE |
                        1u << SPICE_DISPLAY_CAP_MONITORS_CONFIG;
    struct viewer *vs = calloc((size_t)n, sizeof(*vs));
    for (int k = 0; k < n; k++) {
        if (!viewer_link(&vs[k])) {
            fprintf(stderr, "load-clients: viewer %d failed to link\n", k);
            return 1;
        }
        if (k < opt.slow_dec_n)
            vs[k].decode_fps = opt.slow_dec_fps;
        if (k < opt.slow_link_n)
            vs[k].link_rate = opt.slow_link_rate;
    }
    fprintf(stderr, "load-clients: %d viewers linked\n", n);
    run(vs, n);
    free(vs);
    return 0;
}
