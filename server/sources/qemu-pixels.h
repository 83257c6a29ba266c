#pragma once
/* QEMU's pixman formats to XRGB8888, for the qemu-dbus source. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Bytes per pixel of a supported pixman format code, 0 for others. */
unsigned sc_qemu_format_bpp(uint32_t fmt);
/* Converts a w x h rectangle in a supported format (sc_qemu_format_bpp()
 * not 0, sizes checked by the caller) into dst. */
void sc_qemu_pixels_to_xrgb(uint32_t fmt, const uint8_t *data, uint32_t stride, uint8_t *dst,
                            uint32_t dst_stride, uint32_t w, uint32_t h);
/* Whether w x h pixels of fmt with this stride fit in len bytes; says why
 * not (an unknown format once, *warned remembers). */
bool sc_qemu_check_pixels(bool *warned, const char *what, uint32_t fmt, uint32_t w, uint32_t h,
                          uint32_t stride, size_t len);
/* QEMU cursors are native-endian ARGB words (bytes B,G,R,A here), not
 * premultiplied; the shapes we hand on are: n pixels into out. */
void sc_qemu_cursor_premultiply(const uint8_t *argb, uint8_t *out, size_t n);
