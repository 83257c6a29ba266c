#!/bin/bash
# The bad-input program against a reference server, QEMU 7.2's own SPICE
# server, to show the program's expectations are a real server's behaviour.
# Skipped cases: spice-server 0.15.1 (QEMU 7.2) segfaults when a display
# channel sends a malformed or unknown message before DISPLAY_INIT
# (display-short-init, display-unknown-type): a bug in the reference.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
[ -x "$BADINPUT_BIN" ] || fail "$BADINPUT_BIN not built"
need_prog qemu-system-x86_64 qemu-system-x86

port=$(free_port)
export SPICE_DEBUG_ALLOW_MC=1
start_qemu "$port" password=qemu-pw
timeout 240 "$BADINPUT_BIN" --tcp "127.0.0.1:$port" --password qemu-pw \
    --skip display-short-init --skip display-unknown-type
rc=$?
alive "$QEMU_PID" || fail "QEMU died"
[ $rc = 0 ] || fail "test-badinput disagrees with QEMU's spice-server"
