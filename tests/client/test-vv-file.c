/* remote-viewer's .vv files (client/vv-file.c) and its hotkey strings
 * (client/hotkeys.c): the fields read with virt-viewer's meaning, files
 * that do not parse refused with a message, delete-this-file honoured. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "client/hotkeys.h"
#include "client/vv-file.h"

static const char full[] =
    "# a comment\n"
    "[virt-viewer]\n"
    "type=spice\n"
    "host=192.0.2.7\n"
    "port=5900\n"
    "tls-port=5901\n"
    "password=s3cret\n"
    "title=My VM - %d\n"
    "fullscreen=1\n"
    "ca=-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n\n"
    "host-subject=C=XX,L=city,O=org,CN=host\n"
    "secure-channels=main;inputs;cursor;\n"
    "toggle-fullscreen=shift+f11\n"
    "release-cursor=shift+f12\n"
    "delete-this-file=0\n"
    "x-vendor-key=ignored\n"
    "[ovirt]\n"
    "host=https://engine\n";

static void test_full(void)
{
    struct sc_vv_file vv;
    g_autoptr(GError) error = NULL;

    g_assert_true(sc_vv_file_parse(full, strlen(full), &vv, &error));
    g_assert_no_error(error);
    g_assert_cmpstr(vv.type, ==, "spice");
    g_assert_cmpstr(vv.host, ==, "192.0.2.7");
    g_assert_cmpint(vv.port, ==, 5900);
    g_assert_cmpint(vv.tls_port, ==, 5901);
    g_assert_cmpstr(vv.password, ==, "s3cret");
    g_assert_cmpstr(vv.title, ==, "My VM - %d");
    g_assert_true(vv.fullscreen);
    g_assert_cmpstr(vv.ca, ==, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
    g_assert_cmpstr(vv.host_subject, ==, "C=XX,L=city,O=org,CN=host");
    g_assert_nonnull(vv.secure_channels);
    g_assert_cmpuint(g_strv_length(vv.secure_channels), ==, 3);
    g_assert_cmpstr(vv.secure_channels[2], ==, "cursor");
    g_assert_cmpstr(vv.hotkeys, ==, "toggle-fullscreen=shift+f11,release-cursor=shift+f12");
    g_assert_false(vv.delete_this_file);
    sc_vv_file_clear(&vv);
    g_assert_null(vv.host);
}

static void test_unix(void)
{
    static const char f[] = "[virt-viewer]\ntype=spice\nunix-path=/run/vm.sock\n";
    struct sc_vv_file vv;

    g_assert_true(sc_vv_file_parse(f, strlen(f), &vv, NULL));
    g_assert_cmpstr(vv.unix_path, ==, "/run/vm.sock");
    g_assert_null(vv.host);
    g_assert_null(vv.hotkeys);
    g_assert_false(vv.fullscreen);
    sc_vv_file_clear(&vv);
}

static const struct {
    const char *text, *message;
} bads[] = {
    { "this is not a key file\n", "" },
    { "[other]\ntype=spice\nhost=h\nport=1\n", "no [virt-viewer] group with a type=" },
    { "[virt-viewer]\nhost=h\nport=1\n", "no [virt-viewer] group with a type=" },
    { "[virt-viewer]\ntype=vnc\nhost=h\nport=5900\n", "type=vnc: this viewer speaks SPICE only" },
    { "[virt-viewer]\ntype=spice\nhost=h\n", "no host= with port= or tls-port=" },
    { "[virt-viewer]\ntype=spice\nport=5900\n", "no host= with port= or tls-port=" },
    { "[virt-viewer]\ntype=spice\nhost=h\nport=59o0\n", "port=: not a number in 1..65535" },
    { "[virt-viewer]\ntype=spice\nhost=h\nport=70000\n", "port=: not a number" },
    { "[virt-viewer]\ntype=spice\nhost=h\nport=1\nfullscreen=yes\n", "fullscreen=: not a number" },
};

static void test_bad(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(bads); i++) {
        struct sc_vv_file vv;
        g_autoptr(GError) error = NULL;

        g_test_message("%s", bads[i].text);
        g_assert_false(sc_vv_file_parse(bads[i].text, strlen(bads[i].text), &vv, &error));
        g_assert_nonnull(error);
        g_assert_nonnull(strstr(error->message, bads[i].message));
        g_assert_null(vv.type);
    }
}

static void test_delete(void)
{
    g_autofree char *dir = g_dir_make_tmp("sc-vv-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "c.vv", NULL);
    static const char f[] = "[virt-viewer]\ntype=spice\nhost=h\nport=5900\ndelete-this-file=1\n";
    struct sc_vv_file vv;

    g_unsetenv("VIRT_VIEWER_KEEP_FILE");
    g_assert_true(g_file_set_contents(path, f, -1, NULL));
    g_assert_true(sc_vv_file_load(path, &vv, NULL));
    g_assert_true(vv.delete_this_file);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS)); /* gone once read */
    sc_vv_file_clear(&vv);
    g_setenv("VIRT_VIEWER_KEEP_FILE", "1", TRUE);
    g_assert_true(g_file_set_contents(path, f, -1, NULL));
    g_assert_true(sc_vv_file_load(path, &vv, NULL));
    g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS)); /* kept as asked */
    sc_vv_file_clear(&vv);
    g_unlink(path);
    g_rmdir(dir);
}

static void test_load_errors(void)
{
    struct sc_vv_file vv;
    g_autoptr(GError) error = NULL;

    g_assert_false(sc_vv_file_load("/nonexistent/x.vv", &vv, &error));
    g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
    g_assert_true(sc_vv_file_sniff("/nonexistent/x.vv"));
    g_assert_true(sc_vv_file_sniff("/etc/hostname") || !g_file_test("/etc/hostname", G_FILE_TEST_IS_REGULAR));
    g_assert_false(sc_vv_file_sniff("/nonexistent/socket"));
    g_assert_false(sc_vv_file_sniff("/tmp")); /* a directory */
}

static void test_hotkeys(void)
{
    struct sc_hotkeys h;
    g_autofree char *a = sc_hotkey_to_accel("shift+f11");
    g_autofree char *b = sc_hotkey_to_accel("Ctrl+Alt+Del");
    g_autofree char *c = sc_hotkey_to_accel("lctrl+rshift+pgup");

    g_assert_cmpstr(a, ==, "<Shift>F11");
    g_assert_cmpstr(b, ==, "<Ctrl><Alt>Delete");
    g_assert_cmpstr(c, ==, "<Ctrl><Shift>Page_Up");

    sc_hotkeys_init_defaults(&h); /* remote-viewer's defaults */
    g_assert_cmpstr(h.accels[SC_HOTKEY_TOGGLE_FULLSCREEN][0], ==, "F11");
    g_assert_cmpstr(h.accels[SC_HOTKEY_RELEASE_CURSOR][0], ==, "<Shift>F12");
    g_assert_cmpstr(h.accels[SC_HOTKEY_SECURE_ATTENTION][0], ==, "<Ctrl><Alt>End");
    g_assert_cmpstr(h.accels[SC_HOTKEY_ZOOM_IN][1], ==, "<Ctrl>KP_Add");
    g_assert_cmpstr(h.accels[SC_HOTKEY_ZOOM_RESET][0], ==, "<Ctrl>0");

    /* --hotkeys: the named ones set, the others off */
    sc_hotkeys_apply(&h, "toggle-fullscreen=shift+f11,release-cursor=shift+f12,smartcard-insert=f8,bogus,nope=x");
    g_assert_cmpstr(h.accels[SC_HOTKEY_TOGGLE_FULLSCREEN][0], ==, "<Shift>F11");
    g_assert_null(h.accels[SC_HOTKEY_TOGGLE_FULLSCREEN][1]);
    g_assert_cmpstr(h.accels[SC_HOTKEY_RELEASE_CURSOR][0], ==, "<Shift>F12");
    g_assert_null(h.accels[SC_HOTKEY_ZOOM_IN][0]);
    g_assert_null(h.accels[SC_HOTKEY_SECURE_ATTENTION][0]);
    sc_hotkeys_clear(&h);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vv-file/full", test_full);
    g_test_add_func("/vv-file/unix", test_unix);
    g_test_add_func("/vv-file/bad", test_bad);
    g_test_add_func("/vv-file/delete-this-file", test_delete);
    g_test_add_func("/vv-file/load-errors", test_load_errors);
    g_test_add_func("/hotkeys/parse", test_hotkeys);
    return g_test_run();
}
