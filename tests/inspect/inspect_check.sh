#!/usr/bin/env bash
# nmtx inspect end to end. Two small runs are trained (a comparison of luong-general and
# local-p on the reverse task) and, but for the storm, a multi-head run beside it;
# `nmtx inspect COMPARE_DIR [HEADS_RUN] --port 0` is started, and then
#   api      the API is checked against the command line, bit for bit (api_check.py)
#   browser  the page is driven in headless chromium through selenium (browser_check.py)
#   storm    10,000 random and malformed requests, then a normal one (request_storm.py)
# Finally SIGTERM must stop the server cleanly (exit status 0) at once although a client
# holds a half-sent request, and its standard error must hold no sanitizer report.
#   inspect_check.sh NMTX RECIPE MODE
set -uo pipefail
nmtx=$1 recipe=$2 mode=$3
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../train/common.sh"
python=/usr/bin/python3
[ -x "$python" ] || fail "no /usr/bin/python3"
if [ "$mode" = browser ]; then
  missing=""
  [ -x /usr/bin/chromedriver ] || missing="chromium-driver"
  "$python" -c "import selenium" 2> /dev/null || missing="$missing python3-selenium"
  if [ -n "$missing" ]; then
    [ "${CI:-}" = true ] && fail "missing:$missing (scripts/setup.sh --test-deps installs them)"
    echo "skipped: missing $missing"; exit 77
  fi
fi
tmp=$(mktemp -d)
server=
trap '[ -n "$server" ] && kill -KILL "$server" 2> /dev/null; rm -rf "$tmp"' EXIT
steps=400
[ "$mode" = storm ] && steps=40  # the storm needs a model, not a good one
"$nmtx" compare "$recipe" --variants luong-general,local-p --out "$tmp/cmp" "${tiny[@]}" \
  --set training.steps=$steps --set validation.every=100 --set "compare.sentences=[0]" > "$tmp/compare.out" 2>&1 ||
  fail "nmtx compare failed: $(tail -5 "$tmp/compare.out")"
# Beside the comparison, a multi-head run (api, browser): each head's attention.
runs=("$tmp/cmp")
if [ "$mode" != storm ]; then
  "$nmtx" train "$recipe" --out "$tmp/heads" "${tiny[@]}" --set model.attention.score=multi-head \
    --set training.steps=$steps --set validation.every=100 > "$tmp/heads.out" 2>&1 ||
    fail "training the multi-head run failed: $(tail -5 "$tmp/heads.out")"
  runs+=("$tmp/heads")
fi
"$nmtx" inspect "${runs[@]}" --port 0 > "$tmp/server.out" 2> "$tmp/server.err" &
server=$!
url=
for _ in $(seq 1 300); do
  url=$(grep -o 'http://[^ ]*' "$tmp/server.out")
  [ -n "$url" ] && break
  kill -0 "$server" 2> /dev/null || fail "nmtx inspect exited: $(cat "$tmp/server.err")"
  sleep 0.1
done
[ -n "$url" ] || fail "nmtx inspect printed no URL within 30 s: $(cat "$tmp/server.err")"
"$python" "$here/${mode}_check.py" "$url" "$nmtx" "$tmp" || fail "$mode check failed (server log: $(tail -5 "$tmp/server.err"))"
# A client that holds a half-sent request must not hold the shutdown (httplib's read
# timeout is 10 s): it stops at once, within 2 s here (milliseconds measured).
"$python" - "$url" "$tmp/stalled" <<'PY' &
import socket, sys, time, urllib.parse
url, ready = urllib.parse.urlparse(sys.argv[1]), sys.argv[2]
s = socket.create_connection((url.hostname, url.port))
s.sendall(b"POST /api/translate HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"run\": " % url.netloc.encode())
open(ready, "w").close()
time.sleep(60)
PY
stalled=$!
for _ in $(seq 1 300); do
  [ -e "$tmp/stalled" ] && break
  sleep 0.1
done
[ -e "$tmp/stalled" ] || fail "the stalled client did not connect"
kill -TERM "$server"
for _ in $(seq 1 20); do
  kill -0 "$server" 2> /dev/null || break
  sleep 0.1
done
kill -0 "$server" 2> /dev/null && fail "the server did not stop within 2 s of SIGTERM with a stalled client"
kill "$stalled" 2> /dev/null
wait "$server"
status=$?
server=
[ "$status" = 0 ] || fail "the server exited with status $status after SIGTERM: $(tail -5 "$tmp/server.err")"
if grep -qE "AddressSanitizer|runtime error:|LeakSanitizer" "$tmp/server.err"; then
  fail "sanitizer report: $(grep -m3 -E "AddressSanitizer|runtime error:|LeakSanitizer" "$tmp/server.err")"
fi
echo "ok: $mode"
