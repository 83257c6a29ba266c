# tests/client/lib-client.sh: helpers for the client engine's tests, on top
# of tests/interop/lib.sh (temp dir $T, helper cleanup by PID, free_port...).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
HEADLESS_BIN=$top_builddir/client/viewer-headless

need_headless() {
    [ -x "$HEADLESS_BIN" ] || fail "$HEADLESS_BIN not built"
}

# headless SECS ARGS... : viewer-headless in the foreground, bounded; its
# output goes to $T/headless.out / .err (appended).  Returns its exit code.
headless() {
    local secs=$1
    shift
    timeout -k 5 "$secs" "$HEADLESS_BIN" --timeout "$((secs - 2))" "$@" \
        >>"$T/headless.out" 2>>"$T/headless.err"
}
