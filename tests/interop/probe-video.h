/* probe-video: what spice-gtk does with video streams.
 *
 * spice-gtk 0.42 has no signals for streams, but with its debug log on
 * (spice_util_set_debug) it logs every STREAM_CREATE / STREAM_DESTROY, each
 * STREAM_DATA's margin (or lateness), the GStreamer elements it plugs into
 * a stream's pipeline, decoder errors and invalid-stream reports.  The probe
 * reads those lines through a GLib log writer, in-process. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <spice-client.h>

#define PV_MAX_CODECS 8

/* "h264,vp8" -> SPICE_VIDEO_CODEC_TYPE_* values; false on an unknown name */
bool pv_parse_codecs(const char *list, gint *codecs, int max, int *n);

/* Debug logging on and the log writer installed: call before any session.
 * With PROBE_FRAME_TIMES=FILE (and GStreamer) it writes a line per stream
 * frame event to FILE: "arrived|decoded|shown|dropped HASH MONOTONIC_US",
 * HASH the FNV-1a of the frame's bytes (bench/latency-spice-gtk.sh). */
void pv_init(bool verbose);
bool pv_enabled(void);

/* The display channel, once known; its primary is what the pre-refresh
 * shot (pv_set_pre_refresh_shot) copies. */
void pv_set_display(SpiceChannel *display);

/* Write the primary as a PPM at the moment the first stream that showed a
 * frame is destroyed, before the server's refresh is drawn. */
void pv_set_pre_refresh_shot(const char *path);

/* From the display-invalidate handler: counts frames shown by streams. */
void pv_on_invalidate(void);

/* PREFERRED_VIDEO_CODEC_TYPE through the library; prints the outcome. */
void pv_send_preference(SpiceChannel *display, const gint *codecs, int n);

struct pv_summary {
    unsigned created, live, invalid;
    unsigned frames;        /* STREAM_DATA received, every stream */
    unsigned shown;         /* invalidates while a stream was live */
    int64_t last_end_us;    /* monotonic time of the last destroy, 0 if none */
    bool pre_refresh_written;
};
void pv_get_summary(struct pv_summary *s);

/* key=value lines: totals (steady_*: the frames that arrived 2 s or more
 * after the first stream was created, their margins in ms), then one
 * "streamN ..." line per stream */
void pv_print(FILE *f);
