#include "config.h"

/* --source y4m: placeholder until the reader lands. */

#include "source.h"

#include <gio/gio.h>

static struct sc_source *y4m_create(const char *args, GError **error)
{
    (void)args;
    g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "y4m source: not implemented yet");
    return NULL;
}

const struct sc_source_ops sc_source_y4m = {
    .name = "y4m",
    .help = "y4m:PATH  (not implemented yet)",
    .create = y4m_create,
};
