/* Sessions (server/session.c): one main channel and the channels linked
 * to it; the sessions live in server->sessions. */
#pragma once
#include <stdint.h>

#include <glib.h>

#include "server/channel.h"

struct sc_server;

struct sc_session {
    uint32_t id;
    struct sc_server *server;
    struct sc_channel_client *main;
    GList *channels; /* the other channel clients */
};

struct sc_session *sc_session_find(struct sc_server *server, uint32_t id);
struct sc_session *sc_session_new(struct sc_server *server);
unsigned sc_session_count(const struct sc_server *server);
/* Takes over a linked connection as one of the session's channels (the
 * main channel when klass is main's). */
struct sc_channel_client *sc_session_add_channel(struct sc_session *session,
                                                 struct sc_conn *conn,
                                                 const struct sc_link_mess *link,
                                                 const struct sc_channel_class *klass);
/* Closes every client of every session now (the server is going). */
void sc_session_close_all(struct sc_server *server);
