/* Shared by the libFuzzer targets: input byte 0 picks a parser, the rest is
 * the message body.  Each body is copied to an exact-size heap block so that
 * ASan catches any read past its end. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "messages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline uint8_t *fuzz_dup(const uint8_t *data, size_t size)
{
    uint8_t *p = malloc(size ? size : 1);

    if (p && size)
        memcpy(p, data, size);
    return p;
}

/* Runs `parse` on the body and, if it succeeds, writes the parsed value back
 * and parses that again: writers must accept whatever parsers produce. */
#define FUZZ_ROUNDTRIP(type, parse, write, body, len)             \
    do {                                                          \
        type v_;                                                  \
        memset(&v_, 0, sizeof(v_));                               \
        if (parse((body), (len), &v_)) {                          \
            struct sc_writer w_;                                  \
            type v2_;                                             \
            sc_writer_init(&w_);                                  \
            write(&w_, &v_);                                      \
            if (!w_.error && !parse(w_.data, w_.size, &v2_))      \
                abort();                                          \
            sc_writer_finish(&w_);                                \
        }                                                         \
    } while (0)
