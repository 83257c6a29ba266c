/* What one STREAM_DATA carries (server/stream.c fans packets out through
 * it): the multimedia time stamp, learned per client from its reports by
 * spice-gtk's playout rules (stream-data.c has them), and H.264 and H.265
 * access unit delimiters placed so that spice-gtk's parser passes each frame on
 * as soon as it arrives. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "codecs/codec.h"
#include "common/messages.h"

struct sc_channel_client;

/* A client's stamps: server mm time + ahead_ms, never below the last. */
struct sc_stream_data_state {
    int ahead_ms;
    uint32_t last_stamp;
    bool aud_sent; /* H.264, H.265: the stream's lone delimiter went out (clear it
                    * at each STREAM_CREATE) */
    /* SC_DISPLAY_CAP_FRAME_TIMES: the last frame whose times were sent */
    uint32_t prev_frame;
    int64_t prev_time_us; /* its capture time; 0: none */
    int64_t written_sent_us; /* capture time of the last one whose written went */
};

/* Bench knobs (bench/latency-spice-gtk.sh): SPICECAST_MM_AHEAD_MS=N stamps
 * every frame N ms ahead (-1: learned); SPICECAST_H264_AUD=0 sends H.264
 * and H.265 packets as the encoder made them, SPICECAST_H264_AUD=bare with
 * the next unit's delimiter but not the filler SEI after it (the old tail,
 * which spice-gtk's parser held a frame interval). */
struct sc_stream_data_opts {
    int fixed_ahead_ms;
    bool aud;
    bool aud_bare;
};

void sc_stream_data_opts_from_env(struct sc_stream_data_opts *o);
/* now_mm: the server's mm time (sc_server_mm_time()). */
void sc_stream_data_init(struct sc_stream_data_state *d, uint32_t now_mm);
/* A STREAM_REPORT: the margin follows the client's lateness. */
void sc_stream_data_learn(struct sc_stream_data_state *d, const struct sc_stream_report *r);
/* One packet of stream `id` (codec: SPICE_VIDEO_CODEC_TYPE_*) as one or
 * two STREAM_DATA; last: the frame's last packet; seq: for the debug log. */
/* After a frame's last STREAM_DATA, to a client with
 * SC_DISPLAY_CAP_FRAME_TIMES (nothing otherwise): SC_MSG_DISPLAY_FRAME_TIMES
 * with its stages, at_us[SC_FRAME_*] (CLOCK_MONOTONIC µs, 0: unknown), and
 * the latest of this and the previous frame whose bytes are all written
 * (call it after sc_conn_note_written() for this frame). */
struct sc_frame;
void sc_stream_data_send_times(struct sc_channel_client *cc, uint32_t id,
                               struct sc_stream_data_state *d, const struct sc_frame *f,
                               const int64_t at_us[SC_FRAME_STAGES]);
void sc_stream_data_send(struct sc_channel_client *cc, uint32_t id, struct sc_stream_data_state *d,
                         const struct sc_stream_data_opts *o, const struct sc_packet *p,
                         int codec, uint64_t seq, bool last);
