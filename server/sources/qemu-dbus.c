#include "config.h"

/* --source qemu-dbus[:ADDRESS][,console=N|,consoles=N+M...]: a QEMU VM's
 * display through QEMU's `-display dbus` interface (QEMU 7.2+).  Without
 * console= or consoles= every graphical console QEMU exports (the VM
 * object's ConsoleIDs whose Console Type is "Graphic") is a head, in
 * console order: two with -device VGA -device secondary-vga, or with
 * virtio-vga,max_outputs=2.
 *
 * QEMU owns `org.qemu` on a bus (the session bus unless ADDRESS is given).
 * We check the console at create time, then at start hand QEMU one end of a
 * socketpair with Console.RegisterListener.  QEMU authenticates as the D-Bus
 * server on it; we are the client of that peer-to-peer connection and export
 * org.qemu.Display1.Listener on /org/qemu/Display1/Listener.  QEMU then calls
 * Scanout (whole surface by value), Update (a rectangle by value),
 * ScanoutDMABUF/UpdateDMABUF (gl=on only), Disable, MouseSet, CursorDefine.
 *
 * This file is the bus side; what QEMU draws becomes frames in
 * qemu-screen.c (qemu-dbus.h says how the two meet).  Input goes back as Keyboard.Press/Release (QEMU "qnum" numbers: the set-1
 * code, with bit 7 set for E0-prefixed keys) and Mouse calls.
 *
 * QEMU going away (it leaves the bus, or closes the display connection) is
 * "source lost": one notice frame (the last picture dimmed, saying so) goes
 * out, and the source waits.  When org.qemu appears again (a restarted VM
 * on the same bus) it attaches to it as at start: console, mouse, listener;
 * QEMU's first Scanout then replaces the notice. */

#include "server/sources/qemu-dbus.h"
#include "server/sources/heads.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

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
        sc_qdbus_set_size(q, w, h);
    g_variant_unref(props);
    g_variant_unref(ret);
}

/* Updates came beyond the scanout: what size is the console now? */
static void ask_size(struct qdbus *q)
{
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
        sc_qdbus_set_size(q, w, h);
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

/* ---- QEMU comes and goes ------------------------------------------------ */

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
        sc_qdbus_register_listener(q);
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

/* The display connection closed.  A QEMU still on the bus (one that only
 * dropped us) is registered with again; one that is exiting leaves the bus
 * first, which cancels this. */
static void peer_closed(struct qdbus *q)
{
    if (q->owner && !q->reattach)
        q->reattach = g_timeout_add(REATTACH_MS, reattach_cb, q);
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
    sc_qdbus_drop_peer(q);
    sc_qdbus_source_lost(q, "QEMU left the bus; waiting for it to come back");
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
        sc_qdbus_drop_peer(q);
        sc_qdbus_source_lost(q, "QEMU was replaced on the bus");
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
static struct sc_source *qdbus_create(const char *args, GError **error);
static struct sc_source *qdbus_create_one(const char *args, GError **error);

/* consoles=A+B+...: a head per console, each a qemu-dbus source of its
 * own (heads.c), as spice-server has a display channel per QXL head.
 * NULL without error: no consoles= in args. */
static struct sc_source *create_heads(const char *args, GError **error)
{
    g_auto(GStrv) parts = g_strsplit(args ? args : "", ",", -1);
    g_auto(GStrv) ids = NULL;
    g_autoptr(GString) rest = g_string_new(NULL);
    struct sc_source *children[SC_MAX_HEADS];
    unsigned n = 0;

    for (char **p = parts; *p; p++) {
        if (g_str_has_prefix(*p, "consoles="))
            ids = g_strsplit(*p + 9, "+", -1);
        else if (**p)
            g_string_append_printf(rest, "%s%s", rest->len ? "," : "", *p);
    }
    if (!ids)
        return NULL;
    if (!ids[0] || g_strv_length(ids) > SC_MAX_HEADS) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "qemu-dbus: consoles= takes 1 to %d console numbers (consoles=0+1)",
                    SC_MAX_HEADS);
        return NULL;
    }
    for (; ids[n]; n++) {
        g_autofree char *one = g_strdup_printf("%s%sconsole=%s", rest->str, rest->len ? "," : "",
                                               ids[n]);
        if (!(children[n] = qdbus_create(one, error))) {
            while (n > 0)
                sc_source_destroy(children[--n]);
            return NULL;
        }
    }
    return sc_source_heads_new(children, n);
}

/* ---- every graphical console by default -------------------------------- */

/* Console ID's Type on QEMU `owner`: 1 "Graphic", 0 another ("Text"), -1
 * no such console. */
static int console_graphic(GDBusConnection *bus, const char *owner, uint32_t id)
{
    g_autofree char *path = g_strdup_printf("/org/qemu/Display1/Console_%u", id);
    const char *type = NULL;
    GVariant *ret = g_dbus_connection_call_sync(
        bus, owner, path, "org.freedesktop.DBus.Properties", "Get",
        g_variant_new("(ss)", CONSOLE_IFACE, "Type"), G_VARIANT_TYPE("(v)"),
        G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS, NULL, NULL);
    g_autoptr(GVariant) v = NULL;
    int graphic;

    if (!ret)
        return -1;
    g_variant_get(ret, "(v)", &v);
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING))
        type = g_variant_get_string(v, NULL);
    graphic = type && !strcmp(type, "Graphic");
    g_variant_unref(ret);
    return graphic;
}

/* The console IDs QEMU lists on its VM object (ConsoleIDs, QEMU 7.2), in
 * its order; without it Console_0, Console_1... until one is missing. */
static GArray *console_ids(GDBusConnection *bus, const char *owner)
{
    GArray *ids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    GVariant *ret = g_dbus_connection_call_sync(
        bus, owner, "/org/qemu/Display1/VM", "org.freedesktop.DBus.Properties", "Get",
        g_variant_new("(ss)", "org.qemu.Display1.VM", "ConsoleIDs"), G_VARIANT_TYPE("(v)"),
        G_DBUS_CALL_FLAGS_NO_AUTO_START, CALL_TIMEOUT_MS, NULL, NULL);
    g_autoptr(GVariant) v = NULL;

    if (ret) {
        g_variant_get(ret, "(v)", &v);
        g_variant_unref(ret);
    }
    if (v && g_variant_is_of_type(v, G_VARIANT_TYPE("au"))) {
        gsize n;
        const uint32_t *p = g_variant_get_fixed_array(v, &n, sizeof(uint32_t));

        g_array_append_vals(ids, p, (guint)n);
        return ids;
    }
    for (uint32_t i = 0; i < SC_MAX_HEADS && console_graphic(bus, owner, i) >= 0; i++)
        g_array_append_val(ids, i);
    return ids;
}

#define MAX_CONSOLES_ASKED (SC_MAX_HEADS * 4)

/* No console= nor consoles= in args: "consoles=A+B..." for the graphical
 * consoles QEMU exports (in console order, at most SC_MAX_HEADS), or
 * "console=N" for a single one other than 0; NULL for console 0 alone or
 * when QEMU cannot be asked (the one-console path then says why). */
static char *discover_consoles(const char *args)
{
    struct qdbus tmp = { 0 };
    g_autoptr(GString) list = g_string_new(NULL);
    GDBusConnection *bus = NULL;
    GArray *ids = NULL;
    unsigned n = 0, first = 0;

    if (!parse_args(&tmp, args, NULL))
        return NULL;
    bus = g_dbus_connection_new_for_address_sync(
        tmp.address,
        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
        NULL, NULL, NULL);
    tmp.bus = bus;
    if (!bus || !find_qemu(&tmp, NULL))
        goto out;
    ids = console_ids(bus, tmp.owner);
    /* a call per console: a peer listing a million is asked about a few */
    for (guint i = 0; i < ids->len && i < MAX_CONSOLES_ASKED && n < SC_MAX_HEADS; i++) {
        uint32_t id = g_array_index(ids, uint32_t, i);

        if (console_graphic(bus, tmp.owner, id) != 1)
            continue;
        if (n++ == 0)
            first = id;
        g_string_append_printf(list, "%s%u", n > 1 ? "+" : "", id);
    }
    sc_info("qemu-dbus: QEMU exports %u graphical console%s (%s)%s", n, n == 1 ? "" : "s",
            list->str, n > 1 ? ": a head each" : "");
out:
    if (ids)
        g_array_unref(ids);
    if (bus) {
        g_dbus_connection_close_sync(bus, NULL, NULL);
        g_object_unref(bus);
    }
    g_free(tmp.owner);
    g_free(tmp.address);
    if (n > 1)
        return g_strdup_printf("consoles=%s", list->str);
    return n == 1 && first != 0 ? g_strdup_printf("console=%u", first) : NULL;
}

static bool names_console(const char *args)
{
    g_auto(GStrv) parts = g_strsplit(args ? args : "", ",", -1);

    for (char **p = parts; *p; p++)
        if (g_str_has_prefix(*p, "console=") || g_str_has_prefix(*p, "consoles="))
            return true;
    return false;
}

static struct sc_source *qdbus_create(const char *args, GError **error)
{
    struct sc_source *heads;
    g_autofree char *found = NULL, *all = NULL;

    if (!names_console(args) && (found = discover_consoles(args))) {
        GError *err = NULL;

        all = g_strdup_printf("%s%s%s", args && *args ? args : "", args && *args ? "," : "",
                              found);
        if ((heads = create_heads(all, &err)))
            return heads;
        if (!err) /* "console=N": one head */
            return qdbus_create_one(all, error);
        /* what was found, not asked for: the first console alone, as before */
        sc_warn("qemu-dbus: the consoles found (%s) cannot all be shown (%s): console 0 only",
                found, err->message);
        g_error_free(err);
        return qdbus_create_one(args, error);
    }
    if ((heads = create_heads(args, error)) || (error && *error))
        return heads;
    return qdbus_create_one(args, error);
}

static struct sc_source *qdbus_create_one(const char *args, GError **error)
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
    q->peer_closed = peer_closed;
    q->size_needed = ask_size;
    sc_qdbus_screen_init(q);
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
    sc_qdbus_screen_show(q); /* restarted: what we have, right away */
    if (q->owner)
        sc_qdbus_register_listener(q);
    else /* attached when QEMU is back on the bus */
        sc_qdbus_source_lost(q, "QEMU is not on the bus; waiting for it to come back");
}

static void qdbus_stop(struct sc_source *source)
{
    struct qdbus *q = (struct qdbus *)source;
    if (!q->running)
        return;
    q->running = false;
    stop_attaching(q);
    q->lost = false;
    g_cancellable_cancel(q->cancel);
    g_clear_object(&q->cancel);
    sc_qdbus_screen_stop(q);
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

static void qdbus_pointer(struct sc_source *source, unsigned head, int32_t x, int32_t y,
                          uint32_t buttons)
{
    struct qdbus *q = (struct qdbus *)source;
    /* SPICE mask bits 1 left, 2 middle, 4 right; QEMU 0 left, 1 middle, 2 right */
    static const uint32_t bits[] = { 1, 2, 4 };

    (void)head; /* one console, one head */
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

/* The client's window size, as a display's UI info: QEMU passes it to the
 * guest (virtio-gpu, QXL with an agent...); the frames change size if and
 * when the guest follows. */
static bool qdbus_resize(struct sc_source *source, unsigned head, uint32_t width, uint32_t height)
{
    struct qdbus *q = (struct qdbus *)source;

    (void)head; /* one console, one head */

    if (!q->owner || q->lost)
        return false;
    input_call(q, CONSOLE_IFACE, "SetUIInfo",
               g_variant_new("(qqiiuu)", 0, 0, 0, 0, width, height));
    return true;
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
    sc_qdbus_screen_finish(q);
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
    .help = "qemu-dbus[:ADDRESS][,console=N|,consoles=N+M...]  a QEMU VM (-display dbus), "
            "session bus by default; a head per graphical console unless console(s)= "
            "picks them",
    .create = qdbus_create,
    .start = qdbus_start,
    .stop = qdbus_stop,
    .key = qdbus_key,
    .pointer = qdbus_pointer,
    .resize = qdbus_resize,
    .destroy = qdbus_destroy,
};
