#!/bin/bash
# The frame path is a tree: no function-call cycle between the files of
# server/ (libspicecast-server) or of the viewer's engine (libscclient).
# Read from the object files: file A calls file B when A's undefined
# symbols include a function B defines (nm).  A reference to data (a
# registry naming its backends' const ops tables) is no call, so only text
# symbols (T) make edges.  tsort finds the loops; each is printed.  And
# server/ makes no LZ4 call of its own (its lossless updates go through
# codecs/lossless.c), and the viewer engine defines no name of the server's
# display (sc_display_*) or streams (sc_stream_*).
#   tests/test-call-graph.sh [server] [client]   the check; by default (make
#                                                check) both
#   tests/test-call-graph.sh --edges              print the edges, for a picture
set -u
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
command -v nm >/dev/null && command -v tsort >/dev/null ||
    { echo "SKIP: nm or tsort missing (binutils, coreutils)"; exit 77; }

# edges DIR PREFIX: "A B" lines, A calls a function of B (names without
# the libtool object prefix)
edges() {
    local dir=$1 prefix=$2 o
    local objs=("$top_builddir/$dir"/"$prefix"*.o)
    [ -e "${objs[0]}" ] || { echo "no objects $dir/$prefix*.o (not built?)" >&2; return 1; }
    for o in "${objs[@]}"; do
        local n=${o##*/}; n=${n#"$prefix"}; n=${n%.o}
        nm --defined-only "$o" | awk -v n="$n" '$2 == "T" { print "D", $3, n }'
        nm -u "$o" | awk -v n="$n" '{ print "U", $2, n }'
    done | awk '$1 == "D" { def[$2] = $3; next }
                { use[NR] = $2; who[NR] = $3 }
                END { for (i in use) if ((use[i] in def) && def[use[i]] != who[i])
                          print who[i], def[use[i]] }' | sort -u
}

if [ "${1:-}" = --edges ]; then
    edges server libspicecast_server_la-; edges client libscclient_la-
    exit 0
fi
fails=0
want=${*:-server client}
for lib in "server libspicecast_server_la- server/ (libspicecast-server)" \
           "client libscclient_la- the viewer engine (libscclient)"; do
    set -- $lib
    [[ " $want " == *" $1 "* ]] || continue
    dir=$1 prefix=$2
    shift 2
    e=$(edges "$dir" "$prefix") || { fails=$((fails + 1)); continue; }
    if loops=$(echo "$e" | tsort 2>&1 >/dev/null) && [ -z "$loops" ]; then
        echo "ok   $*: $(echo "$e" | wc -l) call edges between files, no cycle"
    else
        echo "FAIL $*: function-call cycles between files:"
        echo "$loops" | awk '/contains a loop/ { if (l) print "    " l; l = ""; next }
                             { sub(/^tsort: /, ""); l = l (l ? " -> " : "") $0 }
                             END { if (l) print "    " l }' 
        echo "  edges (caller callee):"
        echo "$e" | sed 's/^/    /'
        fails=$((fails + 1))
    fi
done
# One lossless path: server/ encodes through the codec layer
# (codecs/lossless.c), never with LZ4 itself (liblz4's LZ4_*, or common's
# sc_lz4_image_* writer).
if [[ " $want " == *" server "* ]]; then
    lz4=$(for o in "$top_builddir"/server/libspicecast_server_la-*.o; do
              nm -u "$o" | awk -v o="${o##*/}" '$2 ~ /^(LZ4_|sc_lz4_)/ { print "    " o ": " $2 }'
          done)
    if [ -n "$lz4" ]; then
        echo "FAIL server/ calls LZ4 itself (its lossless path is codecs/lossless.c):"
        echo "$lz4"
        fails=$((fails + 1))
    else
        echo "ok   server/ (libspicecast-server): no LZ4 call (lossless through codecs/)"
    fi
fi
# One word per thing: sc_display_* and sc_stream_* name the server's display
# (server/display.c) and video streams (server/stream.c); the viewer engine's
# display channel is sc_client_display_channel / sc_client_stream_msg_*, so
# libscclient defines neither prefix.
if [[ " $want " == *" client "* ]]; then
    # the archive, not client/*.o: an object of a renamed file stays behind
    names=$(nm --defined-only "$top_builddir/client/.libs/libscclient.a" |
                awk '/:$/ { o = $1 } $3 ~ /^sc_(display|stream)_/ { print "    " o " " $3 }')
    if [ -n "$names" ]; then
        echo "FAIL the viewer engine names its code after the server's display or streams:"
        echo "$names"
        fails=$((fails + 1))
    else
        echo "ok   the viewer engine (libscclient): no sc_display_* / sc_stream_* name"
    fi
fi
exit $((fails > 0))
