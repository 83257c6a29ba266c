#include "config.h"

/* The qemu-dbus source's listener side (see qemu-dbus.h): the peer-to-peer
 * D-Bus connection QEMU draws through, and the frames made of what it
 * sends.  Pixels go into a shadow buffer (XRGB8888); damage accumulates
 * until the main loop is idle, then one complete pool frame is emitted with
 * that damage (only what changed since that pool frame last went out is
 * copied into it).  A dma-buf scanout is passed on as an SC_FRAME_DMABUF
 * frame (mapped for the CPU encoders when it can be).  When QEMU goes away
 * one notice frame says so. */

#include "server/sources/qemu-dbus.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "codecs/codec.h"
#include "common/log.h"
#include "server/sources/notice.h"
#include "server/sources/qemu-pixels.h"
#include "server/sources/qemu-planes.h"

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
    "<property name='Interfaces' type='as' access='read'/></interface>"
    /* newer QEMUs call this one for a scanout of several planes, if the
     * Interfaces property names it */
    "<interface name='" DMABUF2_IFACE "'><method name='ScanoutDMABUF2'>" A("ah") A("u") A("u")
    A("u") A("u") A("au") A("au") A("u") A("u") A("u") A("u") A("t") A("b") "</method>"
    "</interface></node>";
#undef A


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
    struct sc_frame_buffer b = { d->kind, d->width, d->height, d->stride, d->offset,
                                 d->drm_fourcc, d->modifier, d->top_down, d->n_planes, { { 0 } } };
    struct sc_frame *f;
    char why[160];
    int fd = fcntl(d->fd, F_DUPFD_CLOEXEC, 0);

    if (fd >= 0 && !sc_frame_planes_dup(b.planes, d->planes, d->n_planes)) {
        int err = errno;

        close(fd);
        fd = -1;
        errno = err;
    }
    if (fd < 0) {
        sc_warn("qemu-dbus: dup dma-buf: %s", g_strerror(errno));
        return NULL;
    }
    f = g_new0(struct sc_frame, 1);
    /* once per emitted frame: a scanout found mappable at ScanoutDMABUF
     * cannot shrink since (a dma-buf, a sealed memfd), so only its size is
     * looked at again, not its seals and file system; one that was not is
     * checked in full (and fails the same way) */
    if (!sc_frame_wrap(f, fd, &b, d->map == NULL, why, sizeof(why)) && d->map)
        sc_warn("qemu-dbus: the dma-buf is no longer mappable: %s", why);
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

void sc_qdbus_set_size(struct qdbus *q, uint32_t w, uint32_t h)
{
    if (!q->shadow || q->dmabuf) /* a Scanout comes first */
        return;
    if ((w != q->w || h != q->h) && resize(q, w, h))
        add_damage(q, 0, 0, 0, 0, true);
    replay_held(q);
}

/* keeps its own reference to u->data */
static void hold_update(struct qdbus *q, const struct held_update *u)
{
    if (q->held->len >= MAX_HELD_UPDATES) {
        sc_warn("qemu-dbus: Update %d,%d %dx%d outside the %ux%u scanout, ignored", u->x, u->y,
                u->w, u->h, q->w, q->h);
        return;
    }
    struct held_update *held = g_memdup2(u, sizeof(*u));
    g_variant_ref(held->data);
    g_ptr_array_add(q->held, held);
    sc_debug("qemu-dbus: Update %d,%d %dx%d beyond %ux%u: held until the new size is known",
             u->x, u->y, u->w, u->h, q->w, q->h);
    if (!q->size_asked && q->running) {
        q->size_asked = true;
        q->size_needed(q);
    }
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
    struct held_update u;

    g_variant_get(params, "(iiiiuu@ay)", &u.x, &u.y, &u.w, &u.h, &u.stride, &u.fmt, &u.data);
    if (!q->shadow || q->dmabuf)
        sc_debug("qemu-dbus: Update before any Scanout, ignored");
    else if (u.x < 0 || u.y < 0 || u.w <= 0 || u.h <= 0)
        sc_warn("qemu-dbus: Update %d,%d %dx%d is empty or negative, ignored", u.x, u.y, u.w,
                u.h);
    else if (!fits(q, u.x, u.y, u.w, u.h))
        hold_update(q, &u);
    else
        apply_update(q, &u);
    g_variant_unref(u.data);
}

/* ScanoutDMABUF: the scanout is now the dma-buf fd (taken over); the
 * encoders get a CPU view of it where that is safe (sc_frame_wrap: a plain
 * memfd passed as a dma-buf could be truncated under them). */
static void set_dmabuf(struct qdbus *q, int fd, struct sc_frame_buffer *b)
{
    char why[160];

    if (b->width == 0 || b->height == 0 || b->width > MAX_DIM || b->height > MAX_DIM ||
        b->stride < b->width) {
        sc_warn("qemu-dbus: ScanoutDMABUF %ux%u stride %u is out of range, ignored", b->width,
                b->height, b->stride);
        close(fd);
        sc_frame_planes_close(b->planes, b->n_planes);
        return;
    }
    drop_dmabuf(q);
    q->dmabuf = g_new0(struct sc_frame, 1);
    if (sc_frame_wrap(q->dmabuf, fd, b, true, why, sizeof(why)))
        sc_info("qemu-dbus: dma-buf scanout %ux%u fourcc %.4s modifier 0x%" G_GINT64_MODIFIER "x",
                b->width, b->height, (const char *)&b->drm_fourcc, b->modifier);
    else
        sc_info("qemu-dbus: dma-buf scanout %ux%u fourcc %.4s modifier 0x%" G_GINT64_MODIFIER
                "x, not mappable (%s): remote clients get no pixels from it",
                b->width, b->height, (const char *)&b->drm_fourcc, b->modifier, why);
    q->damage.width = b->width;
    q->damage.height = b->height;
    add_damage(q, 0, 0, 0, 0, true);
}

static void on_scanout_dmabuf(struct qdbus *q, GVariant *params, GDBusMethodInvocation *inv)
{
    struct sc_frame_buffer b = { .kind = SC_FRAME_DMABUF };
    int32_t handle;
    gboolean y0_top;
    GUnixFDList *fds = g_dbus_message_get_unix_fd_list(g_dbus_method_invocation_get_message(inv));

    g_variant_get(params, "(huuuutb)", &handle, &b.width, &b.height, &b.stride, &b.drm_fourcc,
                  &b.modifier, &y0_top);
    b.top_down = y0_top; /* QEMU's name for it */
    int fd = fds ? g_unix_fd_list_get(fds, handle, NULL) : -1;
    if (fd < 0) {
        sc_warn("qemu-dbus: ScanoutDMABUF without a file descriptor, ignored");
        return;
    }
    set_dmabuf(q, fd, &b);
}

/* ScanoutDMABUF2: planes and a modifier (qemu-planes.c checks them). */
static void on_scanout_dmabuf2(struct qdbus *q, GVariant *params, GDBusMethodInvocation *inv)
{
    GUnixFDList *fds = g_dbus_message_get_unix_fd_list(g_dbus_method_invocation_get_message(inv));
    struct sc_frame_buffer b;
    char why[160];
    int fd;

    if (!sc_qemu_dmabuf2_parse(params, fds, &b, &fd, why, sizeof(why))) {
        sc_warn("qemu-dbus: ScanoutDMABUF2 refused: %s", why);
        return;
    }
    set_dmabuf(q, fd, &b);
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
    else if (!strcmp(method, "ScanoutDMABUF2"))
        on_scanout_dmabuf2(q, params, inv);
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
    const char *const ifaces[] = { LISTENER_IFACE, DMABUF2_IFACE, NULL };
    return g_variant_new_strv(ifaces, -1);
}

static const GDBusInterfaceVTable listener_vtable = {
    .method_call = listener_call,
    .get_property = listener_get,
};

/* ---- peer connection ---------------------------------------------------- */

void sc_qdbus_drop_peer(struct qdbus *q)
{
    if (!q->peer)
        return;
    if (q->peer_closed_id)
        g_signal_handler_disconnect(q->peer, q->peer_closed_id);
    if (q->peer_reg)
        g_dbus_connection_unregister_object(q->peer, q->peer_reg);
    if (q->peer_reg2)
        g_dbus_connection_unregister_object(q->peer, q->peer_reg2);
    g_dbus_connection_close(q->peer, NULL, NULL, NULL);
    g_clear_object(&q->peer);
    q->peer_reg = q->peer_reg2 = 0;
    q->peer_closed_id = 0;
}

static void peer_closed(GDBusConnection *conn, gboolean remote, GError *error, gpointer data)
{
    struct qdbus *q = data;
    (void)conn;
    sc_warn("qemu-dbus: QEMU closed the display connection%s%s%s", remote ? " (QEMU went away?)" : "",
            error ? ": " : "", error ? error->message : "");
    q->peer_closed_id = 0;
    sc_qdbus_drop_peer(q);
    sc_qdbus_source_lost(q, "QEMU closed the display connection");
    q->peer_closed(q);
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
    if (q->peer_reg)
        q->peer_reg2 = g_dbus_connection_register_object(conn, LISTENER_PATH,
                                                         listener_info()->interfaces[1],
                                                         &listener_vtable, q, NULL, &err);
    if (!q->peer_reg || !q->peer_reg2) {
        sc_error("qemu-dbus: cannot export %s: %s", LISTENER_PATH, err->message);
        g_error_free(err);
        sc_qdbus_drop_peer(q);
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

bool sc_qdbus_register_listener(struct qdbus *q)
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

/* ---- source lost --------------------------------------------------------- */

/* The dma-buf's picture as 32-bit pixels: its mapping, or an NV12 one's
 * BGRx copy (NULL: not mapped). */
static const uint8_t *dmabuf_pixels(const struct sc_frame *d, uint32_t *stride)
{
    if (d->drm_fourcc == DRM_FORMAT_NV12)
        return sc_codec_frame_pixels(d, stride);
    *stride = d->stride;
    return d->map ? d->map + d->offset : NULL;
}

/* The picture the notice dims: the dma-buf's when one is shown and mapped,
 * else the shadow's. */
static struct sc_frame *lost_notice(struct qdbus *q, const char *why)
{
    const struct sc_frame *d = q->dmabuf;
    uint32_t w = d ? d->width : q->w, h = d ? d->height : q->h;
    uint32_t stride = q->w * 4;
    const uint8_t *under = d ? dmabuf_pixels(d, &stride) : q->shadow;

    if (!w || !h) {
        w = q->base.width ? q->base.width : 640;
        h = q->base.height ? q->base.height : 480;
        under = NULL;
    }
    return sc_notice_frame_new(w, h, under, stride, "Source lost", why);
}

/* No display connection to QEMU any more: clients get one notice frame
 * instead of a frozen picture; what QEMU sends next replaces it. */
void sc_qdbus_source_lost(struct qdbus *q, const char *why)
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


/* ---- lifetime ------------------------------------------------------------ */

void sc_qdbus_screen_init(struct qdbus *q)
{
    q->held = g_ptr_array_new_with_free_func(held_update_free);
}

void sc_qdbus_screen_show(struct qdbus *q)
{
    if (q->shadow || q->dmabuf)
        add_damage(q, 0, 0, 0, 0, true);
}

void sc_qdbus_screen_stop(struct qdbus *q)
{
    sc_qdbus_drop_peer(q);
    cancel_emit(q);
    q->size_asked = false;
    if (q->held)
        g_ptr_array_set_size(q->held, 0);
}

void sc_qdbus_screen_finish(struct qdbus *q)
{
    drop_dmabuf(q);
    sc_frame_pool_destroy(q->pool);
    g_free(q->shadow);
    if (q->held)
        g_ptr_array_free(q->held, TRUE);
}
