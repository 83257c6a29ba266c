/* Sessions: a main channel and the channels linked to it by its id
 * (PROTOCOL.md §1).  The session owns its channel clients in one
 * direction: when the main channel closes, the others are closed too.  A
 * channel client tells its session it closed through the callback given
 * to sc_cc_new(); it never calls this file. */
#include "config.h"

#include "server/channel.h"
#include "common/log.h"
#include "server/net.h"
#include "server/server-private.h"
#include "server/session.h"

struct sc_session *sc_session_find(struct sc_server *server, uint32_t id)
{
    return g_hash_table_lookup(server->sessions, GUINT_TO_POINTER(id));
}

struct sc_session *sc_session_new(struct sc_server *server)
{
    struct sc_session *s = g_new0(struct sc_session, 1);

    do {
        s->id = g_random_int();
    } while (s->id == 0 || sc_session_find(server, s->id));
    s->server = server;
    g_hash_table_insert(server->sessions, GUINT_TO_POINTER(s->id), s);
    return s;
}

unsigned sc_session_count(const struct sc_server *server)
{
    return g_hash_table_size(server->sessions);
}

static void channel_closed(struct sc_channel_client *cc, void *data)
{
    struct sc_session *session = data;

    if (session->main != cc) {
        session->channels = g_list_remove(session->channels, cc);
        return;
    }
    /* the main channel owns the session: its channels go with it */
    session->main = NULL;
    for (GList *l = session->channels; l; l = l->next)
        sc_cc_close_silently(l->data);
    g_list_free(session->channels);
    g_hash_table_remove(session->server->sessions, GUINT_TO_POINTER(session->id));
    g_free(session);
}

struct sc_channel_client *sc_session_add_channel(struct sc_session *session,
                                                 struct sc_conn *conn,
                                                 const struct sc_link_mess *link,
                                                 const struct sc_channel_class *klass)
{
    struct sc_channel_client *cc;

    cc = sc_cc_new(session->server, session, conn, link, klass, channel_closed, session);
    if (klass->type == SPICE_CHANNEL_MAIN)
        session->main = cc;
    else
        session->channels = g_list_prepend(session->channels, cc);
    return cc;
}

void sc_session_close_all(struct sc_server *server)
{
    while (g_hash_table_size(server->sessions) > 0) {
        GHashTableIter it;
        gpointer key, value;
        struct sc_session *s;

        g_hash_table_iter_init(&it, server->sessions);
        g_hash_table_iter_next(&it, &key, &value);
        s = value;
        while (s->channels)
            sc_conn_close_now(((struct sc_channel_client *)s->channels->data)->conn);
        if (s->main) {
            sc_conn_close_now(s->main->conn);
        } else {
            g_hash_table_remove(server->sessions, key);
            g_free(s);
        }
    }
}
