#!/usr/bin/env bash
# The recorded numbers of nmtx, hashed, to show that a change of structure changes none of
# them (run it before and after on the same machine, then diff the two lists):
#   - the default recipe (recipes/reverse.yaml): metrics.jsonl, dev.hyp, test.hyp, every
#     array of every checkpoint, summary.json's numbers (times aside);
#   - nmtx translate of its test set: greedy, beam 5 with n-best, constraints, attention export;
#   - nmtx score and nmtx align of its test set;
#   - a comparison of three variants (small): results.csv and each run's compare.json
#     (times aside), test.hyp and heatmaps;
#   - nmtx inspect on that comparison: the answers to a fixed set of requests (times aside).
#   scripts/fingerprint.sh NMTX OUT      writes OUT/fingerprint.txt (and prints it)
set -euo pipefail
nmtx=$(realpath "$1") out=$2
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$out"
mkdir -p "$out"
out=$(realpath "$out")
cd "$here/.."
. tests/train/common.sh
list="$out/fingerprint.txt"
: > "$list"
record() { (cd "$out" && sha256sum "$@") >> "$list"; }
# A JSON file's content without the keys that hold times (seconds, ms, tokens per second).
without_times() {
  /usr/bin/python3 - "$@" <<'PY'
import json, sys
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items()
                if not any(w in k for w in ("seconds", "_ms", "per_second", "session", "peak_rss"))}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
for path in sys.argv[1:]:
    data = json.load(open(path))
    json.dump(strip(data), open(path + ".timeless", "w"), sort_keys=True, indent=1)
PY
}

# The default recipe.
"$nmtx" train recipes/reverse.yaml --out "$out/reverse" > "$out/reverse.out" 2>&1
without_times "$out/reverse/summary.json"
record reverse/metrics.jsonl reverse/dev.hyp reverse/test.hyp reverse/summary.json.timeless
(cd "$out" && find reverse/checkpoints -name '*.npy' | sort | xargs sha256sum) >> "$list"

# Translation, scoring and alignment of its test set.
run=$out/reverse data=$out/reverse/data
"$nmtx" translate --model "$run" -i "$data/test.src" -o "$out/greedy.hyp"
"$nmtx" translate --model "$run" -i "$data/test.src" -o "$out/beam.nbest" --beam 5 --alpha 0.6 --n-best 3
"$nmtx" translate --model "$run" -i "$data/test.src" -o "$out/constrained.hyp" --beam 3 --monotonic --window 3
"$nmtx" translate --model "$run" -i <(head -20 "$data/test.src") -o "$out/unk.hyp" --replace-unk --attention "$out/att" 2> /dev/null
"$nmtx" translate --model "$run" --model "$run" -i <(head -20 "$data/test.src") -o "$out/ensemble.hyp" --beam 2 \
  --attention "$out/att-ensemble" 2> /dev/null
"$nmtx" score --model "$run" --src "$data/test.src" --tgt "$data/test.tgt" > "$out/score.txt"
"$nmtx" score --model "$run" --src "$data/test.src" --tgt "$data/test.tgt" --per-token > "$out/score-tokens.txt"
"$nmtx" align --model "$run" --src "$data/test.src" --tgt "$data/test.tgt" -o "$out/test.align"
"$nmtx" align --model "$run" --src <(head -20 "$data/test.src") --tgt <(head -20 "$data/test.tgt") -o "$out/soft.align" \
  --threshold 0.3 --attention "$out/att-align" 2> /dev/null
find "$out/att-ensemble" -type f -exec sed -i "s#$out/##g" {} +  # the members' paths: the same wherever OUT is
record greedy.hyp beam.nbest constrained.hyp unk.hyp ensemble.hyp score.txt score-tokens.txt test.align soft.align
(cd "$out" && find att att-ensemble att-align -type f | sort | xargs sha256sum) >> "$list"

# A small comparison.
"$nmtx" compare recipes/compare-reverse.yaml --variants luong-general,local-p,bahdanau --out "$out/cmp" "${tiny[@]}" \
  --set "compare.sentences=[0,3]" > "$out/cmp.out" 2>&1
cut -d, -f1-4,7- "$out/cmp/results.csv" > "$out/cmp/results.csv.timeless"  # columns 5, 6: seconds, tokens/s
for v in luong-general local-p bahdanau; do without_times "$out/cmp/runs/$v/compare.json"; done
record cmp/results.csv.timeless
for v in luong-general local-p bahdanau; do
  record "cmp/runs/$v/compare.json.timeless" "cmp/runs/$v/test.hyp" "cmp/runs/$v/metrics.jsonl"
done
(cd "$out" && find cmp/runs -path '*/compare_attention/*' -type f | sort | xargs sha256sum) >> "$list"

# The inspector's answers.
"$nmtx" inspect "$out/cmp" --port 0 > "$out/server.out" 2> "$out/server.err" &
server=$!
trap 'kill "$server" 2> /dev/null || true' EXIT
url=
for _ in $(seq 1 300); do
  url=$(grep -o 'http://[^ ]*' "$out/server.out" || true)
  [ -n "$url" ] && break
  sleep 0.1
done
/usr/bin/python3 - "$url" "$out/inspect.json" <<'PY'
import json, sys
sys.path.insert(0, "tests/inspect")
from client import Client
api = Client(sys.argv[1])
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items() if k not in ("decode_ms", "seconds", "dir", "train_seconds")}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
answers = [api.ok("/api/runs")]
for run in range(3):
    sentences = api.ok("/api/sentences", {"run": run, "set": "test"})["sentences"]
    answers.append(sentences)
    for i in (0, 1, 5):
        source = sentences[i]["source"]
        for request in ({"beam": 1}, {"beam": 5}, {"beam": 4, "n_best": 3, "alpha": 0.6}, {"beam": 1, "hard": True},
                        {"beam": 2, "monotonic": True, "window": 2}, {"beam": 1, "prefix": [5, 6]},
                        {"beam": 3, "prefix": [7]}, {"beam": 1, "intervention": {"kind": "pin", "step": 1, "position": 0}},
                        {"beam": 3, "intervention": {"kind": "scale", "step": 0, "position": 1, "factor": 4}}):
            answers.append(api.ok("/api/translate", dict(request, run=run, source=source)))
        answers.append(api.ok("/api/score", {"run": run, "source": source, "target": sentences[i]["reference"]}))
    for s in ("dev", "test"):
        answers.append(api.ok("/api/triage", {"run": run, "set": s}))
json.dump(strip(answers), open(sys.argv[2], "w"), sort_keys=True, indent=1)
PY
kill "$server"
wait "$server" || true
trap - EXIT
record inspect.json
cat "$list"
