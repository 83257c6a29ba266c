/* remote-viewer's connection files (.vv, MIME application/x-virt-viewer):
 * a GKeyFile with a [virt-viewer] group whose type= is mandatory.  The keys
 * read, with virt-viewer's meaning (virt-viewer-file.c):
 *   type (spice; vnc and others are refused: this is a SPICE viewer),
 *   host, port, tls-port, unix-path, username, password, title,
 *   fullscreen (0/1), ca (PEM text, lines joined with \n),
 *   host-subject, secure-channels (a ;-list), delete-this-file (0/1: the
 *   file is removed once read, unless VIRT_VIEWER_KEEP_FILE is set),
 *   toggle-fullscreen, release-cursor, secure-attention, zoom-in,
 *   zoom-out, zoom-reset (hotkeys in spice's format, "shift+f11").
 * Other keys are ignored, as virt-viewer ignores what it does not know. */
#pragma once
#include <stdbool.h>

#include <glib.h>

struct sc_vv_file {
    char *type;
    char *host;
    int port, tls_port; /* 0: not given */
    char *unix_path;
    char *username;
    char *password;
    char *title;
    bool fullscreen;
    char *ca;
    char *host_subject;
    char **secure_channels; /* NULL-ended, or NULL */
    bool delete_this_file;
    /* "toggle-fullscreen=shift+f11,release-cursor=..." for the window's
     * --hotkeys parser, built from the hotkey keys present; NULL if none */
    char *hotkeys;
};

/* Reads and checks path (and deletes it if it says so).  false + error:
 * the file cannot be read, is no key file, has no [virt-viewer] type=, is
 * not type=spice, or gives neither host with a port nor unix-path, or a
 * port out of 1..65535. */
bool sc_vv_file_load(const char *path, struct sc_vv_file *vv, GError **error);
/* The same from memory (no deletion). */
bool sc_vv_file_parse(const char *data, size_t len, struct sc_vv_file *vv, GError **error);
void sc_vv_file_clear(struct sc_vv_file *vv);
/* Whether a command-line argument is to be read as a connection file: a
 * name ending in .vv (so that a missing one is an error about the file),
 * or any regular file (sockets are taken as socket paths). */
bool sc_vv_file_sniff(const char *path);
