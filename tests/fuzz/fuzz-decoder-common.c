/* libFuzzer driver of the tests/fuzz/fuzz-decoder-<name> targets, compiled
 * once per decoder entry point: codecs/local.mk names the backend and codec
 * with -DSC_FUZZ_BACKEND='"gstreamer"' -DSC_FUZZ_CODEC='"h264"'.  The
 * input is a stream: packets of { u16 little-endian length, bytes },
 * decoded in order by one decoder created for the input (64x64, as the
 * seed corpus in tests/fuzz/corpus/fuzz-decoder-<name>/ was encoded).
 *
 * Two options for decoders whose set-up dominates (tests/fuzz/local.mk sets
 * them for fuzz-decoder-gst-mjpeg, where each input started a GStreamer
 * pipeline):
 *   SC_FUZZ_KEEP_DECODER: one decoder for the whole run, re-created every
 *   SC_FUZZ_KEEP_RUNS inputs.  Sound for an intra-only codec (MJPEG: no
 *   state from one picture to the next beyond the pipeline, which the
 *   decoder resets itself after an error); not for H.264/VP8/VP9.
 *   SC_FUZZ_JPEG_FRAMING: each packet of 4 bytes or more gets SOI (FF D8)
 *   first and EOI (FF D9) last, so that mutations reach the decoder
 *   instead of gst-dec.c's framing check. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codecs/codec.h"

#if !defined(SC_FUZZ_BACKEND) || !defined(SC_FUZZ_CODEC)
#error "compile with -DSC_FUZZ_BACKEND='\"backend\"' -DSC_FUZZ_CODEC='\"codec\"'"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifndef SC_FUZZ_KEEP_RUNS
#define SC_FUZZ_KEEP_RUNS 1000
#endif

/* The decoder for this input: a fresh one, or the kept one. */
static struct sc_decoder *get_decoder(const struct sc_decoder_ops *ops)
{
    struct sc_decoder_params p = { 64, 64, true };
    char reason[SC_CODEC_REASON_SIZE];
#ifdef SC_FUZZ_KEEP_DECODER
    static struct sc_decoder *kept;
    static unsigned runs;

    if (kept && ++runs % SC_FUZZ_KEEP_RUNS == 0) {
        sc_decoder_destroy(kept);
        kept = NULL;
    }
    if (kept)
        return kept;
#endif
    struct sc_decoder *dec = sc_decoder_create(ops, &p, reason, sizeof(reason));
    if (!dec)
        abort(); /* creating a decoder must not fail once probed */
#ifdef SC_FUZZ_KEEP_DECODER
    kept = dec;
#endif
    return dec;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct sc_decoder_ops *ops;
    static bool unavailable;
    char reason[SC_CODEC_REASON_SIZE];
    if (unavailable)
        return -1;
    if (!ops) {
        ops = sc_decoder_find(SC_FUZZ_BACKEND, SC_FUZZ_CODEC);
        if (!ops || !sc_decoder_probe(ops, reason, sizeof(reason))) {
            fprintf(stderr, "fuzz-decoder: %s:%s unavailable: %s\n", SC_FUZZ_BACKEND,
                    SC_FUZZ_CODEC, ops ? reason : "not built in");
            unavailable = true;
            return -1;
        }
    }
    struct sc_decoder *dec = get_decoder(ops);
    size_t pos = 0;
    for (int n = 0; pos + 2 <= size && n < 16; n++) {
        size_t len = data[pos] | (size_t)data[pos + 1] << 8;
        pos += 2;
        if (len > size - pos)
            len = size - pos;
        /* an exact-size copy: ASan sees a read past the packet */
        uint8_t *pkt = malloc(len ? len : 1);
        if (!pkt)
            abort();
        memcpy(pkt, data + pos, len);
#ifdef SC_FUZZ_JPEG_FRAMING
        if (len >= 4) {
            pkt[0] = 0xff, pkt[1] = 0xd8;
            pkt[len - 2] = 0xff, pkt[len - 1] = 0xd9;
        }
#endif
        struct sc_decoded_frame out;
        int r = sc_decoder_decode(dec, pkt, len, &out);
        if (r == 1 && out.kind == SC_DECODED_CPU) {
            /* touch what the decoder claims to give: every plane row */
            volatile uint8_t sink = 0;
            unsigned rows[3] = { out.height, (out.height + 1) / 2, (out.height + 1) / 2 };
            for (unsigned pl = 0; pl < out.n_planes; pl++)
                for (unsigned y = 0; y < rows[pl]; y++)
                    sink ^= out.plane[pl][(size_t)y * out.stride[pl]];
            (void)sink;
        }
        free(pkt);
        pos += len;
    }
#ifndef SC_FUZZ_KEEP_DECODER
    sc_decoder_destroy(dec);
#endif
    return 0;
}
