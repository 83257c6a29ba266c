/* The mappings of a viewer's last few scanout buffers, for those that read
 * a scanout on the CPU (the window's renderers when they cannot import it,
 * viewer-headless).  No GTK here. */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* The mappings of the last few scanout buffers.  A source rotates a few
 * buffers, and each GL_SCANOUT brings a new fd of one of them: mapping it
 * again each time costs a mmap and a page fault per page (~0.7 ms a 1080p
 * frame here).  A buffer is known by its inode; it passed the mapping check
 * once (sealed against shrinking, or a dma-buf), which holds for as long as
 * it exists, since seals are never removed.  The set owns its mappings;
 * each holds its buffer's memory until it is evicted or cleared. */
#define SC_SCANOUT_MAPS 8
struct sc_scanout_maps {
    struct sc_scanout_map {
        uint64_t dev, ino;
        void *map;   /* NULL: a free slot */
        size_t size;
        uint64_t used; /* tick of the last use */
    } e[SC_SCANOUT_MAPS];
    uint64_t tick;
};
/* The first `need` bytes of fd's buffer, read-only: a mapping of that
 * buffer already in the set when it is long enough, else a new one (in place
 * of the least recently used); NULL + reason.  Valid until
 * SC_SCANOUT_MAPS - 1 later calls have mapped other buffers (or longer
 * stretches of this one), or the set is cleared. */
const void *sc_scanout_maps_get(struct sc_scanout_maps *m, int fd, size_t need, char *reason,
                                 size_t reason_size);
/* Unmaps them all (the set is empty and reusable after). */
void sc_scanout_maps_clear(struct sc_scanout_maps *m);
/* The first `need` bytes of fd's buffer mapped read-only, without the set
 * (sc_frame_fd_mappable checked); NULL + reason.  munmap(map, *size). */
void *sc_scanout_map(int fd, size_t need, size_t *size, char *reason, size_t reason_size);
