/* Several one-head sources as one source of several heads
 * (server/sources/heads.c): child i is head i.  The qemu-dbus source makes
 * one child per QEMU console it is asked to show (consoles=0+1). */
#pragma once
#include "server/sources/source.h"

/* Takes the n children (1..SC_MAX_HEADS, each of one head and of one
 * kind: the result's name, help and create are children[0]'s); NULL if n
 * is out of range.  Destroying the result destroys them. */
struct sc_source *sc_source_heads_new(struct sc_source **children, unsigned n);
