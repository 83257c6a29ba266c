#!/bin/bash
# make soak: one server, a changing source and --streaming-video all, and
# SOAK_CLIENTS (64) client slots joining and leaving for SOAK_MINUTES (10):
# spice-gtk probes that decode the video, our headless viewer, receive-only
# raw clients (bench/load-clients), hostile raw clients (test-badinput's
# malformed cases) and stalled readers.  Pass: the server never dies, no
# sanitizer report (LeakSanitizer included, at the server's exit), and once
# every client has left:
# - open fds: every kind (sockets, pipes, eventfds, files) back to its count
#   at rest, before any client; only the source's frame pool (memfds named
#   spicecast-frame) may keep what it made in the first round (below);
# - memory within 5 % of the plateau reached after a first round: under
#   ASan, the live heap (below), else RSS.
# Prints a summary table.  Not part of make check.
#
# By default the server and clients are built once more with ASan+UBSan in
# a copy of the tree (SOAK_SANITIZERS=0: use this build as it is;
# SOAK_BUILD_DIR=DIR: keep that copy in DIR and reuse it, so that a second
# soak rebuilds only what changed).
#   SOAK_MINUTES=10 SOAK_CLIENTS=64 SOAK_SOURCE=pattern:640x360 make soak
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
MINUTES=${SOAK_MINUTES:-10}
SLOTS=${SOAK_CLIENTS:-64}
SOURCE=${SOAK_SOURCE:-pattern:640x360,fps=30}
WARMUP_S=$(( MINUTES * 6 > 60 ? 60 : MINUTES * 6 + 20 )) # a first round: 10 %, 1 min at most
TOTAL_S=$(( MINUTES * 60 ))
[ "$TOTAL_S" -gt "$WARMUP_S" ] || TOTAL_S=$(( WARMUP_S + 30 ))
need_prog prlimit util-linux

# ---- the build under test ----------------------------------------------------
B=$top_builddir
if [ "${SOAK_SANITIZERS:-1}" = 1 ]; then
    git -C "$top_srcdir" rev-parse --git-dir >/dev/null 2>&1 ||
        skip "$top_srcdir is not a git checkout: set SOAK_SANITIZERS=0"
    B=${SOAK_BUILD_DIR:-$T/asan}
    mkdir -p "$B" "$T/san"
    note "building an ASan+UBSan copy in $B (a few minutes)"
    (cd "$top_srcdir" && git ls-files -z --cached --others --exclude-standard) |
        (cd "$top_srcdir" && tar cf - --no-recursion --null -T -) | (cd "$B" && tar xf -) ||
        fail "copying the tree failed"
    (cd "$B" && SPICECAST_NO_APT=1 CONFIGURE_FLAGS="--enable-sanitizers --disable-fuzzing" \
        ./bootstrap >"$T/build.log" 2>&1 &&
        make -j2 tests/interop/probe tests/interop/test-badinput bench/load-clients \
            >>"$T/build.log" 2>&1) || { tail -30 "$T/build.log" >&2; fail "the sanitizer build failed"; }
    # full stacks in every report: the fast unwinder stops at the first
    # frame without a frame pointer (GLib's g_malloc), and a leak report
    # then names nothing but malloc and g_malloc
    stacks=fast_unwind_on_malloc=0:malloc_context_size=30
    export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:quarantine_size_mb=32:$stacks:log_path=$T/san/asan
    # (tests/soak/lsan.supp: GLib's quark block, dropped by GLib on purpose)
    export LSAN_OPTIONS=$stacks:suppressions=$top_srcdir/tests/soak/lsan.supp:print_suppressions=0
    SERVER_ASAN=${ASAN_OPTIONS/detect_leaks=0/detect_leaks=1}
    export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$T/san/ubsan
fi
SERVER=$B/server/spicecast-server
PROBE=$B/tests/interop/probe
VIEWER=$B/client/viewer-headless
BADINPUT=$B/tests/interop/test-badinput
LOAD=$B/bench/load-clients
for p in "$SERVER" "$BADINPUT" "$LOAD"; do [ -x "$p" ] || fail "$p not built"; done
[ -x "$PROBE" ] || note "no spice-gtk probe (spice-client-glib missing): its slots run load-clients"
[ -x "$VIEWER" ] || note "no headless viewer: its slots run load-clients"

# ---- the server ---------------------------------------------------------------
port=$(free_port)
sock=$T/soak.sock
start_bg server $((TOTAL_S + 300)) env ASAN_OPTIONS="${SERVER_ASAN:-}" "$SERVER" --source "$SOURCE" --streaming-video all \
    --listen "tcp:127.0.0.1:$port" --listen "unix:$sock" --disable-ticketing
SERVER_PID=$BG_PID
wait_for 20 "$SERVER_PID" server_listening 2 || fail "the server did not start"
SPID=$(cat /proc/"$SERVER_PID"/task/*/children 2>/dev/null | tr -s ' ' '\n' | head -n1) # under timeout
[[ $SPID =~ ^[0-9]+$ ]] && [ -d /proc/"$SPID"/fd ] || fail "no server process under timeout"
fds() { ls /proc/"$SPID"/fd 2>/dev/null | wc -l; }
# Memory under ASan: RSS counts ASan's quarantine (freed blocks held back
# to catch use-after-free, up to quarantine_size_mb = 32 MB), which fills
# over minutes: a 2-minute soak grew RSS 5.7 % after round 1 with it, 1.3 %
# with quarantine_size_mb=0 (and 23 MB less RSS).  So the verdict takes the
# live heap, what the server allocated and has not freed (quarantine
# excluded), from ASan itself through gdb; RSS is still printed.  (ASan's
# allocator is not glibc's either: its RSS says little about production.)
heap_kb() {
    timeout 60 gdb -p "$SPID" -batch -ex 'call (unsigned long)__sanitizer_get_current_allocated_bytes()' \
        2>/dev/null | sed -n 's/^\$1 = \([0-9]*\)$/\1/p' | awk '{ printf "%d", $1 / 1024 }'
}
MEM=rss_kb MEM_WHAT="RSS"
if [ "${SOAK_SANITIZERS:-1}" = 1 ]; then
    command -v gdb >/dev/null || fail "gdb is needed to read the ASan server's live heap"
    MEM=heap_kb MEM_WHAT="live heap (ASan)"
fi
rss_kb() { awk '/^VmRSS:/ { print $2 }' /proc/"$SPID"/status 2>/dev/null; }
# what the open fds are, by kind (memfd:NAME, socket, pipe, anon_inode:KIND,
# paths), "COUNT KIND" a line: the verdict names what did not go away
fd_kinds() {
    for f in /proc/"$SPID"/fd/*; do readlink "$f"; done 2>/dev/null |
        sed -E 's/:\[[0-9]+\]$//; s/ \(deleted\)$//' | sort | uniq -c
}
cpu_s() { awk '{ printf "%.1f", ($14 + $15) / 100 }' /proc/"$SPID"/stat 2>/dev/null; }
sleep 3
FD_BASE=$(fds)
fd_kinds >"$T/fds.rest"
[ "$FD_BASE" -gt 0 ] || fail "cannot read the server's fds in /proc/$SPID/fd"
note "server pid $SPID: $FD_BASE fds at rest"

# ---- the clients --------------------------------------------------------------
# slot N runs one kind of client again and again until its deadline; each
# run appends "KIND RC" to $T/runs.
kinds=(probe viewer load badinput stall)
run_one() { # KIND SECONDS
    local kind=$1 s=$2 uri="spice://127.0.0.1:$port"
    [ "$kind" = probe ] && [ ! -x "$PROBE" ] && kind=load
    [ "$kind" = viewer ] && [ ! -x "$VIEWER" ] && kind=load
    case $kind in
    probe) # spice-gtk, decoding the stream; over unix every other time
        [ $((RANDOM % 2)) = 0 ] && uri="spice+unix://$sock"
        timeout -k 5 $((s + 30)) "$PROBE" --uri "$uri" --timeout $((s + 20)) --streams \
            --count-updates "$s" >/dev/null 2>&1 ;;
    viewer)
        timeout -k 5 $((s + 30)) "$VIEWER" --video --wait-video 5 --timeout $((s + 20)) \
            --screenshot /dev/null "$uri" >/dev/null 2>&1 ;;
    load)
        timeout -k 5 $((s + 30)) "$LOAD" --tcp "127.0.0.1:$port" --warmup 1 --window "$s" \
            $((1 + RANDOM % 3)) >/dev/null 2>&1 ;;
    badinput) # one malformed case, then it leaves
        timeout -k 5 60 "$BADINPUT" --tcp "127.0.0.1:$port" \
            --only "$("$BADINPUT" --list 2>/dev/null | shuf -n1)" >/dev/null 2>&1 ;;
    stall) # links, asks for pixels, never reads
        timeout -k 5 $((s + 30)) "$BADINPUT" --tcp "127.0.0.1:$port" --stall 2 "$s" \
            >/dev/null 2>&1 ;;
    esac
    echo "$kind $?" >>"$T/runs"
}
slot() { # N DEADLINE
    local kind=${kinds[$(($1 % ${#kinds[@]}))]}
    while [ "$(date +%s)" -lt "$2" ]; do
        run_one "$kind" $((2 + RANDOM % 8))
        alive "$SPID" || return
    done
}
round() { # SECONDS
    local deadline=$(( $(date +%s) + $1 )) pids=() i
    for ((i = 0; i < SLOTS; i++)); do
        slot "$i" "$deadline" &
        pids+=($!)
        sleep 0.05
    done
    while [ "$(date +%s)" -lt "$deadline" ] && alive "$SPID"; do
        sleep 5
        echo "$(( $(date +%s) - START )) $(fds) $(rss_kb) $(cpu_s)" >>"$T/samples"
    done
    wait "${pids[@]}" 2>/dev/null
}
# once the clients left: the server closes them at its own pace
at_rest() { [ "$(fds)" -le "${FD_PLATEAU:-$FD_BASE}" ]; }
settle() { sleep 5; wait_for 20 "" at_rest; }

START=$(date +%s)
note "round 1: $WARMUP_S s with $SLOTS client slots"
round "$WARMUP_S"
alive "$SPID" || fail "the server died in round 1"
sleep 5
FD_PLATEAU=$(fds) RSS_PLATEAU=$(rss_kb) MEM_PLATEAU=$($MEM)
fd_kinds >"$T/fds.plateau"
note "round 2: $((TOTAL_S - WARMUP_S)) s"
round $((TOTAL_S - WARMUP_S))
alive "$SPID" || fail "the server died in round 2"
settle
FD_END=$(fds) RSS_END=$(rss_kb) CPU_END=$(cpu_s) MEM_END=$($MEM)
fd_kinds >"$T/fds.end"
stop_pid "$SERVER_PID"

# ---- verdict ------------------------------------------------------------------
# every sanitizer's report: LeakSanitizer's (the server's exit, which then
# aborts) says "ERROR: LeakSanitizer", not AddressSanitizer
san_re='ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:'
reports=$(grep -lE "$san_re" "$T"/san/* "$T"/server.err 2>/dev/null | wc -l)
printf '\n%-10s %8s %8s %8s\n' kind runs ok failed
for k in "${kinds[@]}"; do
    n=$(grep -c "^$k " "$T/runs") okn=$(grep -c "^$k 0$" "$T/runs")
    printf '%-10s %8d %8d %8d\n' "$k" "$n" "$okn" $((n - okn))
done
echo
printf '%-28s %s\n' "duration" "$(( $(date +%s) - START )) s, $SLOTS slots, source $SOURCE" \
    "server" "alive to the end, $CPU_END s CPU" \
    "sanitizer reports" "$reports" \
    "open fds" "$FD_BASE at rest, $FD_PLATEAU after round 1, $FD_END at the end" \
    "RSS" "${RSS_PLATEAU} kB after round 1, ${RSS_END} kB at the end" \
    "$MEM_WHAT" "${MEM_PLATEAU} kB after round 1, ${MEM_END} kB at the end" \
    "peak (fds, RSS kB)" "$(sort -k2,2n "$T/samples" | tail -n1 | cut -d' ' -f2), $(sort -k3,3n "$T/samples" | tail -n1 | cut -d' ' -f3)"
echo; echo "open fds by kind: at rest / after round 1 / at the end"
join -a1 -a2 -e0 -o 0,1.1,2.1 -1 2 -2 2 <(awk '{print $1, $2}' "$T/fds.rest" | sort -k2) \
    <(awk '{print $1, $2}' "$T/fds.plateau" | sort -k2) |
    join -a1 -a2 -e0 -o 0,1.2,1.3,2.1 -1 1 -2 2 - <(awk '{print $1, $2}' "$T/fds.end" | sort -k2) |
    awk '{ printf "  %-40s %4d %4d %4d\n", $1, $2, $3, $4 }'
status=0
[ "$reports" = 0 ] || { grep -h -A30 -E "$san_re" "$T"/san/* "$T"/server.err | head -80; status=1; }
# Open fds: each kind back to its count at rest.  The source's frame pool
# (common/frame.c, memfds "spicecast-frame") makes up to its size (the
# pattern's: 6) as clients hold frames and keeps them for reuse: the
# pattern redraws only what a reused frame lacks, which it knows by the
# frame's address (server/sources/stale.h), so the pool cannot free them
# as it goes.  Those may stay at their round-1 count, never above it.
count_of() { awk -v k="$2" '$2 == k { print $1 }' "$1"; }
for kind in $(awk '{ print $2 }' "$T/fds.rest" "$T/fds.plateau" "$T/fds.end" | sort -u); do
    end=$(count_of "$T/fds.end" "$kind") limit=$(count_of "$T/fds.rest" "$kind")
    [ "$kind" = /memfd:spicecast-frame ] && limit=$(count_of "$T/fds.plateau" "$kind")
    [ "${end:-0}" -le "${limit:-0}" ] ||
        { note "FAIL: $kind: ${end:-0} open at the end, ${limit:-0} allowed"; status=1; }
done
[[ $MEM_END =~ ^[0-9]+$ && $MEM_PLATEAU =~ ^[0-9]+$ ]] || { note "FAIL: no $MEM_WHAT figures"; status=1; }
[ $((${MEM_END:-1} * 100)) -le $((${MEM_PLATEAU:-0} * 105)) ] ||
    { note "FAIL: $MEM_WHAT grew from $MEM_PLATEAU to $MEM_END kB (more than 5 %)"; status=1; }
for k in probe viewer load; do
    [ "$(grep -c "^$k 0$" "$T/runs")" -gt 0 ] || [ "$(grep -c "^$k " "$T/runs")" = 0 ] ||
        { note "FAIL: no $k client succeeded"; status=1; }
done
[ $status = 0 ] && echo "soak: PASS" || fail "soak failed (see above)"
