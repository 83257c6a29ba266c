#!/bin/bash
# Regression (issue 11 item 3): HTTP requests before the WebSocket upgrade
# are under the per-address limits of the link stage (server/link-limits.c).
# spicecast-server (ws:, RLIMIT_NOFILE 128) gets 150 slow HTTP requests from
# 127.0.0.2 (a request line and one header, never ended).  Before, libsoup
# took them all: 150 fds, the server out of them, nobody else served.  Now
# the first 64 wait (SC_LIMITS_PENDING_PER_ADDR), the other 86 are closed at
# once with one log line, and 127.0.0.1 still gets the page (and links a
# WebSocket) during the flood.  Once the flood is gone, 80 requests in a row
# from 127.0.0.2 all get the page: each finished request gave its slot back;
# and 40 WebSockets from it wait in the link stage, none refused: the
# upgrade moved each from the HTTP count to the link stage's.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_server
need_prog python3 python3
need_prog curl curl
need_prog prlimit util-linux
[ -f /usr/share/spice-html5/spice_auto.html ] || skip "no /usr/share/spice-html5 (Debian package spice-html5)"

FLOOD=150 CAP=64
make_test_image "$T/x.png" 64 48
port=$(free_port)
start_bg server 120 prlimit --nofile=128:128 "$SERVER_BIN" --source "image:$T/x.png" \
    --listen "ws:127.0.0.1:$port" --disable-ticketing
SERVER_PID=$BG_PID
wait_for 10 "$SERVER_PID" server_listening 1 || fail "server did not start: $(tail -n 3 "$T/server.err")"
grep -q "built without libsoup" "$T/server.err" && skip "built without libsoup-3.0"

# the flood: FLOOD connections from 127.0.0.2 with an unfinished request;
# after 3 s it writes how many the server closed, then holds the rest until
# $T/release exists
python3 - "$port" "$FLOOD" "$T" >"$T/flood.out" 2>&1 <<'PY' &
import os, socket, sys, time
port, n, tdir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
socks = []
for i in range(n):
    s = socket.socket()
    s.bind(("127.0.0.2", 0))
    s.settimeout(5)
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    except OSError:
        pass
    socks.append(s)
time.sleep(3)
closed = 0
for s in socks:
    s.setblocking(False)
    try:
        closed += s.recv(1) == b""
    except BlockingIOError:
        pass
    except OSError:
        closed += 1
with open(os.path.join(tdir, "flood.res.tmp"), "w") as f:
    f.write("closed=%d open=%d\n" % (closed, n - closed))
os.rename(os.path.join(tdir, "flood.res.tmp"), os.path.join(tdir, "flood.res"))
end = time.time() + 60
while not os.path.exists(os.path.join(tdir, "release")) and time.time() < end:
    time.sleep(0.1)
for s in socks:
    s.close()
PY
FLOOD_PID=$!
HELPER_PIDS+=("$FLOOD_PID")
wait_for 40 "$FLOOD_PID" test -f "$T/flood.res" || fail "the flood did not finish: $(cat "$T/flood.out")"
closed=$(kv closed "$T/flood.res" | cut -d' ' -f1)
[ "$closed" = $((FLOOD - CAP)) ] ||
    fail "of $FLOOD slow requests from one address the server closed $closed, not $((FLOOD - CAP)): $(cat "$T/flood.res")"
grep -q "127.0.0.2: $CAP connections not yet authenticated: refusing more from it" "$T/server.err" ||
    fail "the refusal was not logged: $(tail -n 3 "$T/server.err")"
[ "$(grep -c "127.0.0.2: .*refusing more" "$T/server.err")" = 1 ] || fail "the refusal was logged more than once"
note "$FLOOD slow HTTP requests from 127.0.0.2: $CAP wait, $closed closed at once, one log line"

code=$(timeout 15 curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")
[ "$code" = 200 ] || fail "127.0.0.1 was not served during the flood (HTTP ${code:-none})"
# and 127.0.0.1 still upgrades to a WebSocket and gets the SPICE link reply
PYTHONPATH=$top_srcdir/tests/interop python3 - "$port" >"$T/ws.out" 2>&1 <<'PY' || fail "no WebSocket link during the flood: $(cat "$T/ws.out")"
import os, socket, struct, sys
from wsclient import upgrade
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
buf = upgrade(s)
# SpiceLinkHeader + SpiceLinkMess (main channel, no caps), one masked frame
mess = struct.pack("<IBBIII", 0, 1, 0, 0, 0, 18)
link = struct.pack("<4sIII", b"REDQ", 2, 2, len(mess)) + mess
mask = os.urandom(4)
s.sendall(bytes([0x82, 0x80 | len(link)]) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(link)))
while len(buf) < 6:
    buf += s.recv(4096)
assert buf[0] == 0x82, buf[:2]
print("reply magic", buf[2:6] if buf[1] < 126 else buf[4:8])
PY
grep -q "REDQ" "$T/ws.out" || fail "no SPICE link reply over the WebSocket: $(cat "$T/ws.out")"
note "during the flood 127.0.0.1 gets the page and a WebSocket link reply"

touch "$T/release"
wait_for 10 "" sh -c "! kill -0 $FLOOD_PID 2>/dev/null" || fail "the flood did not end"
server_alive
for i in $(seq 80); do
    code=$(timeout 10 curl -s --interface 127.0.0.2 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")
    [ "$code" = 200 ] || fail "request $i from 127.0.0.2 after the flood: HTTP ${code:-none}"
done
note "after the flood: 80 requests in a row from 127.0.0.2 all served (slots given back)"

# an upgrade moves the connection from the HTTP count to the link stage's:
# 40 WebSockets from 127.0.0.2 left in the link stage all stay open (counted
# twice, the 33rd would be refused)
PYTHONPATH=$top_srcdir/tests/interop python3 - "$port" >"$T/ws40.out" 2>&1 <<'PY' || fail "40 WebSockets in the link stage: $(tail -n 3 "$T/ws40.out")"
import socket, sys, time
from wsclient import upgrade
socks = []
for i in range(40):
    s = socket.socket()
    s.bind(("127.0.0.2", 0))
    s.settimeout(10)
    s.connect(("127.0.0.1", int(sys.argv[1])))
    upgrade(s)
    socks.append(s)
time.sleep(1)
for i, s in enumerate(socks):
    s.setblocking(False)
    try:
        assert s.recv(1) != b"", "WebSocket %d closed" % i
    except BlockingIOError:
        pass
print("40 open")
PY
note "40 WebSockets from 127.0.0.2 in the link stage: all open (the HTTP slot goes at the upgrade)"
server_alive
