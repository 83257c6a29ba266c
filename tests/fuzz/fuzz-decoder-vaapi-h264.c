/* libFuzzer target: the vaapi:h264 decoder entry point.  The H.264 header
 * parsing that turns untrusted bytes into VA parameters (SPS, PPS, slice
 * headers, list modification, marking) runs on every input; where a VA
 * driver exists the whole decoder runs too (stream format as in
 * fuzz-decoder-common.c: { u16 LE length, bytes } packets). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/codec.h"
#include "codecs/vaapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_all(const uint8_t *data, size_t size)
{
    static struct sc_h264_sps sps[SC_H264_MAX_SPS];
    static struct sc_h264_pps pps[SC_H264_MAX_PPS];
    static uint8_t rbsp[1 << 16];
    memset(sps, 0, sizeof(sps));
    memset(pps, 0, sizeof(pps));
    size_t pos = 0, n;
    const uint8_t *nal;
    while (sc_h264_next_nal(data, size, &pos, &nal, &n)) {
        if (n > sizeof(rbsp))
            continue;
        size_t rn = sc_h264_unescape(nal, n, rbsp);
        uint32_t id;
        struct sc_h264_sps s;
        struct sc_h264_pps p;
        struct sc_h264_slice sl;
        switch (nal[0] & 0x1f) {
        case 7:
            if (rn > 1 && sc_h264_parse_sps(rbsp + 1, rn - 1, &s, &id) == 0)
                sps[id] = s;
            break;
        case 8:
            if (rn > 1 && sc_h264_parse_pps(rbsp + 1, rn - 1, sps, &p, &id) == 0)
                pps[id] = p;
            break;
        case 1:
        case 5:
            if (sc_h264_parse_slice(rbsp, rn, sps, pps, &sl) == 0 && sl.header_bits > rn * 8)
                abort(); /* the slice data cannot start past the NAL */
            break;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int available = -1;
    parse_all(data, size);
    if (available < 0)
        available = sc_decoder_probe(sc_decoder_find("vaapi", "h264"), NULL, 0);
    if (!available)
        return 0;
    struct sc_decoder_params p = { 64, 64, false };
    struct sc_decoder *dec = sc_decoder_create(sc_decoder_find("vaapi", "h264"), &p, NULL, 0);
    size_t pos = 0;
    for (int k = 0; dec && pos + 2 <= size && k < 16; k++) {
        size_t len = data[pos] | (size_t)data[pos + 1] << 8;
        pos += 2;
        if (len > size - pos)
            len = size - pos;
        struct sc_decoded_frame out;
        sc_decoder_decode(dec, data + pos, len, &out);
        pos += len;
    }
    sc_decoder_destroy(dec);
    return 0;
}
