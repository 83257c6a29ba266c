#!/bin/bash
# The client engine over TLS (issue 11 item 1), against our server and
# against QEMU 7.2's own SPICE server (-spice tls-port=,x509-dir=):
#  - spice+tls://HOST:PORT with the CA file: exact pixels from our server;
#    a CA that did not sign the server is refused;
#  - spice://HOST:PORT?tls-port=T against --secure-channels all: the
#    channels refused with NEED_SECURED link again over TLS;
#  - QEMU with a certificate for another host name (CN=vm1.example, no
#    SAN): refused by host name, accepted with --host-subject naming it,
#    refused with a wrong subject; the plain port of QEMU still works.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/client/lib-client.sh"
need_headless
need_server
need_prog openssl openssl
need_prog convert imagemagick
need_prog compare imagemagick

make_ca "$T/ca" "spicecast test CA"
make_ca "$T/ca2" "another CA"
make_x509_dir "$T/x509" "$T/ca" "/C=XX/O=spicecast test/CN=127.0.0.1" "IP:127.0.0.1"

make_test_image "$T/x.png" 322 201
port=$(free_port)
tport=$(free_port)
start_server --source "image:$T/x.png" --listen "tcp:127.0.0.1:$port" \
    --listen "tls:127.0.0.1:$tport" --x509-dir "$T/x509" --secure-channels all \
    --disable-ticketing
headless 20 --ca-file "$T/ca/ca-cert.pem" --screenshot "$T/tls.ppm" "spice+tls://127.0.0.1:$tport" ||
    fail "spice+tls:// failed: $(tail -n 3 "$T/headless.err")"
check_screenshot "$T/x.png" "$T/tls.ppm" 322x201 "spice+tls:// screenshot"
note "spice+tls:// against our server: exact pixels"

if headless 20 --ca-file "$T/ca2/ca-cert.pem" --screenshot "$T/ca2.ppm" \
    "spice+tls://127.0.0.1:$tport"; then
    fail "a server signed by another CA was accepted"
fi
grep -q "TLS handshake" "$T/headless.err" || fail "not a TLS refusal: $(tail -n 3 "$T/headless.err")"
note "another CA: refused ($(grep "TLS handshake" "$T/headless.err" | tail -n1))"

before=$(grep -c "needs TLS" "$T/server.err")
headless 20 --ca-file "$T/ca/ca-cert.pem" --screenshot "$T/both.ppm" \
    "spice://127.0.0.1:$port?tls-port=$tport" ||
    fail "port + tls-port failed: $(tail -n 3 "$T/headless.err")"
check_screenshot "$T/x.png" "$T/both.ppm" 322x201 "screenshot after NEED_SECURED"
[ "$(grep -c "needs TLS" "$T/server.err")" -gt "$before" ] || fail "the plain port was not tried first"
if headless 20 --screenshot "$T/plain.ppm" "spice://127.0.0.1:$port"; then
    fail "the plain port alone linked a secure channel"
fi
grep -q "it needs TLS" "$T/headless.err" || fail "no NEED_SECURED error: $(tail -n 3 "$T/headless.err")"
note "port + tls-port: NEED_SECURED channels linked again over TLS; plain alone refused"
stop_pid "$SERVER_PID"

# ---- QEMU ---------------------------------------------------------------------
command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not found (the QEMU part)"
make_x509_dir "$T/qemu" "$T/ca" "/C=XX/O=spicecast test/CN=vm1.example"
subject="C=XX, O=spicecast test, CN=vm1.example"
qport=$(free_port)
qtls=$(free_port)
start_qemu "$qport" "tls-port=$qtls,x509-dir=$T/qemu,disable-ticketing=on"
wait_tcp "$qtls" 10 "$QEMU_PID" || fail "QEMU does not listen on its TLS port"
sleep 2 # let SeaBIOS draw its screen
: >"$T/headless.err"
if headless 20 --ca-file "$T/ca/ca-cert.pem" --screenshot "$T/q-host.ppm" \
    "spice+tls://127.0.0.1:$qtls"; then
    fail "QEMU's certificate for vm1.example was accepted for 127.0.0.1"
fi
grep -q "TLS handshake" "$T/headless.err" || fail "not a TLS refusal: $(tail -n 3 "$T/headless.err")"
headless 30 --ca-file "$T/ca/ca-cert.pem" --host-subject "$subject" --screenshot "$T/q-tls.ppm" \
    "spice://127.0.0.1?tls-port=$qtls" ||
    fail "QEMU over TLS with the host subject failed: $(tail -n 3 "$T/headless.err")"
: >"$T/headless.err"
if headless 20 --ca-file "$T/ca/ca-cert.pem" --host-subject "C=XX, O=spicecast test, CN=vm2.example" \
    --screenshot "$T/q-bad.ppm" "spice+tls://127.0.0.1:$qtls"; then
    fail "a wrong host subject was accepted"
fi
grep -q "subject" "$T/headless.err" || fail "not refused for the subject: $(tail -n 3 "$T/headless.err")"
headless 30 --screenshot "$T/q-plain.ppm" "spice://127.0.0.1:$qport" ||
    fail "QEMU's plain port failed: $(tail -n 3 "$T/headless.err")"
size=$(identify -format '%wx%h' "$T/q-tls.ppm")
[ "$size" = "$(identify -format '%wx%h' "$T/q-plain.ppm")" ] || fail "TLS and plain sizes differ"
[ "$(identify -format '%k' "$T/q-tls.ppm")" -ge 2 ] || fail "the TLS screenshot is one flat colour"
ae=$(image_diff "$T/q-plain.ppm" "$T/q-tls.ppm")
[ "$ae" -le 400 ] 2>/dev/null || fail "QEMU over TLS differs from plain in $ae pixels"
note "QEMU over TLS: host name refused, host subject accepted ($size, $ae px from plain), wrong subject refused"
alive "$QEMU_PID" || fail "QEMU died"
