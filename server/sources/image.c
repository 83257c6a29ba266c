#include "config.h"

/* --source image: placeholder until the reader lands. */

#include "source.h"

#include <gio/gio.h>

static struct sc_source *image_create(const char *args, GError **error)
{
    (void)args;
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "image source: not implemented yet");
    return NULL;
}

const struct sc_source_ops sc_source_image = {
    .name = "image",
    .help = "image:PATH  (not implemented yet)",
    .create = image_create,
};
