#!/usr/bin/env bash
# Installs nmtx's build dependencies (Debian packages, only those missing) and builds it.
#
#   scripts/setup.sh              Release build in build/ (the binary is build/nmtx)
#   scripts/setup.sh --sanitize   clang build with ASan + UBSan in build-asan/, with the
#                                 libFuzzer targets of tests/fuzz, without MPI
#   scripts/setup.sh --test-deps  also installs what the tests use (PyTorch for the
#                                 reference test, chromium for the attention page,
#                                 selenium and chromedriver for the inspector's page,
#                                 matplotlib); combinable with --sanitize
#
# Idempotent and non-interactive; run as root on a fresh Debian bookworm machine (or as a
# user with sudo). Nothing is downloaded at build or run time beyond these packages.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=build
cmake_args=(-DCMAKE_BUILD_TYPE=Release)
test_deps=0
sanitize=0
for arg in "$@"; do
  case "$arg" in
    --sanitize) build_dir=build-asan; sanitize=1
                cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ -DNMTX_SANITIZE=ON -DNMTX_FUZZ=ON
                            -DNMTX_MPI=OFF) ;;  # also the check that nmtx builds and works without MPI
    --test-deps) test_deps=1 ;;
    *) echo "usage: scripts/setup.sh [--sanitize] [--test-deps]" >&2; exit 2 ;;
  esac
done

packages=(
  g++ cmake ninja-build pkg-config          # toolchain
  libxtensor-dev libxsimd-dev libxtensor-blas-dev libopenblas-dev  # tensors, SIMD (only a Recommends of xtensor), BLAS
  libcxxopts-dev libfmt-dev                  # command line and formatting
  libyaml-cpp-dev nlohmann-json3-dev zlib1g-dev  # recipes, JSON output, gzip input
  libsentencepiece-dev libicu-dev            # subword segmentation, Unicode properties (BLEU tokenisers)
  libcpp-httplib-dev                         # nmtx inspect's web server
  libopenmpi-dev openmpi-bin                 # data-parallel training under mpirun (docs/distributed.md)
  doctest-dev                                # tests
)
if ((sanitize)); then
  packages+=(clang libclang-rt-14-dev)      # the sanitizer tree is clang's: libFuzzer, ASan, UBSan
fi
if ((test_deps)); then
  packages+=(python3 python3-numpy python3-torch)  # bench/torch_reference.py, numpy interoperability
  packages+=(chromium python3-matplotlib)         # the attention page in a headless browser; scripts/plot_attention.py
  packages+=(chromium-driver python3-selenium)    # nmtx inspect's page driven in that browser
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# A tree configured with another compiler (an older build-asan made by g++) starts afresh.
if ((sanitize)) && [ -f "$build_dir/CMakeCache.txt" ] && ! grep -q "^CMAKE_CXX_COMPILER:.*clang" "$build_dir/CMakeCache.txt"; then
  rm -rf "$build_dir"
fi
cmake -S . -B "$build_dir" -G Ninja "${cmake_args[@]}" > /dev/null
cmake --build "$build_dir" -j "$(nproc)"
