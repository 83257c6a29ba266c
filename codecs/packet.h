/* What a compressed video packet is, read off its bytes without a decoder:
 * the viewer resumes at a keyframe after a drop (client/decode.c), the
 * server leaves droppable frames out for a client that decodes too slowly
 * (server/stream.c).  codec: SC_CODEC_* (= SPICE_VIDEO_CODEC_TYPE_*). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "codecs/codec.h"

/* Whether the packet starts a picture that refers to no other: H.264 IDR
 * or SPS, H.265 IRAP or its parameter sets, VP8/VP9 key frames, every
 * MJPEG frame; true for a codec it does not know (nothing is skipped). */
bool sc_packet_is_keyframe(int codec, const uint8_t *data, size_t size);
/* Whether no other picture refers to this one (H.264 nal_ref_idc 0, every
 * MJPEG frame); false when it cannot tell. */
bool sc_packet_is_droppable(int codec, const uint8_t *data, size_t size);
