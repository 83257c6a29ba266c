/* Test content for spicecast-bench and the codec tests: the built-in
 * content classes and Y4M recordings, rendered into XRGB8888 frames
 * (sc_frame_new_memfd()); plus the quality metrics (PSNR-Y, SSIM-Y). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/frame.h"

struct sc_content;

/* spec: "text-scroll", "desktop" (the pattern source's scene,
 * common/scene.h; 64x64 at least), "video" or "y4m:PATH".  For y4m the size
 * comes from the file (width/height are ignored).  NULL with a message in
 * err for an unknown class, a missing/bad file, an unsupported chroma
 * format or a size out of range. */
struct sc_content *sc_content_create(const char *spec, uint32_t width, uint32_t height,
                                     char *err, size_t err_size);
void sc_content_size(const struct sc_content *c, uint32_t *width, uint32_t *height);
/* Renders the next frame into `frame` (of the content's size) and sets its
 * seq.  1: a frame; 0: end of the recording; -1: error (message in err). */
int sc_content_next(struct sc_content *c, struct sc_frame *frame, char *err, size_t err_size);
void sc_content_destroy(struct sc_content *c);

/* Quality of a decoded luma plane against the source's. */
double sc_psnr_y(const uint8_t *a, uint32_t sa, const uint8_t *b, uint32_t sb, uint32_t w,
                 uint32_t h); /* 100.0 when identical */
double sc_ssim_y(const uint8_t *a, uint32_t sa, const uint8_t *b, uint32_t sb, uint32_t w,
                 uint32_t h);
