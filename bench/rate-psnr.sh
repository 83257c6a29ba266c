#!/bin/bash
# bench/rate-psnr.sh: bandwidth at equal quality, one pipeline against a
# reference (issue 10: H.265 against H.264).  Runs spicecast-bench over a
# ladder of target bitrates for each pipeline and content, then, per content,
# interpolates each pipeline's rate/PSNR-Y curve (PSNR against log rate,
# piecewise linear) over the PSNR range both reach, and prints the mean rate
# ratio there (a Bjontegaard-style delta rate): "0.80" = 20 % fewer bits than
# the reference for the same PSNR-Y.  Measured rates, not targets: a
# pipeline that undershoots its target is judged on what it sent.
#
#   bench/rate-psnr.sh [--size WxH] [--frames N] [--content LIST]
#                      [--rates "150000 300000 ..."] [--csv OUT]
#                      REF PIPELINE[@OPTIONS]...
#   e.g. bench/rate-psnr.sh gstreamer:h264 openh264:h264 gstreamer:h265 \
#            gstreamer:h265@preset=superfast
# REF and each PIPELINE are encoder:codec; @OPTIONS goes to --options.
# Needs a built tree (bench/spicecast-bench).  A benchmark: the machine is
# shared, timings vary; the rates and PSNR do not depend on timing.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
bench=${SPICECAST_BENCH:-$here/bench/spicecast-bench}
size=1280x720 frames=60 content=text-scroll,desktop,video
rates="150000 300000 600000 1200000 2400000"
csv=
while [ $# -gt 0 ]; do
    case $1 in
    --size) size=$2; shift 2 ;;
    --frames) frames=$2; shift 2 ;;
    --content) content=$2; shift 2 ;;
    --rates) rates=$2; shift 2 ;;
    --csv) csv=$2; shift 2 ;;
    -*) echo "rate-psnr.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
done
[ $# -ge 2 ] || { sed -n 's/^#   //p' "$0" >&2; exit 2; }
[ -x "$bench" ] || { echo "rate-psnr.sh: $bench not built" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/rate-psnr.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# label,content,kbps,psnr per run
: >"$tmp/points"
for spec in "$@"; do
    pl=${spec%%@*} opts=
    [ "$spec" != "$pl" ] && opts=${spec#*@}
    for r in $rates; do
        timeout 900 "$bench" --size "$size" --frames "$frames" --warmup 5 --content "$content" \
            --codecs "$pl" --bitrate "$r" ${opts:+--options "$opts"} --quiet \
            --csv "$tmp/run.csv" >/dev/null 2>"$tmp/err" ||
            { echo "rate-psnr.sh: $spec at $r: $(tail -n1 "$tmp/err")" >&2; exit 1; }
        # content,pipeline,available,reason,...,kbps(16),...,psnr_y(18)
        awk -F, -v l="$spec" -v r="$r" 'NR > 1 && $3 == 1 {
            printf "%s,%s,%s,%.1f,%.3f,%.2f\n", l, $1, r, $16, $18, $10 }' "$tmp/run.csv" \
            >>"$tmp/points"
        grep -q "^$spec," "$tmp/points" ||
            { echo "rate-psnr.sh: $spec is not available here: $(sed -n '2p' "$tmp/run.csv")" >&2; exit 1; }
    done
done
[ -n "$csv" ] && { echo "pipeline,content,target,kbps,psnr_y,encode_ms_p50"; cat "$tmp/points"; } >"$csv"

echo "points (target bit/s -> kbit/s sent, PSNR-Y dB, encode ms p50), ${size}, $frames frames:"
sort -t, -k2,2 -k1,1 -k3,3n "$tmp/points" |
    awk -F, '{ printf "  %-12s %-32s %8s -> %8.1f kbit/s %6.2f dB %7.2f ms\n", $2, $1, $3, $4, $5, $6 }'
echo "rate at equal PSNR-Y against $1 (mean over the PSNR range both reach):"
awk -F, -v ref="$1" '
    { n[$1, $2]++; k = n[$1, $2]; lr[$1, $2, k] = log($4) / log(10); ps[$1, $2, k] = $5
      pls[$1] = 1; cs[$2] = 1 }
    # log rate at PSNR p on the curve of (pl, c), points sorted by PSNR; ""
    # outside the curve
    function sortc(pl, c,    i, j, m, t) {
        m = n[pl, c]
        for (i = 2; i <= m; i++)
            for (j = i; j > 1 && ps[pl, c, j] < ps[pl, c, j - 1]; j--) {
                t = ps[pl, c, j]; ps[pl, c, j] = ps[pl, c, j - 1]; ps[pl, c, j - 1] = t
                t = lr[pl, c, j]; lr[pl, c, j] = lr[pl, c, j - 1]; lr[pl, c, j - 1] = t
            }
    }
    function at(pl, c, p,    i, m, f) {
        m = n[pl, c]
        for (i = 1; i < m; i++)
            if (p >= ps[pl, c, i] && p <= ps[pl, c, i + 1]) {
                f = ps[pl, c, i + 1] > ps[pl, c, i] ? (p - ps[pl, c, i]) / (ps[pl, c, i + 1] - ps[pl, c, i]) : 0
                return lr[pl, c, i] + f * (lr[pl, c, i + 1] - lr[pl, c, i])
            }
        return ""
    }
    END {
        for (pl in pls) for (c in cs) sortc(pl, c)
        for (c in cs) for (pl in pls) {
            if (pl == ref || !n[pl, c] || !n[ref, c]) continue
            lo = ps[pl, c, 1] > ps[ref, c, 1] ? ps[pl, c, 1] : ps[ref, c, 1]
            hi = ps[pl, c, n[pl, c]] < ps[ref, c, n[ref, c]] ? ps[pl, c, n[pl, c]] : ps[ref, c, n[ref, c]]
            if (hi <= lo) { printf "  %-12s %-32s no common PSNR range\n", c, pl; continue }
            s = 0; k = 0
            for (i = 0; i <= 20; i++) {
                p = lo + (hi - lo) * i / 20; a = at(pl, c, p); b = at(ref, c, p)
                if (a != "" && b != "") { s += a - b; k++ }
            }
            printf "  %-12s %-32s x%.2f the bits of %s (PSNR-Y %.1f..%.1f dB)\n", c, pl,
                   10 ^ (s / k), ref, lo, hi
        }
    }' "$tmp/points" | sort
