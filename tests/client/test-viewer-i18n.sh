#!/bin/bash
# Translations chosen by LANG: with the catalogs make built (po/de.gmo,
# po/fr.gmo) and German / French locales made here with localedef (the
# machine may have none), the viewer's --help, its window title (Xvfb) and
# its disconnect message are in that language; LANG=C stays English.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/client/lib-client.sh"
VIEWER=$top_builddir/client/viewer
[ -x "$VIEWER" ] || skip "client/viewer not built (no GTK3)"
need_prog localedef locales
need_prog xwininfo x11-utils
for l in de fr; do
    if [ ! -f "$top_builddir/po/$l.gmo" ]; then
        command -v msgfmt >/dev/null || skip "po/$l.gmo not built: no msgfmt (gettext)"
        fail "po/$l.gmo not built by make (po/LINGUAS: $(cat "$top_srcdir/po/LINGUAS"))"
    fi
    mkdir -p "$T/mo/$l/LC_MESSAGES"
    cp "$top_builddir/po/$l.gmo" "$T/mo/$l/LC_MESSAGES/spicecast.mo"
done
mkdir -p "$T/loc"
for loc in de_DE fr_FR; do
    localedef -i $loc -f UTF-8 "$T/loc/$loc.UTF-8" 2>"$T/localedef.err" ||
        skip "localedef cannot make $loc.UTF-8 here: $(tail -n 1 "$T/localedef.err")"
done
export LOCPATH=$T/loc SPICECAST_LOCALEDIR=$T/mo
unset LANGUAGE LC_ALL LC_MESSAGES
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

# help LANG WANT
help_in() {
    local out
    out=$(env -u DISPLAY LANG=$1 timeout 10 "$VIEWER" --help 2>&1)
    echo "$out" | grep -qF "$2" && ok "LANG=$1 --help: '$2'" || bad "LANG=$1 --help: no '$2' in: $(echo "$out" | grep -- --full-screen)"
}
help_in de_DE.UTF-8 "Im Vollbild starten"
help_in fr_FR.UTF-8 "Démarrer en plein écran"
help_in C "Start in full screen"

start_xvfb 1280x800
make_test_image "$T/x.png" 320 200
port=$(free_port)
start_server --source "image:$T/x.png" --listen "tcp:127.0.0.1:$port" --disable-ticketing
# window LANG TITLE-SUFFIX DISCONNECT-WORD
window_in() {
    local name=${1%%.*} title
    SPICECAST_DEBUG=1 LANG=$1 start_bg "$name" 60 "$VIEWER" "spice://127.0.0.1:$port"
    VPID=$BG_PID
    wait_for 20 "$VPID" grep -q "first picture" "$T/$name.err" || { bad "LANG=$1: no picture"; return; }
    # the windows of the other languages are up too: this one's title is there
    title="\"spice://127.0.0.1:$port - $2\""
    xwininfo -root -tree | grep -qF "$title" && ok "LANG=$1: window title $title" \
        || bad "LANG=$1: no window titled $title: $(xwininfo -root -tree | grep -o '"spice:[^"]*"')"
}
window_in de_DE.UTF-8 "spicecast-Betrachter"
DE_PID=$VPID
window_in fr_FR.UTF-8 "visionneuse spicecast"
FR_PID=$VPID
window_in C "spicecast viewer"
stop_pid "$SERVER_PID" # the server goes: each says so in its language
for w in "de_DE:viewer: getrennt:" "fr_FR:viewer: déconnecté:" "C:viewer: disconnected:"; do
    f=$T/${w%%:*}.err; want=${w#*:}
    wait_for 10 "" grep -qF "$want" "$f" && ok "${w%%:*}: '$(grep -m1 -F "$want" "$f")'" \
        || bad "${w%%:*}: no '$want': $(grep 'viewer:' "$f" | tail -n 1)"
done
[ $fails = 0 ] || { dump_logs; exit 1; }
