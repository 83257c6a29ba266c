#include "config.h"

/* QEMU's pixman formats, as the qemu-dbus source receives them, to
 * XRGB8888 (bytes B,G,R,X).  libyuv's names are of little-endian words:
 * its "ARGB" is pixman's a8r8g8b8 in bytes B,G,R,A. */

#include "server/sources/qemu-pixels.h"

#include <libyuv.h>

#include "common/log.h"

/* pixman format codes: PIXMAN_FORMAT(bpp, type, a, r, g, b) */
#define PF(bpp, type, a, r, g, b) \
    (((uint32_t)(bpp) << 24) | ((type) << 16) | ((a) << 12) | ((r) << 8) | ((g) << 4) | (b))
#define PF_A8R8G8B8 PF(32, 2, 8, 8, 8, 8)
#define PF_X8R8G8B8 PF(32, 2, 0, 8, 8, 8)
#define PF_A8B8G8R8 PF(32, 3, 8, 8, 8, 8)
#define PF_X8B8G8R8 PF(32, 3, 0, 8, 8, 8)
#define PF_B8G8R8A8 PF(32, 8, 8, 8, 8, 8)
#define PF_B8G8R8X8 PF(32, 8, 0, 8, 8, 8)
#define PF_R8G8B8 PF(24, 2, 0, 8, 8, 8)
#define PF_B8G8R8 PF(24, 3, 0, 8, 8, 8)
#define PF_R5G6B5 PF(16, 2, 0, 5, 6, 5)
#define PF_X1R5G5B5 PF(16, 2, 0, 5, 5, 5)

unsigned sc_qemu_format_bpp(uint32_t fmt)
{
    switch (fmt) {
    case PF_A8R8G8B8: case PF_X8R8G8B8: case PF_A8B8G8R8: case PF_X8B8G8R8:
    case PF_B8G8R8A8: case PF_B8G8R8X8:
        return 4;
    case PF_R8G8B8: case PF_B8G8R8:
        return 3;
    case PF_R5G6B5: case PF_X1R5G5B5:
        return 2;
    default:
        return 0;
    }
}

void sc_qemu_pixels_to_xrgb(uint32_t fmt, const uint8_t *data, uint32_t stride, uint8_t *dst,
                            uint32_t dst_stride, uint32_t w, uint32_t h)
{
    int ds = (int)dst_stride, ss = (int)stride, iw = (int)w, ih = (int)h;
    switch (fmt) {
    case PF_A8R8G8B8: case PF_X8R8G8B8: /* bytes B,G,R,X */
        ARGBCopy(data, ss, dst, ds, iw, ih);
        break;
    case PF_A8B8G8R8: case PF_X8B8G8R8: /* bytes R,G,B,X */
        ABGRToARGB(data, ss, dst, ds, iw, ih);
        break;
    case PF_B8G8R8A8: case PF_B8G8R8X8: /* bytes X,R,G,B */
        BGRAToARGB(data, ss, dst, ds, iw, ih);
        break;
    case PF_R8G8B8: /* bytes B,G,R */
        RGB24ToARGB(data, ss, dst, ds, iw, ih);
        break;
    case PF_B8G8R8: /* bytes R,G,B */
        RAWToARGB(data, ss, dst, ds, iw, ih);
        break;
    case PF_R5G6B5:
        RGB565ToARGB(data, ss, dst, ds, iw, ih);
        break;
    default: /* PF_X1R5G5B5: its X bit lands in the X byte, which is unused */
        ARGB1555ToARGB(data, ss, dst, ds, iw, ih);
        break;
    }
}

bool sc_qemu_check_pixels(bool *warned, const char *what, uint32_t fmt, uint32_t w, uint32_t h,
                          uint32_t stride, size_t len)
{
    unsigned bpp = sc_qemu_format_bpp(fmt);
    if (!bpp) {
        if (!*warned)
            sc_warn("qemu-dbus: %s: pixman format 0x%08x is not supported (x8r8g8b8, a8r8g8b8, "
                    "x8b8g8r8, b8g8r8x8, r8g8b8, r5g6b5, x1r5g5b5 are); ignoring it", what, fmt);
        *warned = true;
        return false;
    }
    if (w == 0 || h == 0)
        return false;
    if ((uint64_t)stride < (uint64_t)w * bpp ||
        (uint64_t)len < (uint64_t)stride * (h - 1) + (uint64_t)w * bpp) {
        sc_warn("qemu-dbus: %s: %ux%u stride %u needs more than the %zu bytes sent", what, w, h,
                stride, (size_t)len);
        return false;
    }
    return true;
}

void sc_qemu_cursor_premultiply(const uint8_t *argb, uint8_t *out, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned a = argb[i * 4 + 3];
        for (int c = 0; c < 3; c++)
            out[i * 4 + c] = (uint8_t)((argb[i * 4 + c] * a + 127) / 255);
        out[i * 4 + 3] = (uint8_t)a;
    }
}
