/* RFC 6455 framing (server/net-ws.c): client frames of every length form
 * parse and unmask, what a server must refuse is refused, and our headers
 * have the sizes the RFC gives. */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "server/net-ws.h"

/* A masked client frame of n payload bytes (the byte i is i & 0xff). */
static GByteArray *client_frame(uint8_t b0, uint64_t n)
{
    GByteArray *a = g_byte_array_new();
    const uint8_t mask[4] = { 0x12, 0x34, 0x56, 0x78 };
    uint8_t h[10];
    size_t hl = 2;

    h[0] = b0;
    if (n < 126) {
        h[1] = 0x80 | (uint8_t)n;
    } else if (n <= 0xffff) {
        h[1] = 0x80 | 126;
        h[2] = (uint8_t)(n >> 8);
        h[3] = (uint8_t)n;
        hl = 4;
    } else {
        h[1] = 0x80 | 127;
        for (int i = 0; i < 8; i++)
            h[2 + i] = (uint8_t)(n >> (56 - 8 * i));
        hl = 10;
    }
    g_byte_array_append(a, h, (guint)hl);
    g_byte_array_append(a, mask, 4);
    for (uint64_t i = 0; i < n && n <= SC_WS_MAX_FRAME; i++) {
        uint8_t v = (uint8_t)i ^ mask[i & 3];
        g_byte_array_append(a, &v, 1);
    }
    return a;
}

static void test_lengths(void)
{
    const uint64_t lens[] = { 0, 1, 125, 126, 65535, 65536, SC_WS_MAX_FRAME };

    for (unsigned k = 0; k < G_N_ELEMENTS(lens); k++) {
        GByteArray *a = client_frame(0x82, lens[k]);
        struct sc_ws_frame f;
        const char *why = NULL;

        /* every prefix is "need more", the whole frame is complete */
        for (size_t cut = 0; cut < a->len; cut += 1 + cut / 3)
            g_assert_cmpint(sc_ws_parse(a->data, cut, &f, &why), ==, 0);
        g_assert_cmpint(sc_ws_parse(a->data, a->len, &f, &why), ==, 1);
        g_assert_cmpuint(f.opcode, ==, SC_WS_BINARY);
        g_assert_true(f.fin);
        g_assert_cmpuint(f.payload_size, ==, lens[k]);
        g_assert_cmpuint(f.header_size + f.payload_size, ==, a->len);
        sc_ws_unmask(a->data + f.header_size, f.payload_size, f.mask);
        for (size_t i = 0; i < f.payload_size; i++)
            g_assert_cmpuint(a->data[f.header_size + i], ==, (uint8_t)i);
        g_byte_array_unref(a);
    }
}

static void refused(uint8_t b0, uint64_t n, bool masked, const char *what)
{
    GByteArray *a = client_frame(b0, n);
    struct sc_ws_frame f;
    const char *why = NULL;

    if (!masked)
        a->data[1] &= 0x7f;
    g_assert_cmpint(sc_ws_parse(a->data, a->len, &f, &why), ==, -1);
    g_assert_nonnull(strstr(why, what));
    g_byte_array_unref(a);
}

static void test_refused(void)
{
    refused(0x82, 10, false, "unmasked");
    refused(0xc2, 10, true, "reserved");
    refused(0x83, 10, true, "opcode");
    refused(0x8b, 10, true, "opcode");
    refused(0x89, 126, true, "control");  /* a long ping */
    refused(0x09, 5, true, "control");    /* a fragmented ping */
    refused(0x82, SC_WS_MAX_FRAME + 1, true, "256 KiB");
    refused(0x82, UINT64_MAX, true, "256 KiB");
}

static void test_headers(void)
{
    uint8_t h[SC_WS_HEADER_MAX];

    g_assert_cmpuint(sc_ws_header(h, SC_WS_BINARY, 125), ==, 2);
    g_assert_cmpuint(h[0], ==, 0x82);
    g_assert_cmpuint(h[1], ==, 125);
    g_assert_cmpuint(sc_ws_header(h, SC_WS_BINARY, 126), ==, 4);
    g_assert_cmpuint(h[1], ==, 126);
    g_assert_cmpuint(h[2] << 8 | h[3], ==, 126);
    g_assert_cmpuint(sc_ws_header(h, SC_WS_PONG, 65536), ==, 10);
    g_assert_cmpuint(h[0], ==, 0x8a);
    g_assert_cmpuint(h[1], ==, 127);
    g_assert_cmpuint(h[7], ==, 1);
    g_assert_cmpuint(h[8] | h[9], ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ws/lengths", test_lengths);
    g_test_add_func("/ws/refused", test_refused);
    g_test_add_func("/ws/headers", test_headers);
    return g_test_run();
}
