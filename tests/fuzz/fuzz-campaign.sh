#!/bin/sh
# `make fuzz-campaign` (never part of `make check`): every built
# tests/fuzz/fuzz-* target for CAMPAIGN_RUNS executions (decoder targets:
# CAMPAIGN_DECODER_RUNS), ASan+UBSan as they are built, starting from the
# kept corpus in tests/fuzz/corpus/<target>/.  What a run finds that adds
# coverage is merged back into that corpus, minimised, with -merge=1.  A
# crash, leak, sanitizer report, timeout or out-of-memory is a finding: its
# input is kept as tests/fuzz/crashes/<target>-<kind>-<sha1>.  0 findings =
# exit 0.  Ends with a table: target, executions, exec/s, corpus, result.
#
# CAMPAIGN_RUNS: executions per target (default 10000000)
# CAMPAIGN_DECODER_RUNS: for fuzz-decoder-* (default 1000000)
# CAMPAIGN_MAX_SECONDS: stop a target after this long even short of its
#   runs (default: none); the table then says "short"
# CAMPAIGN_JOBS: targets at once (default: the number of CPUs)
# CAMPAIGN_TARGETS: names to run (default: every built one)
# CAMPAIGN_NO_MERGE=1: leave tests/fuzz/corpus alone
set -u

builddir=${top_builddir:-.}
srcdir=${top_srcdir:-.}
fuzzdir=$builddir/tests/fuzz
corpus=$srcdir/tests/fuzz/corpus
crashes=$srcdir/tests/fuzz/crashes
runs=${CAMPAIGN_RUNS:-10000000}
decoder_runs=${CAMPAIGN_DECODER_RUNS:-1000000}
max_s=${CAMPAIGN_MAX_SECONDS:-0}
jobs=${CAMPAIGN_JOBS:-$(nproc 2>/dev/null || echo 1)}

. "$srcdir/tests/fuzz/fuzz-lib.sh"
targets=$(fuzz_targets "$fuzzdir" "${CAMPAIGN_TARGETS:-}")
if [ -z "$targets" ]; then
    echo "fuzz-campaign: no libFuzzer targets built (make fuzz; configure needs clang)" >&2
    exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/spicecast-campaign.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir -p "$crashes"

campaign_one() {
    t=$1
    name=$(basename "$t")
    work=$tmp/$name
    want=$runs
    case $name in fuzz-decoder-*) want=$decoder_runs ;; esac
    mkdir -p "$work/new" "$work/artifacts" "$corpus/$name"
    limit=
    [ "$max_s" -gt 0 ] && limit="-max_total_time=$max_s"
    start=$(date +%s)
    # new units go to $work/new; the kept corpus is read as seeds
    "$t" -runs="$want" $limit $FUZZ_LIMITS \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
        "$work/new" "$corpus/$name" > "$work/log" 2>&1
    rc=$?
    secs=$(($(date +%s) - start))
    [ "$secs" -gt 0 ] || secs=1
    units=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n1)
    case ${units:-} in '' | *[!0-9]*) units=0 ;; esac
    if [ $rc -ne 0 ]; then
        result="FINDING" kept=
        for a in "$work"/artifacts/*; do
            [ -e "$a" ] || continue
            # a timeout is wall-clock time: under nice 19 on a loaded
            # machine a run can be starved past it (three such here during
            # a soak, each 60 ms when replayed).  Kept only if it times out
            # again, replayed alone.
            case $(basename "$a") in timeout-*)
                if "$t" $FUZZ_LIMITS "$a" > "$work/replay.log" 2>&1; then
                    result="stopped by a timeout that did not recur ($(basename "$a"))"
                    continue
                fi ;;
            esac
            cp "$a" "$crashes/$name-$(basename "$a")"
            kept="$kept $crashes/$name-$(basename "$a")"
        done
        [ -z "$kept" ] || result="FINDING$kept"
    elif [ "$units" -lt "$want" ]; then
        result="short (${secs}s limit)"
    else
        result="ok"
    fi
    if [ -z "${CAMPAIGN_NO_MERGE:-}" ] && [ -n "$(ls "$work/new")" ]; then
        # only what adds coverage to the kept corpus goes in, minimised
        "$t" -merge=1 $FUZZ_LIMITS -max_len=65536 \
            "$corpus/$name" "$work/new" > "$work/merge.log" 2>&1 ||
            result="$result (merge failed: $work/merge.log)"
    fi
    echo "$units $((units / secs)) $(ls "$corpus/$name" | wc -l) $result" > "$work/row"
    echo "fuzz-campaign: $name: $units runs in ${secs}s: $result"
}

n=0
for t in $targets; do n=$((n + 1)); done
cap=
[ "$max_s" -gt 0 ] && cap=", at most ${max_s}s each"
echo "fuzz-campaign: $n targets, $runs runs each ($decoder_runs for decoders), $jobs at a time$cap"
fuzz_each "$jobs" campaign_one $targets

status=0
echo
fuzz_row target executions exec/s corpus result
for t in $targets; do
    name=$(basename "$t")
    if [ ! -f "$tmp/$name/row" ]; then
        status=1
        fuzz_row "$name" - - - "no result"
        continue
    fi
    set -- $(cat "$tmp/$name/row")
    units=$1 rate=$2 size=$3
    shift 3
    case "$*" in FINDING*) status=1 ;; esac
    fuzz_row "$name" "$units" "$rate" "$size" "$*"
done
exit $status
