#!/bin/bash
# Runs last in `make check` (tests/local.mk makes its .log wait for every
# other test's) and fails if a process the suite started still runs.
# Every process a test starts inherits SPICECAST_TEST_RUN=RUN[/...], RUN
# being one id per `make check` run (tests/local.mk; a nested run, the
# sanitizer pass's, appends its own): this looks for RUN in
# /proc/*/environ, names what it finds, ends it and fails.  Processes of
# another run or not started by the suite carry another mark or none; this
# test's own ancestors (the test driver) carry RUN and are left out.
# Alone, with no other test in TESTS, it has nothing to wait for: to check
# one test, `make check TESTS='tests/x/test-y.sh tests/test-leftovers.sh'`.
set -u
run=${SPICECAST_TEST_RUN:-}
[ -n "$run" ] || { echo "SKIP: SPICECAST_TEST_RUN is not set (run it from make check)" >&2; exit 77; }
. "${top_srcdir:-$(dirname "$0")/..}/tests/interop/lib.sh"

# this shell's ancestors, which carry the mark until the test ends
ancestors=()
p=$$
while [ "$p" -gt 1 ] 2>/dev/null; do
    ancestors+=("$p")
    read -r stat </proc/"$p"/stat || break
    stat=${stat##*) } # after "PID (COMM) ": STATE PPID ...
    set -- $stat
    p=$2
done

survivors() {
    local q
    LEFT=()
    marked_pids "$run"
    for q in "${MARKED[@]}"; do
        [[ " ${ancestors[*]} " == *" $q "* ]] || LEFT+=("$q")
    done
}

# a helper that is still shutting down gets up to 5 s
for _ in $(seq 50); do
    survivors
    [ ${#LEFT[@]} = 0 ] && { echo "no process of run $run is left"; exit 0; }
    sleep 0.1
done
echo "FAIL: ${#LEFT[@]} process(es) the tests started (run $run) outlived them:" >&2
for q in "${LEFT[@]}"; do
    ps -o pid=,ppid=,pgid=,etime=,args= -p "$q" >&2
    echo "    mark: $(tr '\0' '\n' </proc/"$q"/environ 2>/dev/null | sed -n 's/^SPICECAST_TEST_RUN=//p')" >&2
done
end_marked "$run" "${ancestors[@]}" 2>/dev/null
exit 1
