#!/bin/bash
# LeakSanitizer at the server's exit, in the sanitizer pass (ASan builds
# only): a server with the pattern source and --streaming-video all that
# served a viewer (video: encoders, the pattern's text through cairo and
# fontconfig) is stopped with SIGTERM and must leave no leak report, with
# tests/soak/lsan.supp (make soak's suppressions).  A control run without
# the suppressions must report GLib's quark block (16384 bytes, from a
# library constructor): LeakSanitizer did look, and the suppression hides
# exactly that.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_server() { [ -x "$SERVER_BIN" ] || skip "$SERVER_BIN not built"; }
need_server
nm -D "$SERVER_BIN" 2>/dev/null | grep -q ' U __asan_init' ||
    skip "the server is not built with ASan (the sanitizer pass runs this)"
VIEWER=$top_builddir/client/viewer-headless
SUPP=$top_srcdir/tests/soak/lsan.supp
stacks=fast_unwind_on_malloc=0:malloc_context_size=30

# run NAME LSAN_OPTIONS: a server, one viewer with video, SIGTERM; its
# exit status in RC (0, or ASan's 1 after a leak report), its stderr in
# $T/NAME.err
run() {
    local name=$1 port
    port=$(free_port)
    start_bg "$name" 120 env ASAN_OPTIONS=detect_leaks=1:$stacks LSAN_OPTIONS="$2" "$SERVER_BIN" --source pattern:320x240,fps=30 \
        --streaming-video all --listen "tcp:127.0.0.1:$port" --disable-ticketing
    SERVER_PID=$BG_PID
    wait_for 30 "$SERVER_PID" grep -q "^listening on" "$T/$name.out" ||
        fail "$name: the server did not start: $(tail -n 5 "$T/$name.err")"
    if [ -x "$VIEWER" ]; then
        ASAN_OPTIONS=detect_leaks=0 timeout -k 5 40 "$VIEWER" --video --wait-video 10 \
            --timeout 30 --screenshot "$T/$name.png" "spice://127.0.0.1:$port" >"$T/$name.viewer" 2>&1 ||
            fail "$name: the viewer failed: $(tail -n 5 "$T/$name.viewer")"
    else
        sleep 3 # the pattern draws its text all the same
    fi
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID"
    RC=$?
    # (LeakSanitizer ends the process before stdio flushes "shutting down";
    # a signal or a crash would be rc >= 128)
    [ "$RC" -lt 128 ] || fail "$name: the server did not exit by itself (rc $RC)"
}

run control "$stacks"
grep -q "ERROR: LeakSanitizer" "$T/control.err" ||
    fail "the control run (no suppressions) reported no leak: is LeakSanitizer on?"
grep -A8 "Direct leak of 16384 byte" "$T/control.err" | grep -q "_dl_init" ||
    fail "the control run did not report GLib's quark block: $(grep -A8 'leak of' "$T/control.err" | head -20)"
# (the sanitizer pass keeps test temp dirs and fails on any report it finds
# there: this one was wanted)
echo "the control run's LeakSanitizer report was expected and is removed" >"$T/control.err"

run checked "$stacks:suppressions=$SUPP:print_suppressions=0"
if grep -q "ERROR: LeakSanitizer" "$T/checked.err" || [ "$RC" != 0 ]; then
    grep -A25 "leak of" "$T/checked.err" | head -120 >&2
    fail "LeakSanitizer reports at the server's exit (rc $RC)"
fi
echo "ok: no leak at the server's exit after serving video"
