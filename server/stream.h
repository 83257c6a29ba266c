/* Video streams (server/stream.c). */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "common/frame.h"
#include "common/messages.h"
#include "server/display.h"

struct sc_server;
struct sc_channel_client;
struct sc_streams;
struct sc_stream_client; /* a display client's stream state, private to stream.c */

struct sc_streams *sc_streams_new(struct sc_server *server, const char *mode,
                                  const char *codecs, uint32_t bitrate, GError **error);
void sc_streams_free(struct sc_streams *s);
bool sc_streams_enabled(const struct sc_streams *s);
/* Motion detection: the display listener to add first (it decides, per
 * frame, whether the display is in video mode before clients route it). */
const struct sc_display_listener *sc_streams_display_listener(struct sc_streams *s);
/* Whether the display is in video mode (for the current frame). */
bool sc_streams_video(const struct sc_streams *s);
/* The source's frame rate as the streams measure it (changing frames in a
 * run of motion, smoothed over about 8), as the nearest of 15, 30, 60 and
 * 120: new encoders are made for it, so a 60 fps source streams at 60 fps.
 * 30 until a run has been seen. */
uint32_t sc_streams_source_fps(const struct sc_streams *s);
/* Encoder groups open now (tests and figures). */
unsigned sc_streams_n_groups(const struct sc_streams *s);

/* A display client's streams (NULL when s is NULL); refresh(data) is
 * called when its stream has ended and the client needs the whole surface
 * losslessly again (a failed encoder, the screen gone still, a codec it
 * cannot decode). */
struct sc_stream_client *sc_stream_client_new(struct sc_streams *s, struct sc_channel_client *cc,
                                              void (*refresh)(void *data), void *data);
/* Leaves the stream without a word to the client (it is going). */
void sc_stream_client_free(struct sc_stream_client *sc);
/* In video mode: hands frame to the client's stream (joining or creating a
 * group); false when it cannot stream it (the lossless path takes it then).
 * The caller's surface must have the frame's size. */
bool sc_streams_take(struct sc_stream_client *sc, struct sc_frame *frame);
/* Leaves the current stream (STREAM_DESTROY sent if send and it can be). */
void sc_stream_client_stop(struct sc_stream_client *sc, bool send);
void sc_stream_client_report(struct sc_stream_client *sc, const struct sc_stream_report *r);
/* PREFERRED_VIDEO_CODEC_TYPE: takes effect with the next stream. */
void sc_stream_client_prefer(struct sc_stream_client *sc, const uint8_t *codecs, unsigned n);
