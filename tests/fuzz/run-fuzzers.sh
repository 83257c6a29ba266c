#!/bin/sh
# Bounded libFuzzer run for `make check`: every built tests/fuzz/fuzz-* target
# runs over a temporary copy of its seed corpus; any crash, leak, sanitizer
# report or timeout fails the test.  Exit 77 (skip) without libFuzzer.
#
# FUZZ_SECONDS: seconds per target (default: 100 s shared, 5..15 s each).
# FUZZ_KEEP_ARTIFACTS=dir: copy crashing inputs there
# (default: tests/fuzz/corpus-run/artifacts in the build dir, git-ignored).
set -u

builddir=${top_builddir:-.}
srcdir=${top_srcdir:-.}
fuzzdir=$builddir/tests/fuzz

targets=
for f in "$fuzzdir"/fuzz-*; do
    [ -f "$f" ] && [ -x "$f" ] || continue
    case $f in *.c|*.o|*.log|*.trs) continue ;; esac
    targets="$targets $f"
done
if [ -z "$targets" ]; then
    echo "SKIP: no libFuzzer targets built (configure found no clang with -fsanitize=fuzzer, or --disable-fuzzing)" >&2
    exit 77
fi

n=0
for t in $targets; do n=$((n + 1)); done
if [ -n "${FUZZ_SECONDS:-}" ]; then
    per=$FUZZ_SECONDS
else
    per=$((100 / n))
    [ "$per" -gt 15 ] && per=15
    [ "$per" -lt 5 ] && per=5
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/spicecast-fuzz.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
keep=${FUZZ_KEEP_ARTIFACTS:-$fuzzdir/corpus-run/artifacts}

status=0
for t in $targets; do
    name=$(basename "$t")
    work=$tmp/$name
    mkdir -p "$work/corpus" "$work/artifacts"
    if [ -d "$srcdir/tests/fuzz/corpus/$name" ]; then
        cp -R "$srcdir/tests/fuzz/corpus/$name/." "$work/corpus/"
    else
        echo "note: $name has no seed corpus in tests/fuzz/corpus/$name"
    fi
    echo "== $name: ${per}s"
    # leaks are reported by LeakSanitizer at exit of each run
    timeout $((per + 60)) "$t" -max_total_time="$per" -timeout=10 -rss_limit_mb=2048 \
        -malloc_limit_mb=1024 -max_len=65536 -print_final_stats=1 \
        -artifact_prefix="$work/artifacts/" "$work/corpus" > "$work/log" 2>&1
    rc=$?
    grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$work/log" | tail -3
    units=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n1)
    case ${units:-} in '' | *[!0-9]* | 0) units=none ;; esac
    if [ $rc -eq 0 ] && [ "$units" = none ]; then
        # exit 0 without fuzzing anything (no -max_total_time honoured, a
        # driver that returns early, stats missing) is not a pass
        status=1
        echo "FAIL: $name exited 0 but executed no inputs"
        tail -n 20 "$work/log"
    elif [ $rc -ne 0 ]; then
        status=1
        echo "FAIL: $name exited with $rc"
        tail -n 60 "$work/log"
        mkdir -p "$keep"
        for a in "$work"/artifacts/*; do
            [ -e "$a" ] || continue
            cp "$a" "$keep/$name-$(basename "$a")"
            echo "crashing input kept as $keep/$name-$(basename "$a")"
        done
    fi
done
exit $status
