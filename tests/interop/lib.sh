# tests/interop/lib.sh: shared helpers for the interop tests (bash).
#
# Source it first thing:  . "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
# It makes a temp dir ($T), installs a cleanup trap that ends every helper
# the test started (see "Helpers end with the test" below) and removes $T,
# and offers:
#   skip REASON / fail REASON / note TEXT
#   need_prog PROG [package]          skip (77) when a peer binary is missing
#   free_port                         prints a free TCP port on 127.0.0.1
#   start_bg NAME SECS CMD...         start CMD under `timeout SECS`, logs in
#                                     $T/NAME.out and $T/NAME.err; sets BG_PID
#   stop_pid PID                      SIGTERM, wait up to 5 s, then SIGKILL
#                                     its process group
#   marked_pids MARK                  MARKED=(processes started under MARK)
#   end_marked MARK                   TERM them, 2 s, KILL; names them
#   wait_for SECS PID CMD...          until CMD succeeds (false once PID died
#                                     or SECS passed; PID may be empty)
#   wait_tcp PORT SECS [PID]          until 127.0.0.1:PORT accepts
#   wait_unix PATH SECS [PID]         until PATH is a socket
#   start_server ARGS...              our server; waits for its "listening on"
#                                     lines; sets SERVER_PID, logs server.out/err
#   expect_listening ADDR             fail unless the server said "listening on ADDR"
#   start_qemu PORT|unix:PATH [ARGS]  QEMU 7.2's own SPICE server; QEMU_PID
#   start_xvfb WxH                    Xvfb on a free display; sets DISPLAY
#   run_probe SECS ARGS...            the spice-gtk probe, bounded
#   make_test_image OUT W H           a gradient + text + colour blocks PNG
#   image_diff A B                    ImageMagick AE (differing pixels)
#   kv KEY FILE                       the first KEY=value line's value
#   check_screenshot REF SHOT WxH WHAT  fail unless SHOT is WxH and REF's pixels
#   make_ca DIR NAME                  a self-signed test CA (openssl)
#   make_x509_dir DIR CA SUBJ [SAN]   ca-cert.pem, server-cert.pem, server-key.pem
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$top_builddir}"
SERVER_BIN=${SPICECAST_SERVER:-$top_builddir/server/spicecast-server}
PROBE_BIN=$top_builddir/tests/interop/probe
BADINPUT_BIN=$top_builddir/tests/interop/test-badinput
TEST_NAME=$(basename "$0" .sh)

T=$(mktemp -d "${TMPDIR:-/tmp}/sc-$TEST_NAME.XXXXXX") || { echo "mktemp failed" >&2; exit 99; }
HELPER_PIDS=()

# Helpers end with the test.  Every process a test starts inherits
# SPICECAST_TEST_RUN: `make check` sets it to one id per run (tests/local.mk),
# and here the test appends its own part, RUN/NAME-PID.  cleanup stops the
# helpers in HELPER_PIDS (start_bg, start_xvfb: each runs under timeout(1),
# which leads a process group of its own, so the whole group goes), then
# ends whatever else still carries the test's mark: what a helper forked off
# into the background, or a command whose timeout was killed.  At the end of
# `make check`, tests/test-leftovers.sh looks for the run's mark the same way
# and fails if anything survived.  Marks are [A-Za-z0-9_/-] only.
SPICECAST_TEST_RUN=${SPICECAST_TEST_RUN:-solo}/$TEST_NAME-$$
export SPICECAST_TEST_RUN
# The bound of the long-lived helpers (server, QEMU, Xvfb): only a net for
# a test killed before its cleanup, so it must outlast the slowest whole
# test (a sanitizer build on a loaded machine: 120 s was not enough, and
# Xvfb or the server went away in the middle of a test)
HELPER_TIMEOUT=${HELPER_TIMEOUT:-300}

note() { echo "[$TEST_NAME] $*" >&2; }
skip() { echo "SKIP: $TEST_NAME: $*" >&2; exit 77; }
fail() {
    echo "FAIL: $TEST_NAME: $* (after ${SECONDS}s)" >&2
    dump_logs
    exit 1
}

# Last lines of every helper log, so a failure explains itself in the .log.
dump_logs() {
    local f
    for f in "$T"/*.out "$T"/*.err; do
        [ -s "$f" ] || continue
        echo "---- $(basename "$f") (last 30 lines) ----" >&2
        tail -n 30 "$f" >&2
    done
}

stop_pid() {
    local pid=$1 i
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        for i in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    # timeout(1) forwarded the TERM to its process group (whose id is its
    # PID) and has exited once the command did: kill what is left of the
    # group, the command itself when it ignored the TERM, and its children.
    # Killing timeout alone would orphan them.
    kill -KILL -- "-$pid" 2>/dev/null
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

# marked_pids MARK : sets MARKED to the PIDs of the processes, but this
# shell, whose environment holds SPICECAST_TEST_RUN=MARK or MARK/...  No
# subshell: the /proc list is taken before grep starts, so that neither grep
# nor a copy of this shell (which carry the mark too) is listed.
marked_pids() {
    local files=(/proc/[0-9]*/environ) re p
    re="^SPICECAST_TEST_RUN=${1//[^A-Za-z0-9_\/-]/.}(/|\$)"
    MARKED=()
    while IFS= read -r p; do
        p=${p#/proc/}
        p=${p%/environ}
        [ "$p" = $$ ] || [ "$p" = "$BASHPID" ] || MARKED+=("$p")
    done < <(grep -lsEz -e "$re" "${files[@]}")
}

# end_marked MARK [PID...] : TERM every process marked MARK (except the PIDs
# given), wait up to 2 s, KILL those left; names each on stderr.  True when
# there was none.
end_marked() {
    local mark=$1 pids=() p i
    shift
    marked_pids "$mark"
    for p in "${MARKED[@]}"; do
        [[ " $* " == *" $p "* ]] && continue
        pids+=("$p")
        echo "left running: pid $p: $(tr '\0' ' ' </proc/"$p"/cmdline 2>/dev/null)" >&2
    done
    [ ${#pids[@]} = 0 ] && return 0
    kill -TERM "${pids[@]}" 2>/dev/null
    for i in $(seq 20); do
        kill -0 "${pids[@]}" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "${pids[@]}" 2>/dev/null
    return 1
}

cleanup() {
    local rc=$? i
    trap - EXIT INT TERM HUP
    # newest first: clients before the servers they talk to
    for ((i = ${#HELPER_PIDS[@]} - 1; i >= 0; i--)); do
        stop_pid "${HELPER_PIDS[$i]}"
    done
    end_marked "$SPICECAST_TEST_RUN" || note "ended what the test left running (above)"
    if [ -n "${KEEP_TEST_TMP:-}" ]; then
        note "kept $T"
    else
        rm -rf "$T"
    fi
    exit $rc
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

need_prog() {
    command -v "$1" >/dev/null 2>&1 || skip "$1 not found${2:+ (Debian package $2)}"
}

need_server() {
    [ -x "$SERVER_BIN" ] || fail "$SERVER_BIN not built"
}

need_probe() {
    [ -x "$PROBE_BIN" ] || skip "tests/interop/probe not built (spice-client-glib-2.0 missing at configure time)"
}

# Whether something accepts on 127.0.0.1:PORT now (bash's /dev/tcp).
tcp_accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A TCP port on 127.0.0.1 that nothing listens on now (checked by trying to
# connect; bash's /dev/tcp), below the kernel's ephemeral range so that no
# outgoing connection (or its TIME_WAIT) holds it.  Racy by nature: callers
# start right away.
free_port() {
    local port i lo=32768 range
    range=$(cat /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null) && lo=${range%%[[:space:]]*}
    [ "$lo" -gt 12000 ] 2>/dev/null || lo=32768
    for i in $(seq 200); do
        port=$((10000 + (RANDOM * 32768 + RANDOM + $$) % (lo - 10000)))
        if ! tcp_accepts "$port"; then
            echo "$port"
            return 0
        fi
    done
    fail "no free port found"
}

# start_bg NAME SECS CMD... : CMD in the background under timeout.
start_bg() {
    local name=$1 secs=$2
    shift 2
    timeout -k 5 "$secs" "$@" >"$T/$name.out" 2>"$T/$name.err" &
    BG_PID=$!
    HELPER_PIDS+=("$BG_PID")
}

alive() { kill -0 "$1" 2>/dev/null; }

# wait_for SECS PID CMD... : polls CMD every 0.1 s; true as soon as it
# succeeds, false once PID (if not empty) is gone or after SECS seconds.
wait_for() {
    local secs=$1 pid=$2 i
    shift 2
    for i in $(seq $((secs * 10))); do
        "$@" && return 0
        if [ -n "$pid" ] && ! alive "$pid"; then
            return 1
        fi
        sleep 0.1
    done
    return 1
}

wait_tcp() { wait_for "$2" "${3:-}" tcp_accepts "$1"; }
wait_unix() { wait_for "$2" "${3:-}" test -S "$1"; }

# at least $1 "listening on" lines in the server's output
server_listening() { [ "$(grep -c '^listening on ' "$T/server.out" 2>/dev/null)" -ge "$1" ]; }

# start_server ARGS... : our server, bounded to SERVER_TIMEOUT (HELPER_TIMEOUT).  Waits
# until it printed one "listening on" line per --listen it was given.
start_server() {
    need_server
    local want=0 a
    for a in "$@"; do
        [ "$a" = --listen ] && want=$((want + 1))
    done
    [ $want -gt 0 ] || want=1
    start_bg server "${SERVER_TIMEOUT:-$HELPER_TIMEOUT}" "$SERVER_BIN" "$@"
    SERVER_PID=$BG_PID
    wait_for 10 "$SERVER_PID" server_listening $want ||
        fail "server did not report $want 'listening on' line(s) within 10 s: $SERVER_BIN $*"
}

expect_listening() {
    grep -q "^listening on $1" "$T/server.out" ||
        fail "server did not print 'listening on $1': $(cat "$T/server.out")"
}

server_alive() {
    alive "$SERVER_PID" || fail "the server died: $(tail -n 5 "$T/server.err" 2>/dev/null)"
}

# start_qemu PORT|unix:PATH [EXTRA -spice OPTIONS] [-- MORE QEMU ARGS]
start_qemu() {
    need_prog qemu-system-x86_64 qemu-system-x86
    local where=$1 spice_extra=${2:-disable-ticketing=on} listen
    shift 2 2>/dev/null || shift
    [ "${1:-}" = -- ] && shift
    case $where in
    unix:*) listen="unix=on,addr=${where#unix:}" ;;
    *) listen="port=$where,addr=127.0.0.1" ;;
    esac
    start_bg qemu "${QEMU_TIMEOUT:-$HELPER_TIMEOUT}" qemu-system-x86_64 -machine pc -m 64 -nodefaults \
        -device VGA -display none -spice "$listen,$spice_extra" "$@"
    QEMU_PID=$BG_PID
    case $where in
    unix:*) wait_unix "${where#unix:}" 20 "$QEMU_PID" ;;
    *) wait_tcp "$where" 20 "$QEMU_PID" ;;
    esac || fail "QEMU did not start listening"
}

# start_xvfb WxH : Xvfb on a display it picks itself (-displayfd).
start_xvfb() {
    need_prog Xvfb xvfb
    local geom=${1:-1280x1024}
    : >"$T/xvfb.display"
    # -noreset: the server does not reset when its last client leaves, so a
    # client that connects right after another one closes never meets a
    # server in the middle of its reset
    timeout -k 5 "${XVFB_TIMEOUT:-$HELPER_TIMEOUT}" Xvfb -displayfd 3 -screen 0 "${geom}x24" -nolisten tcp -noreset \
        3>"$T/xvfb.display" >"$T/xvfb.out" 2>"$T/xvfb.err" &
    XVFB_PID=$!
    HELPER_PIDS+=("$XVFB_PID")
    wait_for 10 "$XVFB_PID" test -s "$T/xvfb.display" || fail "Xvfb did not start"
    DISPLAY=:$(head -n1 "$T/xvfb.display")
    export DISPLAY
}

# run_probe SECS ARGS... : the probe in the foreground, bounded; stdout is
# left for the caller, stderr goes to $T/probe.err.
run_probe() {
    local secs=$1
    shift
    timeout -k 5 "$secs" "$PROBE_BIN" --timeout "$((secs - 2))" "$@" 2>>"$T/probe.err"
}

# make_test_image OUT W H : a deterministic picture with a gradient, text,
# and four solid colour blocks (red, green, blue, yellow) in a row at the top
# left, each 64x48, starting at (16,16), that tests can look for.
make_test_image() {
    local out=$1 w=$2 h=$3 font text=()
    # text only with a font file we can name (ImageMagick's default,
    # Helvetica from ghostscript, is often missing)
    font=$(fc-match -f '%{file}' sans 2>/dev/null)
    if [ -n "$font" ] && [ -f "$font" ]; then
        text=(-font "$font" -fill white -pointsize 20 -draw "text 24,110 'spicecast ${w}x${h}'")
    fi
    convert -size "${w}x${h}" gradient:'#203040-#e0c080' \
        -fill '#ff0000' -draw 'rectangle 16,16 79,63' \
        -fill '#00ff00' -draw 'rectangle 80,16 143,63' \
        -fill '#0000ff' -draw 'rectangle 144,16 207,63' \
        -fill '#ffff00' -draw 'rectangle 208,16 271,63' \
        -fill '#101010' -draw 'rectangle 16,80 300,200' \
        "${text[@]}" \
        \( -size 120x300 gradient:'#ff8000-#0040ff' -rotate 90 \) -geometry +320+40 -composite \
        \( -seed 7 -size 201x99 xc:gray +noise Random \) -geometry +330+200 -composite \
        -fill '#ff00ff' -draw "line 0,$((h - 1)) $((w - 1)),0" \
        -fill '#00ffff' -draw "point $((w - 1)),$((h - 1))" \
        -depth 8 -type TrueColor "PNG24:$out" || fail "convert could not make $out"
}

# kv KEY FILE : the value of the first KEY=... line (the probe's output).
kv() { sed -n "s/^$1=//p" "$2" | head -n1; }

# image_diff A B : number of differing pixels; when the sizes differ (or an
# image cannot be read) a message instead, which no caller takes for a
# number.  ImageMagick 6's compare does not refuse two sizes: it pads the
# smaller image (here with its edge pixels), so a picture missing rows or
# columns of a flat border counted as 0 differing pixels.
image_diff() {
    local ae sa sb
    sa=$(identify -format '%wx%h' "$1" 2>/dev/null)
    sb=$(identify -format '%wx%h' "$2" 2>/dev/null)
    if [ -z "$sa" ] || [ "$sa" != "$sb" ]; then
        echo "sizes differ: ${sa:-unreadable} vs ${sb:-unreadable}"
        return 0
    fi
    ae=$(compare -metric AE "$1" "$2" null: 2>&1) || true
    echo "$ae"
}

# check_screenshot REF SHOT WxH WHAT : SHOT is WxH and has exactly REF's
# pixels (else a diff image goes to $T/diff.png and the test fails).
check_screenshot() {
    local ref=$1 shot=$2 want=$3 what=$4 size ae
    size=$(identify -format '%wx%h' "$shot" 2>/dev/null)
    [ "$size" = "$want" ] || fail "$what is '$size', not $want"
    ae=$(image_diff "$ref" "$shot")
    [ "$ae" = 0 ] || {
        compare "$ref" "$shot" "$T/diff.png" 2>/dev/null
        fail "$what differs from the image in $ae pixels"
    }
}

# make_ca DIR NAME : a self-signed CA, DIR/ca-cert.pem + DIR/ca-key.pem.
make_ca() {
    need_prog openssl openssl
    mkdir -p "$1"
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$2" \
        -keyout "$1/ca-key.pem" -out "$1/ca-cert.pem" 2>"$T/openssl.err" ||
        fail "openssl could not make the CA $2"
}

# make_x509_dir DIR CA_DIR SUBJECT [SAN] : an x509 dir as QEMU wants it:
# CA_DIR's ca-cert.pem, server-key.pem and server-cert.pem (SUBJECT as
# "/C=XX/O=.../CN=...", signed by CA_DIR's key, SAN such as
# "IP:127.0.0.1" if given).
make_x509_dir() {
    local dir=$1 ca=$2 subj=$3 san=${4:-}
    mkdir -p "$dir"
    cp "$ca/ca-cert.pem" "$dir/ca-cert.pem"
    : >"$dir/ext"
    [ -n "$san" ] && printf 'subjectAltName=%s\n' "$san" >"$dir/ext"
    openssl req -newkey rsa:2048 -nodes -subj "$subj" -keyout "$dir/server-key.pem" \
        -out "$dir/server.csr" 2>"$T/openssl.err" &&
        openssl x509 -req -in "$dir/server.csr" -CA "$ca/ca-cert.pem" -CAkey "$ca/ca-key.pem" \
            -CAcreateserial -days 2 -extfile "$dir/ext" -out "$dir/server-cert.pem" \
            2>"$T/openssl.err" || fail "openssl could not make the certificate in $dir"
    chmod 600 "$dir/server-key.pem"
}
