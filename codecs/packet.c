/* What a compressed video packet is, read off its bytes (see packet.h). */
#include "config.h"

#include "codecs/packet.h"

static bool h264_keyframe(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 3 < n; i++) {
        if (p[i] || p[i + 1] || p[i + 2] != 1)
            continue;
        uint8_t type = p[i + 3] & 0x1f;
        if (type == 5 || type == 7)
            return true;
        i += 2;
    }
    return false;
}

/* an IRAP picture (NAL types 16-21) or the parameter sets before one */
static bool h265_keyframe(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 3 < n; i++) {
        if (p[i] || p[i + 1] || p[i + 2] != 1)
            continue;
        uint8_t type = (p[i + 3] >> 1) & 0x3f;
        if ((type >= 16 && type <= 21) || (type >= 32 && type <= 34))
            return true;
        i += 2;
    }
    return false;
}

/* VP9 uncompressed header: frame_marker(2) profile_low(1) profile_high(1)
 * [reserved_zero(1) for profile 3] show_existing_frame(1) frame_type(1) */
static bool vp9_keyframe(const uint8_t *p, size_t n)
{
    unsigned bit = 4, profile;

    if (n < 1 || (p[0] >> 6) != 2)
        return false;
    profile = ((p[0] >> 5) & 1) | (((p[0] >> 4) & 1) << 1);
    if (profile == 3)
        bit++;
    if ((p[0] >> (7 - bit)) & 1) /* show_existing_frame */
        return false;
    bit++;
    return !((p[0] >> (7 - bit)) & 1);
}

bool sc_packet_is_keyframe(int codec, const uint8_t *data, size_t size)
{
    switch (codec) {
    case SC_CODEC_H264: return h264_keyframe(data, size);
    case SC_CODEC_H265: return h265_keyframe(data, size);
    case SC_CODEC_VP8: return size >= 3 && !(data[0] & 1);
    case SC_CODEC_VP9: return vp9_keyframe(data, size);
    default: return true; /* MJPEG: every frame; the lossless forms; unknown */
    }
}

/* An H.264 access unit (Annex B) whose slices have nal_ref_idc 0: no
 * other frame refers to it.  The slices of one picture agree on that
 * (H.264 7.4.1), so the first one decides. */
static bool h264_droppable(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 3 < n; i++) {
        if (p[i] != 0 || p[i + 1] != 0 || p[i + 2] != 1)
            continue;
        unsigned type = p[i + 3] & 0x1f;
        if (type >= 1 && type <= 5)
            return (p[i + 3] & 0x60) == 0;
        i += 3;
    }
    return false;
}

bool sc_packet_is_droppable(int codec, const uint8_t *data, size_t size)
{
    switch (codec) {
    case SC_CODEC_MJPEG: return true; /* every frame stands alone */
    case SC_CODEC_H264: return h264_droppable(data, size);
    default: return false; /* VP8/VP9/H.265: not told apart here */
    }
}
