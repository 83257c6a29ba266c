#!/bin/sh
# Runs the whole test suite once more in a separate build configured with
# --enable-sanitizers (ASan + UBSan, errors abort): any sanitizer report
# fails a test, so a pass here means "no reports".
# Skipped inside that build, and when SPICECAST_SKIP_SANITIZERS=1.
set -u
if [ -n "${SPICECAST_SANITIZER_RUN:-}" ]; then
    echo "inside the sanitizer build: not recursing"; exit 77
fi
if [ -n "${SPICECAST_SKIP_SANITIZERS:-}" ]; then
    echo "SPICECAST_SKIP_SANITIZERS is set: skipping the ASan+UBSan pass"; exit 77
fi
src=${top_srcdir:?}
if ! git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
    # the copy below lists the sources with git ls-files
    echo "$src is not a git checkout (a dist tarball?): skipping the ASan+UBSan pass"; exit 77
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/spicecast-asan.XXXXXX") || { echo "mktemp failed"; exit 99; }
trap 'rm -rf "$work"' EXIT INT TERM
# copy the source tree (tracked and untracked-not-ignored files, no build outputs)
(cd "$src" && git ls-files -z --cached --others --exclude-standard) |
    (cd "$src" && tar cf - --no-recursion --null -T -) | (cd "$work" && tar xf -) || exit 99
cd "$work" || exit 99
export SPICECAST_SANITIZER_RUN=1 SPICECAST_NO_APT=1
# The inner run marks its processes SPICECAST_TEST_RUN=<ours>/run-<its id>
# (tests/local.mk): its own tests/test-leftovers.sh checks them, and ours,
# run after this test, sees anything of it that survived all the same.
# Helpers a test starts in the background (our server under the interop
# tests) write their stderr into the test's temp dir, which is removed and
# whose exit status is rarely looked at: ASan reports also go to files under
# $work/san, and the interop tests keep their temp dirs (KEEP_TEST_TMP) under
# $work/tmp, so that both can be searched below.
mkdir -p "$work/san" "$work/tmp" || exit 99
export TMPDIR=$work/tmp KEEP_TEST_TMP=1
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:detect_odr_violation=0:log_path=$work/san/asan
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
echo "== configure --enable-sanitizers in $work"
CONFIGURE_FLAGS="--enable-sanitizers --disable-fuzzing" ./bootstrap > build.log 2>&1 || {
    tail -50 build.log; echo "sanitizer build failed"; exit 1; }
echo "== make check under ASan+UBSan"
make -j2 check > check.log 2>&1
rc=$?
grep -E '^# (TOTAL|PASS|SKIP|XFAIL|FAIL|XPASS|ERROR):' check.log
# the files with a report, one per line (names may hold spaces:
# screenshots are named after what they show)
pat='ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer'
{ find . -name '*.log' -path '*tests*' ! -name test-suite.log -exec grep -lE "$pat" {} +
  find "$work/san" "$work/tmp" -type f -exec grep -lE "$pat" {} +
} > "$work/reports.list" 2>/dev/null
while IFS= read -r f; do
    echo "== sanitizer report in $f"; grep -B2 -A30 -E 'ERROR: AddressSanitizer|runtime error:' "$f" | head -80
    rc=1
done < "$work/reports.list"
if [ $rc != 0 ]; then
    for f in $(find . -name test-suite.log); do cat "$f"; done | head -300
fi
exit $rc
