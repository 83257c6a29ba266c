/* remote-viewer's hotkeys: the names, their defaults (virt-viewer-app.c
 * hotkey_defaults) and its --hotkeys=NAME=KEY,... option, where KEY is in
 * spice's format ("shift+f11", "ctrl+alt+end") turned into GTK
 * accelerators as virt-viewer does (spice_hotkey_to_gtk_accelerator).
 * Given --hotkeys, the hotkeys it does not name are off, as there. */
#pragma once
#include <stdbool.h>

enum sc_hotkey {
    SC_HOTKEY_TOGGLE_FULLSCREEN,
    SC_HOTKEY_RELEASE_CURSOR,
    SC_HOTKEY_SECURE_ATTENTION,
    SC_HOTKEY_ZOOM_IN,
    SC_HOTKEY_ZOOM_OUT,
    SC_HOTKEY_ZOOM_RESET,
    SC_HOTKEY_TOGGLE_STATS, /* ours (the stats overlay): ctrl+alt+s, free in remote-viewer */
    SC_HOTKEY_COUNT
};

#define SC_HOTKEY_MAX_ACCELS 2

struct sc_hotkeys {
    /* GTK accelerator strings ("<Shift>F12"), NULL-ended; none: off */
    char *accels[SC_HOTKEY_COUNT][SC_HOTKEY_MAX_ACCELS + 1];
};

void sc_hotkeys_init_defaults(struct sc_hotkeys *h);
/* Applies a --hotkeys string (or a .vv file's hotkey keys in the same
 * form): every hotkey off, then those named set.  Unknown names and
 * entries without '=' are warned about and skipped, as remote-viewer does;
 * the names it has that do nothing here (smartcard-insert, ...) are
 * accepted silently. */
void sc_hotkeys_apply(struct sc_hotkeys *h, const char *spec);
void sc_hotkeys_clear(struct sc_hotkeys *h);
/* "shift+f11" -> "<Shift>F11" (caller frees) */
char *sc_hotkey_to_accel(const char *spice_key);
/* the name ("toggle-fullscreen") of a hotkey */
const char *sc_hotkey_name(enum sc_hotkey k);
