/* spicecast server, for in-tree users: the public API (spicecast.h) plus
 * any source behind the internal source interface (source.h). */
#pragma once
#include <stdbool.h>

#include <glib.h>

#include "server/sources/source.h"

#include "server/spicecast.h"

/* The server does not own the source; it starts it on the first call. */
void sc_server_set_source(struct sc_server *server, struct sc_source *source);
