#!/bin/bash
# The viewer against libvirt domains, as virt-viewer users reach them, with a
# libvirtd (as root) the test starts itself:
#  - no libvirtd: `viewer -c URI --attach DOMAIN` says so and exits non-zero;
#  - `viewer --attach DOMAIN` on a TCG domain (QEMU 7.2, SeaBIOS, no disk)
#    whose SPICE display has <listen type='none'/>: only libvirtd's
#    virDomainOpenGraphicsFD reaches it; the window shows the picture
#    `virt-viewer --attach` shows (SeaBIOS's text, pixel for pixel, the
#    blinking cursor allowed);
#  - `viewer -c URI DOMAIN` on a second domain listening on 127.0.0.1 (the
#    port libvirt picked, read from the live XML): the same picture as
#    virt-viewer -c URI DOMAIN shows;
#  - a domain that does not exist: a message naming it, exit non-zero;
#  - `viewer --attach PATH` still means a spicecast-server's socket.
# libvirtd, its QEMUs and their files stay inside a private mount namespace
# (unshare -m): /etc/libvirt, /run/libvirt, /var/{lib,cache,log}/libvirt are
# fresh tmpfs mounts there, /etc/passwd gets a libvirt-qemu user there if the
# system has none (libvirtd 9.0 refuses to start without it), nothing outside
# is touched.  Skips (77) when not root or libvirtd cannot start.
if [ -z "${SC_LIBVIRT_NS:-}" ]; then
    [ "$(id -u)" = 0 ] || { echo "SKIP: test-viewer-libvirt: libvirtd (qemu:///system) needs root" >&2; exit 77; }
    command -v unshare >/dev/null && command -v libvirtd >/dev/null && command -v virsh >/dev/null ||
        { echo "SKIP: test-viewer-libvirt: unshare, libvirtd or virsh missing (util-linux, libvirt-daemon, libvirt-clients)" >&2; exit 77; }
    unshare -m true 2>/dev/null ||
        { echo "SKIP: test-viewer-libvirt: no private mount namespace (unshare -m failed): libvirtd would write to the system's /etc, /run and /var" >&2; exit 77; }
    SC_LIBVIRT_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "${top_srcdir:-$(dirname "$0")/../..}/tests/client/lib-client.sh"
VIEWER=$top_builddir/client/viewer
[ -x "$VIEWER" ] || skip "client/viewer not built (no GTK3)"
"$VIEWER" --help 2>&1 | grep -q -- '--connect' || fail "viewer --help does not list --connect"
grep -q '^#define HAVE_LIBVIRT 1' "$top_builddir/config.h" ||
    skip "the viewer was built without libvirt (libvirt-dev missing at configure time)"
need_prog qemu-system-x86_64 qemu-system-x86
need_prog virt-viewer virt-viewer
need_prog convert imagemagick
need_prog compare imagemagick
need_prog import imagemagick
[ -e /usr/share/seabios/bios-256k.bin ] || skip "SeaBIOS missing (Debian package seabios)"
MAX_AE=${MAX_AE:-60} # the blinking text cursor: 9x2 pixels
URI=qemu:///system
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fails=$((fails + 1)); }

# ---- libvirt's directories, private to this namespace ----------------------
ns_dirs="/etc/libvirt /run/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt"
mkdir -p "$T/ns"
# the namespace's mounts go with the test: cleanup ends the processes using
# them, the lazy unmount lets its rm -rf "$T" through
virsh_q() { timeout 15 virsh -c "$URI" "$@" >>"$T/virsh.out" 2>&1; }
trap 'rc=$?; virsh_q destroy sc-attach; virsh_q destroy sc-listen; umount -l "$T/ns" 2>/dev/null; (exit $rc); cleanup' EXIT
mount -t tmpfs sc-libvirt-test "$T/ns" || skip "cannot mount a tmpfs in the namespace"
for d in /run /var; do
    mkdir -p "$T/ns/up$d" "$T/ns/work$d"
    mount -t overlay "sc-libvirt$d" -o "lowerdir=$d,upperdir=$T/ns/up$d,workdir=$T/ns/work$d" "$d" ||
        skip "cannot put an overlay on $d in the namespace (needed to make libvirt's directories there)"
done
for d in $ns_dirs; do
    mkdir -p "$d" && mount -t tmpfs sc-libvirt-test "$d" || skip "cannot mount a tmpfs on $d"
done
for f in passwd group; do
    cp "/etc/$f" "$T/ns/$f" && mount --bind "$T/ns/$f" "/etc/$f" || skip "cannot bind /etc/$f"
done
getent passwd libvirt-qemu >/dev/null || echo 'libvirt-qemu:x:64055:64055::/nonexistent:/usr/sbin/nologin' >>/etc/passwd
getent group libvirt-qemu >/dev/null || echo 'libvirt-qemu:x:64055:' >>/etc/group
cat >/etc/libvirt/qemu.conf <<EOF
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
namespaces = [ ]
cgroup_controllers = [ ]
stdio_handler = "file"
EOF
: >/etc/libvirt/libvirtd.conf
# QEMU through a wrapper: bounded by timeout, and carrying the test's mark
# (libvirtd clears its children's environment), so that the cleanup and
# make check's leftover check find it; libvirtd daemonizes it, out of its
# own process group
cat >"$T/qemu" <<EOF
#!/bin/sh
SPICECAST_TEST_RUN=$SPICECAST_TEST_RUN exec timeout -k 5 ${QEMU_TIMEOUT:-150} /usr/bin/qemu-system-x86_64 "\$@"
EOF
chmod +x "$T/qemu"


# ---- 1. no libvirtd ----------------------------------------------------------
timeout 20 "$VIEWER" -c "$URI" --attach sc-attach >"$T/nolv.out" 2>"$T/nolv.err"
st=$?
[ $st != 0 ] && [ $st != 124 ] && grep -q "cannot connect to libvirt at $URI.*libvirtd running" "$T/nolv.err" &&
    ok "no libvirtd: exit $st, '$(head -n 1 "$T/nolv.err")'" ||
    bad "no libvirtd: exit $st, $(cat "$T/nolv.err")"

# ---- libvirtd and two domains -------------------------------------------------
start_bg libvirtd 200 libvirtd
LIBVIRTD_PID=$BG_PID
wait_for 20 "$LIBVIRTD_PID" test -S /run/libvirt/libvirt-sock ||
    skip "libvirtd did not start: $(grep -i error "$T/libvirtd.out" "$T/libvirtd.err" | tail -n 3)"
domain() { # NAME LISTEN-ELEMENT
    cat <<EOF
<domain type='qemu'>
  <name>$1</name>
  <memory unit='MiB'>64</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><bios rebootTimeout='-1'/></os>
  <devices>
    <emulator>$T/qemu</emulator>
    <graphics type='spice' autoport='yes'>$2</graphics>
    <video><model type='vga'/></video>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}
domain sc-attach "<listen type='none'/>" >"$T/attach.xml"
domain sc-listen "<listen type='address' address='127.0.0.1'/>" >"$T/listen.xml"
for d in attach listen; do
    timeout 60 virsh -c "$URI" create "$T/$d.xml" >>"$T/virsh.out" 2>&1 ||
        skip "libvirtd cannot start a TCG domain: $(tail -n 2 "$T/virsh.out")"
done
virsh -c "$URI" dumpxml sc-attach 2>/dev/null | grep -q "<listen type='none'/>" ||
    fail "sc-attach does not have <listen type='none'/>"

# shot NAME: the screen (one window on it); text NAME: BB=(w h x y), the
# box of its #a8a8a8 pixels (the VGA text colour; neither viewer's bars
# have it: if one had, the two crops below would not match)
shot() { import -window root "$T/$1.png"; }
text() {
    BB=($(convert "$T/$1.png" -fill black +opaque '#a8a8a8' -fill white -opaque '#a8a8a8' \
        -format '%@' info: 2>/dev/null | sed 's/[x+]/ /g'))
    [ ${#BB[@]} = 4 ] && [ "${BB[0]}" -ge 300 ]
}
# shown NAME: a shot with SeaBIOS's whole text, down to its 9th and last
# line "No bootable device." (no disk, rebootTimeout -1: it stays so)
shown() { shot "$1" && text "$1" && [ "${BB[1]}" -ge 130 ]; }
# same A B WHAT: the guest's 700x380 (within its 720x400 text screen) from
# the text's top-left in both windows, equal but for the blinking cursor
same() {
    local n ae
    for n in "$1" "$2"; do
        text "$n" || { bad "$3: no guest text in $n's window"; return; }
        convert "$T/$n.png" -crop "700x380+${BB[2]}+${BB[3]}" +repage "$T/$n-guest.png"
    done
    ae=$(image_diff "$T/$1-guest.png" "$T/$2-guest.png")
    [ "$ae" -le "$MAX_AE" ] 2>/dev/null && ok "$3: the same picture ($ae pixels differ, cursor allowed $MAX_AE)" ||
        { bad "$3: $ae pixels differ"; compare "$T/$1-guest.png" "$T/$2-guest.png" "$T/diff-$1.png" 2>/dev/null; }
}
start_xvfb 1024x768
export SPICECAST_DEBUG=1
# see NAME WHAT CMD...: CMD in the background until its window shows
# SeaBIOS's whole screen (shot NAME), then it ends; false + FAIL if not
see() {
    local name=$1 what=$2
    shift 2
    start_bg "$name" 60 "$@"
    VPID=$BG_PID
    wait_for 40 "$VPID" shown "$name" ||
        { bad "$what: no SeaBIOS screen: $(tail -n 3 "$T/$name.err")"; stop_pid "$VPID"; return 1; }
    stop_pid "$VPID"
}

# ---- 2. --attach DOMAIN: ours vs virt-viewer's, through virDomainOpenGraphicsFD --------
see ours-attach "viewer --attach sc-attach" "$VIEWER" --attach sc-attach &&
    ok "viewer --attach sc-attach (listen none): SeaBIOS's screen shown"
grep -q "domain sc-attach: its SPICE display through libvirtd" "$T/ours-attach.err" ||
    bad "viewer --attach sc-attach: not through libvirtd: $(head -n 3 "$T/ours-attach.err")"
see vv-attach "virt-viewer --attach" virt-viewer --attach -c "$URI" sc-attach &&
    same ours-attach vv-attach "--attach sc-attach vs virt-viewer --attach"

# ---- 3. -c URI DOMAIN: the listen address ------------------------------------------
if see ours-listen "viewer -c URI sc-listen" "$VIEWER" -c "$URI" sc-listen; then
    grep -q "domain sc-listen: spice://127.0.0.1:[0-9]" "$T/ours-listen.err" &&
        ok "viewer -c $URI sc-listen: $(grep -o 'spice://127.0.0.1:[0-9]*' "$T/ours-listen.err" | head -n 1)" ||
        bad "-c URI DOMAIN: not through the listen address: $(grep 'domain sc-listen' "$T/ours-listen.err")"
fi
see vv-listen "virt-viewer -c URI sc-listen" virt-viewer -c "$URI" sc-listen &&
    same ours-listen vv-listen "-c URI sc-listen vs virt-viewer -c URI"
# listen none without --attach: told to use --attach
timeout 20 "$VIEWER" -c "$URI" sc-attach >/dev/null 2>"$T/none.err"
st=$?
[ $st != 0 ] && grep -q "listens nowhere.*use --attach" "$T/none.err" && ok "-c URI DOMAIN with listen none: exit $st, says to use --attach" ||
    bad "-c URI DOMAIN with listen none: exit $st: $(cat "$T/none.err")"

# ---- 4. a domain that does not exist ---------------------------------------------
for form in "--attach" ""; do
    timeout 20 "$VIEWER" -c "$URI" $form sc-nosuch >/dev/null 2>"$T/nosuch.err"
    st=$?
    [ $st != 0 ] && [ $st != 124 ] && grep -q "no domain 'sc-nosuch' at $URI" "$T/nosuch.err" &&
        ok "missing domain (${form:-listen address}): exit $st, '$(head -n 1 "$T/nosuch.err")'" ||
        bad "missing domain (${form:-listen address}): exit $st: $(cat "$T/nosuch.err")"
done
timeout 20 "$VIEWER" --attach sc-nosuch >/dev/null 2>"$T/nosuch2.err"
st=$?
[ $st != 0 ] && grep -q "no spicecast-server at .*nor a libvirt domain: no domain 'sc-nosuch'" "$T/nosuch2.err" &&
    ok "--attach NAME, neither a spicecast-server nor a domain: exit $st, both named" ||
    bad "--attach sc-nosuch: exit $st: $(cat "$T/nosuch2.err")"

# ---- 5. --attach NAME|PATH is still a spicecast-server (its socket there) ---------
if [ -x "$SERVER_BIN" ]; then
    make_test_image "$T/x.png" 320 200
    mkdir -p "$T/xdg/spicecast" && chmod 700 "$T/xdg"
    start_server --source "image:$T/x.png" --listen "unix:$T/xdg/spicecast/v.sock" --disable-ticketing
    for arg in "spice+unix://$T/xdg/spicecast/v.sock" v; do
        XDG_RUNTIME_DIR=$T/xdg start_bg ours-sc 30 "$VIEWER" --attach "$arg"
        VPID=$BG_PID
        wait_for 20 "$VPID" grep -q "scanout [0-9]*x[0-9]*" "$T/ours-sc.err" &&
            ok "--attach ${arg/#spice+unix:\/\/$T/spice+unix://\$T}: a spicecast-server's socket (GL scanout), not a domain" ||
            bad "--attach $arg: no scanout: $(tail -n 3 "$T/ours-sc.err")"
        stop_pid "$VPID"
    done
    stop_pid "$SERVER_PID"
fi

[ $fails = 0 ] || { echo "$fails failure(s)"; dump_logs; exit 1; }
