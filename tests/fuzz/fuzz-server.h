/* Shared by fuzz-server-link.c and fuzz-server-channel.c: one spicecast
 * server for the whole run (no listener, no source, ticketing disabled so
 * that any well-encrypted ticket links), driven over socketpairs through
 * sc_link_accept() exactly as listener_accept() hands it a connection, with
 * the main loop run by the harness.
 *
 * After every input the harness closes its ends and runs the loop until the
 * server is quiet; the server must then hold no pending link and no session
 * (everything a hostile client opened went away with it). */
#pragma once
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/link-limits.h"
#include "server/link.h"
#include "server/server-private.h"
#include "server/session.h"
#include "common/ticket.h"
#include "tests/fuzz/fuzz-util.h"

#define FS_MAX_CONNS 4

struct fuzz_server {
    struct sc_server *server;
    uint8_t blob[SC_TICKET_BLOB_BYTES]; /* the empty password for its key */
    int peers[FS_MAX_CONNS];
    unsigned n_peers;
    char addr[32]; /* as listener_accept() names a unix peer */
};

static struct fuzz_server fs;

/* ASan's quarantine (freed blocks kept poisoned to catch a use after free)
 * at 16 MB instead of 256: every input here starts from nothing and frees
 * what it made well within 16 MB, and with 256 MB every allocation came
 * from memory never touched before (page faults, zeroing): 13-34 % of the
 * run.  ASAN_OPTIONS still overrides it. */
const char *__asan_default_options(void);
const char *__asan_default_options(void) { return "quarantine_size_mb=16"; }

/* The ticket's RSA-OAEP decryption (a 1024-bit private-key operation and
 * OpenSSL's allocations under ASan) was 37 % of every run; its own parser
 * is fuzz-ticket's.  Linked with -Wl,--wrap=sc_ticket_decrypt, link.c gets
 * what the real one returns for this server's key: the empty password for
 * the one blob made for it (fs.blob), and NULL, "does not decrypt", for any
 * other 128 bytes, as RSA-OAEP does for blobs not made with the public key.
 * fs_setup() checks both answers against the real decryption once. */
char *__real_sc_ticket_decrypt(const struct sc_ticket_key *key, const uint8_t *blob, size_t len);
char *__wrap_sc_ticket_decrypt(const struct sc_ticket_key *key, const uint8_t *blob, size_t len);
char *__wrap_sc_ticket_decrypt(const struct sc_ticket_key *key, const uint8_t *blob, size_t len)
{
    (void)key;
    if (len == sizeof(fs.blob) && memcmp(blob, fs.blob, len) == 0)
        return strdup("");
    return NULL;
}

static void fs_check_ticket_model(void)
{
    uint8_t junk[sizeof(fs.blob)];
    char *given = __real_sc_ticket_decrypt(fs.server->ticket_key, fs.blob, sizeof(fs.blob));

    if (!given || given[0])
        abort();
    free(given);
    memcpy(junk, fs.blob, sizeof(junk));
    junk[sizeof(junk) / 2] ^= 1;
    if ((given = __real_sc_ticket_decrypt(fs.server->ticket_key, junk, sizeof(junk))))
        abort();
}

static void fs_setup(void)
{
    struct sc_server_options o = { .name = "fuzz", .disable_ticketing = true,
                                   .streaming_video = "off", .gl_scanout = "on" };

    if (fs.server) {
        /* each input starts with no memory of the ones before: wrong
         * tickets of earlier inputs would throttle this one's answers
         * (link-limits.h), and every input would depend on its history */
        sc_limits_free(fs.server->limits);
        fs.server->limits = sc_limits_new();
        return;
    }
    snprintf(fs.addr, sizeof(fs.addr), "unix:uid=%u", (unsigned)getuid());
    fs.server = sc_server_new(&o, NULL);
    if (!fs.server || !sc_ticket_encrypt(fs.server->pubkey, sizeof(fs.server->pubkey), "",
                                         fs.blob))
        abort();
    fs_check_ticket_model();
}

/* Runs what is ready on the main context (bounded: nothing may spin). */
static bool fs_drain(void)
{
    static uint8_t buf[65536]; /* (not on the stack: ASan poisons a frame per call) */
    bool got = false;

    for (unsigned k = 0; k < fs.n_peers; k++)
        while (fs.peers[k] >= 0 && recv(fs.peers[k], buf, sizeof(buf), MSG_DONTWAIT) > 0)
            got = true;
    return got;
}

/* (What the server wrote is read once it has nothing else to do, not
 * before every iteration: those reads were most of a run's system calls.
 * A server waiting for room to write goes on after them.) */
static void fs_run(void)
{
    for (int i = 0; i < 64; i++)
        if (!g_main_context_iteration(NULL, FALSE) && !fs_drain())
            break;
}

/* A new connection in the link stage; returns our end. */
static int fs_connect(void)
{
    int sv[2];

    if (fs.n_peers == FS_MAX_CONNS ||
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
        abort();
    sc_link_accept(fs.server, sv[0], true, "fuzz", fs.addr);
    fs.peers[fs.n_peers++] = sv[1];
    return sv[1];
}

/* Sends all of p (the socket buffer is drained by fs_run as needed). */
static void fs_send(int fd, const uint8_t *p, size_t len)
{
    while (len) {
        ssize_t n = send(fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n < 0 && errno == EAGAIN) {
            fs_run();
            continue;
        }
        if (n <= 0)
            return; /* the server closed it */
        p += n;
        len -= (size_t)n;
    }
    fs_run();
}

/* The id of the one live session, 0 if none. */
static uint32_t fs_session_id(void)
{
    GHashTableIter it;
    gpointer key, value;

    g_hash_table_iter_init(&it, fs.server->sessions);
    return g_hash_table_iter_next(&it, &key, &value) ? ((struct sc_session *)value)->id : 0;
}

/* A well-formed link of a channel (header, SpiceLinkMess with our caps,
 * the auth mechanism, the ticket) on a new connection; returns our end. */
static int fs_link(uint8_t type, bool mini, const uint32_t *extra_caps, unsigned n_extra)
{
    struct sc_link_mess m = { 0 };
    struct sc_writer w;
    int fd = fs_connect();

    m.connection_id = type == SPICE_CHANNEL_MAIN ? 0 : fs_session_id();
    m.channel_type = type;
    sc_caps_set(m.caps.common, &m.caps.n_common, SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION);
    sc_caps_set(m.caps.common, &m.caps.n_common, SPICE_COMMON_CAP_AUTH_SPICE);
    if (mini)
        sc_caps_set(m.caps.common, &m.caps.n_common, SPICE_COMMON_CAP_MINI_HEADER);
    for (unsigned i = 0; i < n_extra; i++)
        sc_caps_set(m.caps.channel, &m.caps.n_channel, extra_caps[i]);
    sc_writer_init(&w);
    sc_link_mess_write(&w, &m);
    sc_write_u32(&w, SPICE_COMMON_CAP_AUTH_SPICE);
    sc_write_bytes(&w, fs.blob, sizeof(fs.blob));
    if (w.error)
        abort();
    /* in one piece (the server answers the link message before it reads
     * on): each send costs a run of the main loop */
    fs_send(fd, w.data, w.size);
    sc_writer_finish(&w);
    if (type == SPICE_CHANNEL_MAIN && !fs_session_id())
        abort(); /* the harness's own link failed: every input would be wasted */
    return fd;
}

/* Closes our ends (newest first) and checks that the server let go of
 * everything. */
static void fs_finish(void)
{
    while (fs.n_peers) {
        close(fs.peers[--fs.n_peers]);
        fs_run();
    }
    for (int i = 0; i < 16 && (fs.server->pending || g_hash_table_size(fs.server->sessions)); i++)
        fs_run();
    if (fs.server->pending || g_hash_table_size(fs.server->sessions)) {
        fprintf(stderr, "fuzz-server: %u pending links, %u sessions left after the peers closed\n",
                g_list_length(fs.server->pending), g_hash_table_size(fs.server->sessions));
        abort();
    }
}
