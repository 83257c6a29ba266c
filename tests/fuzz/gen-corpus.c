/* Writes the fuzz seed corpus: valid messages from the writers, each file
 * being <selector byte><body> as the fuzz targets expect (fuzz-link takes
 * whole link messages).  Usage: gen-corpus <corpus dir>  (make fuzz-corpus) */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/messages.h"

static const char *root;
static unsigned counter;

static void seed(const char *target, int sel, const struct sc_writer *w)
{
    char path[4096];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", root, target);
    if (mkdir(path, 0755) < 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof(path), "%s/%s/seed-%03u", root, target, counter++);
    f = fopen(path, "wb");
    if (!f || w->error) {
        perror(path);
        exit(1);
    }
    if (sel >= 0)
        fputc(sel, f);
    fwrite(w->data, 1, w->size, f);
    fclose(f);
}

#define SEED(target, sel, stmt)       \
    do {                              \
        struct sc_writer w;           \
        sc_writer_init(&w);           \
        stmt;                         \
        seed(target, sel, &w);        \
        sc_writer_finish(&w);         \
    } while (0)

static void link_seeds(void)
{
    struct sc_link_mess m = { 0, SPICE_CHANNEL_MAIN, 0, { 1, 1, { 0x0d }, { 0x0f } } };
    struct sc_link_reply r = { 0 };

    for (int i = 0; i < SC_TICKET_PUBKEY_SIZE; i++)
        r.pub_key[i] = (uint8_t)(i * 13);
    r.caps = (struct sc_caps){ 1, 1, { 0x0b }, { 0x02 } };
    SEED("fuzz-link", -1, sc_link_mess_write(&w, &m));
    m.channel_type = SPICE_CHANNEL_DISPLAY;
    m.connection_id = 0x1234;
    m.caps.n_channel = 2;
    m.caps.channel[1] = 0x6fbf;
    SEED("fuzz-link", -1, sc_link_mess_write(&w, &m));
    SEED("fuzz-link", -1, sc_link_reply_write(&w, &r));
    SEED("fuzz-link", -1, {
        size_t s = sc_msg_begin(&w, false, 1, SPICE_MSG_PING);
        sc_write_u32(&w, 1);
        sc_msg_end(&w, s, false);
    });
}

static void base_seeds(void)
{
    SEED("fuzz-base", 0, sc_set_ack_write(&w, &(struct sc_set_ack){ 1, 20 }));
    SEED("fuzz-base", 1, sc_ack_sync_write(&w, 1));
    SEED("fuzz-base", 2, sc_ping_write(&w, &(struct sc_ping){ 1, 12345, 64 }));
    SEED("fuzz-base", 3, sc_pong_write(&w, 1, 12345));
    SEED("fuzz-base", 4, sc_notify_write(&w, &(struct sc_notify){ 1, 1, 2, 3, "keyboard", 8 }));
    SEED("fuzz-base", 5, sc_disconnecting_write(&w, &(struct sc_disconnecting){ 1, 7 }));
}

static void main_seeds(void)
{
    struct sc_channels_list cl = { 3, { { 2, 0 }, { 3, 0 }, { 4, 0 } } };
    static const uint8_t uuid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

    SEED("fuzz-main", 0, sc_main_init_write(&w, &(struct sc_main_init){ 42, 1, 3, 2, 0, 10, 1000, 0 }));
    SEED("fuzz-main", 1, sc_channels_list_write(&w, &cl));
    SEED("fuzz-main", 2, sc_mouse_mode_write(&w, &(struct sc_mouse_mode){ 3, 2 }));
    SEED("fuzz-main", 3, sc_mouse_mode_request_write(&w, 2));
    SEED("fuzz-main", 4, sc_multi_media_time_write(&w, 5000));
    SEED("fuzz-main", 5, sc_main_name_write(&w, "spicecast"));
    SEED("fuzz-main", 6, sc_main_uuid_write(&w, uuid));
}

static void inputs_seeds(void)
{
    static const uint8_t sc[2] = { 0xe0, 0x48 };

    SEED("fuzz-inputs", 0, sc_inputs_init_write(&w, 2));
    SEED("fuzz-inputs", 1, sc_key_modifiers_write(&w, 4));
    SEED("fuzz-inputs", 2, sc_key_code_write(&w, sc_key_code_make(0x148, false)));
    SEED("fuzz-inputs", 3, sc_key_scancode_write(&w, sc, 2));
    SEED("fuzz-inputs", 4, sc_mouse_motion_write(&w, &(struct sc_mouse_motion){ -3, 4, 1 }));
    SEED("fuzz-inputs", 5, sc_mouse_position_write(&w, &(struct sc_mouse_position){ 100, 200, 0, 0 }));
    SEED("fuzz-inputs", 6, sc_mouse_button_write(&w, &(struct sc_mouse_button){ 1, 1 }));
}

static void cursor_seeds(void)
{
    static uint8_t px[4 * 4 * 4];
    struct sc_cursor_init ci = { 10, 10, 0, 0, 1, { .flags = SPICE_CURSOR_FLAGS_NONE } };
    struct sc_cursor_set cs = { 5, 6, 1, { 0, 9, SPICE_CURSOR_TYPE_ALPHA, 4, 4, 1, 1, px, sizeof(px) } };

    memset(px, 0x80, sizeof(px));
    SEED("fuzz-cursor", 0, sc_cursor_init_write(&w, &ci));
    ci.cursor = cs.cursor;
    SEED("fuzz-cursor", 0, sc_cursor_init_write(&w, &ci));
    SEED("fuzz-cursor", 1, sc_cursor_set_write(&w, &cs));
    SEED("fuzz-cursor", 2, sc_cursor_move_write(&w, 100, -2));
    SEED("fuzz-cursor", 3, sc_cursor_trail_write(&w, 1, 2));
    SEED("fuzz-cursor", 4, sc_cursor_inval_one_write(&w, 9));
}

static void display_seeds(void)
{
    static uint8_t px[16 * 8 * 4];
    struct sc_draw_copy dc = {
        .box = { 10, 20, 26, 28 }, .src_area = { 0, 0, 16, 8 },
        .rop_descriptor = SPICE_ROPD_OP_PUT, .image_type = SPICE_IMAGE_TYPE_BITMAP,
        .width = 16, .height = 8, .bitmap_format = SPICE_BITMAP_FMT_32BIT,
        .bitmap_flags = SPICE_BITMAP_FLAGS_TOP_DOWN, .stride = 64, .data = px,
        .data_size = sizeof(px),
    };
    struct sc_stream_create sc = { 0, 1, 1, 3, 0, 64, 32, 64, 32, { 0, 0, 64, 32 }, { 0 } };
    struct sc_monitors_config mc = { 1, 1, { { 0, 0, 640, 480, 0, 0, 0 } } };
    static const uint8_t au[8] = { 0, 0, 0, 1, 0x65, 1, 2, 3 };
    struct sc_writer lz;

    for (size_t i = 0; i < sizeof(px); i++)
        px[i] = (uint8_t)(i / 7);
    SEED("fuzz-display", 0, sc_draw_copy_write(&w, &dc));
    dc.clip.type = SPICE_CLIP_TYPE_RECTS;
    dc.clip.num_rects = 2;
    dc.clip.rects[0] = (struct sc_rect){ 10, 20, 18, 28 };
    dc.clip.rects[1] = (struct sc_rect){ 18, 20, 26, 28 };
    SEED("fuzz-display", 1, sc_draw_copy_write(&w, &dc));
    sc_writer_init(&lz);
    sc_lz4_image_encode(&lz, px, 16, 8, 64);
    dc.image_type = SPICE_IMAGE_TYPE_LZ4;
    dc.data = lz.data;
    dc.data_size = (uint32_t)lz.size;
    dc.clip.type = SPICE_CLIP_TYPE_NONE;
    SEED("fuzz-display", 2, sc_draw_copy_write(&w, &dc));
    SEED("fuzz-display", 3, {
        sc_write_u8(&w, 15);
        sc_write_u8(&w, 7);
        sc_write_bytes(&w, lz.data, lz.size);
    });
    sc_writer_finish(&lz);
    SEED("fuzz-display", 4, sc_display_init_write(&w, &(struct sc_display_init){ 1, 0, 1, 0 }));
    SEED("fuzz-display", 5, sc_surface_create_write(&w, &(struct sc_surface_create){ 0, 640, 480, 32, 1 }));
    SEED("fuzz-display", 6, sc_monitors_config_write(&w, &mc));
    SEED("fuzz-display", 7, sc_draw_fill_write(&w, &(struct sc_draw_fill){
        0, { 0, 0, 640, 480 }, { 0 }, SPICE_BRUSH_TYPE_SOLID, 0, SPICE_ROPD_OP_PUT }));
    SEED("fuzz-display", 8, sc_gl_scanout_unix_write(&w, &(struct sc_gl_scanout){ 64, 32, 256, 0x34325258, 0 }));
    SEED("fuzz-display", 9, sc_stream_create_write(&w, &sc));
    SEED("fuzz-display", 12 * 1 + 9, sc_stream_data_write(&w, &(struct sc_stream_data){ 1, 1000, au, sizeof(au) }));
    SEED("fuzz-display", 12 * 2 + 9, sc_stream_data_sized_write(&w, &(struct sc_stream_data_sized){
        1, 1001, 64, 32, { 0, 0, 64, 32 }, au, sizeof(au) }));
    SEED("fuzz-display", 12 * 3 + 9, sc_stream_clip_write(&w, 1, &dc.clip));
    SEED("fuzz-display", 12 * 4 + 9, sc_stream_report_write(&w, &(struct sc_stream_report){
        1, 2, 100, 200, 5, 0, -3, 0xffffffffu }));
    SEED("fuzz-display", 12 * 5 + 9, sc_stream_activate_report_write(&w,
        &(struct sc_stream_activate_report){ 1, 2, 5, 1000 }));
    SEED("fuzz-display", 12 * 6 + 9, sc_preferred_video_codecs_write(&w,
        &(struct sc_preferred_video_codecs){ 2, { 3, 2 } }));
    SEED("fuzz-display", 12 * 7 + 8, sc_gl_scanout2_unix_write(&w, &(struct sc_gl_scanout2){
        64, 32, { 0, 2048 }, { 64, 64 }, 0x3231564e /* NV12 */, 0, 0, 2, 1 }));
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
        return 2;
    }
    root = argv[1];
    mkdir(root, 0755);
    link_seeds();
    base_seeds();
    main_seeds();
    inputs_seeds();
    cursor_seeds();
    display_seeds();
    return 0;
}
