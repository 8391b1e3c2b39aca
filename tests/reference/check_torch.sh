#!/usr/bin/env bash
# The PyTorch reference computes the same loss and gradients as nmtx
# (bench/torch_reference.py): exports VARIANT with nmtx_bench into a fresh directory,
# then runs the check with Debian's python3. Without python3-torch the test is skipped
# (exit 77), except under CI=true, where a missing dependency is a failure.
#   usage: check_torch.sh NMTX_BENCH SCRIPT WORK_DIR VARIANT
set -euo pipefail
nmtx_bench=$1 script=$2 work=$3 variant=$4
if ! /usr/bin/python3 -c "import torch, numpy" 2>/dev/null; then
  if [ "${CI:-}" = "true" ]; then
    echo "python3-torch is not installed (/usr/bin/python3 cannot import torch); under CI=true that is a failure." >&2
    echo "scripts/setup.sh --test-deps installs it." >&2
    exit 1
  fi
  echo "python3-torch is not installed: skipped (scripts/setup.sh --test-deps installs it)"
  exit 77
fi
dir="$work/reference-$variant"
rm -rf "$dir"
"$nmtx_bench" --export "$dir" --variant "$variant"
/usr/bin/python3 "$script" check "$dir"
