#!/bin/bash
# TLS (issue 11 item 1), our server against spice-gtk 0.42 (the probe):
#  - a bad x509 dir (none, a file missing, a key of another certificate, a
#    certificate of another CA) is an error at start naming the file;
#  - spice://HOST?tls-port=P with the CA file links every channel over TLS
#    and shows exactly the source image;
#  - --secure-channels all: the plain port alone is refused
#    (LINK_ERR_NEED_SECURED); with port and tls-port spice-gtk links again
#    over TLS and shows the image;
#  - a server signed by another CA is refused by spice-gtk (error-tls);
#  - a plaintext client on the TLS port is refused, the failed handshake
#    logged, and the server serves the next client as before.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/interop/lib.sh"
need_probe
need_server
need_prog openssl openssl
need_prog convert imagemagick
need_prog compare imagemagick

make_ca "$T/ca" "spicecast test CA"
make_ca "$T/ca2" "another CA"
make_x509_dir "$T/x509" "$T/ca" "/C=XX/O=spicecast test/CN=127.0.0.1" "IP:127.0.0.1,DNS:localhost"
make_x509_dir "$T/x509-other" "$T/ca2" "/C=XX/O=other/CN=127.0.0.1" "IP:127.0.0.1"

# ---- bad x509 dirs: a clear error at start --------------------------------
bad_dir() { # NAME DIR EXPECTED-TEXT
    local rc
    timeout 10 "$SERVER_BIN" --source pattern:64x64 --listen "tls:127.0.0.1:$(free_port)" \
        --x509-dir "$2" --disable-ticketing >"$T/bad-$1.out" 2>"$T/bad-$1.err"
    rc=$?
    [ $rc != 0 ] && [ $rc != 124 ] || fail "$1: the server started (exit $rc)"
    grep -q -- "$3" "$T/bad-$1.err" || fail "$1: no '$3' in: $(cat "$T/bad-$1.err")"
    note "$1: $(tail -n1 "$T/bad-$1.err")"
}
bad_dir no-dir "$T/nowhere" "not a directory"
mkdir -p "$T/nokey" && cp "$T/x509/ca-cert.pem" "$T/x509/server-cert.pem" "$T/nokey/"
bad_dir no-key "$T/nokey" "server-key.pem: no such file"
mkdir -p "$T/wrongkey" && cp "$T/x509/ca-cert.pem" "$T/x509/server-cert.pem" "$T/wrongkey/"
cp "$T/x509-other/server-key.pem" "$T/wrongkey/"
bad_dir wrong-key "$T/wrongkey" "is not the private key of"
mkdir -p "$T/wrongca" && cp "$T/x509/server-cert.pem" "$T/x509/server-key.pem" "$T/wrongca/"
cp "$T/ca2/ca-cert.pem" "$T/wrongca/"
bad_dir wrong-ca "$T/wrongca" "is not signed by"
printf 'not a certificate\n' >"$T/wrongca/ca-cert.pem"
bad_dir garbage-ca "$T/wrongca" "ca-cert.pem"
timeout 10 "$SERVER_BIN" --source pattern:64x64 --listen "tls:127.0.0.1:$(free_port)" \
    --disable-ticketing >"$T/nodir.out" 2>"$T/nodir.err" && fail "tls: without --x509-dir started"
grep -q "x509-dir" "$T/nodir.err" || fail "tls: without --x509-dir: $(cat "$T/nodir.err")"

# ---- a TLS server --------------------------------------------------------------
make_test_image "$T/x.png" 322 201
printf %s 'tls-secret-1' >"$T/pw"
port=$(free_port)
tport=$(free_port)
start_server --source "image:$T/x.png" --listen "tcp:127.0.0.1:$port" \
    --listen "tls:127.0.0.1:$tport" --x509-dir "$T/x509" --secure-channels all \
    --password-file "$T/pw"
expect_listening "tls:127.0.0.1:$tport"

run_probe 20 --uri "spice://127.0.0.1?tls-port=$tport" --ca-file "$T/ca/ca-cert.pem" \
    --password tls-secret-1 --screenshot "$T/tls.ppm" >"$T/tls.out" ||
    fail "spice-gtk over TLS failed: $(tail -n 3 "$T/probe.err")"
check_screenshot "$T/x.png" "$T/tls.ppm" 322x201 "the screenshot over TLS"
grep -q "needs TLS" "$T/server.err" && fail "a channel went to the plain port: $(grep 'needs TLS' "$T/server.err")"
note "spice-gtk over TLS only: exact pixels"

: >"$T/probe.err"
run_probe 20 --uri "spice://127.0.0.1:$port" --password tls-secret-1 \
    --screenshot "$T/plain.ppm" >"$T/plain.out" && fail "the plain port linked a secure channel"
grep -q "main needs TLS" "$T/server.err" || fail "no NEED_SECURED log line: $(tail -n 3 "$T/server.err")"
note "plain port alone: refused (main needs TLS)"

: >"$T/probe.err"
before=$(grep -c "needs TLS" "$T/server.err")
run_probe 20 --uri "spice://127.0.0.1:$port?tls-port=$tport" --ca-file "$T/ca/ca-cert.pem" \
    --password tls-secret-1 --screenshot "$T/both.ppm" >"$T/both.out" ||
    fail "spice-gtk with port and tls-port failed: $(tail -n 3 "$T/probe.err")"
check_screenshot "$T/x.png" "$T/both.ppm" 322x201 "the screenshot after NEED_SECURED"
[ "$(grep -c "needs TLS" "$T/server.err")" -gt "$before" ] ||
    fail "spice-gtk did not try the plain port first"
note "port + tls-port: plain refused with NEED_SECURED, linked again over TLS, exact pixels"

: >"$T/probe.err"
run_probe 20 --uri "spice://127.0.0.1?tls-port=$tport" --ca-file "$T/ca2/ca-cert.pem" \
    --password tls-secret-1 --screenshot "$T/ca2.ppm" >"$T/ca2.out" &&
    fail "spice-gtk accepted a server signed by another CA"
grep -q "error-tls" "$T/probe.err" || fail "not refused as a TLS error: $(tail -n 3 "$T/probe.err")"
note "another CA: spice-gtk refuses (error-tls)"

: >"$T/probe.err"
fails=$(grep -c "TLS handshake failed" "$T/server.err")
run_probe 15 --uri "spice://127.0.0.1:$tport" --password tls-secret-1 \
    --screenshot "$T/clear.ppm" >"$T/clear.out" && fail "a plaintext client linked on the TLS port"
wait_for 5 "$SERVER_PID" eval '[ "$(grep -c "TLS handshake failed" "$T/server.err")" -gt "$fails" ]' ||
    fail "the failed handshake was not logged: $(tail -n 3 "$T/server.err")"
server_alive
note "plaintext on the TLS port: $(grep "TLS handshake failed" "$T/server.err" | tail -n1)"
run_probe 20 --uri "spice://127.0.0.1?tls-port=$tport" --ca-file "$T/ca/ca-cert.pem" \
    --password tls-secret-1 --screenshot "$T/after.ppm" >"$T/after.out" ||
    fail "TLS failed after the bad clients: $(tail -n 3 "$T/probe.err")"
check_screenshot "$T/x.png" "$T/after.ppm" 322x201 "the screenshot after the bad clients"
run_probe 15 --uri "spice://127.0.0.1?tls-port=$tport" --ca-file "$T/ca/ca-cert.pem" \
    --password wrong --expect-auth-fail >"$T/wrongpw.out" ||
    fail "a wrong password over TLS was not refused as such"
note "after them: TLS links as before; a wrong password over TLS is refused"
