#include "config.h"

/* The qemu-dbus source against a fake QEMU (fake-qemu.c: a thread of this
 * test owns org.qemu on a private bus (GTestDBus), exports Console_0 with the
 * Console, Keyboard and Mouse interfaces, and once RegisterListener hands it
 * a socket it calls the listener as QEMU does).  Covers what a real QEMU with gl=off
 * cannot show: pixel format conversion, Update damage on complete frames,
 * bad input, CursorDefine, ScanoutDMABUF/UpdateDMABUF (with a memfd standing
 * in for the dma-buf), ScanoutDMABUF2 (QEMU after 7.2: planes and a
 * modifier, from upstream's ui/dbus-display1.xml), key numbers and pointer calls.  The real QEMU test is
 * test-qemu-dbus.sh. */

#include <fcntl.h>
#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <sys/mman.h>
#include <unistd.h>

#include "server/sources/qemu-planes.h"
#include "tests/sources/fake-qemu.h"
#include "tests/sources/sources-util.h"

#define W FAKE_W
#define H FAKE_H
#define X8R8G8B8 0x20020888u
#define R5G6B5 0x10020565u

static GVariant *bytes(const void *data, gsize len)
{
    return g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, data, len, 1);
}

static uint8_t chan(int x, int y, int c) { return (uint8_t)(x * 3 + y * 5 + c * 70); }

static void check_scanout_update(struct collector *c)
{
    static uint8_t px[W * H * 4];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            for (int k = 0; k < 4; k++)
                px[(y * W + x) * 4 + k] = k == 3 ? 0 : chan(x, y, k);
    peer_call("Scanout", g_variant_new("(uuuu@ay)", W, H, W * 4, X8R8G8B8, bytes(px, sizeof(px))), NULL);
    wait_frames1(c, 1, 5000);
    struct got_frame *f = collector_get(c, 0);
    g_assert_cmpuint(f->width, ==, W);
    g_assert_true(f->full_damage);
    g_assert_cmpuint(f->n_damage, ==, 0);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            g_assert_true(same_pixel(pixel_at(f, x, y), &px[(y * W + x) * 4]));

    /* a 16x8 rectangle at 8,4, tightly packed */
    uint8_t rect[16 * 8 * 4];
    for (unsigned i = 0; i < sizeof(rect); i += 4)
        memcpy(rect + i, (const uint8_t[]){ 0xff, 0x10, 0x20, 0 }, 4);
    peer_call("Update", g_variant_new("(iiiiuu@ay)", 8, 4, 16, 8, 16 * 4, X8R8G8B8,
                                      bytes(rect, sizeof(rect))), NULL);
    wait_frames1(c, 2, 5000);
    f = collector_get(c, 1);
    g_assert_false(f->full_damage);
    g_assert_cmpuint(f->n_damage, ==, 1);
    g_assert_cmpint(f->damage[0].x, ==, 8);
    g_assert_cmpint(f->damage[0].y, ==, 4);
    g_assert_cmpint(f->damage[0].w, ==, 16);
    g_assert_cmpint(f->damage[0].h, ==, 8);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            bool in = x >= 8 && x < 24 && y >= 4 && y < 12;
            g_assert_true(same_pixel(pixel_at(f, x, y), in ? rect : &px[(y * W + x) * 4]));
        }

    /* refused: unknown format, short data, a rectangle outside; no frame */
    peer_call("Scanout", g_variant_new("(uuuu@ay)", W, H, W * 4, 0x12345678u, bytes(px, sizeof(px))), NULL);
    peer_call("Scanout", g_variant_new("(uuuu@ay)", W, H, W * 4, X8R8G8B8, bytes(px, 100)), NULL);
    peer_call("Update", g_variant_new("(iiiiuu@ay)", 60, 40, 16, 8, 16 * 4, X8R8G8B8,
                                      bytes(rect, sizeof(rect))), NULL);
    run_for(50);
    g_assert_cmpuint(c->frames->len, ==, 2);

    /* r5g6b5, and a new size */
    uint16_t p565[32 * 16];
    for (int i = 0; i < 32 * 16; i++)
        p565[i] = i < 32 ? 0xf800 : i < 64 ? 0x07e0 : 0x001f;
    peer_call("Scanout", g_variant_new("(uuuu@ay)", 32, 16, 64, R5G6B5, bytes(p565, sizeof(p565))), NULL);
    wait_frames1(c, 3, 5000);
    f = collector_get(c, 2);
    g_assert_cmpuint(f->width, ==, 32);
    g_assert_cmpuint(f->height, ==, 16);
    g_assert_true(same_pixel(pixel_at(f, 5, 0), (const uint8_t[]){ 0, 0, 0xff }));
    g_assert_true(same_pixel(pixel_at(f, 5, 1), (const uint8_t[]){ 0, 0xff, 0 }));
    g_assert_true(same_pixel(pixel_at(f, 5, 9), (const uint8_t[]){ 0xff, 0, 0 }));
}

static bool have_cursor(void *arg) { return ((struct collector *)arg)->n_cursors > 0; }

/* A memfd standing in for a dma-buf: `size` bytes, sealed against shrinking
 * or not */
static int fake_dmabuf(size_t size, bool sealed)
{
    int fd = memfd_create("fake-dmabuf", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, (off_t)size), ==, 0);
    if (sealed)
        g_assert_cmpint(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), ==, 0);
    return fd;
}

static void send_dmabuf(int fd, uint32_t w, uint32_t h, uint32_t stride)
{
    GUnixFDList *fds = g_unix_fd_list_new_from_array(&fd, 1);
    peer_call("ScanoutDMABUF", g_variant_new("(huuuutb)", 0, w, h, stride, (uint32_t)DRM_FORMAT_XRGB8888,
                                             (guint64)DRM_FORMAT_MOD_LINEAR, TRUE), fds);
    g_object_unref(fds);
}

/* Buffers the encoders must not read: a plain memfd (it can shrink under the
 * mapping), a sealed one shorter than stride * height (the encoders read past
 * its end: SIGBUS before the size was checked), rows shorter than the
 * width.  Each becomes the scanout, with no CPU view. */
static void check_dmabuf_unmappable(struct collector *c)
{
    const uint32_t w = 16, h = 8;
    static const struct { size_t size; bool sealed; uint32_t stride; } bad[] = {
        { 64 * 8, false, 64 }, { 4096 + 64, true, 64 * 128 }, { 64 * 8, true, 16 },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        guint n = c->frames->len;
        send_dmabuf(fake_dmabuf(bad[i].size, bad[i].sealed), w, h, bad[i].stride);
        wait_frames1(c, n + 1, 5000);
        g_assert_null(collector_get(c, n)->pixels);
    }
}

static void check_dmabuf_cursor(struct collector *c)
{
    const uint32_t w = 16, h = 8, stride = 64;
    int fd = fake_dmabuf(stride * h, true);
    uint8_t *map = mmap(NULL, stride * h, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    g_assert_true(map != MAP_FAILED);
    for (uint32_t i = 0; i < stride * h; i++)
        map[i] = (uint8_t)(i * 7);
    guint n = c->frames->len;
    send_dmabuf(fd, w, h, stride);
    wait_frames1(c, n + 1, 5000);
    struct got_frame *f = collector_get(c, n);
    g_assert_cmpuint(f->width, ==, w);
    g_assert_cmpuint(f->stride, ==, stride);
    g_assert_true(f->full_damage);
    g_assert_cmpmem(f->pixels, stride * h, map, stride * h);
    map[0] = 0x42; /* the guest draws, then says where */
    peer_call("UpdateDMABUF", g_variant_new("(iiii)", 0, 0, 3, 2), NULL);
    wait_frames1(c, n + 2, 5000);
    f = collector_get(c, n + 1);
    g_assert_false(f->full_damage);
    g_assert_cmpuint(f->n_damage, ==, 1);
    g_assert_cmpint(f->damage[0].w, ==, 3);
    g_assert_cmpuint(f->pixels[0], ==, 0x42);
    munmap(map, stride * h);

    /* back to pixels by value, at the size before the dma-buf */
    static uint8_t px[32 * 16 * 4];
    peer_call("Scanout", g_variant_new("(uuuu@ay)", 32, 16, 32 * 4, X8R8G8B8, bytes(px, sizeof(px))), NULL);
    wait_frames1(c, n + 3, 5000);
    peer_call("Update", g_variant_new("(iiiiuu@ay)", 20, 10, 8, 4, 8 * 4, X8R8G8B8, bytes(px, 8 * 4 * 4)),
              NULL);
    wait_frames1(c, n + 4, 5000);
    f = collector_get(c, n + 3);
    g_assert_cmpuint(f->width, ==, 32);
    g_assert_false(f->full_damage);
    g_assert_cmpuint(f->n_damage, ==, 1);
    g_assert_cmpint(f->damage[0].x, ==, 20);
    g_assert_cmpint(f->damage[0].w, ==, 8);
    g_assert_cmpint(f->damage[0].h, ==, 4);

    /* cursor: native-endian ARGB words in, premultiplied B,G,R,A out */
    const uint32_t cur[2] = { 0x80ff0000u, 0xff00ff00u };
    peer_call("CursorDefine", g_variant_new("(iiii@ay)", 2, 1, 1, 0, bytes(cur, sizeof(cur))), NULL);
    wait_until(have_cursor, c, "CursorDefine");
    g_assert_cmpuint(c->n_cursors, ==, 1);
    g_assert_cmpuint(c->cursor.width, ==, 2);
    g_assert_cmpuint(c->cursor.hot_x, ==, 1);
    g_assert_cmpmem(c->cursor.pixels, 8, ((const uint8_t[]){ 0, 0, 0x80, 0x80, 0, 0xff, 0, 0xff }), 8);
    peer_call("MouseSet", g_variant_new("(iii)", 3, 4, 1), NULL);
    peer_call("Disable", NULL, NULL);
}

static gboolean set_absolute(gpointer data)
{
    GVariantBuilder changed;
    (void)data;
    fake.absolute = true;
    g_variant_builder_init(&changed, G_VARIANT_TYPE("a{sv}"));
    g_variant_builder_add(&changed, "{sv}", "IsAbsolute", g_variant_new_boolean(TRUE));
    g_dbus_connection_emit_signal(fake.bus, NULL, FAKE_PATH, "org.freedesktop.DBus.Properties",
                                  "PropertiesChanged",
                                  g_variant_new("(sa{sv}as)", "org.qemu.Display1.Mouse", &changed, NULL),
                                  NULL);
    return G_SOURCE_REMOVE;
}

/* Whether the source's mouse proxy saw the change: a SetAbsPosition call
 * comes through then (a RelMotion before). */
static bool proxy_absolute(void *arg)
{
    struct sc_source *s = arg;
    static int32_t x = 100;
    sc_source_pointer(s, 0, ++x, 1, 0);
    run_for(5);
    g_mutex_lock(&fake.lock);
    bool abs = fake.calls->len && g_str_has_prefix(g_ptr_array_index(fake.calls, fake.calls->len - 1),
                                                   "Mouse.SetAbsPosition");
    g_ptr_array_set_size(fake.calls, 0);
    g_mutex_unlock(&fake.lock);
    return abs;
}

static void check_input(struct sc_source *s)
{
    sc_source_key(s, (const uint8_t[]){ 0x01 }, 1, true);
    sc_source_key(s, (const uint8_t[]){ 0x81 }, 1, false);
    sc_source_key(s, (const uint8_t[]){ 0xe0, 0x48 }, 2, true);
    sc_source_key(s, (const uint8_t[]){ 0xe0, 0xc8 }, 2, false);
    expect_calls((const char *const[]){ "Keyboard.Press (1,)", "Keyboard.Release (1,)",
                                        "Keyboard.Press (200,)", "Keyboard.Release (200,)", NULL });

    sc_source_pointer(s, 0, 10, 10, 0);
    sc_source_pointer(s, 0, 15, 12, 1);
    sc_source_pointer(s, 0, 15, 12, 5);
    sc_source_pointer(s, 0, 15, 12, 0);
    expect_calls((const char *const[]){ "Mouse.RelMotion (5, 2)", "Mouse.Press (0,)", "Mouse.Press (2,)",
                                        "Mouse.Release (0,)", "Mouse.Release (2,)", NULL });

    /* the guest switches to an absolute pointer (a tablet) */
    g_main_context_invoke(fake.ctx, set_absolute, NULL);
    wait_until(proxy_absolute, s, "IsAbsolute");
    sc_source_pointer(s, 0, 7, 5, 0);
    sc_source_pointer(s, 0, -4, 1000, 0); /* clamped to the 32x16 frame */
    expect_calls((const char *const[]){ "Mouse.SetAbsPosition (7, 5)", "Mouse.SetAbsPosition (0, 15)",
                                        NULL });

    /* the agent's monitors config: the console's UI info */
    g_assert_true(sc_source_can_resize(s));
    g_assert_true(sc_source_resize(s, 0, 800, 600));
    expect_calls((const char *const[]){ "Console.SetUIInfo (0, 0, 0, 0, 800, 600)", NULL });
}

/* A listener that keeps some frames a while, so that pool frames come back
 * out of order, several updates old. */
struct rotator {
    struct collector *c;
    struct sc_frame *keep[3];
    unsigned n;
};

static void rotate_frame(struct sc_source *s, struct sc_frame *f, void *data)
{
    struct rotator *r = data;
    collect_frame(s, f, r->c);
    unsigned slot = r->n % 3;
    if (r->n++ % 5) {
        sc_frame_unref(r->keep[slot]);
        r->keep[slot] = sc_frame_ref(f);
    }
}

/* Reused pool frames get only what changed since they last went out: with
 * frames held downstream, each frame must still show every update so far. */
static void check_pool_rotation(struct sc_source *s, struct collector *c)
{
    struct rotator r = { .c = c };
    struct sc_source_listener l = { rotate_frame, collect_cursor, &r };
    sc_source_set_listener(s, &l);
    static uint8_t model[32 * 16 * 4];
    peer_call("Scanout", g_variant_new("(uuuu@ay)", 32, 16, 32 * 4, X8R8G8B8,
                                       bytes(model, sizeof(model))), NULL);
    guint n = c->frames->len + 1;
    wait_frames1(c, n, 5000);
    for (int i = 0; i < 12; i++) {
        uint8_t rect[4 * 4 * 4];
        for (unsigned k = 0; k < sizeof(rect); k += 4)
            memcpy(rect + k, (const uint8_t[]){ (uint8_t)(i * 20), (uint8_t)(i * 7 + 1), 0x55, 0 }, 4);
        int x = (i * 5) % 28, y = (i * 3) % 12;
        for (int row = 0; row < 4; row++)
            memcpy(model + ((y + row) * 32 + x) * 4, rect, 16);
        peer_call("Update", g_variant_new("(iiiiuu@ay)", x, y, 4, 4, 16, X8R8G8B8,
                                          bytes(rect, sizeof(rect))), NULL);
        wait_frames1(c, ++n, 5000);
        const struct got_frame *f = collector_get(c, n - 1);
        for (uint32_t py = 0; py < 16; py++)
            for (uint32_t px = 0; px < 32; px++)
                if (!same_pixel(pixel_at(f, px, py), &model[(py * 32 + px) * 4]))
                    g_error("update %d: pixel %u,%u is stale", i, px, py);
    }
    for (unsigned k = 0; k < 3; k++)
        sc_frame_unref(r.keep[k]);
    struct sc_source_listener plain = { collect_frame, collect_cursor, c };
    sc_source_set_listener(s, &plain);
}

/* Regression (issue 13, fault 7): QEMU killed and started again on the same
 * bus.  The source kept the last frame and never attached again.  Now: a
 * "source lost" notice frame (the last picture dimmed under a red panel)
 * when "QEMU" leaves the bus, and when org.qemu is back the source
 * registers its listener again and shows the new QEMU's pixels. */
static void check_lost_and_back(struct collector *c, GThread **t)
{
    guint n = c->frames->len;
    const struct got_frame *last = collector_get(c, n - 1);
    uint32_t lw = last->width, lh = last->height, panel = 0, changed = 0;

    fake_stop(*t); /* leaves the bus */
    wait_frames1(c, n + 1, 5000);
    const struct got_frame *f = collector_get(c, n);
    g_assert_true(f->full_damage);
    g_assert_cmpuint(f->width, ==, lw);
    g_assert_cmpuint(f->height, ==, lh);
    for (uint32_t y = 0; y < lh; y++)
        for (uint32_t x = 0; x < lw; x++) {
            const uint8_t *p = pixel_at(f, x, y); /* B, G, R, X */
            panel += p[2] > 120 && p[1] < 60 && p[0] < 60;
            changed += !same_pixel(p, pixel_at(last, x, y));
        }
    g_test_message("lost notice: %u of %u pixels changed, %u in the panel's red", changed,
                   lw * lh, panel);
    g_assert_cmpuint(changed, >, lw * lh / 2);
    g_assert_cmpuint(panel, >, lw * lh / 10);
    run_for(200);
    g_assert_cmpuint(c->frames->len, ==, n + 1); /* one notice, no more */

    *t = fake_start(); /* a new QEMU owns org.qemu */
    wait_until(have_peer, NULL, "RegisterListener from the returned QEMU");
    static uint8_t px[W * H * 4];
    for (unsigned i = 0; i < sizeof(px); i++)
        px[i] = (i % 4) == 3 ? 0 : (uint8_t)(i * 7);
    peer_call("Scanout", g_variant_new("(uuuu@ay)", W, H, W * 4, X8R8G8B8, bytes(px, sizeof(px))), NULL);
    wait_frames1(c, n + 2, 5000);
    f = collector_get(c, n + 1);
    g_assert_cmpuint(f->width, ==, W);
    g_assert_true(f->full_damage);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            g_assert_true(same_pixel(pixel_at(f, x, y), &px[(y * W + x) * 4]));
}

/* The guest changes mode, as QEMU 7.2 tells it: new Width/Height on the
 * Console (PropertiesChanged), and Updates; a Scanout only when one update
 * covers everything, which VGA text mode never sends.  Regression (issue
 * 10 item 1): updates beyond the old size were dropped ("outside the
 * 640x480 scanout, ignored") and the screen stayed stale. */
static void set_fake_size(uint32_t w, uint32_t h, bool signal)
{
    g_mutex_lock(&fake.lock);
    fake.width = w;
    fake.height = h;
    g_mutex_unlock(&fake.lock);
    if (!signal)
        return;
    GVariantBuilder b;
    g_variant_builder_init(&b, G_VARIANT_TYPE("a{sv}"));
    g_variant_builder_add(&b, "{sv}", "Width", g_variant_new_uint32(w));
    g_variant_builder_add(&b, "{sv}", "Height", g_variant_new_uint32(h));
    GError *err = NULL;
    g_dbus_connection_emit_signal(fake.bus, NULL, FAKE_PATH, "org.freedesktop.DBus.Properties",
                                  "PropertiesChanged",
                                  g_variant_new("(sa{sv}as)", "org.qemu.Display1.Console", &b, NULL),
                                  &err);
    g_assert_no_error(err);
}

static const struct got_frame *wait_size(struct collector *c, uint32_t w, uint32_t h)
{
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    for (;;) {
        if (c->frames->len) {
            const struct got_frame *f = collector_get(c, c->frames->len - 1);
            if (f->width == w && f->height == h)
                return f;
        }
        if (g_get_monotonic_time() > end)
            g_error("no %ux%u frame", w, h);
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
}

static void check_mode_change(struct collector *c)
{
    /* wider and shorter, the updates first (as VGA text mode after a
     * switch): held, the size asked for, then replayed */
    enum { W2 = 80, H2 = 40 };
    static uint8_t rows[W2 * H2 * 4];
    for (unsigned i = 0; i < sizeof(rows); i++)
        rows[i] = (i % 4) == 3 ? 0 : (uint8_t)(i * 13 + 5);
    set_fake_size(W2, H2, false);
    for (int y = 0; y < H2; y += 8)
        peer_call("Update", g_variant_new("(iiiiuu@ay)", 0, y, W2, 8, W2 * 4, X8R8G8B8,
                                          bytes(rows + (size_t)y * W2 * 4, W2 * 8 * 4)), NULL);
    run_for(100);
    const struct got_frame *f = wait_size(c, W2, H2);
    for (int y = 0; y < H2; y++)
        for (int x = 0; x < W2; x++)
            if (!same_pixel(pixel_at(f, x, y), &rows[(y * W2 + x) * 4]))
                g_error("mode change: pixel %d,%d is not the held update's", x, y);
    /* smaller, the signal first: the frame shrinks at once and keeps the
     * top-left of what was shown; an update inside goes on top */
    set_fake_size(32, 24, true);
    f = wait_size(c, 32, 24);
    for (int y = 0; y < 24; y++)
        for (int x = 0; x < 32; x++)
            g_assert_true(same_pixel(pixel_at(f, x, y), &rows[(y * W2 + x) * 4]));
    uint8_t dot[4] = { 1, 2, 3, 0 };
    guint n = c->frames->len;
    peer_call("Update", g_variant_new("(iiiiuu@ay)", 31, 23, 1, 1, 4, X8R8G8B8,
                                      bytes(dot, sizeof(dot))), NULL);
    wait_frames1(c, n + 1, 5000);
    f = collector_get(c, n);
    g_assert_true(same_pixel(pixel_at(f, 31, 23), dot));
    g_assert_cmpuint(f->width, ==, 32);
}

static GVariant *u32s(const uint32_t *v, gsize n)
{
    return g_variant_new_fixed_array(G_VARIANT_TYPE_UINT32, v, n, sizeof(uint32_t));
}

/* ScanoutDMABUF2 as QEMU calls it: dmabuf handles, x, y, w, h, offsets,
 * strides, num_planes, fourcc, backing w, h, modifier, y0_top. */
static void send_dmabuf2(const int *fdv, unsigned nfd, const int32_t *handles, uint32_t np,
                         uint32_t x, uint32_t y, uint32_t w, uint32_t h, const uint32_t *off,
                         const uint32_t *stride, uint32_t fourcc, uint32_t bw, uint32_t bh,
                         uint64_t modifier)
{
    GUnixFDList *fds = g_unix_fd_list_new_from_array(fdv, (gint)nfd); /* takes them */
    GVariant *ah = g_variant_new_fixed_array(G_VARIANT_TYPE_HANDLE, handles, np, sizeof(int32_t));

    peer_call_iface(DMABUF2_IFACE, "ScanoutDMABUF2",
                    g_variant_new("(@ahuuuu@au@auuuuutb)", ah, x, y, w, h, u32s(off, np),
                                  u32s(stride, np), np, fourcc, bw, bh, (guint64)modifier, TRUE),
                    fds);
    g_object_unref(fds);
}

struct get_state {
    bool done;
    GVariant *value;
};

static void get_cb(GObject *obj, GAsyncResult *res, gpointer data)
{
    struct get_state *st = data;
    st->value = g_dbus_connection_call_finish(G_DBUS_CONNECTION(obj), res, NULL);
    st->done = true;
}

static bool get_done(void *arg) { return ((struct get_state *)arg)->done; }

/* The listener says it has the ScanoutDMABUF2 interface (QEMU looks there);
 * asynchronously: the source answers on this thread's loop. */
static void check_interfaces(void)
{
    struct get_state st = { 0 };
    g_dbus_connection_call(fake.peer, NULL, "/org/qemu/Display1/Listener",
                           "org.freedesktop.DBus.Properties", "Get",
                           g_variant_new("(ss)", "org.qemu.Display1.Listener", "Interfaces"),
                           G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, get_cb, &st);
    wait_until(get_done, &st, "Interfaces");
    g_assert_nonnull(st.value);
    g_autofree char *s = g_variant_print(st.value, FALSE);
    g_assert_nonnull(strstr(s, DMABUF2_IFACE));
    g_variant_unref(st.value);
}

/* NV12 in two fds, with a modifier: one frame of two planes, the second
 * plane's fd that very buffer; no CPU view (tiled: the GPU's layout).  Then
 * linear NV12 in one sealed buffer for both planes: the encoders read it
 * converted (white above, red below, BT.601 limited range).  Then a part of
 * an XRGB buffer, and bad calls that are refused (no frame, the source goes
 * on). */
static void check_dmabuf2(struct collector *c)
{
    const uint32_t w = 16, h = 8;
    const uint64_t mod_x = I915_FORMAT_MOD_X_TILED;
    guint n = c->frames->len;

    check_interfaces();
    {
        int fdv[2] = { fake_dmabuf(w * h, true), fake_dmabuf(w * h / 2, true) };
        uint64_t ino1 = fd_inode(fdv[1]);
        send_dmabuf2(fdv, 2, (const int32_t[]){ 0, 1 }, 2, 0, 0, w, h, (const uint32_t[]){ 0, 0 },
                     (const uint32_t[]){ w, w }, DRM_FORMAT_NV12, w, h, mod_x);
        wait_frames1(c, n + 1, 5000);
        struct got_frame *f = collector_get(c, n);
        g_assert_cmpuint(f->n_planes, ==, 2);
        g_assert_cmpuint(f->fourcc, ==, DRM_FORMAT_NV12);
        g_assert_cmpuint(f->modifier, ==, mod_x);
        g_assert_cmpuint(f->strides[1], ==, w);
        g_assert_cmpuint(f->inodes[1], ==, ino1);
        g_assert_null(f->pixels);
        g_assert_null(f->bgrx);
    }
    {   /* one buffer, chroma after luma */
        int fd = fake_dmabuf(w * h * 3 / 2, true);
        uint8_t *map = mmap(NULL, w * h * 3 / 2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        g_assert_true(map != MAP_FAILED);
        for (uint32_t i = 0; i < w * h * 3 / 2; i++) /* Y 235 | 81, U V 128 128 | 90 240 */
            map[i] = i < w * h ? (i < w * h / 2 ? 235 : 81)
                               : i < w * h * 5 / 4 ? 128 : (i - w * h) % 2 ? 240 : 90;
        munmap(map, w * h * 3 / 2);
        send_dmabuf2(&fd, 1, (const int32_t[]){ 0, 0 }, 2, 0, 0, w, h,
                     (const uint32_t[]){ 0, w * h }, (const uint32_t[]){ w, w }, DRM_FORMAT_NV12,
                     w, h, DRM_FORMAT_MOD_LINEAR);
        wait_frames1(c, n + 2, 5000);
        struct got_frame *f = collector_get(c, n + 1);
        g_assert_cmpuint(f->n_planes, ==, 2);
        g_assert_cmpuint(f->offsets[1], ==, w * h);
        g_assert_cmpuint(f->inodes[1], ==, 0);
        g_assert_nonnull(f->bgrx);
        const uint8_t *top = f->bgrx + 2 * 4, *bottom = f->bgrx + ((h - 2) * w + 2) * 4;
        g_assert_cmpint(abs(top[0] - 255) + abs(top[1] - 255) + abs(top[2] - 255), <=, 6);
        g_assert_cmpint(bottom[0] + bottom[1] + abs(bottom[2] - 255), <=, 6); /* B, G, R */
    }
    {   /* the 8x4 rectangle at (4, 2) of a 16x8 XRGB buffer: shown, mapped */
        int fd = fake_dmabuf(w * 4 * h, true);
        uint8_t *map = mmap(NULL, w * 4 * h, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        g_assert_true(map != MAP_FAILED);
        for (uint32_t i = 0; i < w * 4 * h; i++)
            map[i] = (uint8_t)i;
        send_dmabuf2(&fd, 1, (const int32_t[]){ 0 }, 1, 4, 2, 8, 4, (const uint32_t[]){ 0 },
                     (const uint32_t[]){ w * 4 }, DRM_FORMAT_XRGB8888, w, h, DRM_FORMAT_MOD_LINEAR);
        wait_frames1(c, n + 3, 5000);
        struct got_frame *f = collector_get(c, n + 2);
        g_assert_cmpuint(f->width, ==, 8);
        g_assert_cmpuint(f->offsets[0], ==, 2 * w * 4 + 4 * 4);
        g_assert_nonnull(f->pixels);
        g_assert_cmpuint(f->pixels[0], ==, map[2 * w * 4 + 4 * 4]);
        munmap(map, w * 4 * h);
    }
    /* refused: a plane past its buffer's end, a handle not sent, 5 planes,
     * a rectangle outside the backing buffer */
    {
        int fd = fake_dmabuf(w * h, true); /* no room for the chroma after the luma */
        send_dmabuf2(&fd, 1, (const int32_t[]){ 0, 0 }, 2, 0, 0, w, h,
                     (const uint32_t[]){ 0, w * h }, (const uint32_t[]){ w, w }, DRM_FORMAT_NV12,
                     w, h, DRM_FORMAT_MOD_LINEAR);
        fd = fake_dmabuf(w * h * 2, true);
        send_dmabuf2(&fd, 1, (const int32_t[]){ 0, 1 }, 2, 0, 0, w, h, (const uint32_t[]){ 0, 0 },
                     (const uint32_t[]){ w, w }, DRM_FORMAT_NV12, w, h, DRM_FORMAT_MOD_LINEAR);
        fd = fake_dmabuf(w * 4 * h, true);
        send_dmabuf2(&fd, 1, (const int32_t[]){ 0, 0, 0, 0, 0 }, 5, 0, 0, w, h,
                     (const uint32_t[]){ 0, 0, 0, 0, 0 }, (const uint32_t[]){ w, w, w, w, w },
                     DRM_FORMAT_NV12, w, h, DRM_FORMAT_MOD_LINEAR);
        fd = fake_dmabuf(w * 4 * h, true);
        send_dmabuf2(&fd, 1, (const int32_t[]){ 0 }, 1, 10, 0, 8, 4, (const uint32_t[]){ 0 },
                     (const uint32_t[]){ w * 4 }, DRM_FORMAT_XRGB8888, w, h, DRM_FORMAT_MOD_LINEAR);
        run_for(200);
        g_assert_cmpuint(c->frames->len, ==, n + 3);
    }
}

static void test_fake_qemu(void)
{
    g_autofree char *daemon = g_find_program_in_path("dbus-daemon");
    if (!daemon) {
        g_test_skip("dbus-daemon not found (Debian package dbus-daemon)");
        return;
    }
    GTestDBus *bus = g_test_dbus_new(G_TEST_DBUS_NONE);
    g_test_dbus_up(bus);
    fake.address = g_strdup(g_test_dbus_get_bus_address(bus));

    expect_error("nobody owns org.qemu", "qemu-dbus:%s", fake.address);
    expect_error("bad console number", "qemu-dbus:console=x");
    GThread *t = fake_start();
    expect_error("no console 3", "qemu-dbus:%s,console=3", fake.address);

    GError *err = NULL;
    g_autofree char *spec = g_strdup_printf("qemu-dbus:%s", fake.address);
    struct sc_source *s = sc_source_create(spec, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(s->width, ==, W);
    g_assert_cmpuint(s->height, ==, H);
    struct collector c;
    collector_init(&c, s);
    sc_source_start(s);
    wait_until(have_peer, NULL, "RegisterListener");

    check_scanout_update(&c);
    check_dmabuf_unmappable(&c);
    check_dmabuf_cursor(&c);
    check_dmabuf2(&c);
    check_pool_rotation(s, &c);
    check_input(s);
    check_lost_and_back(&c, &t);
    check_mode_change(&c);

    /* "QEMU" goes away: the source says so and goes on */
    g_dbus_connection_close_sync(fake.peer, NULL, NULL);
    run_for(100);
    sc_source_key(s, (const uint8_t[]){ 0x1c }, 1, true);
    sc_source_destroy(s);
    collector_finish(&c);
    fake_stop(t);
    g_test_dbus_down(bus);
    g_object_unref(bus);
    g_free(fake.address);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sources/qemu-dbus/fake-qemu", test_fake_qemu);
    return g_test_run();
}
