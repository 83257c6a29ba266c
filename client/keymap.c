/* evdev -> PC set-1.  Codes 1..88 are the XT scancodes themselves; the
 * rest are listed one by one (the E0 ones with 0x100). */
#include "config.h"

#include <stddef.h>

#include "client/keymap.h"

#define E0(c) (0x100u | (c))

static const uint16_t table[] = {
    /* 85 KEY_ZENKAKUHANKAKU */ [85] = 0x76,
    /* KEY_102ND */ [86] = 0x56,
    /* KEY_F11, KEY_F12 */ [87] = 0x57, [88] = 0x58,
    /* KEY_RO */ [89] = 0x73,
    /* KEY_KATAKANA, KEY_HIRAGANA, KEY_HENKAN */ [90] = 0x78, [91] = 0x77, [92] = 0x79,
    /* KEY_KATAKANAHIRAGANA, KEY_MUHENKAN, KEY_KPJPCOMMA */ [93] = 0x70, [94] = 0x7b, [95] = 0x5c,
    /* KEY_KPENTER */ [96] = E0(0x1c),
    /* KEY_RIGHTCTRL */ [97] = E0(0x1d),
    /* KEY_KPSLASH */ [98] = E0(0x35),
    /* KEY_SYSRQ */ [99] = E0(0x37),
    /* KEY_RIGHTALT */ [100] = E0(0x38),
    /* KEY_HOME, KEY_UP, KEY_PAGEUP */ [102] = E0(0x47), [103] = E0(0x48), [104] = E0(0x49),
    /* KEY_LEFT, KEY_RIGHT */ [105] = E0(0x4b), [106] = E0(0x4d),
    /* KEY_END, KEY_DOWN, KEY_PAGEDOWN */ [107] = E0(0x4f), [108] = E0(0x50), [109] = E0(0x51),
    /* KEY_INSERT, KEY_DELETE */ [110] = E0(0x52), [111] = E0(0x53),
    /* KEY_MUTE, KEY_VOLUMEDOWN, KEY_VOLUMEUP */ [113] = E0(0x20), [114] = E0(0x2e),
    [115] = E0(0x30),
    /* KEY_POWER, KEY_KPEQUAL */ [116] = E0(0x5e), [117] = 0x59,
    /* KEY_PAUSE: E1 1D 45 on the wire; SPICE clients send it as E0 45 */ [119] = E0(0x45),
    /* KEY_KPCOMMA, KEY_HANGEUL, KEY_HANJA, KEY_YEN */ [121] = 0x7e, [122] = 0xf2, [123] = 0xf1,
    [124] = 0x7d,
    /* KEY_LEFTMETA, KEY_RIGHTMETA, KEY_COMPOSE */ [125] = E0(0x5b), [126] = E0(0x5c),
    [127] = E0(0x5d),
    /* KEY_SLEEP, KEY_WAKEUP */ [142] = E0(0x5f), [143] = E0(0x63),
    /* KEY_NEXTSONG, KEY_PLAYPAUSE, KEY_PREVIOUSSONG, KEY_STOPCD */ [163] = E0(0x19),
    [164] = E0(0x22), [165] = E0(0x10), [166] = E0(0x24),
};

uint32_t sc_keymap_evdev_to_set1(uint32_t evdev)
{
    if (evdev >= 1 && evdev <= 83)
        return evdev; /* Esc .. KP. : identical */
    if (evdev < sizeof(table) / sizeof(table[0]))
        return table[evdev];
    return 0;
}

uint32_t sc_keymap_xkb_to_set1(uint32_t keycode)
{
    return keycode >= 8 ? sc_keymap_evdev_to_set1(keycode - 8) : 0;
}
