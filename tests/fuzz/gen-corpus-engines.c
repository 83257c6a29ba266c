/* Writes the seeds of the fuzz targets that drive whole engines (the
 * client's and the server's channels, ticket, fdpass, y4m, the QEMU D-Bus
 * listener): each file is the target's few control bytes and then a valid
 * stream of messages, made with the writers.  The client-link seeds carry a
 * real RSA key (the ticket is encrypted for it).  Usage:
 * gen-corpus-engines <corpus dir>  (make fuzz-corpus) */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <spice/vd_agent.h>

#include "common/messages.h"
#include "common/ticket.h"

static const char *root;

static void raw(const char *target, const char *name, const void *p, size_t len)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", root, target);
    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof(path), "%s/%s/%s", root, target, name);
    f = fopen(path, "wb");
    if (!f || fwrite(p, 1, len, f) != len) {
        perror(path);
        exit(1);
    }
    fclose(f);
}

/* A stream: control bytes, then messages appended with MSG(). */
struct stream {
    struct sc_writer w;
    bool mini;
    uint64_t serial;
};

static void st_init(struct stream *s, bool mini, const uint8_t *ctl, size_t n)
{
    sc_writer_init(&s->w);
    s->mini = mini;
    s->serial = 0;
    sc_write_bytes(&s->w, ctl, n);
}

static void st_save(struct stream *s, const char *target, const char *name)
{
    if (s->w.error)
        abort();
    raw(target, name, s->w.data, s->w.size);
    sc_writer_finish(&s->w);
}

#define MSG(s, type, stmt)                                                 \
    do {                                                                   \
        struct sc_writer *w_ = &(s)->w;                                    \
        size_t st_ = sc_msg_begin(w_, (s)->mini, ++(s)->serial, (type));   \
        { struct sc_writer *w = w_; (void)w; stmt; }                       \
        sc_msg_end(w_, st_, (s)->mini);                                    \
    } while (0)

/* ---- small targets ---------------------------------------------------------- */

static void ticket_seeds(void)
{
    uint8_t b[1 + SC_TICKET_BLOB_BYTES];

    for (size_t i = 0; i < sizeof(b); i++)
        b[i] = (uint8_t)(i * 37 + 11);
    b[0] = 0;
    raw("fuzz-ticket", "blob-random", b, sizeof(b));
    raw("fuzz-ticket", "plain-secret", "\001secret", 7);
    raw("fuzz-ticket", "plain-embedded-nul", "\001ab\0cd", 6);
    memset(b, 'x', 87);
    b[0] = 1;
    raw("fuzz-ticket", "plain-longest", b, 87);
}

static void fdpass_seeds(void)
{
    static const struct { const char *name; uint8_t ctl[4]; const char *payload; } seeds[] = {
        { "stream-one", { 0, 1, 1, 1 }, "@" },              /* as GL_SCANOUT_UNIX's '@' */
        { "dgram-three", { 1, 3, 32, 2 }, "@x" },
        { "seqpacket-too-many", { 2, 33, 32, 1 }, "@" },    /* one fd past SC_FD_MAX */
        { "two-cmsgs", { 4 | 8, 40, 8, 3 }, "abcdef" },     /* and a second message */
        { "fds-null", { 16, 2, 4, 1 }, "@" },               /* the receiver takes none */
    };

    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        uint8_t b[64];
        size_t n = strlen(seeds[i].payload);
        memcpy(b, seeds[i].ctl, 4);
        memcpy(b + 4, seeds[i].payload, n);
        raw("fuzz-fdpass", seeds[i].name, b, 4 + n);
    }
}

/* ---- the client's channels ---------------------------------------------------- */

static void display_stream(struct stream *s)
{
    static uint8_t px[16 * 8 * 4];
    /* packets for fuzz-client.h's model decoder: byte 0 says what it makes */
    static const uint8_t model[][4] = {
        { 0x02, 1, 2, 3 },  /* an I420 frame of the stream's size */
        { 0x06, 4, 5, 6 },  /* NV12 */
        { 0x0a, 7, 8, 9 },  /* BGRX */
        { 0x12, 15, 7, 1 }, /* I420, 16x8: not the stream's size */
        { 0x22, 0, 0, 0 },  /* a dma-buf frame */
        { 0x01, 0, 0, 0 },  /* no frame yet */
        { 0x00, 0, 0, 0 },  /* a bad packet */
    };
    struct sc_draw_copy dc = {
        .box = { 10, 20, 26, 28 }, .src_area = { 0, 0, 16, 8 },
        .rop_descriptor = SPICE_ROPD_OP_PUT, .image_type = SPICE_IMAGE_TYPE_BITMAP,
        .width = 16, .height = 8, .bitmap_format = SPICE_BITMAP_FMT_32BIT,
        .bitmap_flags = SPICE_BITMAP_FLAGS_TOP_DOWN, .stride = 64, .data = px,
        .data_size = sizeof(px),
    };
    struct sc_stream_create sc = { 0, 1, 0, SPICE_VIDEO_CODEC_TYPE_H264, 0, 64, 64, 64, 64,
                                   { 0, 0, 64, 64 }, { 0 } };
    struct sc_monitors_config mc = { 1, 1, { { 0, 0, 64, 64, 0, 0, 0 } } };
    struct sc_writer lz;

    for (size_t i = 0; i < sizeof(px); i++)
        px[i] = (uint8_t)(i / 7);
    MSG(s, SPICE_MSG_SET_ACK, sc_set_ack_write(w, &(struct sc_set_ack){ 1, 20 }));
    MSG(s, SPICE_MSG_DISPLAY_SURFACE_CREATE, sc_surface_create_write(w,
        &(struct sc_surface_create){ 0, 64, 64, SPICE_SURFACE_FMT_32_xRGB, SPICE_SURFACE_FLAGS_PRIMARY }));
    MSG(s, SPICE_MSG_DISPLAY_MONITORS_CONFIG, sc_monitors_config_write(w, &mc));
    MSG(s, SPICE_MSG_DISPLAY_DRAW_FILL, sc_draw_fill_write(w, &(struct sc_draw_fill){
        0, { 4, 4, 60, 60 }, { 0 }, SPICE_BRUSH_TYPE_SOLID, 0x123456, SPICE_ROPD_OP_PUT }));
    MSG(s, SPICE_MSG_DISPLAY_DRAW_COPY, sc_draw_copy_write(w, &dc));
    dc.clip.type = SPICE_CLIP_TYPE_RECTS;
    dc.clip.num_rects = 2;
    dc.clip.rects[0] = (struct sc_rect){ 10, 20, 18, 28 };
    dc.clip.rects[1] = (struct sc_rect){ 18, 20, 26, 28 };
    dc.box = (struct sc_rect){ 10, 20, 42, 36 }; /* scaled 2x */
    MSG(s, SPICE_MSG_DISPLAY_DRAW_COPY, sc_draw_copy_write(w, &dc));
    sc_writer_init(&lz);
    sc_lz4_image_encode(&lz, px, 16, 8, 64);
    dc.image_type = SPICE_IMAGE_TYPE_LZ4;
    dc.data = lz.data;
    dc.data_size = (uint32_t)lz.size;
    dc.clip.type = SPICE_CLIP_TYPE_NONE;
    dc.box = (struct sc_rect){ 0, 0, 16, 8 };
    MSG(s, SPICE_MSG_DISPLAY_DRAW_COPY, sc_draw_copy_write(w, &dc));
    sc_writer_finish(&lz);
    MSG(s, SPICE_MSG_DISPLAY_MARK, (void)0);
    MSG(s, SPICE_MSG_PING, sc_ping_write(w, &(struct sc_ping){ 7, 1000, 0 }));
    MSG(s, SPICE_MSG_DISPLAY_STREAM_CREATE, sc_stream_create_write(w, &sc));
    MSG(s, SPICE_MSG_DISPLAY_STREAM_ACTIVATE_REPORT, sc_stream_activate_report_write(w,
        &(struct sc_stream_activate_report){ 1, 9, 2, 1000 }));
    for (size_t i = 0; i < sizeof(model) / sizeof(model[0]); i++) {
        if (i == 1)
            MSG(s, SPICE_MSG_DISPLAY_STREAM_DATA_SIZED, sc_stream_data_sized_write(w,
                &(struct sc_stream_data_sized){ 1, 1001, 64, 64, { 8, 8, 40, 40 }, model[i], 4 }));
        else
            MSG(s, SPICE_MSG_DISPLAY_STREAM_DATA, sc_stream_data_write(w,
                &(struct sc_stream_data){ 1, 1000 + (uint32_t)i, model[i], 4 }));
    }
    MSG(s, SPICE_MSG_DISPLAY_STREAM_CLIP, sc_stream_clip_write(w, 1, &(struct sc_clip){
        SPICE_CLIP_TYPE_RECTS, 1, { { 0, 0, 32, 32 } } }));
    MSG(s, SPICE_MSG_DISPLAY_STREAM_DESTROY, sc_stream_destroy_write(w, 1));
    sc.id = 2;
    sc.codec_type = 0xff; /* no decoder */
    sc.flags = SPICE_STREAM_FLAGS_TOP_DOWN;
    MSG(s, SPICE_MSG_DISPLAY_STREAM_CREATE, sc_stream_create_write(w, &sc));
    MSG(s, SPICE_MSG_DISPLAY_STREAM_ACTIVATE_REPORT, sc_stream_activate_report_write(w,
        &(struct sc_stream_activate_report){ 2, 10, 0, 1000 }));
    MSG(s, SPICE_MSG_DISPLAY_STREAM_DESTROY_ALL, (void)0);
    MSG(s, SPICE_MSG_DISPLAY_GL_SCANOUT_UNIX, sc_gl_scanout_unix_write(w,
        &(struct sc_gl_scanout){ 64, 32, 256, 0x34325258 /* XR24 */, 0 }));
    sc_write_u8(&s->w, '@');
    MSG(s, SPICE_MSG_DISPLAY_GL_DRAW, sc_gl_draw_write(w, &(struct sc_gl_draw){ 0, 0, 64, 32 }));
    MSG(s, SPICE_MSG_DISPLAY_SURFACE_DESTROY, sc_surface_destroy_write(w, 0));
}

static void client_display_seeds(void)
{
    struct stream s;

    /* mini, STREAM_REPORT, unix, GL, one sealed 8 KiB memfd, split in the middle */
    st_init(&s, true, (const uint8_t[]){ 0x01 | 0x02 | 0x04 | 0x08 | 0x10 | 0x40, 8, 128 }, 3);
    display_stream(&s);
    st_save(&s, "fuzz-client-display", "mini-unix-gl");
    st_init(&s, false, (const uint8_t[]){ 0x02 | 0x04 | 0x08 | 0x20, 4, 40 }, 3);
    display_stream(&s);
    st_save(&s, "fuzz-client-display", "full-headers-small-memfds");
    st_init(&s, true, (const uint8_t[]){ 0x01, 0, 255 }, 3);
    display_stream(&s);
    st_save(&s, "fuzz-client-display", "tcp-no-fds");
    /* GL_SCANOUT2_UNIX: NV12 64x32 in two sealed 4 KiB memfds, a draw; then
     * both planes in one (the chroma at 2048) */
    st_init(&s, true, (const uint8_t[]){ 0x01 | 0x04 | 0x08 | 0x30 | 0x40, 4, 128 }, 3);
    MSG(&s, SPICE_MSG_SET_ACK, sc_set_ack_write(w, &(struct sc_set_ack){ 1, 20 }));
    MSG(&s, SPICE_MSG_DISPLAY_GL_SCANOUT2_UNIX, sc_gl_scanout2_unix_write(w,
        &(struct sc_gl_scanout2){ 64, 32, { 0, 0 }, { 64, 64 }, 0x3231564e /* NV12 */, 0, 0, 2,
                                  2 }));
    sc_write_u8(&s.w, '@');
    MSG(&s, SPICE_MSG_DISPLAY_GL_DRAW, sc_gl_draw_write(w, &(struct sc_gl_draw){ 0, 0, 64, 32 }));
    MSG(&s, SPICE_MSG_DISPLAY_GL_SCANOUT2_UNIX, sc_gl_scanout2_unix_write(w,
        &(struct sc_gl_scanout2){ 64, 32, { 0, 2048 }, { 64, 64 }, 0x3231564e, 0, 0, 2, 1 }));
    sc_write_u8(&s.w, '@');
    MSG(&s, SPICE_MSG_DISPLAY_GL_DRAW, sc_gl_draw_write(w, &(struct sc_gl_draw){ 0, 0, 64, 32 }));
    st_save(&s, "fuzz-client-display", "gl-planes");
}

/* The server's link answer (real key), the OK result, then messages. */
static void link_answer(struct stream *s, const uint8_t *pubkey, uint8_t type, bool mini,
                        uint32_t error)
{
    struct sc_link_reply r = { 0 };

    r.error = error;
    memcpy(r.pub_key, pubkey, SC_TICKET_PUBKEY_SIZE);
    sc_caps_set(r.caps.common, &r.caps.n_common, SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION);
    sc_caps_set(r.caps.common, &r.caps.n_common, SPICE_COMMON_CAP_AUTH_SPICE);
    if (mini)
        sc_caps_set(r.caps.common, &r.caps.n_common, SPICE_COMMON_CAP_MINI_HEADER);
    if (type == SPICE_CHANNEL_DISPLAY)
        sc_caps_set(r.caps.channel, &r.caps.n_channel, SPICE_DISPLAY_CAP_STREAM_REPORT);
    sc_link_reply_write(&s->w, &r);
    if (!error)
        sc_write_u32(&s->w, SPICE_LINK_ERR_OK);
    s->mini = mini;
}

static void client_link_seeds(void)
{
    struct sc_ticket_key *key = sc_ticket_key_new();
    uint8_t pub[SC_TICKET_PUBKEY_BYTES], cur[4 * 4 * 4];
    struct sc_channels_list cl = { 3, { { SPICE_CHANNEL_DISPLAY, 0 }, { SPICE_CHANNEL_INPUTS, 0 },
                                        { SPICE_CHANNEL_CURSOR, 0 } } };
    struct sc_cursor_init ci = { 5, 6, 0, 0, 1, { 0, 77, SPICE_CURSOR_TYPE_ALPHA, 4, 4, 1, 1, cur,
                                                  sizeof(cur) } };
    struct stream s;

    if (!key || !sc_ticket_key_get_pubkey(key, pub))
        abort();
    memset(cur, 0x80, sizeof(cur));
    for (int mini = 0; mini < 2; mini++) {
        st_init(&s, mini, (const uint8_t[]){ 0x04, 128 }, 2);
        link_answer(&s, pub, SPICE_CHANNEL_MAIN, mini, SPICE_LINK_ERR_OK);
        MSG(&s, SPICE_MSG_MAIN_INIT, sc_main_init_write(w, &(struct sc_main_init){
            .session_id = 0x5eed, .display_channels_hint = 1, .supported_mouse_modes = 3,
            .current_mouse_mode = 1, .agent_tokens = 10, .multi_media_time = 1000 }));
        MSG(&s, SPICE_MSG_MAIN_NAME, sc_main_name_write(w, "fuzz"));
        MSG(&s, SPICE_MSG_MAIN_CHANNELS_LIST, sc_channels_list_write(w, &cl));
        MSG(&s, SPICE_MSG_MAIN_MOUSE_MODE, sc_mouse_mode_write(w, &(struct sc_mouse_mode){ 3, 2 }));
        MSG(&s, SPICE_MSG_MAIN_MULTI_MEDIA_TIME, sc_multi_media_time_write(w, 2000));
        MSG(&s, SPICE_MSG_SET_ACK, sc_set_ack_write(w, &(struct sc_set_ack){ 1, 2 }));
        MSG(&s, SPICE_MSG_PING, sc_ping_write(w, &(struct sc_ping){ 1, 5, 0 }));
        MSG(&s, SPICE_MSG_NOTIFY, sc_notify_write(w, &(struct sc_notify){ 1, 0, 0, 0, "hi", 2 }));
        st_save(&s, "fuzz-client-link", mini ? "main-mini" : "main-full-headers");
    }
    st_init(&s, false, (const uint8_t[]){ 0x00, 200 }, 2);
    link_answer(&s, pub, SPICE_CHANNEL_MAIN, false, SPICE_LINK_ERR_PERMISSION_DENIED);
    st_save(&s, "fuzz-client-link", "main-refused");
    st_init(&s, true, (const uint8_t[]){ 0x03, 20 }, 2);
    link_answer(&s, pub, SPICE_CHANNEL_CURSOR, true, SPICE_LINK_ERR_OK);
    MSG(&s, SPICE_MSG_CURSOR_INIT, sc_cursor_init_write(w, &ci));
    MSG(&s, SPICE_MSG_CURSOR_SET, sc_cursor_set_write(w, &(struct sc_cursor_set){ 1, 2, 1, ci.cursor }));
    MSG(&s, SPICE_MSG_CURSOR_MOVE, sc_cursor_move_write(w, 3, 4));
    st_save(&s, "fuzz-client-link", "cursor");
    st_init(&s, true, (const uint8_t[]){ 0x02 | 0x10, 60 }, 2);
    link_answer(&s, pub, SPICE_CHANNEL_INPUTS, true, SPICE_LINK_ERR_OK);
    MSG(&s, SPICE_MSG_INPUTS_INIT, sc_inputs_init_write(w, 2));
    MSG(&s, SPICE_MSG_INPUTS_MOUSE_MOTION_ACK, (void)0);
    MSG(&s, SPICE_MSG_INPUTS_KEY_MODIFIERS, sc_key_modifiers_write(w, 1));
    st_save(&s, "fuzz-client-link", "inputs");
    st_init(&s, true, (const uint8_t[]){ 0x01 | 0x04, 90 }, 2);
    link_answer(&s, pub, SPICE_CHANNEL_DISPLAY, true, SPICE_LINK_ERR_OK);
    display_stream(&s);
    st_save(&s, "fuzz-client-link", "display");
    sc_ticket_key_free(key);
}

/* ---- the server's link and channels ------------------------------------------ */

/* A client hello for the channel, the auth word and a 128-byte blob the
 * harness overwrites with a real ticket (fuzz-server-link flag 2). */
static void client_link(struct stream *s, uint8_t type, bool mini)
{
    struct sc_link_mess m = { 0 };
    uint8_t blob[SC_TICKET_BLOB_BYTES] = { 0 };

    m.connection_id = type == SPICE_CHANNEL_MAIN ? 0 : 0x5eed;
    m.channel_type = type;
    sc_caps_set(m.caps.common, &m.caps.n_common, SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION);
    sc_caps_set(m.caps.common, &m.caps.n_common, SPICE_COMMON_CAP_AUTH_SPICE);
    if (mini)
        sc_caps_set(m.caps.common, &m.caps.n_common, SPICE_COMMON_CAP_MINI_HEADER);
    sc_link_mess_write(&s->w, &m);
    sc_write_u32(&s->w, SPICE_COMMON_CAP_AUTH_SPICE);
    sc_write_bytes(&s->w, blob, sizeof(blob));
    s->mini = mini;
}

static void main_msgs(struct stream *s)
{
    MSG(s, SPICE_MSGC_MAIN_ATTACH_CHANNELS, (void)0);
    MSG(s, SPICE_MSGC_MAIN_MOUSE_MODE_REQUEST, sc_mouse_mode_request_write(w, SPICE_MOUSE_MODE_CLIENT));
    MSG(s, SPICE_MSGC_MAIN_AGENT_START, sc_write_u32(w, 10));
    MSG(s, SPICE_MSGC_MAIN_AGENT_DATA, sc_write_bytes(w, "agent", 5));
    MSG(s, SPICE_MSGC_ACK_SYNC, sc_ack_sync_write(w, 1));
    MSG(s, SPICE_MSGC_PONG, sc_pong_write(w, 1, 5));
}

static void display_msgs(struct stream *s)
{
    MSG(s, SPICE_MSGC_DISPLAY_INIT, sc_display_init_write(w, &(struct sc_display_init){ 1, 0, 1, 0 }));
    MSG(s, SPICE_MSGC_DISPLAY_PREFERRED_COMPRESSION,
        sc_preferred_compression_write(w, SPICE_IMAGE_COMPRESSION_LZ4));
    MSG(s, SPICE_MSGC_DISPLAY_PREFERRED_VIDEO_CODEC_TYPE, sc_preferred_video_codecs_write(w,
        &(struct sc_preferred_video_codecs){ 2, { SPICE_VIDEO_CODEC_TYPE_H264,
                                                   SPICE_VIDEO_CODEC_TYPE_MJPEG } }));
    MSG(s, SPICE_MSGC_ACK_SYNC, sc_ack_sync_write(w, 1));
    MSG(s, SPICE_MSGC_ACK, (void)0);
    MSG(s, SPICE_MSGC_DISPLAY_STREAM_REPORT, sc_stream_report_write(w, &(struct sc_stream_report){
        0, 1, 100, 200, 5, 1, -3, 0xffffffffu }));
    MSG(s, SPICE_MSGC_DISPLAY_GL_DRAW_DONE, (void)0);
}

static void inputs_msgs(struct stream *s)
{
    static const uint8_t pause_seq[] = { 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5 };

    MSG(s, SPICE_MSGC_INPUTS_KEY_DOWN, sc_key_code_write(w, 0x1e));
    MSG(s, SPICE_MSGC_INPUTS_KEY_UP, sc_key_code_write(w, 0x9e));
    MSG(s, SPICE_MSGC_INPUTS_KEY_SCANCODE, sc_key_scancode_write(w, pause_seq, sizeof(pause_seq)));
    MSG(s, SPICE_MSGC_INPUTS_KEY_MODIFIERS, sc_key_modifiers_write(w, 3));
    MSG(s, SPICE_MSGC_INPUTS_MOUSE_POSITION, sc_mouse_position_write(w,
        &(struct sc_mouse_position){ 10, 20, 0, 0 }));
    MSG(s, SPICE_MSGC_INPUTS_MOUSE_MOTION, sc_mouse_motion_write(w,
        &(struct sc_mouse_motion){ -5, 7, 1 }));
    MSG(s, SPICE_MSGC_INPUTS_MOUSE_PRESS, sc_mouse_button_write(w, &(struct sc_mouse_button){ 1, 1 }));
    MSG(s, SPICE_MSGC_INPUTS_MOUSE_RELEASE, sc_mouse_button_write(w, &(struct sc_mouse_button){ 1, 0 }));
}

/* fuzz-agent: flags, then chunks (16-bit length, bytes) */
static void agent_chunk_begin(struct sc_writer *w, size_t *at)
{
    *at = w->size;
    sc_write_u16(w, 0);
}

static void agent_chunk_end(struct sc_writer *w, size_t at)
{
    uint16_t n = (uint16_t)(w->size - at - 2);

    w->data[at] = (uint8_t)n;
    w->data[at + 1] = (uint8_t)(n >> 8);
}

static void agent_msg(struct sc_writer *w, uint32_t type, uint32_t size)
{
    sc_write_u32(w, VD_AGENT_PROTOCOL);
    sc_write_u32(w, type);
    sc_write_u64(w, 0);
    sc_write_u32(w, size);
}

/* remote-viewer's: one monitor, USE_POS | PHYSICAL_SIZE (32 bytes) */
static void agent_monitors(struct sc_writer *w, uint32_t width, uint32_t height)
{
    size_t at;

    agent_chunk_begin(w, &at);
    agent_msg(w, VD_AGENT_MONITORS_CONFIG, 32);
    sc_write_u32(w, 1);
    sc_write_u32(w, 3);
    sc_write_u32(w, height);
    sc_write_u32(w, width);
    sc_write_u32(w, 32);
    sc_write_u64(w, 0);
    sc_write_u16(w, 200);
    sc_write_u16(w, 300);
    agent_chunk_end(w, at);
}

static void agent_seeds(void)
{
    struct sc_writer w;
    size_t at;

    /* as spice-gtk: caps with a request, then two monitors configs */
    sc_writer_init(&w);
    sc_write_u8(&w, 1);
    agent_chunk_begin(&w, &at);
    agent_msg(&w, VD_AGENT_ANNOUNCE_CAPABILITIES, 8);
    sc_write_u32(&w, 1);
    sc_write_u32(&w, 0xffffffffu);
    agent_chunk_end(&w, at);
    agent_monitors(&w, 800, 600);
    agent_monitors(&w, 1024, 768);
    raw("fuzz-agent", "caps-monitors", w.data, w.size);
    sc_writer_finish(&w);
    /* a clipboard over two chunks, then a monitors config; one token */
    sc_writer_init(&w);
    sc_write_u8(&w, 3);
    agent_chunk_begin(&w, &at);
    agent_msg(&w, VD_AGENT_CLIPBOARD, 3000);
    for (int i = 0; i < VD_AGENT_MAX_DATA_SIZE - 20; i++)
        sc_write_u8(&w, 'x');
    agent_chunk_end(&w, at);
    agent_chunk_begin(&w, &at);
    for (int i = 0; i < 3000 - (VD_AGENT_MAX_DATA_SIZE - 20); i++)
        sc_write_u8(&w, 'y');
    agent_chunk_end(&w, at);
    agent_monitors(&w, 640, 480);
    raw("fuzz-agent", "clipboard-then-monitors", w.data, w.size);
    sc_writer_finish(&w);
}

static void server_seeds(void)
{
    static const char *names[4] = { "main", "display", "inputs", "cursor" };
    static const uint8_t types[4] = { SPICE_CHANNEL_MAIN, SPICE_CHANNEL_DISPLAY,
                                      SPICE_CHANNEL_INPUTS, SPICE_CHANNEL_CURSOR };
    char name[64];
    struct stream s;

    for (int t = 0; t < 4; t++) {
        for (int mini = 0; mini < 2; mini++) {
            /* fuzz-server-channel: flags (type, mini, GL + stream caps), split */
            st_init(&s, mini, (const uint8_t[]){ (uint8_t)(t | (mini ? 4 : 0) | 8 | 16), 128 }, 2);
            if (t == 0)
                main_msgs(&s);
            else if (t == 1)
                display_msgs(&s);
            else if (t == 2)
                inputs_msgs(&s);
            MSG(&s, SPICE_MSGC_DISCONNECTING, sc_disconnecting_write(w,
                &(struct sc_disconnecting){ 1, 0 }));
            snprintf(name, sizeof(name), "%s-%s", names[t], mini ? "mini" : "full-headers");
            st_save(&s, "fuzz-server-channel", name);
            /* fuzz-server-link: the same after a whole link (flags: a main
             * channel first, the session id and ticket patched in) */
            st_init(&s, mini, (const uint8_t[]){ 1 | 2, 100 }, 2);
            client_link(&s, types[t], mini);
            if (t == 0)
                main_msgs(&s);
            else if (t == 1)
                display_msgs(&s);
            else if (t == 2)
                inputs_msgs(&s);
            st_save(&s, "fuzz-server-link", name);
        }
    }
    /* a hello without AUTH_SELECTION (the ticket follows at once) and junk */
    st_init(&s, false, (const uint8_t[]){ 2, 0 }, 2);
    {
        struct sc_link_mess m = { 0 };
        m.channel_type = SPICE_CHANNEL_MAIN;
        sc_link_mess_write(&s.w, &m);
        uint8_t blob[SC_TICKET_BLOB_BYTES] = { 0 };
        sc_write_bytes(&s.w, blob, sizeof(blob));
    }
    st_save(&s, "fuzz-server-link", "main-no-auth-selection");
    raw("fuzz-server-link", "not-spice", "\0\0GET / HTTP/1.0\r\n\r\n", 20);
}

/* ---- sources -------------------------------------------------------------------- */

static void y4m_seeds(void)
{
    static const struct { const char *name, *header; size_t frame; } y[] = {
        { "420-2frames", "YUV4MPEG2 W4 H2 F30:1 Ip A1:1 C420jpeg XYSCSS=420JPEG\n", 12 },
        { "422-full-range", "YUV4MPEG2 W3 H3 F25:1 C422 XCOLORRANGE=FULL\n", 21 },
        { "444alpha", "YUV4MPEG2 W2 H2 F1:1 C444alpha\n", 16 },
        { "mono", "YUV4MPEG2 W5 H1 F60000:1001 Cmono\n", 5 },
        { "444-odd", "YUV4MPEG2 W3 H1 F24:1 C444\n", 9 },
    };
    uint8_t buf[512];

    for (size_t i = 0; i < sizeof(y) / sizeof(y[0]); i++) {
        size_t n = strlen(y[i].header);
        memcpy(buf, y[i].header, n);
        for (int f = 0; f < 2; f++) {
            memcpy(buf + n, f ? "FRAME Ixyz\n" : "FRAME\n", f ? 11 : 6);
            n += f ? 11 : 6;
            for (size_t k = 0; k < y[i].frame; k++)
                buf[n++] = (uint8_t)(k * 29 + f * 101);
        }
        raw("fuzz-y4m", y[i].name, buf, n);
    }
}

/* fuzz-qemu-dbus: { u8 method, u16 LE length, serialized arguments } */
static void qemu_call(GByteArray *out, uint8_t method, GVariant *args)
{
    gsize n = g_variant_get_size(g_variant_ref_sink(args));
    uint8_t hdr[3] = { method, (uint8_t)n, (uint8_t)(n >> 8) };

    g_byte_array_append(out, hdr, 3);
    g_byte_array_append(out, g_variant_get_data(args), (guint)n);
    g_variant_unref(args);
}

static GVariant *bytes_v(size_t n, uint8_t seed)
{
    uint8_t *p = g_malloc(n);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 7 + seed);
    return g_variant_new_from_data(G_VARIANT_TYPE("ay"), p, n, TRUE, g_free, p);
}

static void qemu_dbus_seeds(void)
{
    enum { SCANOUT, UPDATE, UPDATE_DMABUF, DISABLE, MOUSE_SET, CURSOR_DEFINE, SIZE, LOST, SCANOUT_DMABUF,
           SCANOUT_DMABUF2 };
    const uint32_t x8r8g8b8 = 0x20020888, r8g8b8 = 0x18020888, r5g6b5 = 0x10020565;
    GByteArray *b = g_byte_array_new();

    qemu_call(b, SCANOUT, g_variant_new("(uuuu@ay)", 8, 4, 32, x8r8g8b8, bytes_v(128, 1)));
    qemu_call(b, UPDATE, g_variant_new("(iiiiuu@ay)", 2, 1, 4, 2, 16, x8r8g8b8, bytes_v(32, 2)));
    qemu_call(b, UPDATE, g_variant_new("(iiiiuu@ay)", 0, 0, 2, 2, 6, r8g8b8, bytes_v(12, 3)));
    qemu_call(b, UPDATE, g_variant_new("(iiiiuu@ay)", 6, 3, 2, 1, 4, r5g6b5, bytes_v(4, 4)));
    qemu_call(b, MOUSE_SET, g_variant_new("(iii)", 3, 2, 1));
    qemu_call(b, CURSOR_DEFINE, g_variant_new("(iiii@ay)", 2, 2, 1, 1, bytes_v(16, 5)));
    qemu_call(b, UPDATE_DMABUF, g_variant_new("(iiii)", 0, 0, 8, 4));
    qemu_call(b, DISABLE, g_variant_new("()"));
    raw("fuzz-qemu-dbus", "scanout-updates-cursor", b->data, b->len);
    g_byte_array_set_size(b, 0);
    qemu_call(b, SCANOUT, g_variant_new("(uuuu@ay)", 3, 3, 10, r5g6b5, bytes_v(30, 6)));
    qemu_call(b, SCANOUT, g_variant_new("(uuuu@ay)", 2, 2, 8, x8r8g8b8, bytes_v(16, 7)));
    qemu_call(b, UPDATE, g_variant_new("(iiiiuu@ay)", 1, 1, 1, 1, 4, x8r8g8b8, bytes_v(4, 8)));
    raw("fuzz-qemu-dbus", "resize", b->data, b->len);
    /* a mode change: updates beyond the scanout held, then the new size */
    g_byte_array_set_size(b, 0);
    qemu_call(b, SCANOUT, g_variant_new("(uuuu@ay)", 2, 2, 8, x8r8g8b8, bytes_v(16, 9)));
    qemu_call(b, UPDATE, g_variant_new("(iiiiuu@ay)", 2, 2, 2, 2, 8, x8r8g8b8, bytes_v(16, 10)));
    qemu_call(b, SIZE, g_variant_new("(uu)", 4, 4));
    qemu_call(b, LOST, g_variant_new("()"));
    qemu_call(b, SCANOUT, g_variant_new("(uuuu@ay)", 1, 1, 4, x8r8g8b8, bytes_v(4, 11)));
    raw("fuzz-qemu-dbus", "mode-change-lost", b->data, b->len);
    /* dma-bufs: (w, h, stride, fourcc, modifier, y0_top, the fd's size, sealed) */
    const uint32_t xrgb8888 = 0x34325258; /* DRM_FORMAT_XRGB8888, modifier 0: linear */
    g_byte_array_set_size(b, 0);
    qemu_call(b, SCANOUT_DMABUF, g_variant_new("(uuuutbub)", 8, 4, 32, xrgb8888, (guint64)0, TRUE, 128, TRUE));
    qemu_call(b, UPDATE_DMABUF, g_variant_new("(iiii)", 1, 1, 2, 2));
    qemu_call(b, SCANOUT_DMABUF, g_variant_new("(uuuutbub)", 8, 4, 32, xrgb8888, (guint64)0, FALSE, 128, TRUE));
    qemu_call(b, SCANOUT_DMABUF, g_variant_new("(uuuutbub)", 8, 4, 32, xrgb8888, (guint64)0, TRUE, 64, TRUE));
    qemu_call(b, SCANOUT, g_variant_new("(uuuu@ay)", 2, 2, 8, x8r8g8b8, bytes_v(16, 12)));
    raw("fuzz-qemu-dbus", "dmabuf", b->data, b->len);
    /* ScanoutDMABUF2: handles, x, y, w, h, offsets, strides, planes, fourcc,
     * backing w, h, modifier, y0_top; the two fds' sizes, sealed */
    const uint32_t nv12 = 0x3231564e;
    const int32_t h01[] = { 0, 1 }, h00[] = { 0, 0 };
    const uint32_t off0[] = { 0, 0 }, off1[] = { 0, 32 }, str[] = { 8, 8 };
#define AH(h) g_variant_new_fixed_array(G_VARIANT_TYPE_HANDLE, h, 2, 4)
#define AU(v) g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, v, 2, 4)
    g_byte_array_set_size(b, 0);
    qemu_call(b, SCANOUT_DMABUF2, g_variant_new("(@ahuuuu@au@auuuuutbuub)", AH(h01), 0, 0, 8, 4,
              AU(off0), AU(str), 2, nv12, 8, 4, (guint64)0, TRUE, 32, 16, TRUE));
    qemu_call(b, UPDATE_DMABUF, g_variant_new("(iiii)", 1, 1, 2, 2));
    qemu_call(b, SCANOUT_DMABUF2, g_variant_new("(@ahuuuu@au@auuuuutbuub)", AH(h00), 0, 0, 8, 4,
              AU(off1), AU(str), 2, nv12, 8, 4, (guint64)0x0100000000000001ull, TRUE, 48, 0, TRUE));
    raw("fuzz-qemu-dbus", "dmabuf2", b->data, b->len);
#undef AH
#undef AU
    g_byte_array_unref(b);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
        return 2;
    }
    root = argv[1];
    mkdir(root, 0755);
    ticket_seeds();
    fdpass_seeds();
    client_display_seeds();
    client_link_seeds();
    server_seeds();
    agent_seeds();
    y4m_seeds();
    qemu_dbus_seeds();
    return 0;
}
