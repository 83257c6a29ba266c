/* libFuzzer: the QEMU D-Bus listener's method handlers
 * (server/sources/qemu-screen.c, #included to reach them): what QEMU -- or
 * anything that owns org.qemu on the bus -- calls on our
 * org.qemu.Display1.Listener: Scanout, Update, UpdateDMABUF, Disable,
 * MouseSet, CursorDefine, in any order, each followed by the main loop
 * (the idle emit that copies the shadow into pool frames), and what
 * qemu-dbus.c does from the bus side: the console's new size
 * (sc_qdbus_set_size, the answer to size_needed, which replays updates held
 * beyond the scanout) and the source lost (its notice frame).  Frames and
 * cursors reach a listener that reads every row / pixel.
 *
 * Input: records { u8 method, u16 LE length, the serialized arguments }.
 * The arguments become a GVariant of the method's signature with
 * g_variant_new_from_data() and g_variant_get_normal_form(), as GDBus
 * hands them to the vtable after checking the signature (a body that is not
 * in normal form for the type is what a byte-level fuzzer mostly makes).
 * ScanoutDMABUF comes with an fd (its GDBusMethodInvocation has no public
 * constructor): the target calls set_dmabuf(), what on_scanout_dmabuf()
 * does once it has the fd, with a memfd of the input's size (at most
 * 16 MiB), sealed against shrinking or not: what QEMU or an impostor may
 * pass.  ScanoutDMABUF2 (planes, a modifier) goes through
 * sc_qemu_dmabuf2_parse() (qemu-planes.c), as on_scanout_dmabuf2() does,
 * with an fd list of two memfds of the input's sizes, then set_dmabuf().
 * The listener reads every row of every frame it gets. */
#include "config.h"

#include "server/sources/qemu-screen.c"
#include "tests/fuzz/fuzz-util.h"

#include <fcntl.h>

static const struct {
    const char *name, *sig;
} methods[] = {
    { "Scanout", "(uuuuay)" }, { "Update", "(iiiiuuay)" }, { "UpdateDMABUF", "(iiii)" },
    { "Disable", "()" },       { "MouseSet", "(iii)" },    { "CursorDefine", "(iiiiay)" },
    /* from the bus side (qemu-dbus.c): Console Width/Height, QEMU gone */
    { "(size)", "(uu)" },      { "(lost)", "()" },
    /* ScanoutDMABUF: w, h, stride, fourcc, modifier, y0_top; the fd's size, sealed */
    { "ScanoutDMABUF", "(uuuutbub)" },
    /* ScanoutDMABUF2's arguments; the sizes of the two fds; sealed */
    { "ScanoutDMABUF2", "(ahuuuuauauuuuutbuub)" },
};

#define MAX_FD_SIZE (16u << 20)

static void scanout_dmabuf(struct qdbus *q, GVariant *params)
{
    struct sc_frame_buffer b = { .kind = SC_FRAME_DMABUF };
    uint32_t size;
    gboolean y0_top, sealed;
    int fd;

    g_variant_get(params, "(uuuutbub)", &b.width, &b.height, &b.stride, &b.drm_fourcc,
                  &b.modifier, &y0_top, &size, &sealed);
    b.top_down = y0_top;
    fd = memfd_create("fuzz-dmabuf", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        abort();
    if (ftruncate(fd, size % MAX_FD_SIZE) < 0 ||
        (sealed && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) < 0))
        abort();
    set_dmabuf(q, fd, &b);
}

static int fuzz_memfd(uint32_t size, bool sealed)
{
    int fd = memfd_create("fuzz-plane", MFD_CLOEXEC | MFD_ALLOW_SEALING);

    if (fd < 0 || ftruncate(fd, size % MAX_FD_SIZE) < 0 ||
        (sealed && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK) < 0))
        abort();
    return fd;
}

static void scanout_dmabuf2(struct qdbus *q, GVariant *params)
{
    GVariant *args[13];
    GVariant *call_params;
    GUnixFDList *fds;
    struct sc_frame_buffer b;
    uint32_t s0, s1;
    gboolean sealed;
    char why[160];
    int fd, fdv[2];

    for (int i = 0; i < 13; i++)
        args[i] = g_variant_get_child_value(params, (gsize)i);
    call_params = g_variant_ref_sink(g_variant_new_tuple(args, 13));
    g_variant_get_child(params, 13, "u", &s0);
    g_variant_get_child(params, 14, "u", &s1);
    g_variant_get_child(params, 15, "b", &sealed);
    fdv[0] = fuzz_memfd(s0, sealed);
    fdv[1] = fuzz_memfd(s1, sealed);
    fds = g_unix_fd_list_new_from_array(fdv, 2);
    if (sc_qemu_dmabuf2_parse(call_params, fds, &b, &fd, why, sizeof(why))) {
        if (fd < 0 || b.n_planes == 0 || b.n_planes > SC_FRAME_MAX_PLANES)
            abort();
        set_dmabuf(q, fd, &b);
    }
    g_object_unref(fds);
    g_variant_unref(call_params);
    for (int i = 0; i < 13; i++)
        g_variant_unref(args[i]);
}

static void on_frame(struct sc_source *source, struct sc_frame *f, void *data)
{
    (void)source, (void)data;
    if (f->kind != SC_FRAME_SHM && f->kind != SC_FRAME_DMABUF)
        abort();
    uint32_t stride = 0;
    const uint8_t *px = sc_codec_frame_pixels(f, &stride); /* NV12: converted here */

    if (!px)
        return;
    if (stride < f->width * 4 || (f->drm_fourcc != DRM_FORMAT_NV12 && f->map_size &&
                                  (uint64_t)f->stride * f->height + f->offset > f->map_size))
        abort(); /* the encoders read this much */
    for (uint32_t y = 0; y < f->height; y++)
        fuzz_touch(px + (size_t)y * stride, (size_t)f->width * 4);
}

static void on_cursor(struct sc_source *source, const struct sc_cursor_shape *c, void *data)
{
    (void)source, (void)data;
    if (!c->width || !c->height || c->hot_x >= c->width || c->hot_y >= c->height)
        abort();
    fuzz_touch(c->pixels, (size_t)c->width * c->height * 4);
}

static void fuzz_size_needed(struct qdbus *q) { (void)q; } /* a later (size) record answers */
static void fuzz_peer_closed(struct qdbus *q) { (void)q; }

/* listener_call() without the invocation, and the bus side's two calls into
 * qemu-screen.c. */
static void call(struct qdbus *q, unsigned m, GVariant *params)
{
    uint32_t w, h;

    switch (m) {
    case 0: on_scanout(q, params); break;
    case 1: on_update(q, params); break;
    case 2: on_update_dmabuf(q, params); break;
    case 5: on_cursor_define(q, params); break;
    case 6:
        g_variant_get(params, "(uu)", &w, &h);
        sc_qdbus_set_size(q, w, h);
        break;
    case 7: sc_qdbus_source_lost(q, "fuzz"); break;
    case 8: scanout_dmabuf(q, params); break;
    case 9: scanout_dmabuf2(q, params); break;
    default: break; /* Disable: logged; MouseSet: not acted on */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct sc_source_listener listener = { .frame = on_frame, .cursor = on_cursor };
    struct qdbus *q = g_new0(struct qdbus, 1);
    size_t pos = 0;

    /* as qdbus_create() + qdbus_start() leave it, without a bus */
    q->base.impl = &sc_source_qemu_dbus;
    q->running = true;
    q->size_needed = fuzz_size_needed;
    q->peer_closed = fuzz_peer_closed;
    sc_qdbus_screen_init(q);
    sc_source_set_listener(&q->base, &listener);
    for (int n = 0; n < 16 && pos + 3 <= size; n++) {
        unsigned m = data[pos] % G_N_ELEMENTS(methods);
        size_t len = data[pos + 1] | (size_t)data[pos + 2] << 8;
        pos += 3;
        if (len > size - pos)
            len = size - pos;
        /* an exact-size copy: GVariant reads the serialized data in place */
        uint8_t *body = fuzz_dup(data + pos, len);
        GBytes *bytes = g_bytes_new_take(body, len);
        GVariant *raw = g_variant_new_from_bytes(G_VARIANT_TYPE(methods[m].sig), bytes, FALSE);
        GVariant *params = g_variant_get_normal_form(raw);
        call(q, m, params);
        g_variant_unref(params);
        g_variant_unref(raw);
        g_bytes_unref(bytes);
        pos += len;
        for (int i = 0; i < 8 && g_main_context_iteration(NULL, FALSE); i++)
            ;
    }
    sc_qdbus_screen_stop(q);
    sc_qdbus_screen_finish(q);
    g_free(q);
    return 0;
}

/* The notice frame (sc_qdbus_source_lost) draws text with cairo: fontconfig
 * keeps its configuration for the life of the process. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:libfontconfig.so\n";
}
