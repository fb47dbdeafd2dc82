#!/usr/bin/env bash
# preflight check --pid / --process against the demo service, each risk
# switched on by a flag and held against what the kernel and the process
# say themselves: the demo's own GOMAXPROCS, /proc/PID/limits and
# /proc/PID/fd, ss.
. "$(dirname "$0")/lib.sh"
need jq ss taskset prlimit

DEMO_BIN=$(build_go_target demo)
# One CPU we may run on (CI may not own CPU 0).
cpu=$(taskset -pc $$ | sed 's/.*: //; s/[-,].*//')
no_gomaxprocs=(env -u GOMAXPROCS -u GOMEMLIMIT -u GODEBUG)
loop=(-addr 127.0.0.1:0 -debug-addr 127.0.0.1:0)

# The issue's rule, against the CPUs the process can use (affinity and
# cpuset, capped by the quota): above 2x fail, above warn, below half warn.
gomaxprocs_verdict() { # EFFECTIVE CAPACITY
	awk -v e="$1" -v c="$2" 'BEGIN {
		print (e > 2 * c) ? "fail" : (e > c) ? "warn" : (e < 0.5 * c) ? "warn" : "pass" }'
}
capacity_of() { # REPORT: usable CPUs, capped by quota_cpus when there is one
	jq -r '[.checks[] | select(.check == "cpu.gomaxprocs")][0].evidence
		| if .quota_cpus != null and .quota_cpus < .usable_cpus then .quota_cpus else .usable_cpus end' "$1"
}

# ---- cpu.gomaxprocs -----------------------------------------------------------
# GOMAXPROCS=4 in the environment, one CPU in the affinity mask.
start_demo "${no_gomaxprocs[@]}" GOMAXPROCS=4 taskset -c "$cpu" -- "${loop[@]}"
pf_json "$WORK/env4.json" --pid "$DEMO_PID" --window 0
expect_rc "check of a demo exits 0 or 1" 0 1
expect_eq "env GOMAXPROCS=4: effective" "$(check_ev "$WORK/env4.json" cpu.gomaxprocs effective)" 4
expect_eq "... the demo's runtime agrees" "$(demo_gomaxprocs)" 4
expect_match "... source names the environment" "$(check_ev "$WORK/env4.json" cpu.gomaxprocs source)" 'env'
expect_eq "... usable_cpus is the affinity mask" "$(check_ev "$WORK/env4.json" cpu.gomaxprocs usable_cpus)" 1
cap=$(capacity_of "$WORK/env4.json")
expect_eq "... verdict follows the rule for 4 Ps on $cap CPU(s)" \
	"$(check_status "$WORK/env4.json" cpu.gomaxprocs)" "$(gomaxprocs_verdict 4 "$cap")"
if [ "$cap" = 1 ]; then
	expect_eq "... 4 Ps on one CPU fails" "$(check_status "$WORK/env4.json" cpu.gomaxprocs)" fail
fi
expect_match "... summary has the numbers" "$(check_field "$WORK/env4.json" cpu.gomaxprocs summary)" '4'
expect_ne "... and a remedy" "$(check_field "$WORK/env4.json" cpu.gomaxprocs remedy)" absent

start_demo "${no_gomaxprocs[@]}" GOMAXPROCS=2 taskset -c "$cpu" -- "${loop[@]}"
pf_json "$WORK/env2.json" --pid "$DEMO_PID" --window 0
cap=$(capacity_of "$WORK/env2.json")
expect_eq "env GOMAXPROCS=2 on $cap CPU(s): verdict follows the rule" \
	"$(check_status "$WORK/env2.json" cpu.gomaxprocs)" "$(gomaxprocs_verdict 2 "$cap")"

# No GOMAXPROCS anywhere: preflight derives it from the binary's rule (the
# demo's go line is below 1.25: the affinity count) and must agree with
# what the runtime itself chose.
start_demo "${no_gomaxprocs[@]}" taskset -c "$cpu" -- "${loop[@]}"
pf_json "$WORK/derived.json" --pid "$DEMO_PID" --window 0
expect_eq "env unset: effective equals the demo runtime's own GOMAXPROCS" \
	"$(check_ev "$WORK/derived.json" cpu.gomaxprocs effective)" "$(demo_gomaxprocs)"
src=$(check_ev "$WORK/derived.json" cpu.gomaxprocs source)
expect_match "... source says it was derived from the binary's rule" "$src" 'derived|default'
expect_no_match "... and not from the environment" "$src" 'env'
expect_match "... names the affinity rule (go line < 1.25)" "$src" 'affinity'
expect_eq "... and its verdict follows the rule" "$(check_status "$WORK/derived.json" cpu.gomaxprocs)" \
	"$(gomaxprocs_verdict "$(demo_gomaxprocs)" "$(capacity_of "$WORK/derived.json")")"

start_demo "${no_gomaxprocs[@]}" -- "${loop[@]}"
pf_json "$WORK/derived-all.json" --pid "$DEMO_PID" --window 0
expect_eq "env unset, no affinity set: effective equals the runtime's" \
	"$(check_ev "$WORK/derived-all.json" cpu.gomaxprocs effective)" "$(demo_gomaxprocs)"

# The service's own report (/metrics go_sched_gomaxprocs_threads) wins over
# the environment: runtime.GOMAXPROCS(3) at start overrides GOMAXPROCS=4.
start_demo "${no_gomaxprocs[@]}" GOMAXPROCS=4 -- "${loop[@]}" -metrics -gomaxprocs 3
pf_json "$WORK/metrics.json" --pid "$DEMO_PID" --window 0
expect_eq "-metrics -gomaxprocs 3: effective is the service's report" \
	"$(check_ev "$WORK/metrics.json" cpu.gomaxprocs effective)" 3
expect_match "... source says the service reported it" \
	"$(check_ev "$WORK/metrics.json" cpu.gomaxprocs source)" 'service|metrics'
expect_eq "... the endpoint is seen serving /metrics" \
	"$(jq -r '[.checks[] | select(.check == "sec.pprof-exposure")][0].evidence.endpoints | map(select(.metrics)) | length' "$WORK/metrics.json")" 1

# ---- sec.pprof-exposure -------------------------------------------------------
start_demo -- -addr 127.0.0.1:0 -debug-addr 0.0.0.0:0
dport=$(demo_addr debug | sed 's/.*://')
pf_json "$WORK/pprof-any.json" --pid "$DEMO_PID" --window 0
expect_eq "pprof on 0.0.0.0 fails" "$(check_status "$WORK/pprof-any.json" sec.pprof-exposure)" fail
expect_match "... the summary names the exposed port" \
	"$(check_field "$WORK/pprof-any.json" sec.pprof-exposure summary)" ":$dport([^0-9]|$)"
expect_eq "... evidence: pprof found" "$(check_ev "$WORK/pprof-any.json" sec.pprof-exposure pprof)" true
expect_eq "... evidence: expvar found" "$(check_ev "$WORK/pprof-any.json" sec.pprof-exposure expvar)" true
pf_json "$WORK/pprof-any2.json" --pid "$DEMO_PID" --window 0 --fail-on fail
expect_rc "... and --fail-on fail exits 1 on it" 1
# Exposed to the network: not a second longer than needed.
stop_demo "$DEMO_PID"

start_demo -- "${loop[@]}"
pf_json "$WORK/pprof-lo.json" --pid "$DEMO_PID" --window 0
expect_eq "pprof on 127.0.0.1 only passes" "$(check_status "$WORK/pprof-lo.json" sec.pprof-exposure)" pass
expect_eq "... the loopback endpoint is seen serving pprof" \
	"$(jq -r '[.checks[] | select(.check == "sec.pprof-exposure")][0].evidence.endpoints | map(select(.pprof and .loopback_only)) | length' "$WORK/pprof-lo.json")" 1

start_demo -- -addr 127.0.0.1:0 -debug-addr ''
pf_json "$WORK/pprof-none.json" --pid "$DEMO_PID" --window 0
expect_eq "no pprof anywhere warns" "$(check_status "$WORK/pprof-none.json" sec.pprof-exposure)" warn
expect_eq "... evidence: pprof not found" "$(check_ev "$WORK/pprof-none.json" sec.pprof-exposure pprof)" false

# ---- fd.process against /proc/PID/limits --------------------------------------
limits_nofile() { # PID FIELD(4 soft, 5 hard)
	awk -v f="$2" '/^Max open files/ {print $f}' "/proc/$1/limits"
}
start_demo prlimit --nofile=300:400 -- "${loop[@]}" -open-fds 50
open_before=$(ls "/proc/$DEMO_PID/fd" | wc -l)
pf_json "$WORK/fd.json" --pid "$DEMO_PID" --window 0
expect_eq "fd.process open = ls /proc/PID/fd just before" "$(check_ev "$WORK/fd.json" fd.process open)" "$open_before"
expect_eq "fd.process soft = /proc/PID/limits" "$(check_ev "$WORK/fd.json" fd.process soft)" "$(limits_nofile "$DEMO_PID" 4)"
expect_eq "fd.process hard = /proc/PID/limits" "$(check_ev "$WORK/fd.json" fd.process hard)" "$(limits_nofile "$DEMO_PID" 5)"
expect_eq "... hard is what prlimit set" "$(check_ev "$WORK/fd.json" fd.process hard)" 400
expect_eq "soft 400 < 10000 expected connections x 1.2 warns" "$(check_status "$WORK/fd.json" fd.process)" warn

# The ratio rule alone: a checklist lowers expected_connections so the soft
# limit is enough, and the open count decides. Expectations come from the
# count ls sees, so they hold whatever the runtime's own fds number.
cat >"$WORK/fd.yaml" <<'EOF'
version: 1
name: fd ratio
items:
  - id: fds
    check: fd.process
    params:
      expected_connections: 10
EOF
for extra in 0 870 985; do
	start_demo prlimit --nofile=1000:1000 -- "${loop[@]}" -open-fds "$extra"
	n=$(ls "/proc/$DEMO_PID/fd" | wc -l)
	want=$(awk -v n="$n" 'BEGIN { r = n / 1000; print (r > 0.95) ? "fail" : (r > 0.8) ? "warn" : "pass" }')
	pf_json "$WORK/fd-$extra.json" --pid "$DEMO_PID" --window 0 --checklist "$WORK/fd.yaml"
	expect_eq "$n of 1000 fds open: fd.process $want" "$(check_status "$WORK/fd-$extra.json" fd.process)" "$want"
	expect_eq "... open evidence is $n" "$(check_ev "$WORK/fd-$extra.json" fd.process open)" "$n"
	stop_demo "$DEMO_PID"
done

# ---- net.close-wait against ss ------------------------------------------------
for n in 0 3 101; do
	start_demo -- "${loop[@]}" -close-wait "$n"
	pf_json "$WORK/cw-$n.json" --pid "$DEMO_PID" --window 0
	expect_eq "ss sees $n CLOSE_WAIT sockets of the demo" "$(ss_pid_count close-wait "$DEMO_PID")" "$n"
	expect_eq "net.close-wait counts $n" "$(check_ev "$WORK/cw-$n.json" net.close-wait close_wait)" "$n"
	want=$([ "$n" -gt 100 ] && echo fail || { [ "$n" -gt 0 ] && echo warn || echo pass; })
	expect_eq "$n CLOSE_WAIT sockets: net.close-wait $want" "$(check_status "$WORK/cw-$n.json" net.close-wait)" "$want"
	stop_demo "$DEMO_PID"
done

# ---- listeners against ss -ltnp -----------------------------------------------
# ss prints a dual-stack wildcard socket as "*:PORT"; preflight as "[::]:PORT".
start_demo -- -addr 127.0.0.1:0 -debug-addr 0.0.0.0:0 -hang-addr 127.0.0.1:0
pf_json "$WORK/listen.json" --pid "$DEMO_PID" --window 0 --timeout 1
want=$(ss -Hltnp | grep "pid=$DEMO_PID," | awk '{print $4}' | sed 's/^\*:/[::]:/' | sort | tr '\n' ' ')
expect_eq "target.listeners = ss -ltnp for the pid" \
	"$(jq -r '.target.listeners[]' "$WORK/listen.json" | sed 's/^\*:/[::]:/' | sort | tr '\n' ' ')" "$want"
expect_eq "... three of them" "$(jq '.target.listeners | length' "$WORK/listen.json")" 3
expect_eq "report names the pid" "$(jq -r '.target.pid' "$WORK/listen.json")" "$DEMO_PID"
expect_eq "report names the exe" "$(jq -r '.target.exe' "$WORK/listen.json")" "$(readlink "/proc/$DEMO_PID/exe")"

# ---- go.buildinfo, briefly (t03xx of the build-info work holds the rest) -------
go=$("$SRCDIR/scripts/find-go.sh")
expect_eq "go.buildinfo go_version = go version -m" "$(check_ev "$WORK/listen.json" go.buildinfo go_version)" \
	"$("$go" version -m "$DEMO_BIN" | awk 'NR == 1 {print $2}')"
expect_eq "go.buildinfo path = go version -m" "$(check_ev "$WORK/listen.json" go.buildinfo path)" \
	"$("$go" version -m "$DEMO_BIN" | awk '$1 == "path" {print $2}')"

# ---- --process NAME -----------------------------------------------------------
# A name of our own, so demos of scenarios running in parallel never match.
name="pfd$$"
cp "$DEMO_BIN" "$WORK/$name"
DEMO_BIN="$WORK/$name" start_demo -- "${loop[@]}"
one=$DEMO_PID
pf_json "$WORK/byname.json" --process "$name" --window 0
expect_rc "--process $name exits 0 or 1" 0 1
expect_eq "--process finds the demo by name" "$(jq -r '.target.pid' "$WORK/byname.json")" "$one"

DEMO_BIN="$WORK/$name" start_demo -- "${loop[@]}"
two=$DEMO_PID
pf_json "$WORK/ambiguous.json" --process "$name" --window 0
expect_rc "two processes named $name: exit 2" 2
err=$(cat "$WORK/ambiguous.json.err")
expect_match "... the error lists the first candidate" "$err" "(^|[^0-9])$one([^0-9]|$)"
expect_match "... and the second" "$err" "(^|[^0-9])$two([^0-9]|$)"
expect_eq "... and no report" "$(wc -c <"$WORK/ambiguous.json")" 0

pf_json "$WORK/noname.json" --process "pfnone$$" --window 0
expect_rc "--process with no such process: exit 2" 2
expect_match "... naming it" "$(cat "$WORK/noname.json.err")" "pfnone$$"

finish
