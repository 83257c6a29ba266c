#!/bin/bash
# A .vv file against our TLS server (issue 11/12 leftovers), in Xvfb:
#  - ca= holds the CA as PEM text, "\n"-escaped on one line as remote-viewer
#    and oVirt write it (no CA file anywhere): the viewer trusts our server
#    with it and shows the picture; the same file with another CA's PEM is
#    refused at the TLS handshake;
#  - secure-channels=main;display;inputs;cursor with port= and tls-port= (the
#    server asks for nothing secure): every channel goes to the TLS port,
#    none to the plain one; without the key the plain port is used.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/client/lib-client.sh"
VIEWER=$top_builddir/client/viewer
[ -x "$VIEWER" ] || skip "client/viewer not built (no GTK3)"
need_server
need_prog openssl openssl
start_xvfb 1024x768
export SPICECAST_DEBUG=1

make_ca "$T/ca" "spicecast test CA"
make_ca "$T/ca2" "another CA"
make_x509_dir "$T/x509" "$T/ca" "/C=XX/O=spicecast test/CN=127.0.0.1" "IP:127.0.0.1"
make_test_image "$T/x.png" 320 200
port=$(free_port)
tport=$(free_port)
start_server --source "image:$T/x.png" --listen "tcp:127.0.0.1:$port" \
    --listen "tls:127.0.0.1:$tport" --x509-dir "$T/x509" --disable-ticketing

# pem_line FILE: the PEM on one line, each newline written as \n
pem_line() { awk '{ printf "%s\\n", $0 }' "$1"; }
# vv NAME CA-PEM [KEY=VALUE...]: a .vv file for our two ports
vv() {
    local name=$1 ca=$2
    shift 2
    { printf '[virt-viewer]\ntype=spice\nhost=127.0.0.1\nport=%s\ntls-port=%s\n' "$port" "$tport"
      printf 'ca=%s\n' "$(pem_line "$ca")"
      printf '%s\n' "$@"; } >"$T/$name.vv"
}
# run_viewer NAME: true once it shows a picture (within 20 s)
run_viewer() {
    start_bg "$1" 40 "$VIEWER" "$T/$1.vv"
    VPID=$BG_PID
    wait_for 20 "$VPID" grep -q "first picture" "$T/$1.err"
    local st=$?
    stop_pid "$VPID"
    return $st
}
# conns LISTENER: connections the server took on it so far
conns() { grep -c "connection from .* on $1:127.0.0.1" "$T/server.err"; }

grep -q -- '-----BEGIN CERTIFICATE-----\\nMII' <(pem_line "$T/ca/ca-cert.pem") || fail "pem_line"
vv secure "$T/ca/ca-cert.pem" "secure-channels=main;display;inputs;cursor"
run_viewer secure || fail "ca= PEM + secure-channels: no picture: $(tail -n 3 "$T/secure.err")"
[ "$(conns tcp)" = 0 ] || fail "secure-channels from the .vv: $(conns tcp) connection(s) on the plain port"
[ "$(conns tls)" -ge 2 ] || fail "only $(conns tls) TLS connection(s)"
note "ca= (PEM, \\n-escaped) trusted; secure-channels=: $(conns tls) channels over TLS, none plain"

vv plain "$T/ca/ca-cert.pem"
tls_before=$(conns tls)
run_viewer plain || fail "without secure-channels: no picture: $(tail -n 3 "$T/plain.err")"
[ "$(conns tcp)" -ge 2 ] || fail "without secure-channels= the plain port was not used"
note "without secure-channels=: the plain port ($(conns tcp) connections, TLS $((tls_before))->$(conns tls))"

vv other "$T/ca2/ca-cert.pem" "secure-channels=main;display;inputs;cursor"
run_viewer other && fail "a server signed by another CA than the .vv's ca= was accepted"
grep -qi "TLS\|certificate" "$T/other.err" || fail "not a TLS refusal: $(tail -n 3 "$T/other.err")"
note "ca= of another CA: refused ($(grep -i "TLS\|certificate" "$T/other.err" | tail -n 1))"
server_alive
