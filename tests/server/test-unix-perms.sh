#!/bin/bash
# Regression (issue 13, fault 4): the unix socket cannot be squatted or
# reached by another user.
# - Without XDG_RUNTIME_DIR the default socket goes into $TMPDIR/spicecast-UID:
#   created 0700 when absent; refused when another user owns it (mode 777,
#   made by that user first), when it is writable by others, or a symlink.
# - A unix client's uid (SO_PEERCRED) must be the server's, root's, or one
#   given with --allow-uid: with the socket opened up to everyone (chmod),
#   `nobody` is refused, and accepted with --allow-uid nobody.
# The cases that need a second user run as root only (setpriv); otherwise
# they are skipped with a note.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_prog spicy-screenshot spice-client-gtk
need_prog convert imagemagick
need_prog compare imagemagick
need_server

uid=$(id -u)
make_test_image "$T/x.png" 160 120
mkdir -m 1777 "$T/tmp"
dir=$T/tmp/spicecast-$uid

# serve_default ARGS: the server on the unix path its default would be
# without XDG_RUNTIME_DIR ($TMPDIR/spicecast-UID/NAME.sock), given with
# --listen so that no TCP port is taken: the directory check is the one
# every unix listen goes through.
serve_default() {
    env -u XDG_RUNTIME_DIR TMPDIR="$T/tmp" timeout 10 "$SERVER_BIN" --source "image:$T/x.png" \
        --name perms --listen "unix:$dir/perms.sock" "$@" >"$T/default.out" 2>&1 &
    DEFAULT_PID=$!
    HELPER_PIDS+=("$DEFAULT_PID")
}

# 1. absent: made 0700, served
serve_default
wait_unix "$dir/perms.sock" 10 "$DEFAULT_PID" || fail "no socket in a fresh $dir: $(cat "$T/default.out")"
mode=$(stat -c %a "$dir")
[ "$mode" = 700 ] || fail "$dir made with mode $mode, not 700"
timeout 20 spicy-screenshot --uri "spice+unix://$dir/perms.sock" -o "$T/shot.ppm" >"$T/spicy.out" 2>&1 ||
    fail "spicy-screenshot as our own user was refused (exit $?)"
check_screenshot "$T/x.png" "$T/shot.ppm" 160x120 "screenshot over the default-style socket"
stop_pid "$DEFAULT_PID"
note "a fresh socket directory is made 0700 and serves our own user"

# refused SETUP WANT: the server must exit non-zero, saying WANT
refused() {
    serve_default
    wait "$DEFAULT_PID"
    local rc=$?
    [ "$rc" != 0 ] && [ "$rc" != 124 ] || fail "$1: the server started (exit $rc)"
    grep -q "$2" "$T/default.out" || fail "$1: no '$2' in: $(cat "$T/default.out")"
    [ ! -e "$dir/perms.sock" ] || fail "$1: a socket was made in $dir"
    note "$1: refused ($(grep -o "$2.*" "$T/default.out" | head -n1))"
}

# 2. ours but writable by others
rm -rf "$dir"; mkdir -m 777 "$dir"; chmod 777 "$dir"
refused "a 777 directory of ours" "writable by other users"

# 3. a symlink to a directory of ours
rm -rf "$dir"; mkdir -m 700 "$T/elsewhere"; ln -s "$T/elsewhere" "$dir"
refused "a symlink" "not a directory"
rm -f "$dir"

if [ "$uid" != 0 ]; then
    note "not root: the cases with a second user (squatted directory, SO_PEERCRED) are left out"
    exit 0
fi
need_prog setpriv util-linux

# 4. squatted: another user made it first, mode 777
mkdir -m 777 "$dir"; chmod 777 "$dir"; chown nobody "$dir"
refused "a directory made by nobody" "belongs to uid $(id -u nobody)"
rm -rf "$dir"

# 5. SO_PEERCRED: the socket opened to everyone by hand; nobody is refused,
#    and accepted with --allow-uid nobody.  The socket sits in a directory
#    of its own under /tmp: $T's parents may be closed to nobody (the
#    sanitizer pass puts TMPDIR in a 0700 directory).
PUB=$(mktemp -d /tmp/sc-perms-pub.XXXXXX) || fail "mktemp failed"
trap 'rc=$?; rm -rf "$PUB"; (exit $rc); cleanup' EXIT
chmod 1777 "$PUB"
as_nobody() {
    setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME="$PUB" \
        timeout 20 spicy-screenshot --uri "spice+unix://$PUB/s.sock" -o "$PUB/shot.ppm" \
        >"$T/nobody.out" 2>&1
}
for allow in "" nobody; do
    rm -f "$PUB/shot.ppm"
    start_server --source "image:$T/x.png" --listen "unix:$PUB/s.sock" \
        ${allow:+--allow-uid "$allow"}
    chmod 666 "$PUB/s.sock"
    if [ -z "$allow" ]; then
        as_nobody && fail "nobody got a screenshot without --allow-uid"
        wait_for 5 "$SERVER_PID" grep -q "uid $(id -u nobody) is not allowed" "$T/server.err" ||
            fail "the server did not log the refused uid: $(cat "$T/server.err")"
        note "nobody refused on a world-writable socket: $(grep -o 'refused: uid.*' "$T/server.err" | head -n1)"
    else
        as_nobody || fail "nobody was refused with --allow-uid nobody: $(cat "$T/nobody.out")"
        check_screenshot "$T/x.png" "$PUB/shot.ppm" 160x120 "screenshot as nobody"
        note "nobody accepted with --allow-uid nobody (exact pixels)"
    fi
    server_alive
    stop_pid "$SERVER_PID"
done
