#!/bin/bash
# spicecast-server's command line: listen addresses (IPv4, IPv6, unix, the
# defaults), the no-password rule for non-loopback addresses, password file
# errors, clean shutdown on SIGTERM and SIGINT (socket files removed).
set -u
# lib.sh: $T (checked mktemp), a cleanup trap that stops every PID in
# HELPER_PIDS and removes $T, free_port
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
SERVER=$SERVER_BIN
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

# start NAME ARGS...: runs the server in the background, waits for "listening"
start() {
    local name=$1; shift
    timeout 60 "$SERVER" "$@" > "$T/$name.out" 2> "$T/$name.err" &
    PID=$!
    HELPER_PIDS+=("$PID")
    for _ in $(seq 100); do
        grep -q "^listening on" "$T/$name.out" 2>/dev/null && return 0
        kill -0 $PID 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

stop() { # stop PID SIGNAL: true if it exits 0 within 5 s
    kill -"$2" "$1"; for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
    wait "$1"
}

# 1. IPv4 + IPv6 + unix at once; a real client on each; SIGTERM cleans up
p4=$(free_port); p6=$(free_port)
sock=$T/run/a.sock
if start a --source pattern:320x200 --listen tcp:127.0.0.1:$p4 --listen "tcp:[::1]:$p6" --listen unix:$sock; then
    grep -q "listening on tcp:127.0.0.1:$p4" $T/a.out && grep -q "listening on tcp:\[::1\]:$p6" $T/a.out \
        && grep -q "listening on unix:$sock" $T/a.out && grep -q "remote-viewer spice://" $T/a.out \
        && ok "prints every address and how to connect" || bad "listening lines: $(cat $T/a.out)"
    [ "$(stat -c %a "$sock")" = 600 ] && ok "unix socket mode 0600" || bad "socket mode $(stat -c %a "$sock")"
    if command -v spicy-screenshot >/dev/null; then
        timeout 20 spicy-screenshot -h 127.0.0.1 -p $p4 -o $T/v4.ppm >/dev/null 2>&1 && ok "client over IPv4" || bad "client over IPv4"
        if [ -e /proc/net/if_inet6 ] && grep -q "^0*1 .* lo$" /proc/net/if_inet6; then
            timeout 20 spicy-screenshot -h ::1 -p $p6 -o $T/v6.ppm >/dev/null 2>&1 && ok "client over IPv6" || bad "client over IPv6"
        else
            echo "skip IPv6 client: no ::1 on this machine"
        fi
        timeout 20 spicy-screenshot --uri "spice+unix://$sock" -o $T/ux.ppm >/dev/null 2>&1 && ok "client over unix socket" || bad "client over unix"
    else
        echo "skip clients over IPv4, IPv6, unix: spicy-screenshot not found (Debian package spice-client-gtk)"
    fi
    stop $PID TERM && ok "SIGTERM: exit status 0" || bad "SIGTERM exit status"
    [ ! -e "$sock" ] && ok "SIGTERM removed the socket file" || bad "socket file left behind"
else
    bad "server did not start: $(cat $T/a.err)"
fi

# 2. defaults: unix socket in $XDG_RUNTIME_DIR/spicecast/NAME.sock (TCP 5900 may be taken: skip if so)
if ! (echo > /dev/tcp/127.0.0.1/5900) 2>/dev/null; then
    if XDG_RUNTIME_DIR=$T/xdg start b --name demo; then
        grep -q "listening on tcp:127.0.0.1:5900" $T/b.out && grep -q "listening on unix:$T/xdg/spicecast/demo.sock" $T/b.out \
            && ok "default addresses" || bad "default addresses: $(cat $T/b.out)"
        stop $PID INT && ok "SIGINT: exit status 0" || bad "SIGINT exit status"
        [ ! -e "$T/xdg/spicecast/demo.sock" ] && ok "SIGINT removed the socket" || bad "default socket left behind"
    else
        bad "server with defaults did not start: $(cat $T/b.err)"
    fi
else
    echo "skip defaults: port 5900 is in use here"
fi

# 3. no password on a non-loopback address: refused with a reason, allowed with --insecure
p=$(free_port)
timeout 10 "$SERVER" --listen tcp:0.0.0.0:$p > $T/c.out 2> $T/c.err
rc=$?
[ $rc != 0 ] && grep -q "without a password" $T/c.err && ok "refuses 0.0.0.0 without a password" \
    || bad "0.0.0.0 without password: rc=$rc $(cat $T/c.err)"
if start d --listen tcp:0.0.0.0:$p --insecure; then
    ok "--insecure allows 0.0.0.0"; stop $PID TERM
else
    bad "--insecure: $(cat $T/d.err)"
fi
echo hunter2 > $T/pw
p=$(free_port)
if start e --listen tcp:0.0.0.0:$p --password-file $T/pw; then
    ok "a password allows 0.0.0.0"; stop $PID TERM
else
    bad "password + 0.0.0.0: $(cat $T/e.err)"
fi

# 4. argument errors: clear message, non-zero exit
check_err() { # DESC PATTERN ARGS...
    local desc=$1 pat=$2; shift 2
    timeout 10 "$SERVER" "$@" > $T/f.out 2> $T/f.err
    local rc=$?
    [ $rc != 0 ] && [ $rc != 124 ] && grep -qi "$pat" $T/f.err && ok "$desc" || bad "$desc: rc=$rc $(cat $T/f.err)"
}
check_err "missing password file" "no such file" --password-file $T/nope --listen unix:$T/x.sock
: > $T/empty
check_err "empty password file" "password" --password-file $T/empty --listen unix:$T/x.sock
check_err "password and --disable-ticketing" "conflict" --password-file $T/pw --disable-ticketing
check_err "bad listen address" "bad listen address" --listen foo:bar
check_err "bad TCP address" "bad TCP address" --listen tcp:nonsense
check_err "unknown source" "source" --source nosuch --listen unix:$T/x.sock
check_err "missing image" "image" --source image:$T/nope.png --listen unix:$T/x.sock

echo "$fails failed"
[ $fails = 0 ]
