/* The client engine against a scripted fake SPICE server (a thread speaking
 * blocking I/O on a unix socket): malformed messages close the client with
 * an error and never crash it (also under random bodies), SET_ACK/ACK flow
 * control, the key code encoding and the MOTION_ACK window. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "client/client-priv.h"
#include "tests/client/fake-server.h"

struct fake {
    struct fake_srv srv;
    GThread *thread;
    void (*script)(struct fake *f);
    uint32_t seed;
    /* the client side */
    struct sc_client *client;
    GMainLoop *loop;
    bool closed;
    char *error;
    int marks;
    bool inputs_done;
    char *(*check)(struct sc_client *c); /* at MARK: NULL or what is wrong */
    char *check_failure;
    bool checked;
    int cursors;
    uint32_t cursor_w, cursor_h, cursor_hx, cursor_hy;
    uint8_t cursor_px[4];
    bool use_fd;         /* the client gets its sockets through open_fd */
    uint32_t fd_types;   /* 1 << channel type, for each open_fd call */
};

/* options.open_fd: a socket connected to the fake server, as libvirt's
 * virDomainOpenGraphicsFD would hand one over */
static int open_fd(void *data, uint8_t type, GError **error)
{
    struct fake *f = data;
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    f->fd_types |= 1u << type;
    g_strlcpy(sa.sun_path, f->srv.path, sizeof(sa.sun_path));
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "connect: %s",
                    g_strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static void draw_copy_body(struct sc_writer *w, uint8_t fill)
{
    uint8_t px[16 * 8 * 4];
    struct sc_draw_copy m = { 0 };

    memset(px, fill, sizeof(px));
    m.box = (struct sc_rect){ 4, 4, 20, 12 };
    m.src_area = (struct sc_rect){ 0, 0, 16, 8 };
    m.rop_descriptor = SPICE_ROPD_OP_PUT;
    m.image_type = SPICE_IMAGE_TYPE_BITMAP;
    m.width = 16;
    m.height = 8;
    m.bitmap_format = SPICE_BITMAP_FMT_32BIT;
    m.bitmap_flags = SPICE_BITMAP_FLAGS_TOP_DOWN;
    m.stride = 64;
    m.data = px;
    m.data_size = sizeof(px);
    sc_draw_copy_write(w, &m);
}

/* ---- scripts ------------------------------------------------------------ */

static void script_truncated(struct fake *f)
{
    int mfd = fake_main(&f->srv, SPICE_CHANNEL_DISPLAY, 1), dfd = fake_display(&f->srv, 64, 48);
    struct sc_writer w;

    sc_writer_init(&w);
    draw_copy_body(&w, 0x80);
    fake_send_w(dfd, SPICE_MSG_DISPLAY_DRAW_COPY, &w);      /* good */
    fake_send(dfd, SPICE_MSG_DISPLAY_MARK, NULL, 0);
    draw_copy_body(&w, 0x40);
    fake_send(dfd, SPICE_MSG_DISPLAY_DRAW_COPY, w.data, w.size - 100); /* cut */
    sc_writer_finish(&w);
    g_usleep(300 * 1000);
    close(dfd);
    close(mfd);
}

static void script_fuzz(struct fake *f)
{
    int mfd = fake_main(&f->srv, SPICE_CHANNEL_DISPLAY, 1), dfd = fake_display(&f->srv, 64, 48);
    GRand *rand = g_rand_new_with_seed(f->seed);
    struct sc_writer w;
    uint8_t buf[512];

    sc_writer_init(&w);
    for (int i = 0; i < 400 && dfd >= 0; i++) {
        uint16_t type = (uint16_t)g_rand_int_range(rand, 1, 330);
        size_t len = (size_t)g_rand_int_range(rand, 0, sizeof(buf));
        bool ok;
        if (g_rand_boolean(rand)) {
            /* a valid DRAW_COPY with a few bytes flipped */
            draw_copy_body(&w, (uint8_t)i);
            for (int k = 0; k < 3; k++)
                w.data[g_rand_int_range(rand, 0, (gint32)w.size)] = (uint8_t)g_rand_int(rand);
            type = SPICE_MSG_DISPLAY_DRAW_COPY;
            ok = fake_send_w(dfd, type, &w);
        } else {
            for (size_t k = 0; k < len; k++)
                buf[k] = (uint8_t)g_rand_int(rand);
            ok = fake_send(dfd, type, buf, len);
        }
        if (!ok)
            break;
    }
    sc_writer_finish(&w);
    g_rand_free(rand);
    g_usleep(200 * 1000);
    close(dfd);
    close(mfd);
}

static void script_ack(struct fake *f)
{
    int mfd = fake_main(&f->srv, SPICE_CHANNEL_DISPLAY, 1), dfd = fake_display(&f->srv, 64, 48);
    struct sc_set_ack sa = { 7, 3 };
    struct sc_writer w;
    uint8_t *body;
    uint32_t len, gen = 0;

    sc_writer_init(&w);
    sc_set_ack_write(&w, &sa);
    fake_send_w(dfd, SPICE_MSG_SET_ACK, &w);
    sc_writer_finish(&w);
    if (fake_expect(&f->srv, dfd, SPICE_MSGC_ACK_SYNC, &body, &len)) {
        if (!sc_ack_sync_parse(body, len, &gen) || gen != 7)
            FAKE_FAIL(&f->srv, "ACK_SYNC generation %u, not 7", gen);
        g_free(body);
    }
    for (int i = 0; i < 6; i++)
        fake_send(dfd, SPICE_MSG_DISPLAY_MARK, NULL, 0);
    fake_expect(&f->srv, dfd, SPICE_MSGC_ACK, NULL, NULL);
    fake_expect(&f->srv, dfd, SPICE_MSGC_ACK, NULL, NULL);
    close(dfd);
    close(mfd);
}

static void script_inputs(struct fake *f)
{
    int mfd = fake_main(&f->srv, SPICE_CHANNEL_INPUTS, SPICE_MOUSE_MODE_CLIENT), ifd;
    struct pollfd pfd;
    uint8_t type, *body;
    uint32_t len, code = 0;
    struct sc_mouse_position pos = { 0 };

    ifd = fake_accept_link(&f->srv, &type);
    if (ifd < 0 || type != SPICE_CHANNEL_INPUTS) {
        FAKE_FAIL(&f->srv, "inputs link failed");
        goto out;
    }
    fake_send(ifd, SPICE_MSG_INPUTS_INIT, (const uint8_t *)"\0\0", 2);
    if (!fake_expect(&f->srv, ifd, SPICE_MSGC_INPUTS_KEY_DOWN, &body, &len))
        goto out;
    sc_key_code_parse(body, len, &code);
    g_free(body);
    if (code != 0x48e0)
        FAKE_FAIL(&f->srv, "Up arrow press sent as 0x%08x, not bytes e0 48", code);
    if (!fake_expect(&f->srv, ifd, SPICE_MSGC_INPUTS_KEY_UP, &body, &len))
        goto out;
    sc_key_code_parse(body, len, &code);
    g_free(body);
    if (code != 0xc8e0)
        FAKE_FAIL(&f->srv, "Up arrow release sent as 0x%08x", code);
    for (int i = 0; i < 8; i++)
        if (!fake_expect(&f->srv, ifd, SPICE_MSGC_INPUTS_MOUSE_POSITION, NULL, NULL))
            goto out;
    pfd = (struct pollfd){ ifd, POLLIN, 0 };
    if (poll(&pfd, 1, 300) != 0)
        FAKE_FAIL(&f->srv, "more than 8 unacknowledged positions");
    fake_send(ifd, SPICE_MSG_INPUTS_MOUSE_MOTION_ACK, NULL, 0);
    if (fake_expect(&f->srv, ifd, SPICE_MSGC_INPUTS_MOUSE_POSITION, &body, &len)) {
        if (!sc_mouse_position_parse(body, len, &pos) || pos.x != 19 || pos.y != 38)
            FAKE_FAIL(&f->srv, "the position after the ACK is %u,%u, not the latest 19,38", pos.x,
                      pos.y);
        g_free(body);
    }
    if (fake_expect(&f->srv, ifd, SPICE_MSGC_INPUTS_MOUSE_PRESS, &body, &len)) {
        struct sc_mouse_button b = { 0 };
        if (!sc_mouse_button_parse(body, len, &b) || b.button != 1 || b.buttons_state != 1)
            FAKE_FAIL(&f->srv, "PRESS button %u state %u", b.button, b.buttons_state);
        g_free(body);
    }
out:
    if (ifd >= 0)
        close(ifd);
    close(mfd);
}


static void send_copy(int fd, struct sc_writer *w, const uint8_t *px, uint32_t iw, uint32_t ih,
                      uint8_t format, uint8_t flags, struct sc_rect box, struct sc_rect src,
                      const struct sc_clip *clip, uint8_t type)
{
    struct sc_draw_copy m = { 0 };
    struct sc_writer lz;

    m.box = box;
    m.src_area = src;
    if (clip)
        m.clip = *clip;
    m.rop_descriptor = SPICE_ROPD_OP_PUT;
    m.image_type = type;
    m.width = iw;
    m.height = ih;
    m.bitmap_format = format;
    m.bitmap_flags = flags;
    m.data = px;
    m.data_size = (uint32_t)(sc_bitmap_row_bytes(format, iw) * ih);
    sc_writer_init(&lz);
    if (type == SPICE_IMAGE_TYPE_LZ4) {
        sc_lz4_image_encode(&lz, px, iw, ih, iw * 4);
        m.data = lz.data;
        m.data_size = (uint32_t)lz.size;
    }
    sc_draw_copy_write(w, &m);
    fake_send_w(fd, SPICE_MSG_DISPLAY_DRAW_COPY, w);
    sc_writer_finish(&lz);
}

static void script_draw(struct fake *f)
{
    int mfd = fake_main(&f->srv, SPICE_CHANNEL_DISPLAY, 1), dfd = fake_display(&f->srv, 64, 48);
    struct sc_draw_fill fill = { .box = { 0, 0, 64, 48 }, .brush_type = SPICE_BRUSH_TYPE_SOLID,
                                 .color = 0xff0000, .rop_descriptor = SPICE_ROPD_OP_PUT };
    struct sc_clip clip = { .type = SPICE_CLIP_TYPE_RECTS, .num_rects = 1,
                            .rects = { { 10, 10, 12, 12 } } };
    struct sc_stream_create sc = { .id = 3, .codec_type = 99, .stream_width = 16,
                                   .stream_height = 16, .src_width = 16, .src_height = 16,
                                   .dest = { 0, 0, 16, 16 } };
    struct sc_stream_activate_report ar = { 3, 77, 5, 1000 };
    struct sc_stream_report rep = { 0 };
    uint8_t bu[4 * 2 * 4], white[8 * 8 * 4], sub[4 * 4 * 4], lz[16 * 8 * 4], sc2[2 * 2 * 4];
    uint8_t rgb[6] = { 1, 2, 3, 4, 5, 6 }, *body;
    uint32_t len;
    struct sc_writer w;

    if (dfd < 0)
        goto out;
    sc_writer_init(&w);
    sc_draw_fill_write(&w, &fill);
    fake_send_w(dfd, SPICE_MSG_DISPLAY_DRAW_FILL, &w);
    for (int i = 0; i < 8; i++) { /* bottom-up: data row 0 (blue) is the bottom row */
        static const uint8_t blue[4] = { 0xff, 0, 0, 0 }, green[4] = { 0, 0xff, 0, 0 };
        memcpy(bu + i * 4, i < 4 ? blue : green, 4);
    }
    send_copy(dfd, &w, bu, 4, 2, SPICE_BITMAP_FMT_32BIT, 0, (struct sc_rect){ 0, 0, 4, 2 },
              (struct sc_rect){ 0, 0, 4, 2 }, NULL, SPICE_IMAGE_TYPE_BITMAP);
    memset(white, 0xff, sizeof(white));
    send_copy(dfd, &w, white, 8, 8, SPICE_BITMAP_FMT_32BIT, SPICE_BITMAP_FLAGS_TOP_DOWN,
              (struct sc_rect){ 10, 10, 18, 18 }, (struct sc_rect){ 0, 0, 8, 8 }, &clip,
              SPICE_IMAGE_TYPE_BITMAP);
    for (int i = 0; i < 16; i++)
        sub[i * 4] = (uint8_t)i, sub[i * 4 + 1] = sub[i * 4 + 2] = sub[i * 4 + 3] = 0;
    send_copy(dfd, &w, sub, 4, 4, SPICE_BITMAP_FMT_RGBA, SPICE_BITMAP_FLAGS_TOP_DOWN,
              (struct sc_rect){ 20, 0, 22, 2 }, (struct sc_rect){ 1, 1, 3, 3 }, NULL,
              SPICE_IMAGE_TYPE_BITMAP);
    for (int y = 0; y < 8; y++)
        for (int x = 0; x < 16; x++) {
            uint8_t *p = lz + (y * 16 + x) * 4;
            p[0] = (uint8_t)x, p[1] = (uint8_t)y, p[2] = 0x11, p[3] = 0;
        }
    send_copy(dfd, &w, lz, 16, 8, SPICE_BITMAP_FMT_32BIT, 0, (struct sc_rect){ 30, 20, 46, 28 },
              (struct sc_rect){ 0, 0, 16, 8 }, NULL, SPICE_IMAGE_TYPE_LZ4);
    for (int i = 0; i < 4; i++)
        sc2[i * 4] = (uint8_t)(100 + i), sc2[i * 4 + 1] = sc2[i * 4 + 2] = sc2[i * 4 + 3] = 0;
    send_copy(dfd, &w, sc2, 2, 2, SPICE_BITMAP_FMT_32BIT, SPICE_BITMAP_FLAGS_TOP_DOWN,
              (struct sc_rect){ 50, 30, 54, 34 }, (struct sc_rect){ 0, 0, 2, 2 }, NULL,
              SPICE_IMAGE_TYPE_BITMAP);
    send_copy(dfd, &w, rgb, 2, 1, SPICE_BITMAP_FMT_24BIT, SPICE_BITMAP_FLAGS_TOP_DOWN,
              (struct sc_rect){ 0, 40, 2, 41 }, (struct sc_rect){ 0, 0, 2, 1 }, NULL,
              SPICE_IMAGE_TYPE_BITMAP);
    /* a stream no decoder handles: the report says so */
    sc_stream_create_write(&w, &sc);
    fake_send_w(dfd, SPICE_MSG_DISPLAY_STREAM_CREATE, &w);
    sc_stream_activate_report_write(&w, &ar);
    fake_send_w(dfd, SPICE_MSG_DISPLAY_STREAM_ACTIVATE_REPORT, &w);
    sc_writer_finish(&w);
    if (fake_expect(&f->srv, dfd, SPICE_MSGC_DISPLAY_STREAM_REPORT, &body, &len)) {
        if (!sc_stream_report_parse(body, len, &rep) || rep.stream_id != 3 ||
            rep.unique_id != 77 || rep.num_drops != 0xffffffffu)
            FAKE_FAIL(&f->srv, "STREAM_REPORT for an undecodable stream: id %u unique %u drops %u",
                      rep.stream_id, rep.unique_id, rep.num_drops);
        g_free(body);
    }
    fake_send(dfd, SPICE_MSG_DISPLAY_MARK, NULL, 0);
    g_usleep(300 * 1000);
out:
    if (dfd >= 0)
        close(dfd);
    close(mfd);
}

/* STREAM_REPORTs carry what happened: frames 5 s ahead of the client's
 * clock (MAIN_INIT said 1000) report a delay of about +5 s, frames 1 s
 * behind it about -1 s (the engine reported 100 ms whatever came), with
 * the frames' own mm times.  The packets are junk to the decoder: the
 * delay is measured when a packet's decode is done, frame or not. */
static void expect_report(struct fake *f, int dfd, uint32_t mm0, int32_t lo, int32_t hi)
{
    static const uint8_t junk[] = { 0, 0, 0, 1, 0x65, 0xff, 0x00, 0xff, 0x13, 0x37 };
    struct sc_stream_data d = { 4, 0, junk, sizeof(junk) };
    struct sc_stream_report rep = { 0 };
    struct sc_writer w;
    uint8_t *body;
    uint32_t len;

    sc_writer_init(&w);
    for (uint32_t i = 0; i < 2; i++) {
        d.multi_media_time = mm0 + i;
        sc_stream_data_write(&w, &d);
        fake_send_w(dfd, SPICE_MSG_DISPLAY_STREAM_DATA, &w);
    }
    sc_writer_finish(&w);
    if (!fake_expect(&f->srv, dfd, SPICE_MSGC_DISPLAY_STREAM_REPORT, &body, &len))
        return;
    if (!sc_stream_report_parse(body, len, &rep) || rep.stream_id != 4 || rep.unique_id != 78 ||
        rep.num_frames != 2 || rep.num_drops != 0 || rep.start_frame_mm_time != mm0 ||
        rep.end_frame_mm_time != mm0 + 1 || rep.last_frame_delay < lo ||
        rep.last_frame_delay > hi)
        FAKE_FAIL(&f->srv, "STREAM_REPORT: id %u unique %u frames %u drops %u mm %u-%u delay %d "
                  "(wanted 2 frames, 0 drops, mm %u-%u, delay %d..%d)", rep.stream_id,
                  rep.unique_id, rep.num_frames, rep.num_drops, rep.start_frame_mm_time,
                  rep.end_frame_mm_time, rep.last_frame_delay, mm0, mm0 + 1, lo, hi);
    g_free(body);
}

static void script_report(struct fake *f)
{
    int mfd = fake_main(&f->srv, SPICE_CHANNEL_DISPLAY, 1), dfd = fake_display(&f->srv, 64, 48);
    struct sc_stream_create sc = { .id = 4, .codec_type = SPICE_VIDEO_CODEC_TYPE_H264,
                                   .stream_width = 16, .stream_height = 16, .src_width = 16,
                                   .src_height = 16, .dest = { 0, 0, 16, 16 } };
    struct sc_stream_activate_report ar = { 4, 78, 2, 60000 };
    struct sc_writer w;

    if (dfd < 0)
        goto out;
    sc_writer_init(&w);
    sc_stream_create_write(&w, &sc);
    fake_send_w(dfd, SPICE_MSG_DISPLAY_STREAM_CREATE, &w);
    sc_stream_activate_report_write(&w, &ar);
    fake_send_w(dfd, SPICE_MSG_DISPLAY_STREAM_ACTIVATE_REPORT, &w);
    sc_writer_finish(&w);
    expect_report(f, dfd, 6000, 3000, 5001);
    expect_report(f, dfd, 0, -6000, -999);
out:
    if (dfd >= 0)
        close(dfd);
    close(mfd);
}

static char *check_px(const uint8_t *canvas, uint32_t stride, int x, int y, uint8_t b, uint8_t g,
                      uint8_t r)
{
    const uint8_t *p = canvas + (size_t)y * stride + (size_t)x * 4;
    if (p[0] == b && p[1] == g && p[2] == r)
        return NULL;
    return g_strdup_printf("pixel %d,%d is B,G,R %u,%u,%u, not %u,%u,%u", x, y, p[0], p[1], p[2],
                           b, g, r);
}

static char *check_draw(struct sc_client *c)
{
    uint32_t w, h, stride;
    const uint8_t *px = sc_client_canvas(c, &w, &h, &stride);
    char *e = NULL;

    if (!px || w != 64 || h != 48)
        return g_strdup("no 64x48 canvas");
    static const struct { int x, y; uint8_t b, g, r; } want[] = {
        { 63, 47, 0, 0, 0xff },      /* the fill */
        { 0, 0, 0, 0xff, 0 },        /* bottom-up: the top row is data row 1 (green) */
        { 3, 1, 0xff, 0, 0 },        /* and the bottom row data row 0 (blue) */
        { 11, 11, 0xff, 0xff, 0xff }, /* inside the clip rect */
        { 13, 13, 0, 0, 0xff },      /* outside it: still the fill */
        { 20, 0, 5, 0, 0 },          /* src_area from (1,1) */
        { 21, 1, 10, 0, 0 },         /* (2,2) */
        { 35, 23, 5, 3, 0x11 },      /* LZ4 */
        { 51, 31, 100, 0, 0 },       /* 2x2 scaled onto 4x4 */
        { 52, 33, 103, 0, 0 },
        { 1, 40, 4, 5, 6 },          /* 24-bit */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(want) && !e; i++)
        e = check_px(px, stride, want[i].x, want[i].y, want[i].b, want[i].g, want[i].r);
    return e;
}

/* issue 13 item 5: boxes at the ends of int32 (UBSan: signed overflow in
 * blit() before); a 4x4 image at (-2,-2) shows its bottom-right quarter */
static void script_wild_boxes(struct fake *f)
{
    int mfd = fake_main(&f->srv, SPICE_CHANNEL_DISPLAY, 1), dfd = fake_display(&f->srv, 64, 48);
    static const struct sc_rect wild[] = {
        { INT32_MIN, 0, 4, 4 }, { 0, INT32_MIN, 4, 4 }, { INT32_MIN, INT32_MIN, 8, 8 },
        { -4, -4, INT32_MAX, INT32_MAX }, { INT32_MIN, INT32_MIN, INT32_MAX, INT32_MAX },
        { 60, 44, INT32_MAX, INT32_MAX },
    };
    struct sc_rect src = { 0, 0, 4, 4 };
    uint8_t px[4 * 4 * 4] = { 0 }, q[4 * 4 * 4];
    struct sc_writer w;

    if (dfd < 0)
        goto out;
    sc_writer_init(&w);
    memset(px, 0x33, sizeof(px));
    for (size_t i = 0; i < G_N_ELEMENTS(wild); i++)
        send_copy(dfd, &w, px, 4, 4, SPICE_BITMAP_FMT_32BIT, SPICE_BITMAP_FLAGS_TOP_DOWN, wild[i],
                  src, NULL, SPICE_IMAGE_TYPE_BITMAP);
    send_copy(dfd, &w, px, 4, 4, SPICE_BITMAP_FMT_32BIT, SPICE_BITMAP_FLAGS_TOP_DOWN, wild[4],
              wild[4], NULL, SPICE_IMAGE_TYPE_BITMAP); /* src_area far outside the image */
    for (int i = 0; i < 16; i++)
        q[i * 4] = (uint8_t)(10 + i), q[i * 4 + 1] = q[i * 4 + 2] = q[i * 4 + 3] = 0;
    send_copy(dfd, &w, q, 4, 4, SPICE_BITMAP_FMT_32BIT, SPICE_BITMAP_FLAGS_TOP_DOWN,
              (struct sc_rect){ -2, -2, 2, 2 }, src, NULL, SPICE_IMAGE_TYPE_BITMAP);
    sc_writer_finish(&w);
    fake_send(dfd, SPICE_MSG_DISPLAY_MARK, NULL, 0);
    g_usleep(300 * 1000);
out:
    if (dfd >= 0)
        close(dfd);
    close(mfd);
}

static char *check_wild_boxes(struct sc_client *c)
{
    uint32_t w, h, stride;
    const uint8_t *px = sc_client_canvas(c, &w, &h, &stride);
    char *e;

    if (!px || w != 64 || h != 48)
        return g_strdup("no 64x48 canvas");
    if ((e = check_px(px, stride, 0, 0, 10 + 2 * 4 + 2, 0, 0)) ||
        (e = check_px(px, stride, 1, 1, 10 + 3 * 4 + 3, 0, 0)))
        return e;
    return NULL;
}

static void script_cursor(struct fake *f)
{
    int mfd = fake_main(&f->srv, SPICE_CHANNEL_CURSOR, 1), cfd;
    static const uint8_t px[3 * 2 * 4] = { 1, 2, 3, 4 };
    struct sc_cursor_init ci = { .x = 5, .y = 6, .visible = 1,
                                 .cursor = { .unique = 9, .type = SPICE_CURSOR_TYPE_ALPHA,
                                             .width = 3, .height = 2, .hot_spot_x = 1,
                                             .hot_spot_y = 1, .data = px,
                                             .data_size = sizeof(px) } };
    struct sc_set_ack sa = { 1, 20 };
    struct sc_writer w;
    uint8_t type;

    cfd = fake_accept_link(&f->srv, &type);
    if (cfd < 0 || type != SPICE_CHANNEL_CURSOR) {
        FAKE_FAIL(&f->srv, "cursor link failed");
        goto out;
    }
    sc_writer_init(&w);
    sc_set_ack_write(&w, &sa);
    fake_send_w(cfd, SPICE_MSG_SET_ACK, &w);
    fake_expect(&f->srv, cfd, SPICE_MSGC_ACK_SYNC, NULL, NULL);
    sc_cursor_init_write(&w, &ci);
    fake_send_w(cfd, SPICE_MSG_CURSOR_INIT, &w);
    sc_writer_finish(&w);
    g_usleep(300 * 1000);
    close(cfd);
out:
    close(mfd);
}

/* ---- the client side -------------------------------------------------------- */

static gpointer fake_thread(gpointer p)
{
    struct fake *f = p;
    f->script(f);
    return NULL;
}

static void on_closed(void *p, const GError *error)
{
    struct fake *f = p;
    f->closed = true;
    f->error = error ? g_strdup(error->message) : NULL;
    g_main_loop_quit(f->loop);
}

static void on_mark(void *p)
{
    struct fake *f = p;
    f->marks++;
    if (f->check && !f->checked) {
        f->checked = true;
        f->check_failure = f->check(f->client);
    }
}

static void on_cursor(void *p, uint32_t w, uint32_t h, uint32_t hx, uint32_t hy,
                      const uint8_t *px)
{
    struct fake *f = p;
    f->cursors++;
    f->cursor_w = w, f->cursor_h = h, f->cursor_hx = hx, f->cursor_hy = hy;
    memcpy(f->cursor_px, px, 4);
}

static gboolean drive_inputs(gpointer p)
{
    struct fake *f = p;
    struct sc_client *c = f->client;

    if (f->inputs_done || !c->inputs || c->inputs->state != CH_READY ||
        c->mouse_mode != SPICE_MOUSE_MODE_CLIENT)
        return G_SOURCE_CONTINUE;
    f->inputs_done = true;
    sc_client_key(c, 0x148, true);
    sc_client_key(c, 0x148, false);
    for (int i = 0; i < 20; i++)
        sc_client_pointer(c, i, 2 * i, 0);
    return G_SOURCE_CONTINUE;
}

static gboolean press_later(gpointer p)
{
    struct fake *f = p;
    if (f->inputs_done && ((struct sc_inputs_priv *)f->client->inputs->priv)->motion_unacked < 8 && !f->closed) {
        sc_client_pointer(f->client, 19, 38, 1);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static gboolean on_timeout(gpointer p)
{
    struct fake *f = p;
    g_main_loop_quit(f->loop);
    return G_SOURCE_REMOVE;
}

static void run_fake(struct fake *f, void (*script)(struct fake *f))
{
    struct sc_client_callbacks cb = { .closed = on_closed, .mark = on_mark,
                                      .cursor = on_cursor };
    struct sc_client_options o = { 0 };
    guint t1, t2 = 0, t3 = 0;

    fake_srv_init(&f->srv);
    f->script = script;
    f->loop = g_main_loop_new(NULL, FALSE);
    o.uri = f->use_fd ? NULL : f->srv.path;
    o.open_fd = f->use_fd ? open_fd : NULL;
    o.open_fd_data = f;
    f->client = sc_client_new(&o, &cb, f, NULL);
    g_assert_nonnull(f->client);
    f->thread = g_thread_new("fake-server", fake_thread, f);
    sc_client_connect(f->client);
    t1 = g_timeout_add_seconds(15, on_timeout, f);
    if (script == script_inputs) {
        t2 = g_timeout_add(5, drive_inputs, f);
        t3 = g_timeout_add(5, press_later, f);
    }
    g_main_loop_run(f->loop);
    g_source_remove(t1);
    if (t2)
        g_source_remove(t2);
    if (t3 && !f->closed)
        g_source_remove(t3);
    g_thread_join(f->thread);
    sc_client_free(f->client);
    g_main_loop_unref(f->loop);
}

static void fake_clear(struct fake *f)
{
    fake_srv_finish(&f->srv);
    g_free(f->error);
    g_free(f->check_failure);
}

/* Runs a script and fails the test with the fake server's message. */
#define run_fake_ok(f, script)                                                                     \
    do {                                                                                           \
        run_fake((f), (script));                                                                   \
        if ((f)->srv.failure)                                                                      \
            g_test_message("%s", (f)->srv.failure);                                                \
        g_assert_null((f)->srv.failure);                                                           \
    } while (0)

static void test_draw(void)
{
    struct fake f = { .check = check_draw };
    run_fake_ok(&f, script_draw);
    g_assert_true(f.checked);
    if (f.check_failure)
        g_test_message("%s", f.check_failure);
    g_assert_null(f.check_failure);
    fake_clear(&f);
}

static void test_wild_boxes(void)
{
    struct fake f = { .check = check_wild_boxes };
    run_fake_ok(&f, script_wild_boxes);
    g_assert_true(f.checked);
    if (f.check_failure)
        g_test_message("%s", f.check_failure);
    g_assert_null(f.check_failure);
    fake_clear(&f);
}

static void test_truncated(void)
{
    struct fake f = { 0 };
    run_fake(&f, script_truncated);
    g_assert_null(f.srv.failure);
    g_assert_true(f.closed);
    g_assert_cmpint(f.marks, ==, 1);
    g_assert_nonnull(f.error);
    g_assert_nonnull(strstr(f.error, "malformed"));
    fake_clear(&f);
}

static void test_fuzz(void)
{
    for (uint32_t seed = 1; seed <= 20; seed++) {
        struct fake f = { .seed = seed };
        run_fake_ok(&f, script_fuzz); /* the links worked: the fuzz reached the client */
        g_assert_true(f.closed);       /* an error, or the server's end */
        fake_clear(&f);
    }
}

static void test_ack(void)
{
    struct fake f = { 0 };
    run_fake_ok(&f, script_ack);
    g_assert_cmpint(f.marks, ==, 6);
    fake_clear(&f);
}

static void test_inputs(void)
{
    struct fake f = { 0 };
    run_fake_ok(&f, script_inputs);
    g_assert_true(f.inputs_done);
    fake_clear(&f);
}

/* The same session with every channel's socket from the caller */
static void test_open_fd(void)
{
    struct fake f = { .use_fd = true };
    run_fake_ok(&f, script_cursor);
    g_assert_cmpint(f.cursors, ==, 1);
    g_assert_cmpuint(f.fd_types, ==, (1u << SPICE_CHANNEL_MAIN) | (1u << SPICE_CHANNEL_CURSOR));
    fake_clear(&f);
}

static void test_report(void)
{
    struct fake f = { 0 };
    char why[SC_CODEC_REASON_SIZE];
    bool h264 = false;

    for (unsigned i = 0; sc_decoders[i]; i++)
        h264 |= sc_decoders[i]->codec == SC_CODEC_H264 &&
                sc_decoder_probe(sc_decoders[i], why, sizeof(why));
    if (!h264) {
        g_test_skip("no working H.264 decoder here");
        return;
    }
    run_fake_ok(&f, script_report);
    fake_clear(&f);
}

static void test_cursor(void)
{
    struct fake f = { 0 };
    run_fake_ok(&f, script_cursor);
    g_assert_cmpint(f.cursors, ==, 1);
    g_assert_cmpuint(f.cursor_w, ==, 3);
    g_assert_cmpuint(f.cursor_h, ==, 2);
    g_assert_cmpuint(f.cursor_hx, ==, 1);
    g_assert_cmpuint(f.cursor_hy, ==, 1);
    g_assert_cmpmem(f.cursor_px, 4, "\1\2\3\4", 4);
    fake_clear(&f);
}

static void test_bad_uri(void)
{
    struct sc_client_options o = { .uri = "http://example.invalid/" };
    GError *err = NULL;
    g_assert_null(sc_client_new(&o, NULL, NULL, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/client/bad-uri", test_bad_uri);
    g_test_add_func("/client/draw", test_draw);
    g_test_add_func("/client/wild-boxes", test_wild_boxes);
    g_test_add_func("/client/truncated", test_truncated);
    g_test_add_func("/client/fuzz", test_fuzz);
    g_test_add_func("/client/ack", test_ack);
    g_test_add_func("/client/inputs", test_inputs);
    g_test_add_func("/client/cursor", test_cursor);
    g_test_add_func("/client/report", test_report);
    g_test_add_func("/client/open-fd", test_open_fd);
    return g_test_run();
}
