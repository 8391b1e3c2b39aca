#!/usr/bin/python3
"""Plot attention matrices exported by nmtx (nmtx translate/align --attention DIR).

    scripts/plot_attention.py DIR [--sentences 0 3 7] [--out PLOTS_DIR] [--format png|pdf|svg]

Reads DIR/NNNNNN.json (tokens and the target-by-source matrix; rows are output tokens,
the final </s> included when produced, columns source tokens) and writes one figure per
sentence with matplotlib (Debian's python3-matplotlib). For local-p models the predicted
positions p_t are drawn over the matrix. An empty sentence (an empty input line) has no
matrix and is skipped with a note.

The script runs with Debian's /usr/bin/python3, the interpreter python3-matplotlib installs
into (another python3 first on PATH, from pyenv or a virtual environment, may lack it).
"""
import argparse
import json
import pathlib
import sys

try:
    import matplotlib
except ImportError:
    sys.exit(f"plot_attention.py: {sys.executable} has no matplotlib: install Debian's python3-matplotlib "
             "(apt-get install python3-matplotlib) and run the script as scripts/plot_attention.py or "
             "/usr/bin/python3 scripts/plot_attention.py")

matplotlib.use("Agg")  # files only, no display needed
import matplotlib.pyplot as plt  # noqa: E402


def plot(record, path):
    matrix = record["attention"]
    rows, cols = len(matrix), len(record["source"])
    fig, ax = plt.subplots(figsize=(max(3.0, 0.35 * cols + 1.5), max(2.5, 0.35 * rows + 1.2)))
    ax.imshow(matrix, cmap="Greys", vmin=0.0, vmax=1.0, aspect="equal")
    ax.set_xticks(range(cols))
    ax.set_xticklabels(record["source"], rotation=60, ha="right")
    ax.set_yticks(range(rows))
    ax.set_yticklabels(record["output"][:rows])
    ax.set_xlabel("source")
    ax.set_ylabel("output")
    if record.get("positions"):
        ax.plot(record["positions"], range(len(record["positions"])), "r.-", linewidth=1, label="p_t")
        ax.legend(loc="lower left", fontsize="small")
    ax.set_title(f"sentence {record['index']}")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dir", type=pathlib.Path, help="an attention export directory")
    parser.add_argument("--sentences", type=int, nargs="*", help="sentence numbers (default: all)")
    parser.add_argument("--out", type=pathlib.Path, help="where to write the figures (default: DIR/plots)")
    parser.add_argument("--format", default="png", choices=["png", "pdf", "svg"])
    args = parser.parse_args()
    files = sorted(args.dir.glob("[0-9]" * 6 + ".json"))
    if not files:
        sys.exit(f"plot_attention.py: {args.dir}: no NNNNNN.json files (is it an nmtx attention export?)")
    if args.sentences is not None:
        wanted = {f"{i:06d}.json" for i in args.sentences}
        files = [f for f in files if f.name in wanted]
        missing = wanted - {f.name for f in files}
        if missing:
            sys.exit(f"plot_attention.py: {args.dir}: no {', '.join(sorted(missing))}")
    out = args.out or args.dir / "plots"
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for f in files:
        record = json.loads(f.read_text(encoding="utf-8"))
        if not record["attention"] or not record["source"]:
            print(f"sentence {record['index']} is empty (no attention to plot): skipped", file=sys.stderr)
            continue
        plot(record, out / f"{f.stem}.{args.format}")
        written += 1
    print(f"{written} figure{'' if written == 1 else 's'} written to {out}")


if __name__ == "__main__":
    main()
