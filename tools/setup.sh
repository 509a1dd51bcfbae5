#!/usr/bin/env bash
# Mallard's one set-up script, used by the README's two commands and by CI:
#   tools/setup.sh run    install what is missing, build, and start mallard on its embedded defaults
#   tools/setup.sh test   install what is missing, build, and run the whole test suite
#   tools/setup.sh deps   only install what is missing
# Options (after the command): --build-dir DIR (default: build), --sanitize (AddressSanitizer + UBSan).
# Safe to run again: packages are installed only when missing, builds are incremental.
set -euo pipefail

cd "$(dirname "$0")/.."
command=${1:-}
shift || true
build_dir=build
cmake_extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build_dir=$2; shift 2 ;;
    --sanitize) cmake_extra+=(-DCMAKE_BUILD_TYPE=Debug -DMALLARD_SANITIZE=ON); build_dir=${build_dir/%build/build-asan}; shift ;;
    *) echo "setup.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

# What the build, the server and the tests need, as Debian package names.
packages=(
  build-essential cmake pkg-config git
  libssl-dev zlib1g-dev libsqlite3-dev libtoml11-dev
  libhiredis-dev libmongoc-dev libbson-dev libargon2-dev libcrypt-dev
  libhttp-parser-dev nlohmann-json3-dev
  libqrencode-dev  # TOTP set-up QR codes (optional to the build; runtime package libqrencode4)
  libidn2-dev  # IDNA 2008 domain conversion for internationalised addresses
  libgtest-dev libgmock-dev libbenchmark-dev
  redis-server python3 openssl
  isync  # mbsync: the two-way sync client test/integration/test_real_clients.py drives (324 KB)
  clang-14 libclang-rt-14-dev
)

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "setup.sh: installing ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {
  cmake -S . -B "$build_dir" "${cmake_extra[@]}" >/dev/null
  cmake --build "$build_dir" -j "$(nproc)"
}

case "$command" in
  deps)
    install_missing ;;
  run)
    install_missing
    build
    args=()
    # Ports below 1024 need root: a non-root run shifts every port by 10000 (IMAP 10143, POP3 10110, ...).
    if [ "$(id -u)" -ne 0 ]; then
      echo "setup.sh: not root, so every port is shifted by 10000 (IMAP on 10143)"
      args+=(--port-offset 10000)
    fi
    exec "$build_dir/tools/mallard/mallard" "${args[@]}" "$@" ;;
  test)
    install_missing
    build
    cd "$build_dir"
    ctest --output-on-failure -j 2 --timeout 600 ;;
  *)
    echo "usage: tools/setup.sh run|test|deps [--build-dir DIR] [--sanitize]" >&2
    exit 2 ;;
esac
