/* The fake QEMU of the qemu-dbus source's tests (fake-qemu.h). */
#include "config.h"

#include <string.h>

#include <gio/gunixfdlist.h>

#include "tests/sources/fake-qemu.h"
#include "tests/sources/sources-util.h"

static const char fake_xml[] =
    "<node><interface name='org.qemu.Display1.Console'>"
    "<method name='RegisterListener'><arg type='h' direction='in'/></method>"
    "<method name='SetUIInfo'><arg type='q' direction='in'/><arg type='q' direction='in'/>"
    "<arg type='i' direction='in'/><arg type='i' direction='in'/><arg type='u' direction='in'/>"
    "<arg type='u' direction='in'/></method>"
    "<property name='Label' type='s' access='read'/><property name='Type' type='s' access='read'/>"
    "<property name='Width' type='u' access='read'/><property name='Height' type='u' access='read'/>"
    "</interface><interface name='org.qemu.Display1.Keyboard'>"
    "<method name='Press'><arg type='u' direction='in'/></method>"
    "<method name='Release'><arg type='u' direction='in'/></method>"
    "</interface><interface name='org.qemu.Display1.Mouse'>"
    "<method name='Press'><arg type='u' direction='in'/></method>"
    "<method name='Release'><arg type='u' direction='in'/></method>"
    "<method name='SetAbsPosition'><arg type='u' direction='in'/><arg type='u' direction='in'/></method>"
    "<method name='RelMotion'><arg type='i' direction='in'/><arg type='i' direction='in'/></method>"
    "<property name='IsAbsolute' type='b' access='read'/>"
    "</interface></node>";

struct fake_qemu fake;

static void fake_call(GDBusConnection *conn, const gchar *sender, const gchar *path, const gchar *iface,
                      const gchar *method, GVariant *params, GDBusMethodInvocation *inv, gpointer data)
{
    (void)conn, (void)sender, (void)path, (void)data;
    if (!strcmp(method, "RegisterListener")) {
        GUnixFDList *fds = g_dbus_message_get_unix_fd_list(g_dbus_method_invocation_get_message(inv));
        int fd = g_unix_fd_list_get(fds, 0, NULL);
        g_assert_cmpint(fd, >=, 0);
        g_dbus_method_invocation_return_value(inv, NULL);
        GSocket *sock = g_socket_new_from_fd(fd, NULL);
        GSocketConnection *stream = g_socket_connection_factory_create_connection(sock);
        g_autofree char *guid = g_dbus_generate_guid();
        GError *err = NULL;
        /* as QEMU: we authenticate as the server */
        GDBusConnection *peer = g_dbus_connection_new_sync(
            G_IO_STREAM(stream), guid, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_SERVER, NULL, NULL, &err);
        g_assert_no_error(err);
        g_object_unref(stream);
        g_object_unref(sock);
        g_mutex_lock(&fake.lock);
        fake.peer = peer;
        g_mutex_unlock(&fake.lock);
        return;
    }
    const char *short_iface = strrchr(iface, '.') + 1;
    g_autofree char *args = g_variant_print(params, FALSE);
    g_mutex_lock(&fake.lock);
    g_ptr_array_add(fake.calls, g_strdup_printf("%s.%s %s", short_iface, method, args));
    g_mutex_unlock(&fake.lock);
    g_dbus_method_invocation_return_value(inv, NULL);
}

static GVariant *fake_get(GDBusConnection *conn, const gchar *sender, const gchar *path,
                          const gchar *iface, const gchar *prop, GError **error, gpointer data)
{
    (void)conn, (void)sender, (void)path, (void)iface, (void)error, (void)data;
    if (!strcmp(prop, "Width") || !strcmp(prop, "Height")) {
        g_mutex_lock(&fake.lock);
        uint32_t v = !strcmp(prop, "Width") ? fake.width : fake.height;
        g_mutex_unlock(&fake.lock);
        return g_variant_new_uint32(v);
    }
    if (!strcmp(prop, "IsAbsolute"))
        return g_variant_new_boolean(fake.absolute);
    return g_variant_new_string(!strcmp(prop, "Label") ? "fake" : "Graphic");
}

static const GDBusInterfaceVTable fake_vtable = { .method_call = fake_call, .get_property = fake_get };

static gpointer fake_thread(gpointer data)
{
    GError *err = NULL;
    (void)data;
    g_main_context_push_thread_default(fake.ctx);
    fake.bus = g_dbus_connection_new_for_address_sync(
        fake.address,
        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
        NULL, NULL, &err);
    g_assert_no_error(err);
    GDBusNodeInfo *info = g_dbus_node_info_new_for_xml(fake_xml, &err);
    g_assert_no_error(err);
    for (int i = 0; info->interfaces[i]; i++) {
        g_dbus_connection_register_object(fake.bus, FAKE_PATH, info->interfaces[i], &fake_vtable, NULL, NULL,
                                          &err);
        g_assert_no_error(err);
    }
    GVariant *r = g_dbus_connection_call_sync(fake.bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                              "org.freedesktop.DBus", "RequestName",
                                              g_variant_new("(su)", "org.qemu", 4), NULL,
                                              G_DBUS_CALL_FLAGS_NONE, -1, NULL, &err);
    g_assert_no_error(err);
    g_variant_unref(r);
    g_mutex_lock(&fake.lock);
    fake.ready = true;
    g_cond_signal(&fake.cond);
    g_mutex_unlock(&fake.lock);
    g_main_loop_run(fake.loop);
    g_dbus_connection_close_sync(fake.bus, NULL, NULL);
    g_clear_object(&fake.bus);
    g_dbus_node_info_unref(info);
    g_main_context_pop_thread_default(fake.ctx);
    return NULL;
}

GThread *fake_start(void)
{
    fake.ctx = g_main_context_new();
    fake.loop = g_main_loop_new(fake.ctx, FALSE);
    fake.calls = g_ptr_array_new_with_free_func(g_free);
    fake.width = FAKE_W;
    fake.height = FAKE_H;
    GThread *t = g_thread_new("fake-qemu", fake_thread, NULL);
    g_mutex_lock(&fake.lock);
    while (!fake.ready)
        g_cond_wait(&fake.cond, &fake.lock);
    g_mutex_unlock(&fake.lock);
    return t;
}

static gboolean quit_fake(gpointer data)
{
    (void)data;
    g_main_loop_quit(fake.loop);
    return G_SOURCE_REMOVE;
}

void fake_stop(GThread *t)
{
    g_main_context_invoke(fake.ctx, quit_fake, NULL);
    g_thread_join(t);
    g_clear_object(&fake.peer);
    fake.ready = false;
    g_main_loop_unref(fake.loop);
    g_main_context_unref(fake.ctx);
    g_ptr_array_free(fake.calls, TRUE);
}

/* Iterates our main context until cond() or a 5 s timeout. */
void wait_until(bool (*cond)(void *), void *arg, const char *what)
{
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (!cond(arg)) {
        if (g_get_monotonic_time() > end)
            g_error("timed out waiting for %s", what);
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
}

bool have_peer(void *arg)
{
    (void)arg;
    g_mutex_lock(&fake.lock);
    bool ok = fake.peer != NULL;
    g_mutex_unlock(&fake.lock);
    return ok;
}

static bool have_calls(void *arg)
{
    g_mutex_lock(&fake.lock);
    bool ok = fake.calls->len >= GPOINTER_TO_UINT(arg);
    g_mutex_unlock(&fake.lock);
    return ok;
}

void expect_calls(const char *const *want)
{
    guint n = g_strv_length((char **)want);
    wait_until(have_calls, GUINT_TO_POINTER(n), "input calls");
    run_for(50); /* and no more */
    g_mutex_lock(&fake.lock);
    g_assert_cmpuint(fake.calls->len, ==, n);
    for (guint i = 0; i < n; i++)
        g_assert_cmpstr(g_ptr_array_index(fake.calls, i), ==, want[i]);
    g_ptr_array_set_size(fake.calls, 0);
    g_mutex_unlock(&fake.lock);
}

struct call_state { bool done; GError *error; };

static void call_cb(GObject *obj, GAsyncResult *res, gpointer data)
{
    struct call_state *st = data;
    GVariant *r = g_dbus_connection_call_with_unix_fd_list_finish(G_DBUS_CONNECTION(obj), NULL, res,
                                                                  &st->error);
    if (r)
        g_variant_unref(r);
    st->done = true;
}

static bool call_done(void *arg) { return ((struct call_state *)arg)->done; }

/* A listener method call from "QEMU" on interface iface, answered by the
 * source. */
void peer_call_iface(const char *iface, const char *method, GVariant *params,
                            GUnixFDList *fds)
{
    struct call_state st = { 0 };
    g_dbus_connection_call_with_unix_fd_list(fake.peer, NULL, "/org/qemu/Display1/Listener",
                                             iface, method, params, NULL,
                                             G_DBUS_CALL_FLAGS_NONE, 5000, fds, NULL, call_cb, &st);
    wait_until(call_done, &st, method);
    g_assert_no_error(st.error);
}

void peer_call(const char *method, GVariant *params, GUnixFDList *fds)
{
    peer_call_iface("org.qemu.Display1.Listener", method, params, fds);
}

