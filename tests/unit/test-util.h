/* Small helpers shared by the wire-message unit tests. */
#pragma once
#include <glib.h>
#include <string.h>

#include "common/messages.h"

/* Asserts that bytes [off, off+n) of buf equal `exp`. */
#define assert_bytes(buf, off, exp)                                                    \
    do {                                                                               \
        static const uint8_t exp_[] = exp;                                             \
        g_assert_cmpmem((buf) + (off), sizeof(exp_), exp_, sizeof(exp_));              \
    } while (0)
#define B(...) { __VA_ARGS__ }

/* Every strict prefix of [buf, buf+len) shorter than `fixed` must be refused
 * by `call`, an expression using `buf_` and `n_`. */
#define assert_truncations_fail(buf, fixed, call)                                      \
    do {                                                                               \
        for (size_t n_ = 0; n_ < (size_t)(fixed); n_++) {                              \
            /* copy into an exact-size heap block so ASan sees overreads */           \
            uint8_t *buf_ = g_memdup2((buf), n_ ? n_ : 1);                             \
            if (call)                                                                  \
                g_error("parser accepted %zu of %zu bytes: %s", n_, (size_t)(fixed), #call); \
            g_free(buf_);                                                              \
        }                                                                              \
    } while (0)

/* Writes *v into the writer w, expects `nbytes` bytes that parse back into
 * *v2 identical to *v, and every prefix shorter than `fixed` refused.  The
 * bytes stay in w for further checks. */
#define assert_roundtrip_same(w, write, parse, v, v2, nbytes, fixed)                    \
    do {                                                                               \
        write((w), (v));                                                               \
        g_assert_cmpuint((w)->size, ==, (nbytes));                                     \
        g_assert_true(parse((w)->data, (w)->size, (v2)));                              \
        g_assert_cmpmem((v2), sizeof(*(v2)), (v), sizeof(*(v)));                       \
        assert_truncations_fail((w)->data, (fixed), parse(buf_, n_, (v2)));            \
    } while (0)

static inline uint32_t le32_at(const uint8_t *p) { return sc_get_u32(p); }
static inline uint16_t le16_at(const uint8_t *p) { return sc_get_u16(p); }
