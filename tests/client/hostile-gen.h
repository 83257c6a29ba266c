/* Random but well-formed display channel messages for the hostile-server
 * harness: every field drawn from values that break naive code (the ends
 * of int32, zero, off by one around the surface, huge sizes), so that a
 * run gets past the parsers into the drawing, stream and GL code. */
#pragma once
#include <stdint.h>

#include <glib.h>

#include "common/messages.h"

/* One message into w (reset first); returns its type.  Never MARK. */
uint16_t hostile_display_msg(GRand *rand, struct sc_writer *w);
/* A sane H.264 STREAM_CREATE for stream id (the random ones use 0-2) */
void hostile_display_streams(struct sc_writer *w, uint32_t id);
