/* pattern-frame SPEC HEAD SHOT.ppm OUT.ppm: the pattern source's frame for
 * head HEAD that a client's screenshot SHOT shows, as PPM.  SHOT must come
 * from a pattern with `stamp`: its stamp gives the frame number N, and this
 * draws that frame with a pattern of the same SPEC started at N (first=N:
 * the pattern is a function of the frame number when no input comes).  The stamp box itself
 * also holds the capture time, which no second run can repeat: OUT gets
 * SHOT's stamp box, and the rest is drawn here.  HEAD "any": every head is
 * drawn and OUT is the one SHOT shows exactly, if any (else head 0's).
 * Prints "seq=N" and "head=H".  Exit 0, or 1 with a message (no stamp,
 * wrong size, frame N never came). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "common/stamp.h"
#include "server/sources/source.h"

struct ppm { uint32_t w, h; uint8_t *rgb; };

struct want {
    uint64_t seq;
    const struct ppm *shot;
    struct ppm out;
    unsigned head;  /* OUT's */
    unsigned waiting; /* heads whose frame seq has not come yet */
    bool missed;
    GMainLoop *loop;
};

struct head_want {
    struct want *w;
    unsigned head;
    bool done;
};

static bool read_ppm(const char *path, struct ppm *p)
{
    FILE *f = fopen(path, "rb");
    unsigned w, h, max;
    bool ok;

    if (!f)
        return false;
    ok = fscanf(f, "P6 %u %u %u", &w, &h, &max) == 3 && max == 255 && fgetc(f) != EOF &&
         w > 0 && h > 0 && w <= 8192 && h <= 8192;
    if (ok) {
        p->w = w;
        p->h = h;
        p->rgb = g_malloc((size_t)w * h * 3);
        ok = fread(p->rgb, 3, (size_t)w * h, f) == (size_t)w * h;
    }
    fclose(f);
    return ok;
}

static bool write_ppm(const char *path, const struct ppm *p)
{
    FILE *f = fopen(path, "wb");
    bool ok;

    if (!f)
        return false;
    fprintf(f, "P6\n%u %u\n255\n", p->w, p->h);
    ok = fwrite(p->rgb, 3, (size_t)p->w * p->h, f) == (size_t)p->w * p->h;
    return fclose(f) == 0 && ok;
}

/* The frame number in SHOT's stamp (the stamp reads B,G,R,X pixels). */
static bool shot_seq(const struct ppm *p, uint64_t *seq)
{
    g_autofree uint8_t *bgrx = g_malloc((size_t)p->w * p->h * 4);
    struct sc_stamp st;

    for (size_t i = 0; i < (size_t)p->w * p->h; i++) {
        bgrx[4 * i] = p->rgb[3 * i + 2];
        bgrx[4 * i + 1] = p->rgb[3 * i + 1];
        bgrx[4 * i + 2] = p->rgb[3 * i];
        bgrx[4 * i + 3] = 0;
    }
    if (!sc_stamp_read(bgrx, p->w, p->h, (ptrdiff_t)p->w * 4, &st))
        return false;
    *seq = st.index;
    return true;
}

/* The frame as RGB, SHOT's stamp box in its corner. */
static uint8_t *frame_rgb(const struct sc_frame *f, const struct ppm *shot)
{
    uint8_t *rgb = g_malloc((size_t)f->width * f->height * 3);

    for (uint32_t y = 0; y < f->height; y++) {
        const uint8_t *row = f->map + f->offset + (size_t)y * f->stride;
        for (uint32_t x = 0; x < f->width; x++) {
            uint8_t *o = rgb + ((size_t)y * f->width + x) * 3;
            const uint8_t *src = shot->rgb + ((size_t)y * f->width + x) * 3;

            if (x < SC_STAMP_WIDTH && y < SC_STAMP_HEIGHT) {
                memcpy(o, src, 3);
            } else {
                o[0] = row[4 * x + 2];
                o[1] = row[4 * x + 1];
                o[2] = row[4 * x];
            }
        }
    }
    return rgb;
}

static void on_frame(struct sc_source *s, struct sc_frame *f, void *data)
{
    struct head_want *hw = data;
    struct want *w = hw->w;
    uint8_t *rgb;
    size_t size;

    (void)s;
    if (hw->done || f->seq < w->seq)
        return;
    hw->done = true;
    if (f->seq != w->seq || !f->map || f->width != w->shot->w || f->height != w->shot->h) {
        w->missed = true;
        g_main_loop_quit(w->loop);
        return;
    }
    rgb = frame_rgb(f, w->shot);
    size = (size_t)f->width * f->height * 3;
    /* the first head's, or the one that matches */
    if (!w->out.rgb || memcmp(rgb, w->shot->rgb, size) == 0) {
        g_free(w->out.rgb);
        w->out = (struct ppm){ f->width, f->height, rgb };
        w->head = hw->head;
    } else {
        g_free(rgb);
    }
    if (--w->waiting == 0)
        g_main_loop_quit(w->loop);
}

static gboolean give_up(gpointer data)
{
    g_main_loop_quit(((struct want *)data)->loop);
    return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
    struct ppm shot = { 0 };
    struct want w = { 0 };
    g_autoptr(GError) err = NULL;
    struct sc_source *src;
    struct head_want hw[SC_MAX_HEADS] = { 0 };
    unsigned first, last;
    g_autofree char *spec = NULL;

    if (argc != 5) {
        fprintf(stderr, "usage: pattern-frame SPEC HEAD SHOT.ppm OUT.ppm\n");
        return 2;
    }
    first = strcmp(argv[2], "any") ? (unsigned)atoi(argv[2]) : 0;
    if (!read_ppm(argv[3], &shot) || !shot_seq(&shot, &w.seq)) {
        fprintf(stderr, "pattern-frame: %s: not a PPM with a stamp\n", argv[3]);
        return 1;
    }
    printf("seq=%" G_GUINT64_FORMAT "\n", w.seq);
    spec = g_strdup_printf("%s,first=%" G_GUINT64_FORMAT, argv[1], w.seq);
    if (!(src = sc_source_create(spec, &err))) {
        fprintf(stderr, "pattern-frame: %s\n", err->message);
        return 1;
    }
    last = strcmp(argv[2], "any") ? first : sc_source_n_heads(src) - 1;
    if (last >= sc_source_n_heads(src)) {
        fprintf(stderr, "pattern-frame: no head %u\n", last);
        return 1;
    }
    w.shot = &shot;
    w.loop = g_main_loop_new(NULL, FALSE);
    for (unsigned h = first; h <= last; h++) {
        hw[h] = (struct head_want){ &w, h, false };
        sc_source_set_head_listener(src, h, &(struct sc_source_listener){ on_frame, NULL, &hw[h] });
        w.waiting++;
    }
    sc_source_start(src);
    g_timeout_add_seconds(60, give_up, &w);
    g_main_loop_run(w.loop);
    sc_source_destroy(src);
    g_main_loop_unref(w.loop);
    if (w.waiting || w.missed || !write_ppm(argv[4], &w.out)) {
        fprintf(stderr, "pattern-frame: frame %" G_GUINT64_FORMAT " of head %s not drawn (%s)\n",
                w.seq, argv[2], w.missed ? "skipped, or another size" : "timeout");
        return 1;
    }
    printf("head=%u\n", w.head);
    g_free(w.out.rgb);
    g_free(shot.rgb);
    return 0;
}
