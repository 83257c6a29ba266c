#!/bin/bash
# bench/transport-throughput.sh: the lossless path's throughput over tcp:,
# tls:, ws: and wss: on loopback (issue 11), a benchmark run by hand:
#
#   bench/transport-throughput.sh [SECONDS]     (from the build tree)
#
# One spicecast-server plays a 1280x720 y4m of noise (every frame fully
# damaged, LZ4 gains nothing) at 200 fps with streaming off, so every
# update is a lossless DRAW_COPY and the server sends as fast as a client
# reads (it coalesces the rest).  One receive-only viewer (bench/load-
# clients: it drains, decodes nothing) counts the bytes for SECONDS (10).
# ws:/wss:/tls: need a client that speaks them: a Python bridge takes the
# viewer's plain TCP and speaks TLS / WebSocket (RFC 6455, masked frames
# out) to the server; "tcp via bridge" puts tcp: through the same bridge so
# the bridge's own cost shows.  Figures: MB/s received, server CPU seconds
# per second and per MB (utime + stime from /proc), the bridge's CPU/s.
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/.." && pwd)}
top_srcdir=${top_srcdir:-$top_builddir}
. "$top_srcdir/tests/interop/lib.sh"
need_server
need_prog openssl openssl
need_prog python3 python3
LOAD=$top_builddir/bench/load-clients
[ -x "$LOAD" ] || fail "$LOAD not built (make bench/load-clients)"
SECS=${1:-10}
W=1280 H=720
SERVER_TIMEOUT=600

echo "== spicecast transport throughput, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores," \
    "load $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$T/noise.y4m" $W $H <<'PY'
import os, sys
path, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
with open(path, "wb") as f:
    f.write(b"YUV4MPEG2 W%d H%d F200:1 Ip A1:1 C420jpeg\n" % (w, h))
    for k in range(4):
        f.write(b"FRAME\n" + os.urandom(w * h * 3 // 2))
PY
make_ca "$T/ca" "bench CA"
make_x509_dir "$T/x509" "$T/ca" "/CN=127.0.0.1" "IP:127.0.0.1"
p_tcp=$(free_port) p_tls=$(free_port) p_ws=$(free_port) p_wss=$(free_port)
start_server --source "y4m:$T/noise.y4m" --streaming-video off --disable-ticketing \
    --x509-dir "$T/x509" --listen "tcp:127.0.0.1:$p_tcp" --listen "tls:127.0.0.1:$p_tls" \
    --listen "ws:127.0.0.1:$p_ws" --listen "wss:127.0.0.1:$p_wss"
spid=$(cat /proc/"$SERVER_PID"/task/*/children 2>/dev/null | awk '{print $1}')
spid=${spid:-$SERVER_PID}

cat >"$T/bridge.py" <<'PY'
# bridge.py LISTEN-PORT MODE SERVER-PORT: plain TCP in, MODE (tcp, tls, ws,
# wss) out to 127.0.0.1:SERVER-PORT; one thread per direction.
import os, socket, ssl, struct, sys, threading
from wsclient import upgrade
lport, mode, sport = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])

def connect():
    s = socket.create_connection(("127.0.0.1", sport))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if mode in ("tls", "wss"):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s)
    if mode in ("ws", "wss"):
        return s, upgrade(s)
    return s, b""

def up(c, s):  # viewer -> server
    while True:
        d = c.recv(65536)
        if not d:
            break
        if mode in ("ws", "wss"):
            mask = os.urandom(4)
            n = len(d)
            h = bytes([0x82]) + (bytes([0x80 | n]) if n < 126 else
                                 bytes([0xFE]) + struct.pack(">H", n))
            m = (mask * (n // 4 + 1))[:n]
            d = h + mask + (int.from_bytes(d, "big") ^ int.from_bytes(m, "big")).to_bytes(n, "big")
        s.sendall(d)

def down(s, c, buf):  # server -> viewer
    ws = mode in ("ws", "wss")
    while True:
        if not ws:
            d = s.recv(1 << 20)
            if not d:
                break
            c.sendall(d)
            continue
        while True:
            if len(buf) >= 2:
                n, h = buf[1] & 0x7F, 2
                if n == 126 and len(buf) >= 4:
                    n, h = struct.unpack(">H", buf[2:4])[0], 4
                elif n == 127 and len(buf) >= 10:
                    n, h = struct.unpack(">Q", buf[2:10])[0], 10
                if n < 126 or h > 2:
                    if len(buf) >= h + n:
                        if buf[0] & 0x0F == 2 or buf[0] & 0x0F == 0:
                            c.sendall(buf[h:h + n])
                        buf = buf[h + n:]
                        continue
            break
        d = s.recv(1 << 20)
        if not d:
            break
        buf += d

def serve(c):
    s, rest = connect()
    threading.Thread(target=up, args=(c, s), daemon=True).start()
    down(s, c, rest)

l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", lport))
l.listen(8)
while True:
    c, _ = l.accept()
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY

ticks() { awk '{print $14 + $15}' /proc/"$1"/stat 2>/dev/null || echo 0; }
hz=$(getconf CLK_TCK)
printf '%-16s %9s %12s %13s %12s\n' transport "MB/s" "srv cpu s/s" "srv cpu ms/MB" "bridge s/s"
run() { # NAME MODE|direct PORT
    local name=$1 mode=$2 port=$3 cport=$3 bpid="" b0=0 b1 out mbit mbs cpu
    if [ "$mode" != direct ]; then
        cport=$(free_port)
        start_bg "bridge-$name" $((SECS + 60)) env PYTHONPATH="$top_srcdir/tests/interop" python3 "$T/bridge.py" "$cport" "$mode" "$port"
        bpid=$BG_PID
        wait_tcp "$cport" 10 "$bpid" || fail "bridge $name did not listen"
    fi
    out=$(timeout $((SECS + 40)) "$LOAD" --tcp "127.0.0.1:$cport" --warmup 3 --window "$SECS" \
        --server-pid "$spid" 1 2>"$T/load-$name.err" & 
        sleep 3; b0=$( [ -n "$bpid" ] && ticks "$(pgrep -P "$bpid" | head -n1)" ); wait; echo " b0=$b0")
    [ -n "$bpid" ] && b1=$(ticks "$(pgrep -P "$bpid" | head -n1)")
    mbit=$(sed -n 's/.*mbit_per_viewer=\([0-9.]*\).*/\1/p' <<<"$out")
    cpu=$(sed -n 's/.*server_cpu_per_s=\([0-9.-]*\).*/\1/p' <<<"$out")
    b0=$(sed -n 's/.* b0=\([0-9]*\).*/\1/p' <<<"$out")
    [ -n "$mbit" ] || { echo "$name: no figures: $(tail -n 2 "$T/load-$name.err")"; return; }
    mbs=$(awk -v m="$mbit" 'BEGIN { printf "%.1f", m / 8 }')
    printf '%-16s %9s %12s %13s %12s\n' "$name" "$mbs" "$cpu" \
        "$(awk -v c="$cpu" -v m="$mbs" 'BEGIN { printf "%.2f", (m > 0) ? 1000 * c / m : 0 }')" \
        "$( [ -n "$bpid" ] && awk -v a="${b0:-0}" -v b="${b1:-0}" -v hz="$hz" -v s="$SECS" \
            'BEGIN { printf "%.2f", (b - a) / hz / s }' || echo -)"
    [ -n "$bpid" ] && stop_pid "$bpid"
}
run "tcp" direct "$p_tcp"
run "tcp via bridge" tcp "$p_tcp"
run "tls via bridge" tls "$p_tls"
run "ws via bridge" ws "$p_ws"
run "wss via bridge" wss "$p_wss"
