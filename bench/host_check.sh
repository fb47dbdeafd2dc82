#!/usr/bin/env bash
# Host-only `preflight check --window 0` wall time (goal: median under
# 100 ms), against the shell commands an SRE would otherwise run for the
# same facts, in the same run. Usage: bench/host_check.sh PREFLIGHT
set -euo pipefail
bin=${1:?usage: $0 path/to/preflight}
out=${BENCH_OUT:-$(mktemp -d)}
command -v hyperfine >/dev/null || { echo "host_check: hyperfine is missing (apt-get install hyperfine)" >&2; exit 1; }

# The manual equivalent: topology, socket census, kernel settings, limits, clock.
cat > "$out/manual.sh" <<'SH'
numactl --hardware >/dev/null 2>&1 || lscpu >/dev/null
ss -s >/dev/null
for s in established syn-sent syn-recv fin-wait-1 fin-wait-2 time-wait closed close-wait last-ack listening closing; do
  ss -Htan state "$s" | wc -l >/dev/null
done
sysctl net.ipv4.tcp_tw_reuse net.ipv4.tcp_fin_timeout net.core.somaxconn net.ipv4.tcp_max_syn_backlog \
  net.ipv4.ip_local_port_range net.ipv4.tcp_max_tw_buckets fs.file-max fs.file-nr fs.nr_open >/dev/null
grep -E 'ListenOverflows|ListenDrops' /proc/net/netstat >/dev/null
cat /sys/devices/system/clocksource/clocksource0/current_clocksource >/dev/null
SH

hyperfine --warmup 3 --runs 30 --style basic -N -i \
  --export-json "$out/host_check.json" \
  "$bin check --window 0 --format json -o /dev/null" \
  "bash $out/manual.sh" >&2
jq -r '.results[] | "\(.command)\t\(.median*1000)"' "$out/host_check.json" | {
  IFS=$'\t' read -r c1 m1; IFS=$'\t' read -r c2 m2
  printf 'host-only check median: %.1f ms (goal < 100 ms)\n' "$m1"
  printf 'manual equivalent median: %.1f ms\n' "$m2"
  awk -v a="$m1" -v b="$m2" 'BEGIN { printf "ratio manual/preflight: %.2fx\n", b / a }'
}
