#pragma once
/* A notice screen for a source that cannot show its own: the last picture
 * dimmed (or dark grey without one) under a centred panel with a title and
 * a line of detail.  Used when a VM goes away ("source lost"), so clients
 * see why the screen stopped instead of a frozen frame. */

#include <stdint.h>

#include "common/frame.h"

/* A new memfd frame of width x height, full damage.  under: the picture to
 * dim (XRGB8888, under_stride bytes a row, width x height) or NULL.  NULL
 * when no frame can be made (logged). */
struct sc_frame *sc_notice_frame_new(uint32_t width, uint32_t height, const uint8_t *under,
                                     uint32_t under_stride, const char *title,
                                     const char *detail);
