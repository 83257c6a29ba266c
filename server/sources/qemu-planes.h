#pragma once
/* QEMU's ScanoutDMABUF2 (a dma-buf scanout of several planes, with a
 * modifier), parsed and checked before the listener takes it. */

#include <stdbool.h>
#include <stddef.h>

#include <gio/gio.h>

#include "common/frame.h"

/* The optional listener interface QEMU calls it on (QEMU's
 * ui/dbus-display1.xml upstream; QEMU 7.2 has neither): QEMU looks for it
 * in the listener's Interfaces property. */
#define DMABUF2_IFACE "org.qemu.Display1.Listener.Unix.ScanoutDMABUF2"
#define DMABUF2_SIG "(ahuuuuauauuuuutb)"

/* ScanoutDMABUF2(ah dmabuf, u x, u y, u width, u height, au offset,
 * au stride, u num_planes, u fourcc, u backing_width, u backing_height,
 * t modifier, b y0_top): the shown rectangle (x, y, width, height) of a
 * backing_width x backing_height buffer whose plane i is dmabuf[i] at
 * offset[i] with stride[i].  Fills b (kind DMABUF; b->planes' fds are -1
 * where a plane shares the first plane's handle, else their own dup) and
 * *fd (the first plane's, a dup); the caller owns every fd it gets.  false
 * with why for counts that disagree, 0 or more than 4 planes, a handle not
 * in `fds`, a rectangle outside the backing buffer or past 16384, a zero
 * stride, a plane past the end of its fd, and a rectangle at x, y > 0 of a
 * format other than one 4-byte plane (we cannot show a part of that). */
bool sc_qemu_dmabuf2_parse(GVariant *params, GUnixFDList *fds, struct sc_frame_buffer *b,
                           int *fd, char *why, size_t why_size);
