#!/usr/bin/env bash
# Renders a report.html in headless Chromium and fails on anything a reader would see broken:
#
#   scripts/report-browser-check.sh REPORT.html [SCREENSHOT.png]
#
# Checks: the page loads from disk with no network (Chromium's background connections off); the
# page's own load check (`data-check` on <body>, set by report.html's script) counts every <img>
# of the file, none broken, and at least one inline SVG; no console message at all (report.html
# logs one per image that did not decode); no external resource (src="http..."). Saves a
# screenshot of the top of the page when asked (1280 px wide). Exit 0 passed, 1 failed, 2 usage or
# no Chromium (Debian: apt-get install chromium).
set -euo pipefail
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 REPORT.html [SCREENSHOT.png]" >&2; exit 2; }
html=$(realpath "$1")
shot=${2:-}
fail() { echo "report-browser-check: FAILED: $*" >&2; exit 1; }
[ -s "$html" ] || fail "$1 is missing or empty"
browser=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$browser" ] || { echo "report-browser-check: no chromium (apt-get install chromium)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --user-data-dir="$tmp/profile" --enable-logging=stderr --v=0)

if grep -qE "(src|href)=\"(https?:)?//" "$html"; then
  fail "$1 loads or links an external resource: $(grep -oE "(src|href)=\"(https?:)?//[^\"]*" "$html" | head -n 3)"
fi
timeout 120 "$browser" "${flags[@]}" --virtual-time-budget=5000 --dump-dom "file://$html" \
  > "$tmp/dom.html" 2> "$tmp/console.txt" || fail "chromium exited with $? (log: $(tail -n 5 "$tmp/console.txt"))"
if grep -q "CONSOLE" "$tmp/console.txt"; then
  fail "console messages: $(grep CONSOLE "$tmp/console.txt" | head -n 5)"
fi
check=$(grep -oE 'data-check="[^"]*"' "$tmp/dom.html" | head -n 1 || true)
[ -n "$check" ] || fail "the page's load check did not run (no data-check on <body>)"
imgs=$({ grep -o "<img " "$html" || true; } | wc -l)
read -r i b s <<< "$(echo "$check" | sed -E 's/.*images=([0-9]+) broken=([0-9]+) svgs=([0-9]+).*/\1 \2 \3/')"
[ "$i" = "$imgs" ] || fail "the browser saw $i images, the file has $imgs"
[ "$b" = 0 ] || fail "$b of $i images did not load"
[ "$s" -ge 1 ] || fail "no inline SVG rendered"
echo "report-browser-check: $1: $i images loaded, $s SVGs, no console message"
if [ -n "$shot" ]; then
  mkdir -p "$(dirname "$shot")"
  timeout 120 "$browser" "${flags[@]}" --hide-scrollbars --window-size=1280,1800 \
    --screenshot="$tmp/shot.png" "file://$html" 2> /dev/null > /dev/null || fail "screenshot failed"
  [ -s "$tmp/shot.png" ] || fail "chromium wrote no screenshot"
  mv "$tmp/shot.png" "$shot"
  echo "report-browser-check: screenshot $shot"
fi
