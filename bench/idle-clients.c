/* idle-clients: N SPICE clients that link main + display, ask for the
 * display (ATTACH_CHANNELS, DISPLAY_INIT) and then never read again, held
 * for S seconds.  A server that queues updates per client without bound
 * grows while they are connected; one that keeps at most one pending frame
 * per client does not.  Used by bench/bench-server.sh (not a test).  The
 * clients are tests/interop/test-badinput's --stall clients, except that
 * they offer LZ4 on the display channel as spice-gtk does.
 *
 *   idle-clients (--tcp HOST:PORT | --unix PATH) [--password P] N SECONDS
 *
 * Prints "linked=N" once every client is linked, then sleeps. */
#include "config.h"

#include <signal.h>

#define IO_TIMEOUT_MS 10000
#include "tests/interop/raw-client.h"

int main(int argc, char **argv)
{
    int i = 1;
    signal(SIGPIPE, SIG_IGN);
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2)
        if (!peer_option(argv[i], argv[i + 1]))
            return 2;
    if (i + 2 != argc || (!peer.host && !peer.unix_path)) {
        fprintf(stderr, "usage: idle-clients (--tcp HOST:PORT | --unix PATH) [--password P] N SECONDS\n");
        return 2;
    }
    peer.display_caps = 1u << SPICE_DISPLAY_CAP_LZ4_COMPRESSION;
    int n = atoi(argv[i]), secs = atoi(argv[i + 1]);
    for (int k = 0; k < n; k++) {
        if (!idle_client()) {
            fprintf(stderr, "idle-clients: client %d failed to link\n", k);
            return 1;
        }
    }
    printf("linked=%d\n", n);
    fflush(stdout);
    sleep((unsigned)secs);
    return 0;
}
