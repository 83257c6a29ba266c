/* Keyboard: evdev key codes (linux/input-event-codes.h) to PC set-1
 * scancodes as sc_client_key() takes them (E0-prefixed keys as 0x100|code). */
#pragma once
#include <stdint.h>

/* 0 for a key with no set-1 scancode. */
uint32_t sc_keymap_evdev_to_set1(uint32_t evdev);
/* A GdkEventKey hardware_keycode (XKB keycode: evdev + 8, on X11 and
 * Wayland alike) to set-1; 0 if none. */
uint32_t sc_keymap_xkb_to_set1(uint32_t keycode);
