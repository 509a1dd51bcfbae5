#!/usr/bin/env bash
# Builds one libFuzzer target with clang (ASan + UBSan) in a side build directory and runs it for a bounded
# time over its seed corpora. Used by ctest; also by hand:
#   test/fuzz/run_fuzzer.sh mime_parser_fuzz 600 test/fuzz/mime test/data/mime
# New inputs the fuzzer finds go to the build directory, not the source tree; a crash leaves its input there
# and fails the run (copy it into the seed corpus with the fix).
set -euo pipefail
target=$1 seconds=$2
shift 2
src=${MALLARD_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${MALLARD_FUZZ_BUILD_DIR:-$src/build-fuzz}
cxx=$(command -v clang++-14 || command -v clang++ || true)
cc=$(command -v clang-14 || command -v clang || true)
if [ -z "$cxx" ] || [ -z "$cc" ]; then
  echo "SKIPPED: clang is not installed (tools/setup.sh deps installs it)"
  exit 77
fi
cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DMALLARD_FUZZ=ON -DMALLARD_TESTS=OFF >/dev/null
cmake --build "$build" --target "$target" -j "$(nproc)" >/dev/null
work="$build/corpus-$target"
artifacts="$build/artifacts-$target/"
mkdir -p "$work" "$artifacts"
dict=()
for seeds in "$@"; do
  for d in "$seeds"/*.dict; do [ -f "$d" ] && dict=(-dict="$d"); done
done
echo "fuzzing $target for ${seconds}s"
set +e
# -error_exitcode=1: libFuzzer's default (77) is ctest's SKIP_RETURN_CODE, which would report a crash as skipped.
"$build/test/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=262144 -error_exitcode=1 \
  -print_final_stats=1 -artifact_prefix="$artifacts" "${dict[@]}" "$work" "$@" >"$build/$target.log" 2>&1
status=$?
set -e
tail -25 "$build/$target.log"
if [ "$status" -ne 0 ]; then
  echo "FAILED: $target found a crash; inputs in $artifacts"
  ls -l "$artifacts"
fi
exit "$status"
