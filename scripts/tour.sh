#!/usr/bin/env bash
# Quick start 1: build and run the guided tour of alchemy on an embedded
# SQLite database. Installs the few packages it needs, builds only the 'tour'
# example in its own Release build directory (build/tour) and runs it.
#
#   scripts/tour.sh [ARGS...]    (ARGS are passed to the tour program)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

scripts/install-deps.sh --tour

cmake -S . -B build/tour -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DALCHEMY_BUILD_TESTS=OFF \
  -DALCHEMY_BUILD_BENCHMARKS=OFF \
  -DALCHEMY_BUILD_EXAMPLES=ON
cmake --build build/tour --target tour -j"$(nproc)"

exec build/tour/examples/tour "$@"
