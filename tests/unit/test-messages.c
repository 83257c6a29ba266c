/* Unit tests: link stage, data headers, base, main, inputs and cursor
 * messages (write -> parse round trips, PROTOCOL.md byte vectors, rejection
 * of truncated / absurd input). */
#include "config.h"

#include "tests/unit/test-util.h"

/* ---- caps ------------------------------------------------------------ */

static void test_caps(void)
{
    uint32_t words[SC_CAPS_MAX_WORDS] = { 0 };
    uint32_t n = 0;

    sc_caps_set(words, &n, SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION);
    sc_caps_set(words, &n, SPICE_COMMON_CAP_AUTH_SPICE);
    sc_caps_set(words, &n, SPICE_COMMON_CAP_MINI_HEADER);
    g_assert_cmpuint(n, ==, 1);
    g_assert_cmphex(words[0], ==, 0x0b);
    g_assert_true(sc_caps_test(words, n, 3));
    g_assert_false(sc_caps_test(words, n, 2));
    g_assert_false(sc_caps_test(words, n, 40)); /* beyond n words */
    sc_caps_set(words, &n, 40);
    g_assert_cmpuint(n, ==, 2);
    g_assert_cmphex(words[1], ==, 1u << 8);
    g_assert_true(sc_caps_test(words, n, 40));
    sc_caps_set(words, &n, 32 * SC_CAPS_MAX_WORDS); /* out of range: ignored */
    g_assert_cmpuint(n, ==, 2);
    g_assert_false(sc_caps_test(NULL, 0, 0));
}

/* ---- link ------------------------------------------------------------ */

/* PROTOCOL.md 1.9: spice-gtk links its main channel. */
static const uint8_t link_example[] = {
    0x52, 0x45, 0x44, 0x51, 0x02, 0, 0, 0, 0x02, 0, 0, 0, 0x1a, 0, 0, 0,
    0, 0, 0, 0, 0x01, 0x00, 0x01, 0, 0, 0, 0x01, 0, 0, 0, 0x12, 0, 0, 0,
    0x0d, 0, 0, 0, 0x0f, 0, 0, 0,
};

static void test_link_mess_example(void)
{
    struct sc_link_mess m = { .connection_id = 0, .channel_type = SPICE_CHANNEL_MAIN };
    struct sc_link_header h;
    struct sc_writer w;

    m.caps.n_common = 1;
    m.caps.common[0] = 0x0d;
    m.caps.n_channel = 1;
    m.caps.channel[0] = 0x0f;
    sc_writer_init(&w);
    sc_link_mess_write(&w, &m);
    g_assert_false(w.error);
    g_assert_cmpmem(w.data, w.size, link_example, sizeof(link_example));

    g_assert_cmpint(sc_link_header_parse(w.data, w.size, &h), ==, SPICE_LINK_ERR_OK);
    g_assert_cmpuint(h.size, ==, 26);
    memset(&m, 0xaa, sizeof(m));
    g_assert_cmpint(sc_link_mess_parse(w.data + 16, h.size, &m), ==, SPICE_LINK_ERR_OK);
    g_assert_cmpuint(m.connection_id, ==, 0);
    g_assert_cmpuint(m.channel_type, ==, 1);
    g_assert_cmpuint(m.channel_id, ==, 0);
    g_assert_cmpuint(m.caps.n_common, ==, 1);
    g_assert_cmpuint(m.caps.n_channel, ==, 1);
    g_assert_true(sc_caps_has_common(&m.caps, SPICE_COMMON_CAP_MINI_HEADER));
    g_assert_true(sc_caps_has_common(&m.caps, SPICE_COMMON_CAP_AUTH_SASL));
    g_assert_false(sc_caps_has_common(&m.caps, SPICE_COMMON_CAP_AUTH_SPICE));
    g_assert_cmphex(m.caps.channel[0], ==, 0x0f);
    assert_truncations_fail(w.data + 16, 26, sc_link_mess_parse(buf_, n_, &m) == SPICE_LINK_ERR_OK);
    sc_writer_finish(&w);
}

static void test_link_header_errors(void)
{
    uint8_t b[16];
    struct sc_link_header h;

    memcpy(b, link_example, 16);
    g_assert_cmpint(sc_link_header_parse(b, 15, &h), ==, SPICE_LINK_ERR_INVALID_DATA);
    b[0] = 'X';
    g_assert_cmpint(sc_link_header_parse(b, 16, &h), ==, SPICE_LINK_ERR_INVALID_MAGIC);
    b[0] = 'R';
    b[4] = 1;
    g_assert_cmpint(sc_link_header_parse(b, 16, &h), ==, SPICE_LINK_ERR_VERSION_MISMATCH);
    b[4] = 2;
    b[8] = 77; /* minor is ignored */
    g_assert_cmpint(sc_link_header_parse(b, 16, &h), ==, SPICE_LINK_ERR_OK);
    sc_put_u32(b + 12, 17);
    g_assert_cmpint(sc_link_header_parse(b, 16, &h), ==, SPICE_LINK_ERR_INVALID_DATA);
    sc_put_u32(b + 12, 18);
    g_assert_cmpint(sc_link_header_parse(b, 16, &h), ==, SPICE_LINK_ERR_OK);
    sc_put_u32(b + 12, SC_LINK_MAX_SIZE);
    g_assert_cmpint(sc_link_header_parse(b, 16, &h), ==, SPICE_LINK_ERR_OK);
    sc_put_u32(b + 12, SC_LINK_MAX_SIZE + 1);
    g_assert_cmpint(sc_link_header_parse(b, 16, &h), ==, SPICE_LINK_ERR_INVALID_DATA);
}

static void test_link_mess_bad(void)
{
    uint8_t b[64];
    struct sc_link_mess m;

    memcpy(b, link_example + 16, 26);
    sc_put_u32(b + 14, 17); /* caps_offset < 18 */
    g_assert_cmpint(sc_link_mess_parse(b, 26, &m), ==, SPICE_LINK_ERR_INVALID_DATA);
    sc_put_u32(b + 14, 22); /* caps run past the end */
    g_assert_cmpint(sc_link_mess_parse(b, 26, &m), ==, SPICE_LINK_ERR_INVALID_DATA);
    sc_put_u32(b + 14, 0xfffffff0u);
    g_assert_cmpint(sc_link_mess_parse(b, 26, &m), ==, SPICE_LINK_ERR_INVALID_DATA);
    sc_put_u32(b + 14, 18);
    sc_put_u32(b + 6, 0x40000001u); /* absurd count, overflows 4*n */
    g_assert_cmpint(sc_link_mess_parse(b, 26, &m), ==, SPICE_LINK_ERR_INVALID_DATA);
    sc_put_u32(b + 6, 1025);
    g_assert_cmpint(sc_link_mess_parse(b, 26, &m), ==, SPICE_LINK_ERR_INVALID_DATA);

    /* 6 common words: the first SC_CAPS_MAX_WORDS are kept */
    memset(b, 0, sizeof(b));
    b[4] = SPICE_CHANNEL_DISPLAY;
    sc_put_u32(b + 6, 6);
    sc_put_u32(b + 10, 0);
    sc_put_u32(b + 14, 18);
    for (int i = 0; i < 6; i++)
        sc_put_u32(b + 18 + 4 * i, 0x100 + i);
    g_assert_cmpint(sc_link_mess_parse(b, 18 + 24, &m), ==, SPICE_LINK_ERR_OK);
    g_assert_cmpuint(m.caps.n_common, ==, SC_CAPS_MAX_WORDS);
    g_assert_cmphex(m.caps.common[3], ==, 0x103);
    g_assert_cmpuint(m.caps.n_channel, ==, 0);
}

static void test_link_reply(void)
{
    struct sc_link_reply r = { .error = SPICE_LINK_ERR_OK }, p;
    struct sc_link_header h;
    struct sc_writer w;

    for (int i = 0; i < SC_TICKET_PUBKEY_SIZE; i++)
        r.pub_key[i] = (uint8_t)i;
    r.caps.n_common = 1;
    r.caps.common[0] = 0x0b;
    r.caps.n_channel = 1;
    r.caps.channel[0] = 0;
    sc_writer_init(&w);
    sc_link_reply_write(&w, &r);
    g_assert_cmpuint(w.size, ==, 16 + 186);
    assert_bytes(w.data, 0, B(0x52, 0x45, 0x44, 0x51, 2, 0, 0, 0, 2, 0, 0, 0, 0xba, 0, 0, 0));
    assert_bytes(w.data, 16, B(0, 0, 0, 0, 0, 1, 2, 3));
    assert_bytes(w.data, 16 + 166, B(1, 0, 0, 0, 1, 0, 0, 0, 0xb2, 0, 0, 0, 0x0b, 0, 0, 0, 0, 0, 0, 0));
    g_assert_cmpint(sc_link_header_parse(w.data, 16, &h), ==, SPICE_LINK_ERR_OK);
    g_assert_cmpint(sc_link_reply_parse(w.data + 16, h.size, &p), ==, SPICE_LINK_ERR_OK);
    g_assert_cmpuint(p.error, ==, 0);
    g_assert_cmpmem(p.pub_key, sizeof(p.pub_key), r.pub_key, sizeof(r.pub_key));
    g_assert_true(sc_caps_has_common(&p.caps, SPICE_COMMON_CAP_AUTH_SPICE));
    g_assert_cmpuint(p.caps.n_channel, ==, 1);
    assert_truncations_fail(w.data + 16, 186, sc_link_reply_parse(buf_, n_, &p) == SPICE_LINK_ERR_OK);
    /* caps_offset inside the fixed part */
    sc_put_u32(w.data + 16 + 174, 100);
    g_assert_cmpint(sc_link_reply_parse(w.data + 16, h.size, &p), ==, SPICE_LINK_ERR_INVALID_DATA);

    /* spice-server's error reply: all zero but error */
    sc_writer_reset(&w);
    memset(&r, 0, sizeof(r));
    r.error = SPICE_LINK_ERR_PERMISSION_DENIED;
    sc_link_reply_write(&w, &r);
    memset(w.data + 16 + 174, 0, 4); /* caps_offset 0 as spice-server sends */
    g_assert_cmpint(sc_link_reply_parse(w.data + 16, w.size - 16, &p), ==, SPICE_LINK_ERR_OK);
    g_assert_cmpuint(p.error, ==, SPICE_LINK_ERR_PERMISSION_DENIED);
    sc_writer_finish(&w);
}

/* ---- data headers ------------------------------------------------------ */

static void test_data_header(void)
{
    struct sc_data_header h;
    struct sc_writer w;
    size_t start;

    sc_writer_init(&w);
    start = sc_msg_begin(&w, true, 0, SPICE_MSG_DISPLAY_DRAW_COPY);
    sc_write_u32(&w, 0xdeadbeef);
    sc_msg_end(&w, start, true);
    g_assert_cmpuint(w.size, ==, 10);
    assert_bytes(w.data, 0, B(0x30, 0x01, 4, 0, 0, 0, 0xef, 0xbe, 0xad, 0xde));
    g_assert_true(sc_data_header_parse(w.data, 6, true, &h));
    g_assert_cmpuint(h.type, ==, 304);
    g_assert_cmpuint(h.size, ==, 4);
    g_assert_cmpuint(h.serial, ==, 0);
    assert_truncations_fail(w.data, 6, sc_data_header_parse(buf_, n_, true, &h));

    /* a second message after the first: start is not 0 */
    start = sc_msg_begin(&w, false, 7, SPICE_MSG_PING);
    sc_write_u16(&w, 1);
    sc_msg_end(&w, start, false);
    g_assert_cmpuint(start, ==, 10);
    g_assert_cmpuint(w.size, ==, 10 + 18 + 2);
    assert_bytes(w.data, 10, B(7, 0, 0, 0, 0, 0, 0, 0, 4, 0, 2, 0, 0, 0, 0, 0, 0, 0));
    g_assert_true(sc_data_header_parse(w.data + 10, 18, false, &h));
    g_assert_cmpuint(h.serial, ==, 7);
    g_assert_cmpuint(h.type, ==, SPICE_MSG_PING);
    g_assert_cmpuint(h.size, ==, 2);
    g_assert_cmpuint(h.sub_list, ==, 0);
    assert_truncations_fail(w.data + 10, 18, sc_data_header_parse(buf_, n_, false, &h));

    /* oversized */
    sc_put_u32(w.data + 2, SC_MAX_MESSAGE_SIZE + 1);
    g_assert_false(sc_data_header_parse(w.data, 6, true, &h));
    sc_put_u32(w.data + 2, SC_MAX_MESSAGE_SIZE);
    g_assert_true(sc_data_header_parse(w.data, 6, true, &h));
    sc_writer_finish(&w);
}

/* ---- base -------------------------------------------------------------- */

static void test_base(void)
{
    struct sc_writer w;
    struct sc_set_ack sa = { 1, 20 }, sa2;
    struct sc_ping ping = { 42, 0x1122334455667788ull, 10 }, ping2;
    struct sc_notify n = { 5, 1, 2, 3, "hello", 5 }, n2;
    struct sc_disconnecting d = { 99, SPICE_LINK_ERR_BAD_CONNECTION_ID }, d2;
    uint32_t u32;
    uint64_t u64;

    sc_writer_init(&w);
    sc_set_ack_write(&w, &sa);
    assert_bytes(w.data, 0, B(1, 0, 0, 0, 20, 0, 0, 0));
    g_assert_true(sc_set_ack_parse(w.data, w.size, &sa2));
    g_assert_cmpuint(sa2.generation, ==, 1);
    g_assert_cmpuint(sa2.window, ==, 20);
    assert_truncations_fail(w.data, 8, sc_set_ack_parse(buf_, n_, &sa2));

    sc_writer_reset(&w);
    sc_ack_sync_write(&w, 3);
    g_assert_cmpuint(w.size, ==, 4);
    g_assert_true(sc_ack_sync_parse(w.data, w.size, &u32));
    g_assert_cmpuint(u32, ==, 3);
    assert_truncations_fail(w.data, 4, sc_ack_sync_parse(buf_, n_, &u32));

    sc_writer_reset(&w);
    sc_ping_write(&w, &ping);
    g_assert_cmpuint(w.size, ==, 12 + 10);
    g_assert_true(sc_ping_parse(w.data, w.size, &ping2));
    g_assert_cmpuint(ping2.id, ==, 42);
    g_assert_cmphex(ping2.timestamp, ==, ping.timestamp);
    g_assert_cmpuint(ping2.data_size, ==, 10);
    assert_truncations_fail(w.data, 12, sc_ping_parse(buf_, n_, &ping2));

    sc_writer_reset(&w);
    sc_pong_write(&w, 42, ping.timestamp);
    assert_bytes(w.data, 0, B(42, 0, 0, 0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11));
    g_assert_cmpuint(w.size, ==, 12);
    g_assert_true(sc_pong_parse(w.data, w.size, &u32, &u64));
    g_assert_cmpuint(u32, ==, 42);
    g_assert_cmphex(u64, ==, ping.timestamp);
    assert_truncations_fail(w.data, 12, sc_pong_parse(buf_, n_, &u32, &u64));

    sc_writer_reset(&w);
    sc_notify_write(&w, &n);
    g_assert_cmpuint(w.size, ==, 24 + 5 + 1);
    g_assert_cmpuint(le32_at(w.data + 20), ==, 5);
    g_assert_cmpuint(w.data[29], ==, 0);
    g_assert_true(sc_notify_parse(w.data, w.size, &n2));
    g_assert_cmpuint(n2.severity, ==, 1);
    g_assert_cmpuint(n2.visibility, ==, 2);
    g_assert_cmpuint(n2.what, ==, 3);
    g_assert_cmpmem(n2.message, n2.message_len, "hello", 5);
    assert_truncations_fail(w.data, 29, sc_notify_parse(buf_, n_, &n2));
    sc_put_u32(w.data + 20, 0xffffffffu);
    g_assert_false(sc_notify_parse(w.data, w.size, &n2));

    sc_writer_reset(&w);
    sc_disconnecting_write(&w, &d);
    g_assert_cmpuint(w.size, ==, 12);
    g_assert_true(sc_disconnecting_parse(w.data, w.size, &d2));
    g_assert_cmpuint(d2.time_stamp, ==, 99);
    g_assert_cmpuint(d2.reason, ==, SPICE_LINK_ERR_BAD_CONNECTION_ID);
    assert_truncations_fail(w.data, 12, sc_disconnecting_parse(buf_, n_, &d2));
    sc_writer_finish(&w);
}

/* ---- main -------------------------------------------------------------- */

static void test_main_init(void)
{
    struct sc_main_init m = { 0x12345678, 1, 3, 2, 0, 10, 1000, 0 }, p;
    struct sc_writer w;

    sc_writer_init(&w);
    assert_roundtrip_same(&w, sc_main_init_write, sc_main_init_parse, &m, &p, 32, 32);
    assert_bytes(w.data, 0, B(0x78, 0x56, 0x34, 0x12, 1, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0,
                              0, 0, 0, 0, 10, 0, 0, 0, 0xe8, 0x03, 0, 0, 0, 0, 0, 0));
    sc_writer_finish(&w);
}

static void test_main_misc(void)
{
    struct sc_channels_list cl = { 3, { { 2, 0 }, { 3, 0 }, { 4, 0 } } }, cl2;
    struct sc_mouse_mode mm = { 3, 2 }, mm2;
    static const uint8_t uuid[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    uint8_t uuid2[16];
    struct sc_writer w;
    char name[8];
    uint16_t u16;
    uint32_t u32;

    sc_writer_init(&w);
    sc_channels_list_write(&w, &cl);
    g_assert_cmpuint(w.size, ==, 10);
    assert_bytes(w.data, 0, B(3, 0, 0, 0, 2, 0, 3, 0, 4, 0));
    g_assert_true(sc_channels_list_parse(w.data, w.size, &cl2));
    g_assert_cmpuint(cl2.num, ==, 3);
    g_assert_cmpuint(cl2.channels[2].type, ==, 4);
    assert_truncations_fail(w.data, 10, sc_channels_list_parse(buf_, n_, &cl2));
    sc_put_u32(w.data, SC_MAX_CHANNELS_LIST + 1);
    g_assert_false(sc_channels_list_parse(w.data, w.size, &cl2));

    sc_writer_reset(&w);
    sc_mouse_mode_write(&w, &mm);
    assert_bytes(w.data, 0, B(3, 0, 2, 0));
    g_assert_cmpuint(w.size, ==, 4);
    g_assert_true(sc_mouse_mode_parse(w.data, w.size, &mm2));
    g_assert_cmpuint(mm2.supported, ==, 3);
    g_assert_cmpuint(mm2.current, ==, 2);
    assert_truncations_fail(w.data, 4, sc_mouse_mode_parse(buf_, n_, &mm2));

    sc_writer_reset(&w);
    sc_mouse_mode_request_write(&w, SPICE_MOUSE_MODE_CLIENT);
    assert_bytes(w.data, 0, B(2, 0));
    g_assert_cmpuint(w.size, ==, 2);
    g_assert_true(sc_mouse_mode_request_parse(w.data, w.size, &u16));
    g_assert_cmpuint(u16, ==, 2);
    assert_truncations_fail(w.data, 2, sc_mouse_mode_request_parse(buf_, n_, &u16));

    sc_writer_reset(&w);
    sc_multi_media_time_write(&w, 123456);
    g_assert_true(sc_multi_media_time_parse(w.data, w.size, &u32));
    g_assert_cmpuint(u32, ==, 123456);
    assert_truncations_fail(w.data, 4, sc_multi_media_time_parse(buf_, n_, &u32));

    sc_writer_reset(&w);
    sc_main_name_write(&w, "spicecast-vm");
    g_assert_cmpuint(w.size, ==, 4 + 13);
    g_assert_cmpuint(le32_at(w.data), ==, 13);
    g_assert_cmpuint(w.data[16], ==, 0);
    g_assert_true(sc_main_name_parse(w.data, w.size, name, sizeof(name)));
    g_assert_cmpstr(name, ==, "spiceca"); /* truncated to the buffer */
    assert_truncations_fail(w.data, 17, sc_main_name_parse(buf_, n_, name, sizeof(name)));
    g_assert_false(sc_main_name_parse(w.data, w.size, name, 0));

    sc_writer_reset(&w);
    sc_main_uuid_write(&w, uuid);
    g_assert_cmpuint(w.size, ==, 16);
    g_assert_true(sc_main_uuid_parse(w.data, w.size, uuid2));
    g_assert_cmpmem(uuid2, 16, uuid, 16);
    assert_truncations_fail(w.data, 16, sc_main_uuid_parse(buf_, n_, uuid2));
    sc_writer_finish(&w);
}

/* ---- inputs ------------------------------------------------------------ */

static void test_key_codes(void)
{
    struct sc_writer w;
    uint8_t bytes[4];
    uint32_t code;

    g_assert_cmphex(sc_key_code_make(0x1e, false), ==, 0x1e);
    g_assert_cmphex(sc_key_code_make(0x1e, true), ==, 0x9e);
    sc_writer_init(&w);
    sc_key_code_write(&w, sc_key_code_make(0x148, false)); /* Up arrow */
    assert_bytes(w.data, 0, B(0xe0, 0x48, 0x00, 0x00));
    sc_key_code_write(&w, sc_key_code_make(0x148, true));
    assert_bytes(w.data, 4, B(0xe0, 0xc8, 0x00, 0x00));
    g_assert_cmpuint(w.size, ==, 8);
    g_assert_true(sc_key_code_parse(w.data, 4, &code));
    g_assert_cmpuint(sc_key_code_bytes(code, bytes), ==, 2);
    g_assert_cmphex(bytes[0], ==, 0xe0);
    g_assert_cmphex(bytes[1], ==, 0x48);
    assert_truncations_fail(w.data, 4, sc_key_code_parse(buf_, n_, &code));
    g_assert_cmpuint(sc_key_code_bytes(0, bytes), ==, 0);
    g_assert_cmpuint(sc_key_code_bytes(0x1e, bytes), ==, 1);
    g_assert_cmpuint(sc_key_code_bytes(0x0100e01d, bytes), ==, 2); /* stops at the 0 byte */
    g_assert_cmpuint(sc_key_code_bytes(0xc59de1e1u, bytes), ==, 4);
    g_assert_cmphex(bytes[3], ==, 0xc5);
    sc_writer_finish(&w);
}

static void test_inputs(void)
{
    struct sc_mouse_motion mo = { -5, 7, SPICE_MOUSE_BUTTON_MASK_LEFT }, mo2;
    struct sc_mouse_position po = { 640, 480, SPICE_MOUSE_BUTTON_MASK_RIGHT, 1 }, po2;
    struct sc_mouse_button bu = { SPICE_MOUSE_BUTTON_UP, SPICE_MOUSE_BUTTON_MASK_UP }, bu2;
    static const uint8_t sc[3] = { 0xe0, 0x48, 0xe0 };
    const uint8_t *codes;
    struct sc_writer w;
    uint16_t u16;
    size_t n;

    sc_writer_init(&w);
    sc_inputs_init_write(&w, SPICE_KEYBOARD_MODIFIER_FLAGS_NUM_LOCK);
    assert_bytes(w.data, 0, B(2, 0));
    g_assert_true(sc_inputs_init_parse(w.data, w.size, &u16));
    g_assert_cmpuint(u16, ==, 2);
    assert_truncations_fail(w.data, 2, sc_inputs_init_parse(buf_, n_, &u16));
    sc_writer_reset(&w);
    sc_key_modifiers_write(&w, 5);
    g_assert_true(sc_key_modifiers_parse(w.data, w.size, &u16));
    g_assert_cmpuint(u16, ==, 5);
    assert_truncations_fail(w.data, 2, sc_key_modifiers_parse(buf_, n_, &u16));

    sc_writer_reset(&w);
    sc_mouse_motion_write(&w, &mo);
    g_assert_cmpuint(w.size, ==, 10);
    assert_bytes(w.data, 0, B(0xfb, 0xff, 0xff, 0xff, 7, 0, 0, 0, 1, 0));
    g_assert_true(sc_mouse_motion_parse(w.data, w.size, &mo2));
    g_assert_cmpint(mo2.dx, ==, -5);
    g_assert_cmpint(mo2.dy, ==, 7);
    g_assert_cmpuint(mo2.buttons_state, ==, 1);
    assert_truncations_fail(w.data, 10, sc_mouse_motion_parse(buf_, n_, &mo2));

    sc_writer_reset(&w);
    sc_mouse_position_write(&w, &po);
    g_assert_cmpuint(w.size, ==, 11);
    assert_bytes(w.data, 0, B(0x80, 2, 0, 0, 0xe0, 1, 0, 0, 4, 0, 1));
    g_assert_true(sc_mouse_position_parse(w.data, w.size, &po2));
    g_assert_cmpuint(po2.x, ==, 640);
    g_assert_cmpuint(po2.y, ==, 480);
    g_assert_cmpuint(po2.buttons_state, ==, 4);
    g_assert_cmpuint(po2.display_id, ==, 1);
    assert_truncations_fail(w.data, 11, sc_mouse_position_parse(buf_, n_, &po2));

    sc_writer_reset(&w);
    sc_mouse_button_write(&w, &bu);
    g_assert_cmpuint(w.size, ==, 3);
    assert_bytes(w.data, 0, B(4, 8, 0));
    g_assert_true(sc_mouse_button_parse(w.data, w.size, &bu2));
    g_assert_cmpuint(bu2.button, ==, 4);
    g_assert_cmpuint(bu2.buttons_state, ==, 8);
    assert_truncations_fail(w.data, 3, sc_mouse_button_parse(buf_, n_, &bu2));

    sc_writer_reset(&w);
    sc_key_scancode_write(&w, sc, sizeof(sc));
    g_assert_true(sc_key_scancode_parse(w.data, w.size, &codes, &n));
    g_assert_cmpmem(codes, n, sc, sizeof(sc));
    sc_writer_finish(&w);
}

/* ---- cursor ------------------------------------------------------------ */

static void test_cursor(void)
{
    static const uint8_t px[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
    struct sc_cursor_init ci = { .x = -3, .y = 9, .visible = 1 }, ci2;
    struct sc_cursor_set cs = { .x = 10, .y = 20, .visible = 1 }, cs2;
    struct sc_writer w;
    uint16_t a, b;
    int16_t x, y;
    uint64_t id;

    sc_writer_init(&w);
    ci.cursor.flags = SPICE_CURSOR_FLAGS_NONE;
    sc_cursor_init_write(&w, &ci);
    g_assert_cmpuint(w.size, ==, 9 + 2);
    assert_bytes(w.data, 0, B(0xfd, 0xff, 9, 0, 0, 0, 0, 0, 1, 1, 0));
    g_assert_true(sc_cursor_init_parse(w.data, w.size, &ci2));
    g_assert_cmpint(ci2.x, ==, -3);
    g_assert_cmpint(ci2.y, ==, 9);
    g_assert_cmpuint(ci2.visible, ==, 1);
    g_assert_cmpuint(ci2.cursor.flags, ==, SPICE_CURSOR_FLAGS_NONE);
    assert_truncations_fail(w.data, 11, sc_cursor_init_parse(buf_, n_, &ci2));

    sc_writer_reset(&w);
    cs.cursor = (struct sc_cursor){ 0, 77, SPICE_CURSOR_TYPE_ALPHA, 2, 2, 1, 1, px, 16 };
    sc_cursor_set_write(&w, &cs);
    g_assert_cmpuint(w.size, ==, 5 + 2 + 17 + 16);
    assert_bytes(w.data, 0, B(10, 0, 20, 0, 1, 0, 0, 77, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2, 0, 1, 0, 1, 0));
    g_assert_true(sc_cursor_set_parse(w.data, w.size, &cs2));
    g_assert_cmpuint(cs2.cursor.unique, ==, 77);
    g_assert_cmpuint(cs2.cursor.width, ==, 2);
    g_assert_cmpuint(cs2.cursor.hot_spot_y, ==, 1);
    g_assert_cmpmem(cs2.cursor.data, cs2.cursor.data_size, px, 16);
    /* an ALPHA cursor without its w*h*4 bytes is refused */
    assert_truncations_fail(w.data, w.size, sc_cursor_set_parse(buf_, n_, &cs2));
    w.data[5 + 2 + 9] = 200; /* width 200 */
    g_assert_false(sc_cursor_set_parse(w.data, w.size, &cs2));

    sc_writer_reset(&w);
    sc_cursor_move_write(&w, -1, 300);
    assert_bytes(w.data, 0, B(0xff, 0xff, 0x2c, 0x01));
    g_assert_true(sc_cursor_move_parse(w.data, w.size, &x, &y));
    g_assert_cmpint(x, ==, -1);
    g_assert_cmpint(y, ==, 300);
    assert_truncations_fail(w.data, 4, sc_cursor_move_parse(buf_, n_, &x, &y));

    sc_writer_reset(&w);
    sc_cursor_trail_write(&w, 3, 4);
    g_assert_true(sc_cursor_trail_parse(w.data, w.size, &a, &b));
    g_assert_cmpuint(a, ==, 3);
    g_assert_cmpuint(b, ==, 4);
    assert_truncations_fail(w.data, 4, sc_cursor_trail_parse(buf_, n_, &a, &b));
    sc_writer_reset(&w);
    sc_cursor_inval_one_write(&w, 0x0102030405060708ull);
    g_assert_true(sc_cursor_inval_one_parse(w.data, w.size, &id));
    g_assert_cmphex(id, ==, 0x0102030405060708ull);
    assert_truncations_fail(w.data, 8, sc_cursor_inval_one_parse(buf_, n_, &id));
    sc_writer_finish(&w);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/link/caps", test_caps);
    g_test_add_func("/link/mess-worked-example", test_link_mess_example);
    g_test_add_func("/link/header-errors", test_link_header_errors);
    g_test_add_func("/link/mess-bad", test_link_mess_bad);
    g_test_add_func("/link/reply", test_link_reply);
    g_test_add_func("/framing/data-header", test_data_header);
    g_test_add_func("/base/all", test_base);
    g_test_add_func("/main/init", test_main_init);
    g_test_add_func("/main/misc", test_main_misc);
    g_test_add_func("/inputs/key-codes", test_key_codes);
    g_test_add_func("/inputs/all", test_inputs);
    g_test_add_func("/cursor/all", test_cursor);
    return g_test_run();
}
