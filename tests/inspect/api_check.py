"""The inspector's API against the command line, bit for bit: translations (greedy and beam
5) with their tokens, log-probabilities and attention (multi-head: each head's) as
`nmtx translate --attention` exports them; typed targets as `nmtx score --per-token` scores them; a forced prefix's
scores as `nmtx score --per-token` gives them for the prefix; a pinned row one-hot; and
the errors of bad requests.
    api_check.py URL NMTX TMP"""
import json
import os
import subprocess
import sys

from client import Client, check

url, nmtx, tmp = sys.argv[1:4]
api = Client(url)


def run_cli(*args):
    done = subprocess.run([nmtx, *args], capture_output=True, text=True)
    check(done.returncode == 0, f"nmtx {' '.join(args)}: {done.stderr[-500:]}")
    return done.stdout


def write(name, text):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text + "\n")
    return path


runs = api.ok("/api/runs")["runs"]
check(len(runs) == 3, f"3 runs expected, got {len(runs)}")
check([r["variant"] for r in runs] == ["local-p", "luong-general", "luong-multi-head"], f"variants {[r['variant'] for r in runs]}")
for r in runs:
    check(r["summary"]["steps"] == 400 and r["parameters"] > 0, f"run {r['name']}: {r['summary']}")
    check({s["name"]: s["gold"] for s in r["sets"]} == {"dev": True, "test": True}, f"sets {r['sets']}")
check(runs[0]["local"] and not runs[1]["local"] and not runs[2]["local"], "only local-p is local")

sources = open(os.path.join(runs[0]["dir"], "data", "test.src")).read().splitlines()[:3]
references = open(os.path.join(runs[0]["dir"], "data", "test.tgt")).read().splitlines()[:3]
for r in runs:
    for i, (source, reference) in enumerate(zip(sources, references)):
        src_file = write("src.txt", source)
        for beam in (1, 5):
            got = api.ok("/api/translate", {"run": r["run"], "source": source, "beam": beam})
            out_dir = os.path.join(tmp, f"att-{r['run']}-{i}-{beam}")
            run_cli("translate", "--model", r["dir"], "-i", src_file, "--beam", str(beam), "--attention", out_dir)
            want = json.load(open(os.path.join(out_dir, "000000.json")))
            hyp = got["hypotheses"][0]
            what = f"{r['name']} sentence {i} beam {beam}"
            check(len(got["hypotheses"]) == 1, what + ": one hypothesis")
            check(got["source_tokens"] == want["source"], what + ": source tokens")
            check(hyp["tokens"] == want["output"], what + f": tokens {hyp['tokens']} vs {want['output']}")
            check(len(hyp["attention"]) == len(want["attention"]), what + ": attention rows")
            check(hyp["attention"] == want["attention"], what + ": attention weights")
            check(hyp["token_log_probs"] == want["token_log_probs"], what + ": token log-probabilities")
            check(hyp["log_prob"] == want["log_prob"], what + ": log-probability")
            if r["local"]:
                check(hyp["positions"] == want["positions"], what + ": p_t")
            # Multi-head: each head's matrix, as the export's JSON has it (4 heads of T x S).
            check(hyp.get("heads") == want.get("heads"), what + ": each head's weights")
            if r["variant"] == "luong-multi-head":
                check(len(hyp["heads"]) == 4 and all(len(h) == len(hyp["attention"]) for h in hyp["heads"]), what + ": 4 heads of T rows")
            tree = got["tree"]
            check(tree["nodes"][0]["token"] == "<s>" and tree["results"], what + ": a tree with a result")
            end = tree["nodes"][tree["results"][0]]
            check(end["fate"] == "finished" and end["log_prob"] == hyp["log_prob"], what + ": the tree's best leaf")

        # A typed target: nmtx score --per-token's numbers, and nmtx align's attention.
        tgt_file = write("tgt.txt", reference)
        scored = api.ok("/api/score", {"run": r["run"], "source": source, "target": reference})
        want = [float(x) for x in run_cli("score", "--model", r["dir"], "--src", src_file, "--tgt", tgt_file, "--per-token").split()]
        check(scored["token_log_probs"] == want, f"{r['name']} sentence {i}: score per token")
        total = run_cli("score", "--model", r["dir"], "--src", src_file, "--tgt", tgt_file).split()
        check(scored["log_prob"] == float(total[0]), f"{r['name']} sentence {i}: score total")
        att_dir = os.path.join(tmp, f"align-{r['run']}-{i}")
        run_cli("align", "--model", r["dir"], "--src", src_file, "--tgt", tgt_file, "-o", os.path.join(tmp, "a.txt"), "--attention", att_dir)
        aligned = json.load(open(os.path.join(att_dir, "000000.json")))
        check(scored["attention"] == aligned["attention"], f"{r['name']} sentence {i}: forced attention = nmtx align's")
        check(scored.get("heads") == aligned.get("heads"), f"{r['name']} sentence {i}: forced heads = nmtx align's")

        # A forced prefix (the reference's first two tokens): its scores are nmtx score's of
        # the prefix, the output starts with it.
        prefix_ids = scored["ids"][:2]
        prefix_text = " ".join(reference.split()[:2])
        forced = api.ok("/api/translate", {"run": r["run"], "source": source, "beam": 5, "prefix": prefix_ids})
        want = [float(x) for x in run_cli("score", "--model", r["dir"], "--src", src_file, "--tgt", write("p.txt", prefix_text), "--per-token").split()]
        check(forced["prefix_scores"]["token_log_probs"] == want[:2], f"{r['name']}: prefix scores {forced['prefix_scores']} vs {want}")
        check(forced["hypotheses"][0]["ids"][:2] == prefix_ids, f"{r['name']}: the output starts with the prefix")
        for a, b in zip(forced["hypotheses"][0]["token_log_probs"][:2], want[:2]):
            check(abs(a - b) < 1e-4, f"{r['name']}: the decoder's prefix scores {a} vs {b}")

        # Pinned: the row is exactly one-hot at the position.
        pinned = api.ok("/api/translate", {"run": r["run"], "source": source, "intervention": {"kind": "pin", "step": 1, "position": 0}})
        row = pinned["hypotheses"][0]["attention"][1]
        check(row == [1.0] + [0.0] * (len(row) - 1), f"{r['name']}: pinned row {row}")

# Concurrent requests: 8 at once, each answered as the same request alone.
import threading  # noqa: E402
alone = {r["run"]: api.ok("/api/translate", {"run": r["run"], "source": sources[0], "beam": 5}) for r in runs}
answers = {}


def ask(k):
    run = runs[k % 3]["run"]
    answers[k] = (run, Client(url).ok("/api/translate", {"run": run, "source": sources[0], "beam": 5}))


threads = [threading.Thread(target=ask, args=(k,)) for k in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
check(len(answers) == 8, "8 concurrent answers")
for k, (run, answer) in answers.items():
    answer.pop("decode_ms")
    expected = dict(alone[run])
    expected.pop("decode_ms", None)
    check(answer == expected, f"concurrent request {k} differs from the same request alone")

# Bad requests: a 4xx JSON error naming the field.
bad = [
    ("/api/translate", {"source": "1 2"}, 400, "run"),
    ("/api/translate", {"run": 7, "source": "1 2"}, 404, "run"),
    ("/api/translate", {"run": 0}, 400, "source"),
    ("/api/translate", {"run": 0, "source": ""}, 400, "source"),
    ("/api/translate", {"run": 0, "source": "1 " * 400}, 400, "source"),
    ("/api/translate", {"run": 0, "source": "1", "beam": 0}, 400, "beam"),
    ("/api/translate", {"run": 0, "source": "1", "beam": 17}, 400, "beam"),
    ("/api/translate", {"run": 0, "source": "1", "beam": 2, "n_best": 3}, 400, "n_best"),
    ("/api/translate", {"run": 0, "source": "1", "alpha": "x"}, 400, "alpha"),
    ("/api/translate", {"run": 0, "source": "1", "prefix": [3]}, 400, "prefix"),
    ("/api/translate", {"run": 0, "source": "1", "prefix": [10 ** 9]}, 400, "prefix"),
    ("/api/translate", {"run": 0, "source": "1 2", "intervention": {"kind": "pin", "step": 0, "position": 2}}, 400, "position"),
    ("/api/translate", {"run": 0, "source": "1 2", "intervention": {"kind": "grow", "step": 0, "position": 0}}, 400, "kind"),
    ("/api/translate", {"run": 0, "source": "1 2", "intervention": {"kind": "scale", "step": 0, "position": 0, "factor": -1}}, 400, "factor"),
    ("/api/score", {"run": 0, "source": "1 2"}, 400, "target"),
    ("/api/sentences", {"run": 0, "set": "train"}, 404, "set"),
    ("/api/triage", {"run": -1}, 400, "run"),
]
for path, body, status, field in bad:
    got_status, data = api.post(path, body)
    check(got_status == status and field in data.get("error", ""), f"{path} {body}: {got_status} {data}")
# Integers out of range are refused on the JSON number as sent, never wrapped to another id
# (4294967301 would be token 5 as a 32-bit int, 4294967296 would be <pad>), and the
# message quotes the number as the request wrote it.
for path, body, field, sent in [
    ("/api/translate", {"run": 0, "source": "1", "prefix": [4294967301]}, "prefix", "4294967301"),
    ("/api/translate", {"run": 0, "source": "1", "prefix": [4294967296]}, "prefix", "4294967296"),
    ("/api/translate", {"run": 0, "source": "1", "prefix": [5, 2147483648]}, "prefix", "2147483648"),
    ("/api/translate", {"run": 0, "source": "1", "prefix": [-1]}, "prefix", "-1"),
    ("/api/translate", {"run": 0, "source": "1", "prefix": [18446744073709551615]}, "prefix", "18446744073709551615"),
    ("/api/translate", {"run": 9007199254740993, "source": "1"}, "run", "9007199254740993"),
    ("/api/translate", {"run": 0, "source": "1", "beam": 4294967297}, "beam", "4294967297"),
    ("/api/translate", {"run": 0, "source": "1", "window": -4294967295}, "window", "-4294967295"),
    ("/api/translate", {"run": 0, "source": "1 2", "intervention": {"kind": "pin", "step": 4294967296, "position": 0}}, "step", "4294967296"),
    ("/api/translate", {"run": 0, "source": "1 2", "intervention": {"kind": "pin", "step": 0, "position": 4294967296}}, "position", "4294967296"),
    ("/api/sentences", {"run": 18446744073709551615}, "run", "18446744073709551615"),
]:
    got_status, data = api.post(path, body)
    error = data.get("error", "")
    check(got_status == 400 and f'"{field}"' in error and error.endswith("got " + sent) and "-2147483648" not in error,
          f"{path} {body}: {got_status} {data}")

# Range headers: every answer is whole, valid JSON. A valid Range is ignored; one httplib
# cannot parse is refused with the JSON error every 4xx has.
whole = api.ok("/api/runs")
sentences = api.ok("/api/sentences", {"run": 0, "set": "dev"})
for rng in ["bytes=0-9", "bytes=5-", "bytes=-3", "bytes=0-1,4-5", "bytes=100000-200000"]:
    got_status, data = api.request("GET", "/api/runs", headers={"Range": rng})
    check(got_status == 200 and data == whole, f"GET /api/runs, Range {rng}: {got_status} {str(data)[:80]}")
    got_status, data = api.request("POST", "/api/sentences", {"run": 0, "set": "dev"}, {"Range": rng, "Content-Type": "application/json"})
    check(got_status == 200 and data == sentences, f"POST /api/sentences, Range {rng}: {got_status} {str(data)[:80]}")
    got_status, data = api.request("POST", "/api/translate", {"run": 0}, {"Range": rng, "Content-Type": "application/json"})
    check(got_status == 400 and isinstance(data, dict) and '"source"' in data["error"], f"a 400 with Range {rng}: {got_status} {str(data)[:80]}")
for rng in ["bytes=9-1", "pages=1-2"]:
    got_status, data = api.request("GET", "/api/runs", headers={"Range": rng})
    check(got_status == 416 and isinstance(data, dict) and data["status"] == 416 and "Range header" in data["error"],
          f"an unparsable Range {rng}: {got_status} {data}")

# An intervention may name any step decoding can produce: nmtx translate stops after
# 2 x source tokens + 10 steps (310 for the longest source the API takes, 150 tokens).
longest = " ".join(["1"] * whole["limits"]["source_tokens"])
for source, last in [(longest, 309), ("1 2", 13)]:
    pin = {"kind": "pin", "step": last, "position": 0}
    check(api.post("/api/translate", {"run": 0, "source": source, "intervention": pin})[0] == 200, f"step {last} refused")
    got_status, data = api.post("/api/translate", {"run": 0, "source": source, "intervention": dict(pin, step=last + 1)})
    check(got_status == 400 and f"expected an integer in [0, {last}]" in data["error"], f"step {last + 1}: {got_status} {data}")

# A second server on the port the first holds refuses to start, naming the port and the
# way out, and the first goes on answering alone.
second = subprocess.run([nmtx, "inspect", os.path.join(tmp, "cmp"), "--port", str(api.port)],
                        capture_output=True, text=True, timeout=120)
check(second.returncode != 0 and f"port {api.port} is in use" in second.stderr and "--port 0" in second.stderr,
      f"a second server on port {api.port}: exit {second.returncode}, {second.stderr[-300:]!r}")
check(api.ok("/api/runs")["runs"] == runs, "the first server answers after the second was refused")

for raw in [b"", b"[1,2]", b"{", b"\xff\xfe"]:
    got_status, data = api.request("POST", "/api/translate", raw=raw, headers={"Content-Type": "application/json"})
    check(got_status == 400 and "request" in data["error"], f"body {raw!r}: {got_status} {data}")
got_status, data = api.request("POST", "/api/translate", raw=b"x" * 70000, headers={"Content-Type": "application/json"})
check(got_status == 413, f"oversized body: {got_status}")
got_status, data = api.request("GET", "/api/runs", headers={"Host": f"attacker.example:{api.port}"})
check(got_status == 403, f"foreign Host header: {got_status}")
got_status, data = api.request("GET", "/api/runs", headers={"Host": f"localhost:{api.port}"})
check(got_status == 200, f"localhost Host header: {got_status}")
got_status, data = api.get("/../../etc/passwd")
check(got_status == 404, f"path outside the page: {got_status}")
got_status, page = api.get("/")
check(got_status == 200 and b"inspect.js" in page, "the page")

# Triage: the corpus BLEU of greedy decoding is the run's own dev BLEU at its best checkpoint.
for r in runs:
    triage = api.ok("/api/triage", {"run": r["run"], "set": "dev"})
    check(len(triage["rows"]) == 100, f"{r['name']}: triage rows {len(triage['rows'])}")
    check(abs(triage["bleu"] - r["summary"]["dev_bleu"]) < 1e-9, f"{r['name']}: triage BLEU {triage['bleu']} vs {r['summary']['dev_bleu']}")
    check(all(row["aer"] is not None for row in triage["rows"]), f"{r['name']}: AER where gold exists")
    check(sum(b["sentences"] for b in triage["buckets"]) == 100, f"{r['name']}: buckets {triage['buckets']}")
# Attention over training of the multi-head run: each head's rows as the run recorded them.
heads_run = runs[2]
training = api.ok("/api/training", {"run": heads_run["run"]})
check(len(training["steps"]) == 4, f"multi-head run: snapshots at {training['steps']}")
for step in training["steps"]:
    snap = api.ok("/api/snapshot", {"run": heads_run["run"], "step": step})
    recorded = json.load(open(os.path.join(heads_run["dir"], "snapshots", f"step-{step:08d}.json")))["sentences"]
    check(len(snap["sentences"]) == len(recorded) == 8, f"step {step}: 8 watched sentences")
    for k, (got, want) in enumerate(zip(snap["sentences"], recorded)):
        check(len(want["heads"]) == 4 and len(want["reference_heads"]) == 4, f"step {step} sentence {k}: 4 heads recorded")
        check(all(len(h) == len(want["reference_attention"]) for h in want["reference_heads"]), f"step {step} sentence {k}: a row per reference token")
        check(got["heads"] == want["heads"] and got["reference_heads"] == want["reference_heads"], f"step {step} sentence {k}: the API's heads are the file's")

# A comparison still training: one run finished, one without a checkpoint yet, one being
# prepared (a directory with nothing in it yet). The finished run loads, the others are
# listed as not finished; a run named on its own without a checkpoint is still an error.
import shutil  # noqa: E402
import signal  # noqa: E402
import time  # noqa: E402
running = os.path.join(tmp, "running")
os.makedirs(os.path.join(running, "runs"))
shutil.copy(os.path.join(tmp, "cmp", "compare.yaml"), running)
shutil.copytree(runs[1]["dir"], os.path.join(running, "runs", "luong-general"))
shutil.copytree(runs[0]["dir"], os.path.join(running, "runs", "local-p"), ignore=shutil.ignore_patterns("checkpoints", "summary.json"))
os.makedirs(os.path.join(running, "runs", "bahdanau"))
os.makedirs(os.path.join(running, "runs", "location-sensitive.partial-12345"))
out_path = os.path.join(tmp, "running.out")
with open(out_path, "w") as out, open(os.path.join(tmp, "running.err"), "w") as err:
    server = subprocess.Popen([nmtx, "inspect", running, "--port", "0"], stdout=out, stderr=err)
try:
    end = time.time() + 60
    while "http://" not in open(out_path).read():
        check(server.poll() is None, f"nmtx inspect on a running comparison exited: {open(os.path.join(tmp, 'running.err')).read()}")
        check(time.time() < end, "nmtx inspect on a running comparison printed no URL")
        time.sleep(0.05)
    other = Client([w for w in open(out_path).read().split() if w.startswith("http://")][0])
    listed = other.ok("/api/runs")
    check([r["name"] for r in listed["runs"]] == ["luong-general"], f"loaded: {[r['name'] for r in listed['runs']]}")
    check({(u["name"], u["why"]) for u in listed["unfinished"]} == {("local-p", "no best checkpoint yet"), ("bahdanau", "being prepared")},
          f"not finished: {listed['unfinished']}")
finally:
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)
alone = subprocess.run([nmtx, "inspect", os.path.join(running, "runs", "local-p"), "--port", "0"], capture_output=True, text=True, timeout=60)
check(alone.returncode != 0 and "has no best checkpoint" in alone.stderr, f"a run alone without a checkpoint: {alone.stderr[-300:]}")
print(f"api: {check.count} checks passed")
