#!/bin/bash
# The viewer's command line without any display: --version and --help
# work; a .vv file that does not parse, a missing one, a VNC one, a URI
# without a port are each a clear message and a non-zero exit, before any
# window; a .vv file with delete-this-file=1 is gone once read.
set -u
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}
VIEWER=$top_builddir/client/viewer
[ -x "$VIEWER" ] || { echo "SKIP: client/viewer not built (no GTK3)" >&2; exit 77; }
T=$(mktemp -d /tmp/sc-viewer-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }
# no display at all, whatever the caller has
nodisplay() { env -u DISPLAY -u WAYLAND_DISPLAY XDG_RUNTIME_DIR="$T" timeout 10 "$VIEWER" "$@"; }

out=$(nodisplay --version 2>&1); st=$?
[ $st = 0 ] && echo "$out" | grep -q "^viewer (spicecast) [0-9]" && ok "--version: '$out'" \
    || bad "--version: exit $st, '$out'"
out=$(nodisplay --help 2>&1); st=$?
[ $st = 0 ] && echo "$out" | grep -q -- "--hotkeys" && echo "$out" | grep -q -- "--zoom" \
    && echo "$out" | grep -q "\.vv" && ok "--help lists --hotkeys, --zoom and .vv files" \
    || bad "--help: exit $st, $(echo "$out" | head -n 3)"
out=$(nodisplay --help-gtk 2>&1); st=$?
[ $st = 0 ] && echo "$out" | grep -q -- "--display" && ok "--help-gtk" || bad "--help-gtk: exit $st"

# expect_error NAME PATTERN ARGS...: non-zero exit, PATTERN in stderr, no window attempted
expect_error() {
    local name=$1 pat=$2 err st
    shift 2
    err=$(nodisplay "$@" 2>&1 >/dev/null); st=$?
    if [ $st != 0 ] && echo "$err" | grep -q -- "$pat" && ! echo "$err" | grep -q "cannot open the display"; then
        ok "$name: exit $st, '$err'"
    else
        bad "$name: exit $st, '$err' (wanted /$pat/)"
    fi
}
printf 'not a key file\n' >"$T/junk.vv"
expect_error "junk .vv" "junk.vv:" "$T/junk.vv"
printf '[virt-viewer]\nhost=h\nport=5900\n' >"$T/notype.vv"
expect_error ".vv without type=" "no \[virt-viewer\] group with a type=" "$T/notype.vv"
printf '[virt-viewer]\ntype=vnc\nhost=h\nport=5900\n' >"$T/vnc.vv"
expect_error "type=vnc" "SPICE only" "$T/vnc.vv"
printf '[virt-viewer]\ntype=spice\nhost=h\nport=99999\n' >"$T/port.vv"
expect_error "bad port in .vv" "port=: not a number" "$T/port.vv"
rm -f "$T/missing.vv"
expect_error "missing .vv" "missing.vv" "$T/missing.vv"
expect_error "URI without a port" "missing port or tls-port" "spice://127.0.0.1"
expect_error "unknown URI key" "unknown key 'foo'" "spice://127.0.0.1?port=5900&foo=1"
expect_error "bad --zoom" "zoom" --zoom 5 spice://127.0.0.1:5900
expect_error "no argument" "give one" 

# a good file gets as far as the display (and, delete-this-file=1, is gone)
printf '[virt-viewer]\ntype=spice\nhost=127.0.0.1\nport=5900\ndelete-this-file=1\n' >"$T/good.vv"
err=$(nodisplay "$T/good.vv" 2>&1 >/dev/null); st=$?
[ $st != 0 ] && echo "$err" | grep -q "cannot open the display" && ok "good .vv read, then: '$(echo "$err" | tail -n 1)'" \
    || bad "good .vv without a display: exit $st, '$err'"
[ ! -e "$T/good.vv" ] && ok "delete-this-file=1: the file is gone" || bad "delete-this-file=1: still there"
[ $fails = 0 ]
