/* Helpers of the embedding-API tests (test-embed, test-embed-planes): they
 * link only libspicecast, as an embedder does, not the server harness. */
#pragma once
#include <glib.h>

/* A private directory for a test's socket and pictures (asserted: else the
 * socket would go to "(null)/vm.sock"). */
G_GNUC_UNUSED static char *embed_tmp_dir(void)
{
    GError *error = NULL;
    char *dir = g_dir_make_tmp("sc-embed-XXXXXX", &error);

    g_assert_no_error(error);
    return dir;
}
