/* Shared by the libFuzzer wire targets: input byte 0 picks a parser, the
 * rest is the message body.  Each body is copied to an exact-size heap block
 * so that ASan catches any read past its end. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/messages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline uint8_t *fuzz_dup(const uint8_t *data, size_t size)
{
    uint8_t *p = malloc(size ? size : 1);

    if (p && size)
        memcpy(p, data, size);
    return p;
}

/* Reads every byte of what a parser claims to give, so that ASan checks it. */
static inline void fuzz_touch(const void *p, size_t n)
{
    const uint8_t *b = p;
    volatile uint8_t sum = 0;

    for (size_t i = 0; i < n; i++)
        sum += b[i];
    (void)sum;
}

/* The entry point of the selector targets: `fn` gets input byte 0 as `sel`
 * and the rest as an exact-size heap copy.  Each target's
 * LLVMFuzzerTestOneInput is `return fuzz_selector(data, size, its_fn);`. */
static inline int fuzz_selector(const uint8_t *data, size_t size,
                                void (*fn)(uint8_t sel, const uint8_t *body, size_t len))
{
    uint8_t *body;

    if (size < 1)
        return 0;
    body = fuzz_dup(data + 1, size - 1);
    if (body)
        fn(data[0], body, size - 1);
    free(body);
    return 0;
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
