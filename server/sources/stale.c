#include "config.h"

#include "server/sources/stale.h"

#include <string.h>

void sc_stale_forget_frames(struct sc_stale *st)
{
    memset(st->held, 0, sizeof(st->held));
}

static void add_rec(struct sc_frame *out, bool full, uint32_t n, const struct sc_box *boxes)
{
    if (full) {
        sc_frame_set_full_damage(out);
        return;
    }
    for (uint32_t k = 0; k < n && !(out->full_damage && out->n_damage == 0); k++)
        sc_frame_add_damage(out, boxes[k].x, boxes[k].y, boxes[k].w, boxes[k].h);
}

void sc_stale_region(const struct sc_stale *st, const struct sc_frame *f,
                     const struct sc_frame *damage, uint32_t width, uint32_t height,
                     struct sc_frame *out)
{
    *out = (struct sc_frame){ .width = width, .height = height, .full_damage = true };
    for (unsigned i = 0; i < SC_STALE_FRAMES; i++) {
        if (st->held[i].frame != f)
            continue;
        uint64_t since = st->held[i].n;
        if (st->n_emitted - since > SC_STALE_HISTORY)
            return;
        out->full_damage = false;
        add_rec(out, damage->full_damage, damage->n_damage, damage->damage);
        for (uint64_t e = since + 1; e < st->n_emitted; e++) {
            const struct sc_stale_rec *h = &st->hist[e % SC_STALE_HISTORY];
            add_rec(out, h->full, h->n_damage, h->damage);
        }
        return;
    }
}

void sc_stale_emitted(struct sc_stale *st, const struct sc_frame *f, const struct sc_frame *damage)
{
    struct sc_stale_rec *h = &st->hist[st->n_emitted % SC_STALE_HISTORY];
    h->full = damage->full_damage;
    h->n_damage = damage->n_damage;
    memcpy(h->damage, damage->damage, sizeof(h->damage));
    if (f) {
        unsigned slot = 0; /* no free slot: another frame is forgotten, redrawn whole */
        for (unsigned i = 0; i < SC_STALE_FRAMES; i++) {
            if (st->held[i].frame == f || !st->held[i].frame) {
                slot = i;
                break;
            }
        }
        st->held[slot].frame = f;
        st->held[slot].n = st->n_emitted;
    }
    st->n_emitted++;
}
