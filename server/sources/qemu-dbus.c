#include "config.h"

/* --source qemu-dbus[:ADDRESS][,console=N]: a QEMU VM's display through
 * QEMU's `-display dbus` interface (QEMU 7.2+).
 *
 * QEMU owns `org.qemu` on a bus (the session bus unless ADDRESS is given).
 * We check the console at create time, then at start hand QEMU one end of a
 * socketpair with Console.RegisterListener.  QEMU authenticates as the D-Bus
 * server on it; we are the client of that peer-to-peer connection and export
 * org.qemu.Display1.Listener on /org/qemu/Display1/Listener.  QEMU then calls
 * Scanout (whole surface by value), Update (a rectangle by value),
 * ScanoutDMABUF/UpdateDMABUF (gl=on only), Disable, MouseSet, CursorDefine.
 *
 * Pixels go into a shadow buffer (XRGB8888); damage accumulates until the
 * main loop is idle, then one complete pool frame is emitted with that
 * damage (only what changed since that pool frame last went out is copied
 * into it).  A dma-buf scanout is passed on as an
 * SC_FRAME_DMABUF frame (mapped for the CPU encoders when it can be).
 * Input goes back as Keyboard.Press/Release (QEMU "qnum" numbers: the set-1
 * code, with bit 7 set for E0-prefixed keys) and Mouse calls.
 *
 * QEMU going away (it leaves the bus, or closes the display connection) is
 * "source lost": one notice frame (the last picture dimmed, saying so) goes
 * out, and the source waits.  When org.qemu appears again (a restarted VM
 * on the same bus) it attaches to it as at start: console, mouse, listener;
 * QEMU's first Scanout then replaces the notice. */

#include "source.h"

#include <errno.h>
#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "notice.h"
#include "qemu-pixels.h"
#include "stale.h"

#define QEMU_NAME "org.qemu"
#define CONSOLE_IFACE "org.qemu.Display1.Console"
#define KEYBOARD_IFACE "org.qemu.Display1.Keyboard"
#define MOUSE_IFACE "org.qemu.Display1.Mouse"
#define LISTENER_IFACE "org.qemu.Display1.Listener"
#define LISTENER_PATH "/org/qemu/Display1/Listener"
#define CALL_TIMEOUT_MS 5000
#define MAX_DIM 16384
#define POOL_FRAMES 4
#define RETRY_MS 5
#define REATTACH_MS 1000 /* after QEMU closed the display connection */
#define MAX_HELD_UPDATES 128 /* a mode change's first updates: VGA text is 25 rows */


/* The listener interface as QEMU 7.2 calls it (ui/dbus-display1.xml). */
#define A(t) "<arg type='" t "'/>"
static const char listener_xml[] =
    "<node><interface name='" LISTENER_IFACE "'>"
    "<method name='Scanout'>" A("u") A("u") A("u") A("u") A("ay") "</method>"
    "<method name='Update'>" A("i") A("i") A("i") A("i") A("u") A("u") A("ay") "</method>"
    "<method name='ScanoutDMABUF'>" A("h") A("u") A("u") A("u") A("u") A("t") A("b") "</method>"
    "<method name='UpdateDMABUF'>" A("i") A("i") A("i") A("i") "</method>"
    "<method name='Disable'/>"
    "<method name='MouseSet'>" A("i") A("i") A("i") "</method>"
    "<method name='CursorDefine'>" A("i") A("i") A("i") A("i") A("ay") "</method>"
    "<property name='Interfaces' type='as' access='read'/></interface></node>";
#undef A

struct qdbus {
    struct sc_source base;
    char *address;
    unsigned console;
    char *console_path;
    GDBusConnection *bus;
    char *owner; /* QEMU's unique name; NULL while it is away */
    guint name_watch;
    GDBusProxy *mouse;
    bool lost; /* no display connection to QEMU: the notice is shown */
    guint props_sub; /* the Console's PropertiesChanged: a new size */
    GPtrArray *held; /* struct held_update: beyond the scanout, for the next size */
    bool size_asked;
    GCancellable *attach_cancel; /* the console/mouse/listener sequence */
    guint reattach;
    /* the peer-to-peer listener connection */
    GCancellable *cancel;
    GDBusConnection *peer;
    guint peer_reg;
    gulong peer_closed_id;
    bool running;
    /* shadow of the guest surface, XRGB8888, stride w*4 */
    uint32_t w, h;
    uint8_t *shadow;
    struct sc_frame_pool *pool;
    struct sc_frame damage; /* damage accumulator only: no buffer */
    struct sc_stale stale; /* a reused pool frame gets only this copied */
    bool dirty;
    GSource *emit;
    uint64_t seq;
    /* dma-buf scanout (gl=on) */
    struct sc_frame *dmabuf;
    /* input */
    uint32_t buttons;
    int32_t px, py;
    bool have_pos;
    bool warned_format;
};

static GDBusNodeInfo *listener_info(void)
{
    static GDBusNodeInfo *info;
    if (g_once_init_enter(&info)) {
        GDBusNodeInfo *i = g_dbus_node_info_new_for_xml(listener_xml, NULL);
        g_assert(i); /* a constant string */
        g_once_init_leave(&info, i);
    }
    return info;
}

/* ---- pixels ------------------------------------------------------------ */

/* Copies a w x h rectangle of QEMU pixels into the shadow at (x,y); the
 * caller checked the rectangle and the data size. */
static void blit(struct qdbus *q, uint32_t fmt, const uint8_t *data, uint32_t stride,
                 uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
    sc_qemu_pixels_to_xrgb(fmt, data, stride, q->shadow + ((size_t)y * q->w + x) * 4, q->w * 4,
                           w, h);
}

/* ---- frames -------------------------------------------------------------- */

static void drop_dmabuf(struct qdbus *q)
{
    sc_frame_unref(q->dmabuf);
    q->dmabuf = NULL;
}

static gboolean emit_cb(gpointer data);

static void schedule_emit(struct qdbus *q, unsigned delay_ms)
{
    if (q->emit)
        return;
    q->emit = delay_ms ? g_timeout_source_new(delay_ms) : g_idle_source_new();
    g_source_set_callback(q->emit, emit_cb, q, NULL);
    g_source_attach(q->emit, g_main_context_get_thread_default());
}

static void cancel_emit(struct qdbus *q)
{
    if (!q->emit)
        return;
    g_source_destroy(q->emit);
    g_source_unref(q->emit);
    q->emit = NULL;
}

static void add_damage(struct qdbus *q, int32_t x, int32_t y, int32_t w, int32_t h, bool full)
{
    if (full) {
        q->damage.n_damage = 0;
        q->damage.full_damage = true;
    } else if (!q->damage.full_damage) {
        sc_frame_add_damage(&q->damage, x, y, w, h);
    }
    q->dirty = true;
    schedule_emit(q, 0);
}

/* Another descriptor of the current dma-buf (its own fd and mapping), so
 * that each emitted frame carries its own damage. */
static struct sc_frame *dmabuf_view(const struct sc_frame *d)
{
    struct sc_frame *f = g_new(struct sc_frame, 1);
    *f = *d;
    f->refcount = 1;
    f->release = NULL;
    f->fd = dup(d->fd);
    if (f->fd < 0) {
        sc_warn("qemu-dbus: dup dma-buf: %s", g_strerror(errno));
        g_free(f);
        return NULL;
    }
    f->map = d->map ? mmap(NULL, d->map_size, PROT_READ, MAP_SHARED, f->fd, 0) : MAP_FAILED;
    if (f->map == MAP_FAILED) {
        f->map = NULL;
        f->map_size = 0;
    }
    return f;
}

/* A pool frame with the shadow's pixels, NULL when all are held. */
static struct sc_frame *shadow_frame(struct qdbus *q)
{
    struct sc_frame *f = sc_frame_pool_get(q->pool);
    if (!f)
        return NULL;
    struct sc_frame stale;
    sc_stale_region(&q->stale, f, &q->damage, q->w, q->h, &stale);
    struct sc_box whole = { 0, 0, (int32_t)q->w, (int32_t)q->h };
    bool all = stale.full_damage;
    for (uint32_t i = 0; i < (all ? 1 : stale.n_damage); i++) {
        const struct sc_box *b = all ? &whole : &stale.damage[i];
        for (int32_t y = b->y; y < b->y + b->h; y++)
            memcpy(f->map + f->offset + (size_t)y * f->stride + (size_t)b->x * 4,
                   q->shadow + ((size_t)y * q->w + (size_t)b->x) * 4, (size_t)b->w * 4);
    }
    return f;
}

static gboolean emit_cb(gpointer data)
{
    struct qdbus *q = data;

    g_source_unref(q->emit);
    q->emit = NULL;
    if (!q->dirty || (!q->dmabuf && !q->shadow))
        return G_SOURCE_REMOVE;
    struct sc_frame *f = q->dmabuf ? dmabuf_view(q->dmabuf) : shadow_frame(q);
    if (!f) {
        if (!q->dmabuf) /* every pool frame is still held: try again shortly */
            schedule_emit(q, RETRY_MS);
        return G_SOURCE_REMOVE;
    }
    /* a dma-buf view is no pool frame: only its damage is remembered */
    sc_stale_emitted(&q->stale, q->dmabuf ? NULL : f, &q->damage);
    f->full_damage = q->damage.full_damage;
    f->n_damage = q->damage.n_damage;
    memcpy(f->damage, q->damage.damage, sizeof(f->damage));
    f->seq = q->seq++;
    q->damage.full_damage = false;
    q->damage.n_damage = 0;
    q->dirty = false;
    sc_source_emit_frame(&q->base, f);
    sc_frame_unref(f);
    return G_SOURCE_REMOVE;
}

/* A new surface size: new shadow and pool. */
static bool resize(struct qdbus *q, uint32_t w, uint32_t h)
{
    if (w == q->w && h == q->h && q->shadow)
        return true;
    if (w == 0 || h == 0 || w > MAX_DIM || h > MAX_DIM) {
        sc_warn("qemu-dbus: scanout %ux%u is out of range", w, h);
        return false;
    }
    struct sc_frame_pool *pool = sc_frame_pool_new(w, h, POOL_FRAMES);
    if (!pool) {
        sc_warn("qemu-dbus: cannot make frames of %ux%u", w, h);
        return false;
    }
    sc_frame_pool_destroy(q->pool);
    q->pool = pool;
    sc_stale_forget_frames(&q->stale);
    /* what the old surface and the new share is kept: updates of the new
     * mode may have come before we knew its size */
    uint8_t *shadow = g_malloc0((size_t)w * h * 4);
    for (uint32_t y = 0; q->shadow && y < MIN(h, q->h); y++)
        memcpy(shadow + (size_t)y * w * 4, q->shadow + (size_t)y * q->w * 4, (size_t)MIN(w, q->w) * 4);
    g_free(q->shadow);
    q->shadow = shadow;
    q->w = q->damage.width = w;
    q->h = q->damage.height = h;
    sc_info("qemu-dbus: console %u scanout %ux%u", q->console, w, h);
    return true;
}

/* ---- a new size -------------------------------------------------------- */

/* QEMU 7.2 announces a guest mode change in two ways only: a Scanout when
 * one update covers the whole new surface (VGA text mode never does), and
 * the Console's Width and Height properties (PropertiesChanged on the bus,
 * emitted from an idle: often after the new mode's first Updates, which
 * come on the listener connection).  So an Update beyond the scanout is
 * held, the size is asked for, and held updates are replayed on it. */
struct held_update {
    int32_t x, y, w, h;
    uint32_t stride, fmt;
    GVariant *data; /* ay */
};

static void held_update_free(gpointer p)
{
    struct held_update *u = p;
    g_variant_unref(u->data);
    g_free(u);
}

static bool fits(const struct qdbus *q, int32_t x, int32_t y, int32_t w, int32_t h)
{
    return x >= 0 && y >= 0 && w > 0 && h > 0 && (int64_t)x + w <= q->w &&
           (int64_t)y + h <= q->h;
}

static void apply_update(struct qdbus *q, const struct held_update *u)
{
    gsize len;
    const uint8_t *bytes = g_variant_get_fixed_array(u->data, &len, 1);
    if (sc_qemu_check_pixels(&q->warned_format, "Update", u->fmt, (uint32_t)u->w, (uint32_t)u->h,
                             u->stride, len)) {
        blit(q, u->fmt, bytes, u->stride, (uint32_t)u->x, (uint32_t)u->y, (uint32_t)u->w,
             (uint32_t)u->h);
        add_damage(q, u->x, u->y, u->w, u->h, false);
    }
}

static void replay_held(struct qdbus *q)
{
    guint dropped = 0;
    for (guint i = 0; i < q->held->len; i++) {
        const struct held_update *u = g_ptr_array_index(q->held, i);
        if (fits(q, u->x, u->y, u->w, u->h))
            apply_update(q, u);
        else
            dropped++;
    }
    if (dropped)
        sc_warn("qemu-dbus: %u update(s) outside the %ux%u scanout, ignored", dropped, q->w, q->h);
    g_ptr_array_set_size(q->held, 0);
}

/* The console's size as QEMU reports it. */
static void set_size(struct qdbus *q, uint32_t w, uint32_t h)
{
    if (!q->shadow || q->dmabuf) /* a Scanout comes first */
        return;
    if ((w != q->w || h != q->h) && resize(q, w, h))
        add_damage(q, 0, 0, 0, 0, true);
    replay_held(q);
}

static void size_reply(GObject *obj, GAsyncResult *res, gpointer data)
{
    GError *err = NULL;
    GVariant *ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(obj), res, &err);
    if (!ret) {
        if (!g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
            sc_warn("qemu-dbus: cannot read the console's size: %s", err->message);
            ((struct qdbus *)data)->size_asked = false;
        }
        g_error_free(err);
        return;
    }
    struct qdbus *q = data;
    GVariant *props = g_variant_get_child_value(ret, 0);
    uint32_t w, h;
    q->size_asked = false;
    if (g_variant_lookup(props, "Width", "u", &w) && g_variant_lookup(props, "Height", "u", &h))
        set_size(q, w, h);
    g_variant_unref(props);
    g_variant_unref(ret);
}

static void hold_update(struct qdbus *q, int32_t x, int32_t y, int32_t w, int32_t h,
                        uint32_t stride, uint32_t fmt, GVariant *data)
{
    if (q->held->len >= MAX_HELD_UPDATES) {
        sc_warn("qemu-dbus: Update %d,%d %dx%d outside the %ux%u scanout, ignored", x, y, w, h,
                q->w, q->h);
        return;
    }
    struct held_update *u = g_new(struct held_update, 1);
    *u = (struct held_update){ x, y, w, h, stride, fmt, g_variant_ref(data) };
    g_ptr_array_add(q->held, u);
    sc_debug("qemu-dbus: Update %d,%d %dx%d beyond %ux%u: held until the new size is known", x,
             y, w, h, q->w, q->h);
    if (q->size_asked || !q->cancel)
        return;
    q->size_asked = true;
    g_dbus_connection_call(q->bus, q->owner, q->console_path, "org.freedesktop.DBus.Properties",
                           "GetAll", g_variant_new("(s)", CONSOLE_IFACE),
                           G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                           CALL_TIMEOUT_MS, q->cancel, size_reply, q);
}

static void console_props_changed(GDBusConnection *conn, const gchar *sender, const gchar *path,
                                  const gchar *iface, const gchar *signal, GVariant *params,
                                  gpointer data)
{
    struct qdbus *q = data;
    const char *changed_iface;
    GVariant *changed;
    uint32_t w = q->w, h = q->h;
    (void)conn, (void)sender, (void)path, (void)iface, (void)signal;

    if (!g_variant_is_of_type(params, G_VARIANT_TYPE("(sa{sv}as)")))
        return;
    g_variant_get(params, "(&s@a{sv}@as)", &changed_iface, &changed, NULL);
    bool any = g_variant_lookup(changed, "Width", "u", &w);
    any = g_variant_lookup(changed, "Height", "u", &h) || any;
    g_variant_unref(changed);
    if (any && !strcmp(changed_iface, CONSOLE_IFACE) && q->running)
        set_size(q, w, h);
}

/* Size changes of the console QEMU `owner` has (0 for none). */
static void watch_console(struct qdbus *q)
{
    if (q->props_sub)
        g_dbus_connection_signal_unsubscribe(q->bus, q->props_sub);
    q->props_sub = 0;
    if (q->owner)
        q->props_sub = g_dbus_connection_signal_subscribe(
            q->bus, q->owner, "org.freedesktop.DBus.Properties", "PropertiesChanged",
            q->console_path, CONSOLE_IFACE, G_DBUS_SIGNAL_FLAGS_NONE, console_props_changed, q,
            NULL);
}

/* ---- listener methods ------------------------------------------------- */

static void on_scanout(struct qdbus *q, GVariant *params)
{
    uint32_t w, h, stride, fmt;
    GVariant *data;
    gsize len;

    g_variant_get(params, "(uuuu@ay)", &w, &h, &stride, &fmt, &data);
    const uint8_t *bytes = g_variant_get_fixed_array(data, &len, 1);
    if (sc_qemu_check_pixels(&q->warned_format, "Scanout", fmt, w, h, stride, len) &&
        resize(q, w, h)) {
        drop_dmabuf(q);
        q->damage.width = w; /* back from a dma-buf of another size */
        q->damage.height = h;
        blit(q, fmt, bytes, stride, 0, 0, w, h);
        add_damage(q, 0, 0, 0, 0, true);
    }
    g_variant_unref(data);
}

static void on_update(struct qdbus *q, GVariant *params)
{
    int32_t x, y, w, h;
    uint32_t stride, fmt;
    GVariant *data;
    gsize len;

    g_variant_get(params, "(iiiiuu@ay)", &x, &y, &w, &h, &stride, &fmt, &data);
    const uint8_t *bytes = g_variant_get_fixed_array(data, &len, 1);
    if (!q->shadow || q->dmabuf) {
        sc_debug("qemu-dbus: Update before any Scanout, ignored");
    } else if (x < 0 || y < 0 || w <= 0 || h <= 0) {
        sc_warn("qemu-dbus: Update %d,%d %dx%d is empty or negative, ignored", x, y, w, h);
    } else if (!fits(q, x, y, w, h)) {
        hold_update(q, x, y, w, h, stride, fmt, data);
    } else if (sc_qemu_check_pixels(&q->warned_format, "Update", fmt, (uint32_t)w, (uint32_t)h,
                                    stride, len)) {
        blit(q, fmt, bytes, stride, (uint32_t)x, (uint32_t)y, (uint32_t)w, (uint32_t)h);
        add_damage(q, x, y, w, h, false);
    }
    g_variant_unref(data);
}

static void on_scanout_dmabuf(struct qdbus *q, GVariant *params, GDBusMethodInvocation *inv)
{
    int32_t handle;
    uint32_t w, h, stride, fourcc;
    uint64_t modifier;
    gboolean y0_top;
    GUnixFDList *fds = g_dbus_message_get_unix_fd_list(g_dbus_method_invocation_get_message(inv));

    g_variant_get(params, "(huuuutb)", &handle, &w, &h, &stride, &fourcc, &modifier, &y0_top);
    int fd = fds ? g_unix_fd_list_get(fds, handle, NULL) : -1;
    if (fd < 0) {
        sc_warn("qemu-dbus: ScanoutDMABUF without a file descriptor, ignored");
        return;
    }
    if (w == 0 || h == 0 || w > MAX_DIM || h > MAX_DIM || stride < w) {
        sc_warn("qemu-dbus: ScanoutDMABUF %ux%u stride %u is out of range, ignored", w, h, stride);
        close(fd);
        return;
    }
    drop_dmabuf(q);
    struct sc_frame *f = g_new0(struct sc_frame, 1);
    f->refcount = 1;
    f->kind = SC_FRAME_DMABUF;
    f->fd = fd;
    f->width = w;
    f->height = h;
    f->stride = stride;
    f->drm_fourcc = fourcc;
    f->modifier = modifier;
    f->y0_top = y0_top;
    /* a CPU view for the encoders, where the exporter allows it */
    size_t size = (size_t)stride * h;
    if (modifier == DRM_FORMAT_MOD_LINEAR &&
        (fourcc == DRM_FORMAT_XRGB8888 || fourcc == DRM_FORMAT_ARGB8888)) {
        void *map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
        if (map != MAP_FAILED) {
            f->map = map;
            f->map_size = size;
        }
    }
    sc_info("qemu-dbus: dma-buf scanout %ux%u fourcc %.4s modifier 0x%" G_GINT64_MODIFIER "x%s",
            w, h, (const char *)&fourcc, modifier,
            f->map ? "" : " (not mappable: remote clients get no pixels from it)");
    q->dmabuf = f;
    q->damage.width = w;
    q->damage.height = h;
    add_damage(q, 0, 0, 0, 0, true);
}

static void on_update_dmabuf(struct qdbus *q, GVariant *params)
{
    int32_t x, y, w, h;

    g_variant_get(params, "(iiii)", &x, &y, &w, &h);
    if (!q->dmabuf) {
        sc_debug("qemu-dbus: UpdateDMABUF without a dma-buf scanout, ignored");
        return;
    }
    add_damage(q, x, y, w, h, false);
}

static void on_cursor_define(struct qdbus *q, GVariant *params)
{
    int32_t w, h, hx, hy;
    GVariant *data;
    gsize len;

    g_variant_get(params, "(iiii@ay)", &w, &h, &hx, &hy, &data);
    const uint8_t *bytes = g_variant_get_fixed_array(data, &len, 1);
    if (w <= 0 || h <= 0 || w > 512 || h > 512 || len < (gsize)w * (gsize)h * 4) {
        sc_warn("qemu-dbus: CursorDefine %dx%d with %zu bytes, ignored", w, h, (size_t)len);
        g_variant_unref(data);
        return;
    }
    uint8_t *px = g_malloc((size_t)w * h * 4);
    sc_qemu_cursor_premultiply(bytes, px, (size_t)w * h);
    struct sc_cursor_shape shape = {
        .width = (uint32_t)w, .height = (uint32_t)h,
        .hot_x = (uint32_t)CLAMP(hx, 0, w - 1), .hot_y = (uint32_t)CLAMP(hy, 0, h - 1),
        .pixels = px,
    };
    sc_source_emit_cursor(&q->base, &shape);
    g_free(px);
    g_variant_unref(data);
}

static void listener_call(GDBusConnection *conn, const gchar *sender, const gchar *path,
                          const gchar *iface, const gchar *method, GVariant *params,
                          GDBusMethodInvocation *inv, gpointer data)
{
    struct qdbus *q = data;
    (void)conn, (void)sender, (void)path, (void)iface;

    if (!strcmp(method, "Scanout"))
        on_scanout(q, params);
    else if (!strcmp(method, "Update"))
        on_update(q, params);
    else if (!strcmp(method, "ScanoutDMABUF"))
        on_scanout_dmabuf(q, params, inv);
    else if (!strcmp(method, "UpdateDMABUF"))
        on_update_dmabuf(q, params);
    else if (!strcmp(method, "Disable"))
        sc_info("qemu-dbus: console %u disabled by the guest; keeping the last frame", q->console);
    else if (!strcmp(method, "CursorDefine"))
        on_cursor_define(q, params);
    /* MouseSet: the guest's pointer position; our clients draw their own */
    g_dbus_method_invocation_return_value(inv, NULL);
}

static GVariant *listener_get(GDBusConnection *conn, const gchar *sender, const gchar *path,
                              const gchar *iface, const gchar *prop, GError **error, gpointer data)
{
    (void)conn, (void)sender, (void)path, (void)iface, (void)data;
    if (strcmp(prop, "Interfaces") != 0) {
        g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "no property %s", prop);
        return NULL;
    }
    const char *const ifaces[] = { LISTENER_IFACE, NULL };
    return g_variant_new_strv(ifaces, -1);
}

static const GDBusInterfaceVTable listener_vtable = {
    .method_call = listener_call,
    .get_property = listener_get,
};

/* ---- peer connection ---------------------------------------------------- */

static void drop_peer(struct qdbus *q)
{
    if (!q->peer)
        return;
    if (q->peer_closed_id)
        g_signal_handler_disconnect(q->peer, q->peer_closed_id);
    if (q->peer_reg)
        g_dbus_connection_unregister_object(q->peer, q->peer_reg);
    g_dbus_connection_close(q->peer, NULL, NULL, NULL);
    g_clear_object(&q->peer);
    q->peer_reg = 0;
    q->peer_closed_id = 0;
}

static void source_lost(struct qdbus *q, const char *why);
static gboolean reattach_cb(gpointer data);

static void peer_closed(GDBusConnection *conn, gboolean remote, GError *error, gpointer data)
{
    struct qdbus *q = data;
    (void)conn;
    sc_warn("qemu-dbus: QEMU closed the display connection%s%s%s", remote ? " (QEMU went away?)" : "",
            error ? ": " : "", error ? error->message : "");
    q->peer_closed_id = 0;
    drop_peer(q);
    source_lost(q, "QEMU closed the display connection");
    /* still on the bus (a QEMU that only dropped us): register again; a
     * QEMU that is exiting leaves the bus first, which cancels this */
    if (q->owner && !q->reattach)
        q->reattach = g_timeout_add(REATTACH_MS, reattach_cb, q);
}

static void peer_ready(GObject *obj, GAsyncResult *res, gpointer data)
{
    GError *err = NULL;
    GDBusConnection *conn = g_dbus_connection_new_finish(res, &err);
    (void)obj;
    if (!conn) {
        if (!g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            sc_error("qemu-dbus: display connection to QEMU failed: %s", err->message);
        g_error_free(err);
        return;
    }
    struct qdbus *q = data;
    q->peer = conn;
    g_dbus_connection_set_exit_on_close(conn, FALSE);
    q->peer_reg = g_dbus_connection_register_object(conn, LISTENER_PATH,
                                                    listener_info()->interfaces[0],
                                                    &listener_vtable, q, NULL, &err);
    if (!q->peer_reg) {
        sc_error("qemu-dbus: cannot export %s: %s", LISTENER_PATH, err->message);
        g_error_free(err);
        drop_peer(q);
        return;
    }
    q->peer_closed_id = g_signal_connect(conn, "closed", G_CALLBACK(peer_closed), q);
    g_dbus_connection_start_message_processing(conn);
    if (q->lost)
        sc_info("qemu-dbus: attached to QEMU %s again", q->owner);
    q->lost = false;
    sc_debug("qemu-dbus: listener connection up");
}

static void register_done(GObject *obj, GAsyncResult *res, gpointer data)
{
    GError *err = NULL;
    GVariant *ret = g_dbus_connection_call_with_unix_fd_list_finish(G_DBUS_CONNECTION(obj), NULL,
                                                                    res, &err);
    (void)data;
    if (!ret) {
        if (!g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            sc_error("qemu-dbus: Console.RegisterListener failed: %s", err->message);
        g_error_free(err);
        return;
    }
    g_variant_unref(ret);
}

static bool register_listener(struct qdbus *q)
{
    int sv[2];
    GError *err = NULL;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        sc_error("qemu-dbus: socketpair: %s", g_strerror(errno));
        return false;
    }
    GSocket *sock = g_socket_new_from_fd(sv[0], &err);
    if (!sock) {
        sc_error("qemu-dbus: %s", err->message);
        g_error_free(err);
        close(sv[0]);
        close(sv[1]);
        return false;
    }
    GSocketConnection *stream = g_socket_connection_factory_create_connection(sock);
    g_object_unref(sock);
    /* QEMU is the authenticating server of this peer connection, we are
     * the client; nothing may be dispatched before our object exists */
    g_dbus_connection_new(G_IO_STREAM(stream), NULL,
                          G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                              G_DBUS_CONNECTION_FLAGS_DELAY_MESSAGE_PROCESSING,
                          NULL, q->cancel, peer_ready, q);
    g_object_unref(stream);

    GUnixFDList *fds = g_unix_fd_list_new_from_array(&sv[1], 1); /* takes sv[1] */
    g_dbus_connection_call_with_unix_fd_list(q->bus, q->owner, q->console_path, CONSOLE_IFACE,
                                             "RegisterListener", g_variant_new("(h)", 0), NULL,
                                             G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS, fds,
                                             q->cancel, register_done, q);
    g_object_unref(fds);
    return true;
}

/* The Console properties (a GetAll reply): size and label; false without
 * the Console interface. */
static bool parse_console(struct qdbus *q, GVariant *ret, GError **error)
{
    GVariant *props = g_variant_get_child_value(ret, 0);
    GVariantDict d;
    g_variant_dict_init(&d, props);
    uint32_t w = 0, h = 0;
    const char *label = "?", *type = "?";
    bool any = g_variant_dict_lookup(&d, "Width", "u", &w);
    g_variant_dict_lookup(&d, "Height", "u", &h);
    g_variant_dict_lookup(&d, "Label", "&s", &label);
    g_variant_dict_lookup(&d, "Type", "&s", &type);
    if (!any) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                    "qemu-dbus: %s has no %s interface (console %u does not exist?)",
                    q->console_path, CONSOLE_IFACE, q->console);
    } else {
        q->base.width = w;
        q->base.height = h;
        sc_info("qemu-dbus: QEMU %s on %s, console %u '%s' (%s) %ux%u", q->owner, q->address,
                q->console, label, type, w, h);
    }
    g_variant_dict_clear(&d);
    g_variant_unref(props);
    return any;
}

/* ---- source lost, and back ---------------------------------------------- */

/* The picture the notice dims: the dma-buf's when one is shown and mapped,
 * else the shadow's. */
static struct sc_frame *lost_notice(struct qdbus *q, const char *why)
{
    const struct sc_frame *d = q->dmabuf;
    uint32_t w = d ? d->width : q->w, h = d ? d->height : q->h;
    const uint8_t *under = d ? (d->map ? d->map + d->offset : NULL) : q->shadow;
    uint32_t stride = d ? d->stride : q->w * 4;

    if (!w || !h) {
        w = q->base.width ? q->base.width : 640;
        h = q->base.height ? q->base.height : 480;
        under = NULL;
    }
    return sc_notice_frame_new(w, h, under, stride, "Source lost", why);
}

/* No display connection to QEMU any more: clients get one notice frame
 * instead of a frozen picture; what QEMU sends next replaces it. */
static void source_lost(struct qdbus *q, const char *why)
{
    struct sc_frame *f;

    if (q->lost || !q->running)
        return;
    q->lost = true;
    sc_warn("qemu-dbus: source lost (%s): clients see a notice until QEMU is back", why);
    cancel_emit(q);
    q->dirty = false;
    q->damage.full_damage = false;
    q->damage.n_damage = 0;
    g_ptr_array_set_size(q->held, 0);
    f = lost_notice(q, why);
    drop_dmabuf(q);
    if (!f)
        return;
    /* no pool frame: every pool frame is now behind by everything */
    sc_stale_emitted(&q->stale, NULL, f);
    f->seq = q->seq++;
    sc_source_emit_frame(&q->base, f);
    sc_frame_unref(f);
}

static void attach_mouse_done(GObject *obj, GAsyncResult *res, gpointer data)
{
    GError *err = NULL;
    GDBusProxy *mouse = g_dbus_proxy_new_finish(res, &err);
    (void)obj;
    if (!mouse) {
        if (g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED)) {
            g_error_free(err);
            return;
        }
        sc_warn("qemu-dbus: no mouse on the returned QEMU: %s", err->message);
        g_error_free(err);
    }
    struct qdbus *q = data;
    g_clear_object(&q->mouse);
    q->mouse = mouse;
    q->have_pos = false;
    if (q->running && !q->peer)
        register_listener(q);
}

static void attach_console_done(GObject *obj, GAsyncResult *res, gpointer data)
{
    GError *err = NULL;
    GVariant *ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(obj), res, &err);
    if (!ret) {
        if (!g_error_matches(err, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            sc_warn("qemu-dbus: the returned QEMU has no console: %s", err->message);
        g_error_free(err);
        return;
    }
    struct qdbus *q = data;
    bool ok = parse_console(q, ret, &err);
    g_variant_unref(ret);
    if (!ok) {
        sc_warn("%s", err->message);
        g_error_free(err);
        return;
    }
    g_dbus_proxy_new(q->bus, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START, NULL, q->owner,
                     q->console_path, MOUSE_IFACE, q->attach_cancel, attach_mouse_done, q);
}

/* Console, mouse, then the listener: what create and start do, without
 * blocking the loop. */
static void attach(struct qdbus *q)
{
    if (q->attach_cancel)
        g_cancellable_cancel(q->attach_cancel);
    g_clear_object(&q->attach_cancel);
    q->attach_cancel = g_cancellable_new();
    g_dbus_connection_call(q->bus, q->owner, q->console_path, "org.freedesktop.DBus.Properties",
                           "GetAll", g_variant_new("(s)", CONSOLE_IFACE),
                           G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                           CALL_TIMEOUT_MS, q->attach_cancel, attach_console_done, q);
}

static gboolean reattach_cb(gpointer data)
{
    struct qdbus *q = data;

    q->reattach = 0;
    if (q->owner && q->running && !q->peer)
        attach(q);
    return G_SOURCE_REMOVE;
}

static void stop_attaching(struct qdbus *q)
{
    if (q->attach_cancel)
        g_cancellable_cancel(q->attach_cancel);
    g_clear_object(&q->attach_cancel);
    if (q->reattach)
        g_source_remove(q->reattach);
    q->reattach = 0;
}

static void name_vanished(GDBusConnection *conn, const gchar *name, gpointer data)
{
    struct qdbus *q = data;
    (void)conn;
    if (!q->owner)
        return;
    sc_warn("qemu-dbus: %s left the bus (QEMU exited?)", name);
    stop_attaching(q);
    g_clear_pointer(&q->owner, g_free);
    watch_console(q);
    g_clear_object(&q->mouse);
    drop_peer(q);
    source_lost(q, "QEMU left the bus; waiting for it to come back");
}

static void name_appeared(GDBusConnection *conn, const gchar *name, const gchar *owner,
                          gpointer data)
{
    struct qdbus *q = data;
    (void)conn;
    if (q->owner && !strcmp(q->owner, owner))
        return; /* the QEMU we have (the watch's first call) */
    if (q->owner) { /* replaced without leaving: drop the old one */
        stop_attaching(q);
        g_clear_object(&q->mouse);
        drop_peer(q);
        source_lost(q, "QEMU was replaced on the bus");
    }
    g_free(q->owner);
    q->owner = g_strdup(owner);
    watch_console(q);
    sc_info("qemu-dbus: %s is on the bus again (%s): attaching", name, owner);
    attach(q);
}

/* ---- bus, create ------------------------------------------------------ */

static bool parse_args(struct qdbus *q, const char *args, GError **error)
{
    GString *addr = g_string_new(NULL);
    char **parts = g_strsplit(args ? args : "", ",", -1);
    bool ok = true;

    for (char **p = parts; *p; p++) {
        if (g_str_has_prefix(*p, "console=")) {
            char *end;
            errno = 0;
            unsigned long n = strtoul(*p + 8, &end, 10);
            if (errno || end == *p + 8 || *end || n > 1024) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                            "qemu-dbus: bad console number '%s'", *p + 8);
                ok = false;
                break;
            }
            q->console = (unsigned)n;
        } else if (**p) {
            g_string_append_printf(addr, "%s%s", addr->len ? "," : "", *p);
        }
    }
    g_strfreev(parts);
    if (ok && addr->len == 0) {
        const char *env = g_getenv("DBUS_SESSION_BUS_ADDRESS");
        if (!env || !*env) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                        "qemu-dbus: no session bus: DBUS_SESSION_BUS_ADDRESS is not set and no "
                        "address was given (qemu-dbus:ADDRESS)");
            ok = false;
        } else {
            g_string_assign(addr, env);
        }
    }
    q->address = g_string_free(addr, !ok);
    return ok;
}

static bool find_qemu(struct qdbus *q, GError **error)
{
    GError *err = NULL;
    GVariant *ret = g_dbus_connection_call_sync(
        q->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
        "GetNameOwner", g_variant_new("(s)", QEMU_NAME), G_VARIANT_TYPE("(s)"),
        G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, NULL, &err);
    if (!ret) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                    "qemu-dbus: no QEMU on the bus %s: nobody owns %s (is QEMU running with "
                    "-display dbus?): %s", q->address, QEMU_NAME, err->message);
        g_error_free(err);
        return false;
    }
    g_variant_get(ret, "(s)", &q->owner);
    g_variant_unref(ret);
    return true;
}

static bool read_console(struct qdbus *q, GError **error)
{
    GError *err = NULL;
    GVariant *ret = g_dbus_connection_call_sync(
        q->bus, q->owner, q->console_path, "org.freedesktop.DBus.Properties", "GetAll",
        g_variant_new("(s)", CONSOLE_IFACE), G_VARIANT_TYPE("(a{sv})"),
        G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS, NULL, &err);
    if (!ret) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                    "qemu-dbus: QEMU has no console %u (%s): %s", q->console, q->console_path,
                    err->message);
        g_error_free(err);
        return false;
    }
    bool ok = parse_console(q, ret, error);
    g_variant_unref(ret);
    return ok;
}

static void qdbus_destroy(struct sc_source *source);

static struct sc_source *qdbus_create(const char *args, GError **error)
{
    struct qdbus *q = g_new0(struct qdbus, 1);
    GError *err = NULL;

    q->base.impl = &sc_source_qemu_dbus;
    if (!parse_args(q, args, error))
        goto err;
    q->console_path = g_strdup_printf("/org/qemu/Display1/Console_%u", q->console);
    q->bus = g_dbus_connection_new_for_address_sync(
        q->address,
        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
        NULL, NULL, &err);
    if (!q->bus) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "qemu-dbus: cannot connect to the bus %s: %s",
                    q->address, err->message);
        g_error_free(err);
        goto err;
    }
    g_dbus_connection_set_exit_on_close(q->bus, FALSE);
    q->held = g_ptr_array_new_with_free_func(held_update_free);
    if (!find_qemu(q, error) || !read_console(q, error))
        goto err;
    watch_console(q);
    q->mouse = g_dbus_proxy_new_sync(q->bus, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START, NULL, q->owner,
                                     q->console_path, MOUSE_IFACE, NULL, &err);
    if (!q->mouse) {
        sc_warn("qemu-dbus: no mouse on console %u: %s", q->console, err->message);
        g_clear_error(&err);
    }
    q->name_watch = g_bus_watch_name_on_connection(q->bus, QEMU_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   name_appeared, name_vanished, q, NULL);
    return &q->base;
err:
    qdbus_destroy(&q->base);
    return NULL;
}

static void qdbus_start(struct sc_source *source)
{
    struct qdbus *q = (struct qdbus *)source;
    if (q->running)
        return;
    q->running = true;
    q->cancel = g_cancellable_new();
    if (q->shadow || q->dmabuf) /* restarted: show what we have right away */
        add_damage(q, 0, 0, 0, 0, true);
    if (q->owner)
        register_listener(q);
    else /* attached when QEMU is back on the bus */
        source_lost(q, "QEMU is not on the bus; waiting for it to come back");
}

static void qdbus_stop(struct sc_source *source)
{
    struct qdbus *q = (struct qdbus *)source;
    if (!q->running)
        return;
    q->running = false;
    stop_attaching(q);
    q->lost = false;
    q->size_asked = false;
    g_ptr_array_set_size(q->held, 0);
    g_cancellable_cancel(q->cancel);
    g_clear_object(&q->cancel);
    drop_peer(q);
    cancel_emit(q);
}

/* ---- input ------------------------------------------------------------ */

static void call_done(GObject *obj, GAsyncResult *res, gpointer data)
{
    GError *err = NULL;
    GVariant *ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(obj), res, &err);
    if (ret) {
        g_variant_unref(ret);
        return;
    }
    sc_debug("qemu-dbus: %s failed: %s", (const char *)data, err->message);
    g_error_free(err);
}

static void input_call(struct qdbus *q, const char *iface, const char *method, GVariant *args)
{
    if (!q->owner || q->lost) { /* nobody to send it to */
        g_variant_unref(g_variant_ref_sink(args));
        return;
    }
    g_dbus_connection_call(q->bus, q->owner, q->console_path, iface, method, args, NULL,
                           G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS, NULL, call_done,
                           (gpointer)method);
}

static void qdbus_key(struct sc_source *source, const uint8_t *sc, unsigned len, bool down)
{
    struct qdbus *q = (struct qdbus *)source;
    uint32_t code;

    /* QEMU numbers: the set-1 make code, bit 7 set for E0-prefixed keys */
    if (len == 1)
        code = sc[0] & 0x7f;
    else if (len == 2 && sc[0] == 0xe0)
        code = 0x80 | (sc[1] & 0x7f);
    else if (len >= 3 && sc[0] == 0xe1 && (sc[1] & 0x7f) == 0x1d && (sc[2] & 0x7f) == 0x45)
        code = 0xc6; /* Pause */
    else {
        sc_debug("qemu-dbus: key sequence of %u bytes (0x%02x...) not mapped", len, len ? sc[0] : 0);
        return;
    }
    if (code == 0 || code == 0x80)
        return;
    input_call(q, KEYBOARD_IFACE, down ? "Press" : "Release", g_variant_new("(u)", code));
}

static bool mouse_absolute(struct qdbus *q)
{
    if (!q->mouse)
        return false;
    GVariant *v = g_dbus_proxy_get_cached_property(q->mouse, "IsAbsolute");
    bool abs = v && g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN) && g_variant_get_boolean(v);
    if (v)
        g_variant_unref(v);
    return abs;
}

static void qdbus_pointer(struct sc_source *source, int32_t x, int32_t y, uint32_t buttons)
{
    struct qdbus *q = (struct qdbus *)source;
    /* SPICE mask bits 1 left, 2 middle, 4 right; QEMU 0 left, 1 middle, 2 right */
    static const uint32_t bits[] = { 1, 2, 4 };

    if (!q->mouse)
        return;
    if (!q->have_pos || x != q->px || y != q->py) {
        if (mouse_absolute(q)) {
            /* the size of the last frame emitted */
            uint32_t ux = (uint32_t)CLAMP(x, 0, (int32_t)MAX(q->base.width, 1u) - 1);
            uint32_t uy = (uint32_t)CLAMP(y, 0, (int32_t)MAX(q->base.height, 1u) - 1);
            input_call(q, MOUSE_IFACE, "SetAbsPosition", g_variant_new("(uu)", ux, uy));
        } else if (q->have_pos) {
            input_call(q, MOUSE_IFACE, "RelMotion", g_variant_new("(ii)", x - q->px, y - q->py));
        }
        q->px = x;
        q->py = y;
        q->have_pos = true;
    }
    for (uint32_t b = 0; b < G_N_ELEMENTS(bits); b++) {
        if ((buttons ^ q->buttons) & bits[b])
            input_call(q, MOUSE_IFACE, buttons & bits[b] ? "Press" : "Release",
                       g_variant_new("(u)", b));
    }
    q->buttons = buttons;
}

static void qdbus_destroy(struct sc_source *source)
{
    struct qdbus *q = (struct qdbus *)source;
    qdbus_stop(source);
    stop_attaching(q);
    if (q->name_watch)
        g_bus_unwatch_name(q->name_watch);
    if (q->props_sub)
        g_dbus_connection_signal_unsubscribe(q->bus, q->props_sub);
    if (q->held)
        g_ptr_array_free(q->held, TRUE);
    drop_dmabuf(q);
    sc_frame_pool_destroy(q->pool);
    g_free(q->shadow);
    g_clear_object(&q->mouse);
    if (q->bus)
        g_dbus_connection_close_sync(q->bus, NULL, NULL);
    g_clear_object(&q->bus);
    g_free(q->owner);
    g_free(q->console_path);
    g_free(q->address);
    g_free(q);
}

const struct sc_source_ops sc_source_qemu_dbus = {
    .name = "qemu-dbus",
    .help = "qemu-dbus[:ADDRESS][,console=N]  a QEMU VM (-display dbus), session bus by default",
    .create = qdbus_create,
    .start = qdbus_start,
    .stop = qdbus_stop,
    .key = qdbus_key,
    .pointer = qdbus_pointer,
    .destroy = qdbus_destroy,
};
