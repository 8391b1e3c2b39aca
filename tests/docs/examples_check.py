"""Every shell example of README.md and docs/*.md runs as written, in order, in a sandbox
laid out as the repository is right after the README's first command: the class of defect
where the README's own `--attention att/` failed cannot come back.

The fenced ```sh blocks are extracted and each runs with `bash -e -o pipefail` in the
sandbox (its own runs/, data/ and outputs; build/nmtx and `nmtx` on PATH are the binary
under test). What a block needs that a test cannot spend is stood in for, and said here,
not in the docs:
  - `nmtx train RECIPE` and `nmtx compare RECIPE` train a small model (the recipe's data,
    steps and names, embeddings and hidden sizes 16; a comparison 200 steps; Multi30k 30
    steps on pairs up to 15 tokens), so the runs, checkpoints and files the examples read
    are the ones they name;
  - `nmtx inspect` listens on a free port (--port 0), answers /api/runs, and is stopped;
  - `scripts/setup.sh` is done already (CI ran it before the tests);
  - Multi30k comes from the shared data folder through `scripts/get-data.sh --from`.
A block preceded by `<!-- examples: skip (REASON) -->` is not run (the test suite itself,
benchmarks of tens of minutes, machines this one is not); the test prints each skipped
block with its reason and fails on a skip without one.
    examples_check.py NMTX SOURCE_DIR SHARED_DATA_DIR"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

nmtx, source_dir, shared = (os.path.abspath(p) for p in sys.argv[1:4])
DOCS = ["README.md"] + [os.path.relpath(p, source_dir) for p in sorted(glob.glob(os.path.join(source_dir, "docs", "*.md")))]
# README first: its main job makes runs/reverse, which the other documents start from.
ORDER = ["README.md", "docs/recipes.md", "docs/evaluation.md", "docs/inspect.md", "docs/results.md",
         "docs/distributed.md", "docs/benchmarks.md"]
DOCS = [d for d in ORDER if d in DOCS] + [d for d in DOCS if d not in ORDER]

WRAPPER = r'''#!/usr/bin/env bash
# The binary under test, with the stand-ins of examples_check.py.
real=__REAL__
cmd=${1:-}
recipe=
for a in "$@"; do case $a in *.yaml) recipe=$a ;; esac; done
small=(--set model.embed=16 --set model.hidden=16)
case $cmd in
  train|compare)
    if [ -n "$recipe" ]; then
      [ "$cmd" = compare ] && small+=(--set training.steps=200 --set validation.every=100)
      case $recipe in *multi30k*) small+=(--set training.steps=30 --set training.epochs=0 --set validation.every=30
                                          --set data.max_length=15 --set data.subword.vocab_size=500) ;; esac
      exec "$real" "$@" "${small[@]}"
    fi ;;
  inspect)
    # A program that drives the server itself (bench/inspect_latency.py) gets the real one.
    case $(ps -o args= "$PPID") in *inspect_latency*) exec "$real" "$@" ;; esac
    shift
    args=()
    while [ $# -gt 0 ]; do
      case $1 in --port) shift ;; --port=*) ;; *) args+=("$1") ;; esac
      shift
    done
    out=$(mktemp)
    "$real" inspect "${args[@]}" --port 0 > "$out" 2> "$out.err" &
    pid=$!
    url=
    while [ -z "$url" ]; do
      url=$(grep -o 'http://[^ ]*' "$out")
      kill -0 "$pid" 2> /dev/null || { cat "$out.err" >&2; wait "$pid"; exit $?; }
      sleep 0.05
    done
    /usr/bin/python3 -c 'import json, sys, urllib.request
runs = json.load(urllib.request.urlopen(sys.argv[1] + "api/runs", timeout=60))["runs"]
assert runs, "no run loaded"
print(f"nmtx inspect served {len(runs)} run(s) at {sys.argv[1]}")' "$url" || { kill -TERM "$pid"; exit 1; }
    kill -TERM "$pid"
    wait "$pid"
    exit $? ;;
esac
exec "$real" "$@"
'''


def blocks(doc):
    """(line, marker, text) of every ```sh block of a document."""
    text = open(os.path.join(source_dir, doc), encoding="utf-8").read()
    out = []
    for m in re.finditer(r"^```(sh|bash|shell)\n(.*?)^```", text, re.S | re.M):
        before = text[:m.start()].rstrip("\n").splitlines()
        marker = before[-1] if before and before[-1].startswith("<!-- examples:") else ""
        out.append((text.count("\n", 0, m.start()) + 1, marker, m.group(2)))
    return out


def sandbox():
    root = tempfile.mkdtemp(prefix="nmtx-docs-")
    os.makedirs(os.path.join(root, "build"))
    os.makedirs(os.path.join(root, "bin"))
    for where in ("build/nmtx", "bin/nmtx"):
        path = os.path.join(root, where)
        with open(path, "w") as f:
            f.write(WRAPPER.replace("__REAL__", nmtx))
        os.chmod(path, 0o755)
    for name in ("recipes", "bench", "tests"):
        os.symlink(os.path.join(source_dir, name), os.path.join(root, name))
    os.makedirs(os.path.join(root, "scripts"))
    for script in glob.glob(os.path.join(source_dir, "scripts", "*")):
        os.symlink(script, os.path.join(root, "scripts", os.path.basename(script)))
    os.remove(os.path.join(root, "scripts", "setup.sh"))
    with open(os.path.join(root, "scripts", "setup.sh"), "w") as f:
        f.write("#!/usr/bin/env bash\necho 'setup.sh: done before the tests (CI runs it first)'\n")
    os.chmod(os.path.join(root, "scripts", "setup.sh"), 0o755)
    os.makedirs(os.path.join(root, "data"))
    for f in glob.glob(os.path.join(source_dir, "data", "*")):
        if os.path.isfile(f):
            shutil.copy(f, os.path.join(root, "data"))
    return root


root = sandbox()
env = dict(os.environ, PATH=os.path.join(root, "bin") + ":" + os.environ["PATH"],
           OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_btl_vader_single_copy_mechanism="none", OMPI_MCA_mpi_yield_when_idle="1")
failures, ran, skipped = [], 0, []
try:
    done = subprocess.run(["scripts/get-data.sh", "multi30k", "--from", shared], cwd=root, env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"FAIL: scripts/get-data.sh multi30k --from {shared}: {done.stderr[-500:]}")
    for doc in DOCS:
        for line, marker, text in blocks(doc):
            where = f"{doc}:{line}"
            if marker:
                reason = re.match(r"<!-- examples: skip \((.+?)\) -->", marker)
                if not reason:
                    failures.append(f"{where}: a marker that is not `<!-- examples: skip (REASON) -->`: {marker}")
                else:
                    skipped.append(f"{where} ({reason.group(1)})")
                continue
            start = time.time()
            done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", text], cwd=root, env=env,
                                  capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL)
            ran += 1
            print(f"{where}: exit {done.returncode} in {time.time() - start:.1f} s", flush=True)
            if done.returncode != 0:
                failures.append(f"{where} exited {done.returncode}:\n{text}\n--- stderr:\n{done.stderr[-1500:]}")
finally:
    if not os.environ.get("KEEP"):
        shutil.rmtree(root, ignore_errors=True)
for s in skipped:
    print(f"skipped {s}")
if ran < 12:
    failures.append(f"only {ran} blocks ran: the extraction found too few")
for f in failures:
    print("FAIL: " + f)
print(f"{ran - len([f for f in failures if ' exited ' in f])} passed, {len(failures)} failed ({len(skipped)} blocks skipped, with reasons)")
sys.exit(1 if failures else 0)
