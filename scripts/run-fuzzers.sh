#!/usr/bin/env bash
# Runs every libFuzzer target in BUILD_DIR for SECONDS each, seeded from
# fuzz/corpus/<name>/ and from the test fixtures of the same format,
# tests/fixtures/<name>/ ('_' read as '-'), so a fixture is never copied
# into the corpus. New inputs go to a scratch copy, not the repo.
# Usage: scripts/run-fuzzers.sh BUILD_DIR SECONDS
set -euo pipefail
build=${1:?usage: $0 BUILD_DIR SECONDS}
secs=${2:?usage: $0 BUILD_DIR SECONDS}
root=$(cd "$(dirname "$0")/.." && pwd)
status=0
for bin in "$build"/fuzz_*; do
  [ -x "$bin" ] || continue
  name=$(basename "$bin"); short=${name#fuzz_}
  work=$(mktemp -d)
  [ -d "$root/fuzz/corpus/$short" ] && cp -r "$root/fuzz/corpus/$short/." "$work/"
  fixtures="$root/tests/fixtures/${short//_/-}"
  if [ -d "$fixtures" ]; then
    n=0
    while IFS= read -r -d '' f; do
      n=$((n + 1)); cp "$f" "$work/fixture-$n"
    done < <(find "$fixtures" -type f -size -1024k -print0)
  fi
  echo "== $name for ${secs}s" >&2
  if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$work" \
       2>"$work.log"; then
    echo "$name: FAILED, see $work.log" >&2; tail -30 "$work.log" >&2; status=1
  else
    grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$work.log" | tail -2 >&2 || true
  fi
  rm -rf "$work"
done
exit $status
