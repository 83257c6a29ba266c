#!/bin/sh
# Bounded libFuzzer run for `make check`: every built tests/fuzz/fuzz-* target
# runs over a temporary copy of its seed corpus; any crash, leak, sanitizer
# report or timeout fails the test.  Exit 77 (skip) without libFuzzer.
# The reproducers kept in tests/fuzz/crashes/<target>-* are replayed first
# (a regression there fails the test).  Ends with a table: target,
# executions, executions/s, corpus, result.
#
# FUZZ_BUDGET: seconds of fuzzing in all (default 120), shared by the
#   targets: each gets FUZZ_BUDGET * FUZZ_JOBS / targets, 3..15 s; add about
#   a second per target for start-up and the leak check at exit.
# FUZZ_SECONDS: seconds per target instead (overrides FUZZ_BUDGET).
# FUZZ_JOBS: targets run at once (default 2: the 2 cores `make check` gets).
# FUZZ_TARGETS: names to run (default: every built one).
# FUZZ_KEEP_ARTIFACTS=dir: copy crashing inputs there
# (default: tests/fuzz/corpus-run/artifacts in the build dir, git-ignored).
# `make fuzz-campaign` (tests/fuzz/fuzz-campaign.sh) is the long run.
set -u

builddir=${top_builddir:-.}
srcdir=${top_srcdir:-.}
fuzzdir=$builddir/tests/fuzz

. "$srcdir/tests/fuzz/fuzz-lib.sh"
targets=$(fuzz_targets "$fuzzdir" "${FUZZ_TARGETS:-}")
if [ -z "$targets" ]; then
    echo "SKIP: no libFuzzer targets built (configure found no clang with -fsanitize=fuzzer, or --disable-fuzzing)" >&2
    exit 77
fi

jobs=${FUZZ_JOBS:-2}
n=0
for t in $targets; do n=$((n + 1)); done
if [ -n "${FUZZ_SECONDS:-}" ]; then
    per=$FUZZ_SECONDS
else
    per=$((${FUZZ_BUDGET:-120} * jobs / n))
    [ "$per" -gt 15 ] && per=15
    [ "$per" -lt 3 ] && per=3
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/spicecast-fuzz.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
keep=${FUZZ_KEEP_ARTIFACTS:-$fuzzdir/corpus-run/artifacts}

# One target: its log in $tmp/NAME/log, its verdict in $tmp/NAME/result.
run_one() {
    t=$1
    name=$(basename "$t")
    work=$tmp/$name
    mkdir -p "$work/corpus" "$work/artifacts"
    if [ -d "$srcdir/tests/fuzz/corpus/$name" ]; then
        cp -R "$srcdir/tests/fuzz/corpus/$name/." "$work/corpus/"
    else
        echo "note: $name has no seed corpus in tests/fuzz/corpus/$name" > "$work/note"
    fi
    # every reproducer kept in tests/fuzz/crashes/ for this target must pass,
    # 300 times in a row (a finding may need the state an earlier run left)
    set -- "$srcdir"/tests/fuzz/crashes/"$name"-*
    if [ -e "$1" ]; then
        if ! timeout 120 "$t" -runs=300 $FUZZ_LIMITS "$@" \
                > "$work/log" 2>&1; then
            echo "FAIL(a kept reproducer)" > "$work/result"
            echo none > "$work/units"
            echo 0 > "$work/corpus-size"
            return
        fi
    fi
    # leaks are reported by LeakSanitizer at exit of each run
    timeout $((per + 60)) "$t" -max_total_time="$per" $FUZZ_LIMITS \
        -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$work/artifacts/" "$work/corpus" > "$work/log" 2>&1
    rc=$?
    units=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n1)
    case ${units:-} in '' | *[!0-9]* | 0) units=none ;; esac
    if [ $rc -eq 0 ] && [ "$units" = none ]; then
        # exit 0 without fuzzing anything (no -max_total_time honoured, a
        # driver that returns early, stats missing) is not a pass
        echo "no-inputs" > "$work/result"
    elif [ $rc -ne 0 ]; then
        echo "FAIL($rc)" > "$work/result"
    else
        echo "ok" > "$work/result"
    fi
    echo "$units" > "$work/units"
    ls "$work/corpus" | wc -l > "$work/corpus-size"
}

echo "fuzzing $n targets, ${per}s each, $jobs at a time"
fuzz_each "$jobs" run_one $targets

status=0
table=$(fuzz_row target executions exec/s corpus result)
for t in $targets; do
    name=$(basename "$t")
    work=$tmp/$name
    result=$(cat "$work/result" 2>/dev/null || echo "FAIL(no result)")
    units=$(cat "$work/units" 2>/dev/null || echo none)
    [ -f "$work/note" ] && cat "$work/note"
    echo "== $name: ${per}s"
    grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$work/log" | tail -3
    case $result in
    ok) ;;
    no-inputs)
        status=1
        echo "FAIL: $name exited 0 but executed no inputs"
        tail -n 20 "$work/log"
        ;;
    *)
        status=1
        echo "FAIL: $name: $result"
        tail -n 60 "$work/log"
        mkdir -p "$keep"
        for a in "$work"/artifacts/*; do
            [ -e "$a" ] || continue
            cp "$a" "$keep/$name-$(basename "$a")"
            echo "crashing input kept as $keep/$name-$(basename "$a")"
        done
        ;;
    esac
    rate=-
    [ "$units" != none ] && rate=$((units / per))
    table="$table
$(fuzz_row "$name" "$units" "$rate" "$(cat "$work/corpus-size")" "$result")"
done
echo
echo "$table"
exit $status
