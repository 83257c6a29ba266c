/* libFuzzer driver of the tests/fuzz/fuzz-decoder-<name> targets, compiled
 * once per decoder entry point: codecs/local.mk names the backend and codec
 * with -DSC_FUZZ_BACKEND='"gstreamer"' -DSC_FUZZ_CODEC='"h264"'.  The
 * input is a stream: packets of { u16 little-endian length, bytes },
 * decoded in order by one decoder created for the input (64x64, as the
 * seed corpus in tests/fuzz/corpus/fuzz-decoder-<name>/ was encoded). */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "codecs/codec.h"

#if !defined(SC_FUZZ_BACKEND) || !defined(SC_FUZZ_CODEC)
#error "compile with -DSC_FUZZ_BACKEND='\"backend\"' -DSC_FUZZ_CODEC='\"codec\"'"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
    struct sc_decoder_params p = { 64, 64, true };
    struct sc_decoder *dec = sc_decoder_create(ops, &p, reason, sizeof(reason));
    if (!dec)
        abort(); /* creating a decoder must not fail once probed */
    size_t pos = 0;
    for (int n = 0; pos + 2 <= size && n < 16; n++) {
        size_t len = data[pos] | (size_t)data[pos + 1] << 8;
        pos += 2;
        if (len > size - pos)
            len = size - pos;
        struct sc_decoded_frame out;
        int r = sc_decoder_decode(dec, data + pos, len, &out);
        if (r == 1 && out.kind == SC_DECODED_CPU) {
            /* touch what the decoder claims to give: every plane row */
            volatile uint8_t sink = 0;
            unsigned rows[3] = { out.height, (out.height + 1) / 2, (out.height + 1) / 2 };
            for (unsigned pl = 0; pl < out.n_planes; pl++)
                for (unsigned y = 0; y < rows[pl]; y++)
                    sink ^= out.plane[pl][(size_t)y * out.stride[pl]];
            (void)sink;
        }
        pos += len;
    }
    sc_decoder_destroy(dec);
    return 0;
}
