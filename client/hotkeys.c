/* remote-viewer's hotkeys (see hotkeys.h). */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "client/hotkeys.h"
#include "common/log.h"

static const struct {
    const char *name;
    const char *defaults[SC_HOTKEY_MAX_ACCELS];
} table[SC_HOTKEY_COUNT] = {
    [SC_HOTKEY_TOGGLE_FULLSCREEN] = { "toggle-fullscreen", { "F11", NULL } },
    [SC_HOTKEY_RELEASE_CURSOR] = { "release-cursor", { "<Shift>F12", NULL } },
    [SC_HOTKEY_SECURE_ATTENTION] = { "secure-attention", { "<Ctrl><Alt>End", NULL } },
    [SC_HOTKEY_ZOOM_IN] = { "zoom-in", { "<Ctrl>plus", "<Ctrl>KP_Add" } },
    [SC_HOTKEY_ZOOM_OUT] = { "zoom-out", { "<Ctrl>minus", "<Ctrl>KP_Subtract" } },
    [SC_HOTKEY_ZOOM_RESET] = { "zoom-reset", { "<Ctrl>0", "<Ctrl>KP_0" } },
    [SC_HOTKEY_TOGGLE_STATS] = { "toggle-stats", { "<Ctrl><Alt>s", NULL } },
};

/* remote-viewer's names with no action here */
static const char *const inert[] = { "smartcard-insert", "smartcard-remove", "usb-device-reset" };

/* virt-viewer's ctrl_key_to_gtk_key: modifiers and a few key names */
static const struct {
    const char *spice, *gtk;
} keys[] = {
    { "alt", "<Alt>" }, { "ralt", "<Alt>" }, { "rightalt", "<Alt>" }, { "right-alt", "<Alt>" },
    { "lalt", "<Alt>" }, { "leftalt", "<Alt>" }, { "left-alt", "<Alt>" },
    { "ctrl", "<Ctrl>" }, { "rctrl", "<Ctrl>" }, { "rightctrl", "<Ctrl>" },
    { "right-ctrl", "<Ctrl>" }, { "lctrl", "<Ctrl>" }, { "leftctrl", "<Ctrl>" },
    { "left-ctrl", "<Ctrl>" },
    { "shift", "<Shift>" }, { "rshift", "<Shift>" }, { "rightshift", "<Shift>" },
    { "right-shift", "<Shift>" }, { "lshift", "<Shift>" }, { "leftshift", "<Shift>" },
    { "left-shift", "<Shift>" },
    { "cmd", "<Ctrl>" }, { "rcmd", "<Ctrl>" }, { "rightcmd", "<Ctrl>" },
    { "right-cmd", "<Ctrl>" }, { "lcmd", "<Ctrl>" }, { "leftcmd", "<Ctrl>" },
    { "left-cmd", "<Ctrl>" },
    { "win", "<Super>" }, { "rwin", "<Super>" }, { "rightwin", "<Super>" },
    { "right-win", "<Super>" }, { "lwin", "<Super>" }, { "leftwin", "<Super>" },
    { "left-win", "<Super>" },
    { "esc", "Escape" }, { "ins", "Insert" }, { "del", "Delete" },
    { "pgup", "Page_Up" }, { "pageup", "Page_Up" }, { "pgdn", "Page_Down" },
    { "pagedown", "Page_Down" }, { "end", "End" }, { "enter", "Return" },
};

char *sc_hotkey_to_accel(const char *spice_key)
{
    g_auto(GStrv) parts = g_strsplit(spice_key, "+", -1);
    GString *s = g_string_new(NULL);

    for (char **p = parts; *p; p++) {
        size_t i;
        for (i = 0; i < G_N_ELEMENTS(keys); i++)
            if (!g_ascii_strcasecmp(keys[i].spice, *p))
                break;
        if (i < G_N_ELEMENTS(keys)) {
            g_string_append(s, keys[i].gtk);
        } else {
            g_autofree char *up = g_ascii_strup(*p, -1);
            g_string_append(s, up);
        }
    }
    return g_string_free(s, FALSE);
}

const char *sc_hotkey_name(enum sc_hotkey k)
{
    return k < SC_HOTKEY_COUNT ? table[k].name : "?";
}

void sc_hotkeys_clear(struct sc_hotkeys *h)
{
    for (int k = 0; k < SC_HOTKEY_COUNT; k++)
        for (int i = 0; i < SC_HOTKEY_MAX_ACCELS; i++)
            g_clear_pointer(&h->accels[k][i], g_free);
}

void sc_hotkeys_init_defaults(struct sc_hotkeys *h)
{
    memset(h, 0, sizeof(*h));
    for (int k = 0; k < SC_HOTKEY_COUNT; k++)
        for (int i = 0; i < SC_HOTKEY_MAX_ACCELS; i++)
            h->accels[k][i] = g_strdup(table[k].defaults[i]);
}

static bool is_inert(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(inert); i++)
        if (!strcmp(inert[i], name))
            return true;
    return false;
}

static void apply_one(struct sc_hotkeys *h, const char *entry)
{
    const char *eq = strchr(entry, '=');
    g_autofree char *name = eq ? g_strndup(entry, (size_t)(eq - entry)) : NULL;

    if (!eq || !eq[1]) {
        sc_warn("hotkeys: '%s': no key given (NAME=KEY)", entry);
        return;
    }
    for (int k = 0; k < SC_HOTKEY_COUNT; k++) {
        if (strcmp(table[k].name, name))
            continue;
        g_free(h->accels[k][0]);
        h->accels[k][0] = sc_hotkey_to_accel(eq + 1);
        return;
    }
    if (!is_inert(name))
        sc_warn("hotkeys: unknown hotkey '%s'", name);
}

void sc_hotkeys_apply(struct sc_hotkeys *h, const char *spec)
{
    g_auto(GStrv) entries = g_strsplit(spec, ",", -1);

    sc_hotkeys_clear(h);
    for (char **e = entries; *e; e++)
        if (**e)
            apply_one(h, *e);
}
