/* The overlay's live figures (issue 9 item 5): an accumulator of the
 * current second's frames, bytes and stage samples, rolled into the last
 * complete second's figures (struct sc_client_live_stats, client.h).  It
 * exists only while the viewer shows its stats overlay
 * (sc_client_set_live_stats): every hook is one NULL test otherwise.
 * Main loop only (no lock). */
#pragma once
#include <stdint.h>

#include "client/client.h"

#define SC_LIVE_MAX_SAMPLES 1024 /* per stage and second; more are not counted */

struct sc_live;

struct sc_live *sc_live_new(void);
void sc_live_free(struct sc_live *l);
/* A frame handed to the renderer on this path; codec: a name for the
 * video path ("h264"), else "lossless" / "local fd" (a static string). */
void sc_live_frame(struct sc_live *l, const char *codec);
void sc_live_bytes(struct sc_live *l, uint64_t n);
void sc_live_sample(struct sc_live *l, enum sc_client_live_stage stage, int64_t us);
/* The last complete second (rolled over first if one has passed);
 * false before the first. */
bool sc_live_get(struct sc_live *l, struct sc_client_live_stats *out);
