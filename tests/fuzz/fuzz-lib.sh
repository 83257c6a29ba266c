# Sourced by run-fuzzers.sh (`make check`) and fuzz-campaign.sh
# (`make fuzz-campaign`): what both runs of the libFuzzer targets share.

# the limits every run of a target gets
FUZZ_LIMITS="-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024"

# fuzz_targets DIR [NAMES]: the built targets in DIR, one path a line; with
# NAMES (space-separated), only those.  The targets have no dot in their
# names (fuzz-campaign.sh, *.c, *.d do).
fuzz_targets() {
    for f in "$1"/fuzz-*; do
        [ -f "$f" ] && [ -x "$f" ] || continue
        case $(basename "$f") in *.*) continue ;; esac
        if [ -n "${2:-}" ]; then
            case " $2 " in *" $(basename "$f") "*) ;; *) continue ;; esac
        fi
        echo "$f"
    done
}

# fuzz_each JOBS FUNCTION TARGETS...: FUNCTION TARGET for each, JOBS at a
# time, and waits for all
fuzz_each() {
    _jobs=$1 _fn=$2
    shift 2
    _running=0
    for _t in "$@"; do
        "$_fn" "$_t" &
        _running=$((_running + 1))
        if [ "$_running" -ge "$_jobs" ]; then
            wait
            _running=0
        fi
    done
    wait
}

# fuzz_row NAME EXECUTIONS RATE CORPUS RESULT...: one line of the table
fuzz_row() {
    _name=$1 _units=$2 _rate=$3 _size=$4
    shift 4
    printf '%-28s %12s %9s %7s  %s\n' "$_name" "$_units" "$_rate" "$_size" "$*"
}
