#!/bin/bash
# lib.sh's cleanup ends every process a test started, however it was
# started: a command whose timeout(1) was killed with SIGKILL (the orphan
# that test-viewer-window.sh used to leave), a helper that ignores SIGTERM,
# a background subshell running a foreground timeout (run_probe ... &), and
# a daemon that left the process group (setsid).  An inner copy of this
# script starts them all and exits; none may outlive it.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"

if [ "${1:-}" = inner ]; then
    out=$2
    children() { cat /proc/"$1"/task/*/children 2>/dev/null; }
    has_child() { [ -n "$(children "$1")" ]; }
    all_sleeping() { [ "$(pgrep -f -x 'sleep 30[1-4]' -s 0,"$setsid_pid" | wc -l)" -ge 4 ]; }
    echo "$SPICECAST_TEST_RUN" >"$out/mark"
    start_bg orphan 300 sleep 301
    wait_for 5 "" has_child "$BG_PID" || fail "timeout started no child"
    orphan=$(children "$BG_PID")
    kill -KILL "$BG_PID"
    wait "$BG_PID" 2>/dev/null
    sleep 0.2
    alive "$orphan" || fail "killing timeout took its command along: nothing to check"
    start_bg stubborn 300 bash -c 'trap "" TERM; sleep 302'
    (timeout 300 sleep 303; true) &
    HELPER_PIDS+=("$!")
    setsid sleep 304 &
    setsid_pid=$!
    wait_for 5 "" all_sleeping || fail "the helpers did not all start"
    marked_pids "$SPICECAST_TEST_RUN"
    echo "${#MARKED[@]}" >"$out/started"
    exit 0
fi

timeout 60 bash "$0" inner "$T" >"$T/inner.out" 2>"$T/inner.err"
rc=$?
cat "$T/inner.err" >&2
[ $rc = 0 ] || fail "the inner test failed (exit $rc)"
inner=$(cat "$T/mark")
started=$(cat "$T/started")
[ "$started" -ge 6 ] || fail "the inner test ran only $started marked processes"
marked_pids "$inner"
[ ${#MARKED[@]} = 0 ] || {
    ps -o pid=,ppid=,pgid=,args= -p "$(IFS=,; echo "${MARKED[*]}")" >&2
    fail "${#MARKED[@]} of the $started processes the inner test started outlived it"
}
note "all $started processes the inner test started ended with it"
