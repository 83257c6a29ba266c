#pragma once
/* The synthetic desktop: the one test scene that the pattern source serves
 * (server/sources/pattern.c) and spicecast-bench encodes (its "desktop"
 * content, bench/content.c): a static background with a taskbar, icons and
 * a terminal whose log scrolls, an info box showing the last input, a
 * clock, a window that moves (MOVE_SECS) and rests (REST_SECS) with an
 * animated bar chart, and a pointer marker.
 *
 * Everything drawn is a function of the frame number and the input state
 * (no wall clock, no randomness), so two scenes fed the same events show the
 * same pixels for the same frame number. */

#include <stdbool.h>
#include <stdint.h>

#include "common/frame.h"

#define SC_SCENE_MIN_DIM 64
#define SC_SCENE_MAX_DIM 8192

struct sc_scene;

/* NULL when the background cannot be allocated; width and height in
 * SC_SCENE_MIN_DIM..SC_SCENE_MAX_DIM (the caller checks), fps > 0. */
struct sc_scene *sc_scene_new(uint32_t width, uint32_t height, uint32_t fps);
void sc_scene_free(struct sc_scene *scene);
/* A new size (layout and background); false, with the old size kept, when
 * it cannot be allocated.  The next sc_scene_advance() gives full damage. */
bool sc_scene_resize(struct sc_scene *scene, uint32_t width, uint32_t height);

/* The scene as screen head of n_heads (n_heads > 1: "head N" written large
 * on it and its hue turned by head/n_heads); false, unchanged, when the
 * background cannot be redrawn.  The next sc_scene_advance() gives full
 * damage. */
bool sc_scene_set_head(struct sc_scene *scene, unsigned head, unsigned n_heads);

/* Input shown in the info box and by the pointer marker (clamped). */
void sc_scene_key(struct sc_scene *scene, const uint8_t *scancode, unsigned len, bool down);
void sc_scene_pointer(struct sc_scene *scene, int32_t x, int32_t y, uint32_t buttons);

/* The scene moves to frame number seq and adds to f's damage what changed
 * since the previous sc_scene_advance() (everything the first time and
 * after sc_scene_restart()).  A frame never shown need not be advanced to:
 * the next damage covers everything since the last one advanced to. */
void sc_scene_advance(struct sc_scene *scene, uint64_t seq, struct sc_frame *f);
void sc_scene_restart(struct sc_scene *scene);
/* Draws the current state into f (of the scene's size) inside boxes, or
 * whole when boxes is NULL. */
void sc_scene_draw(struct sc_scene *scene, struct sc_frame *f, const struct sc_box *boxes,
                   uint32_t n_boxes);
