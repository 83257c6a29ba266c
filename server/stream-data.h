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
void sc_stream_data_send(struct sc_channel_client *cc, uint32_t id, struct sc_stream_data_state *d,
                         const struct sc_stream_data_opts *o, const struct sc_packet *p,
                         int codec, uint64_t seq, bool last);
