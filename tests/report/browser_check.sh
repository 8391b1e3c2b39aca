#!/usr/bin/env bash
# The attention page in a real headless browser (Debian's chromium): a small model is
# trained, translates 6 sentences with --attention, and the page must load every heatmap
# (as many as sentences), log no console error, and render a screenshot that is not blank.
#   browser_check.sh NMTX RECIPE
set -uo pipefail
nmtx=$1 recipe=$2
. "$(dirname "$0")/../train/common.sh"
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  [ "${CI:-}" = true ] && fail "chromium is not installed (scripts/setup.sh --test-deps installs it)"
  echo "skipped: no chromium"; exit 77
fi
python=/usr/bin/python3
[ -x "$python" ] || fail "no /usr/bin/python3"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$nmtx" train "$recipe" --out "$tmp/run" "${tiny[@]}" > "$tmp/train.out" 2>&1 || fail "training failed: $(tail -3 "$tmp/train.out")"
head -6 "$tmp/run/data/test.src" > "$tmp/in.txt"
"$nmtx" translate --model "$tmp/run" -i "$tmp/in.txt" --attention "$tmp/att" > "$tmp/out.txt" 2> "$tmp/translate.err" ||
  fail "translate failed: $(cat "$tmp/translate.err")"
[ "$(wc -l < "$tmp/out.txt")" = 6 ] || fail "6 translations expected"
flags=(--headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1000,1400 --user-data-dir="$tmp/profile")
timeout 120 "$browser" "${flags[@]}" --enable-logging=stderr --v=0 --virtual-time-budget=5000 --dump-dom \
  "file://$tmp/att/index.html" > "$tmp/dom.html" 2> "$tmp/console.log" || fail "chromium --dump-dom failed"
grep -q 'data-heatmaps-loaded="6"' "$tmp/dom.html" || fail "the page did not load 6 heatmaps: $(grep -o 'data-heatmaps-loaded="[0-9]*"' "$tmp/dom.html")"
[ "$(grep -o 'class="heatmap"' "$tmp/dom.html" | wc -l)" = 6 ] || fail "not 6 heatmap images in the page"
if grep -E 'CONSOLE|Uncaught|Failed to load resource' "$tmp/console.log" | grep -vi 'dbus' | grep -qi 'error\|uncaught\|failed'; then
  fail "console errors: $(grep -E 'CONSOLE|Uncaught|Failed' "$tmp/console.log" | head -5)"
fi
timeout 120 "$browser" "${flags[@]}" --screenshot="$tmp/shot.png" "file://$tmp/att/index.html" > /dev/null 2>&1 ||
  fail "chromium --screenshot failed"
# Not blank: decode the PNG (tests/png_pixels.py) and count the dark pixels (red below
# 128): the heatmaps' dark cells and the text.
"$python" - "$tmp/shot.png" "$(cd "$(dirname "$0")" && pwd)" <<'PY' || fail "the screenshot is blank"
import os, sys
sys.path.insert(0, os.path.join(sys.argv[2], ".."))
from png_pixels import rgb_pixels
dark = sum(1 for r, g, b in rgb_pixels(sys.argv[1]) if r < 128)
print(f"screenshot: {dark} dark pixels")
sys.exit(0 if dark > 2000 else 1)
PY
echo PASS
