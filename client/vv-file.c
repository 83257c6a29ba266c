/* .vv connection files (see vv-file.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "client/vv-file.h"
#include "common/log.h"

#define GROUP "virt-viewer"

static const char *const hotkey_keys[] = {
    "toggle-fullscreen", "release-cursor", "secure-attention",
    "zoom-in", "zoom-out", "zoom-reset",
};

static char *get_str(GKeyFile *kf, const char *key)
{
    return g_key_file_get_string(kf, GROUP, key, NULL);
}

/* An integer key: *out stays as is when absent; false if present and not
 * a number in lo..hi. */
static bool get_int(GKeyFile *kf, const char *key, int lo, int hi, int *out, GError **error)
{
    g_autoptr(GError) e = NULL;
    int v;

    if (!g_key_file_has_key(kf, GROUP, key, NULL))
        return true;
    v = g_key_file_get_integer(kf, GROUP, key, &e);
    if (e || v < lo || v > hi) {
        g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                    "%s=: not a number in %d..%d", key, lo, hi);
        return false;
    }
    *out = v;
    return true;
}

static char *collect_hotkeys(GKeyFile *kf)
{
    GString *s = g_string_new(NULL);

    for (size_t i = 0; i < G_N_ELEMENTS(hotkey_keys); i++) {
        g_autofree char *v = get_str(kf, hotkey_keys[i]);
        if (v)
            g_string_append_printf(s, "%s%s=%s", s->len ? "," : "", hotkey_keys[i], v);
    }
    return g_string_free(s, s->len == 0);
}

static bool read_keys(GKeyFile *kf, struct sc_vv_file *vv, GError **error)
{
    int fullscreen = 0, del = 0;

    vv->host = get_str(kf, "host");
    vv->unix_path = get_str(kf, "unix-path");
    vv->username = get_str(kf, "username");
    vv->password = get_str(kf, "password");
    vv->title = get_str(kf, "title");
    vv->ca = get_str(kf, "ca");
    vv->host_subject = get_str(kf, "host-subject");
    vv->secure_channels = g_key_file_get_string_list(kf, GROUP, "secure-channels", NULL, NULL);
    vv->hotkeys = collect_hotkeys(kf);
    if (!get_int(kf, "port", 1, 65535, &vv->port, error) ||
        !get_int(kf, "tls-port", 1, 65535, &vv->tls_port, error) ||
        !get_int(kf, "fullscreen", 0, 1, &fullscreen, error) ||
        !get_int(kf, "delete-this-file", 0, 1, &del, error))
        return false;
    vv->fullscreen = fullscreen;
    vv->delete_this_file = del;
    if (!vv->unix_path && (!vv->host || !*vv->host || (!vv->port && !vv->tls_port))) {
        g_set_error_literal(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_NOT_FOUND,
                            "no host= with port= or tls-port=, and no unix-path=");
        return false;
    }
    return true;
}

bool sc_vv_file_parse(const char *data, size_t len, struct sc_vv_file *vv, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();

    memset(vv, 0, sizeof(*vv));
    if (!g_key_file_load_from_data(kf, data, len, G_KEY_FILE_NONE, error))
        return false;
    vv->type = get_str(kf, "type");
    if (!vv->type) {
        g_set_error_literal(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_NOT_FOUND,
                            "no [virt-viewer] group with a type= key");
        goto err;
    }
    if (strcmp(vv->type, "spice")) {
        g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                    "type=%s: this viewer speaks SPICE only", vv->type);
        goto err;
    }
    if (!read_keys(kf, vv, error))
        goto err;
    return true;
err:
    sc_vv_file_clear(vv);
    return false;
}

bool sc_vv_file_load(const char *path, struct sc_vv_file *vv, GError **error)
{
    g_autofree char *data = NULL;
    gsize len;
    bool ok;

    memset(vv, 0, sizeof(*vv));
    if (!g_file_get_contents(path, &data, &len, error))
        return false;
    ok = sc_vv_file_parse(data, len, vv, error);
    memset(data, 0, len); /* a password was in there */
    if (!ok) {
        g_prefix_error(error, "%s: ", path);
        return false;
    }
    if (vv->delete_this_file && !g_getenv("VIRT_VIEWER_KEEP_FILE") && g_unlink(path) != 0)
        sc_warn("%s: cannot delete it (delete-this-file=1): %s", path, g_strerror(errno));
    return true;
}

void sc_vv_file_clear(struct sc_vv_file *vv)
{
    if (vv->password)
        memset(vv->password, 0, strlen(vv->password));
    g_free(vv->password);
    g_free(vv->type);
    g_free(vv->host);
    g_free(vv->unix_path);
    g_free(vv->username);
    g_free(vv->title);
    g_free(vv->ca);
    g_free(vv->host_subject);
    g_strfreev(vv->secure_channels);
    g_free(vv->hotkeys);
    memset(vv, 0, sizeof(*vv));
}

bool sc_vv_file_sniff(const char *path)
{
    struct stat st;

    if (g_str_has_suffix(path, ".vv"))
        return true;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}
