#!/usr/bin/env bash
# Installs the Debian packages preflight needs to build, test, fuzz and
# benchmark. Idempotent: does nothing when everything is present.
set -euo pipefail

pkgs=(
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libcurl4-openssl-dev libjansson-dev libyaml-dev libcmocka-dev
  libsqlite3-dev libpq-dev libssl-dev  # the checklist loop's store and the DingTalk signature
  sqlite3 postgresql  # tests run the store on SQLite and on a real PostgreSQL server they start
  golang-1.19-go
  iproute2 util-linux procps numactl jq libxml2-utils hyperfine mawk curl
  time  # /usr/bin/time: peak RSS in bench/goroutines.sh
  libmicrohttpd-dev  # preflight serve: the board and the API
  wrk  # bench/serve.sh: the API under load, as a user would measure it
  chromium  # the board's end-to-end tests (tests/browser, driven by playwright-core from npm)
  prometheus  # promtool validates the textfile output; the server serves later fuse tests
  # packaging (make deb, make install) and its tests t0900/t0910
  dpkg-dev file  # dpkg-shlibdeps for the .deb's Depends; CPack finds ELF files with file(1)
  man-db bash-completion zsh  # man -l --warnings, and loading the completions as a shell would
  debootstrap  # a clean Debian root to install the .deb into
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js and npm run the board's browser tests (playwright-core drives
# Debian's chromium). A machine that already has them (say from
# NodeSource, which bundles npm) keeps its own: Debian's npm would
# conflict with that nodejs.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  missing+=(nodejs npm)
fi
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing Debian packages: ${missing[*]} (run as root, or apt-get install them)" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

