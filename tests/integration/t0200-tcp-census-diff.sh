#!/usr/bin/env bash
# t0200: `preflight tcp-census` agrees with ss(8) for every TCP state, taken
# back to back, while sockgen holds a few thousand sockets in LISTEN,
# ESTABLISHED, CLOSE_WAIT (+ FIN_WAIT2) and TIME_WAIT on 127.0.0.1.
set -euo pipefail
: "${PREFLIGHT:?}" "${SRCDIR:?}" "${BUILDDIR:?}"

skip() { echo "SKIP: $*"; exit 77; }
die() { echo "FAIL: $*" >&2; exit 1; }

command -v ss >/dev/null || skip "ss (iproute2) is not installed"
GO=$("$SRCDIR/scripts/find-go.sh") || skip "no Go toolchain to build tests/targets/sockgen"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/t0200.XXXXXX")
pid=
cleanup() {
	exec 3>&- 2>/dev/null || true   # sockgen ends when its stdin closes
	if [ -n "$pid" ]; then
		# Bounded: sockgen's own -hold ends it anyway.
		timeout 10 tail --pid="$pid" -f /dev/null 2>/dev/null || kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

sockgen="$BUILDDIR/targets/sockgen"
mkdir -p "$BUILDDIR/targets"
(cd "$SRCDIR/tests/targets/sockgen" && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false "$GO" build -o "$sockgen" .) ||
	die "cannot build tests/targets/sockgen"

# The keys of --json, in output order, and ss's name for each state.
keys=(established syn_sent syn_recv fin_wait1 fin_wait2 time_wait close close_wait last_ack listen closing)
declare -A ss_name=(
	[established]=established [syn_sent]=syn-sent [syn_recv]=syn-recv
	[fin_wait1]=fin-wait-1 [fin_wait2]=fin-wait-2 [time_wait]=time-wait
	[close]=closed [close_wait]=close-wait [last_ack]=last-ack
	[listen]=listening [closing]=closing
)

# Usage errors: exit 2 with one line on stderr.
set +e
"$PREFLIGHT" tcp-census --bogus >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[ "$rc" -eq 2 ] || die "'tcp-census --bogus' exited $rc, want 2"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || die "'tcp-census --bogus' printed more than one line: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] || die "'tcp-census --bogus' wrote to stdout"

mkfifo "$tmp/in" "$tmp/out.fifo"
"$sockgen" -listen 40 -established 1500 -close-wait 500 -time-wait 3000 -hold 120s \
	<"$tmp/in" >"$tmp/out.fifo" 2>"$tmp/sockgen.err" &
pid=$!
exec 3>"$tmp/in"
exec 4<"$tmp/out.fifo"
created=
while :; do
	if ! IFS= read -r -t 90 line <&4; then
		die "sockgen never said ready: $(cat "$tmp/sockgen.err")"
	fi
	case "$line" in
	created\ *) created=$line ;;
	ready) break ;;
	esac
done
[ -n "$created" ] || die "sockgen did not say what it created"
declare -A want
for kv in ${created#created }; do
	want[${kv%%=*}]=${kv#*=}
done
echo "sockgen: $created"

json_re='^\{("[a-z0-9_]+":[0-9]+,)*"[a-z0-9_]+":[0-9]+\}$'
declare -A mine theirs
agreed=0
for attempt in 1 2 3 4 5; do
	json=$("$PREFLIGHT" tcp-census --json) || die "'preflight tcp-census --json' failed"
	for k in "${keys[@]}"; do
		theirs[$k]=$(ss -Htan state "${ss_name[$k]}" | wc -l)
	done
	[[ $json =~ $json_re ]] || die "not the documented JSON object: $json"
	for k in "${keys[@]}"; do
		[[ $json =~ \"$k\":([0-9]+) ]] || die "key '$k' missing from $json"
		mine[$k]=${BASH_REMATCH[1]}
	done
	nkeys=$(grep -o '"[a-z0-9_]*":' <<<"$json" | wc -l)
	[ "$nkeys" -eq "${#keys[@]}" ] || die "$nkeys keys in $json, want ${#keys[@]}"
	differ=0
	for k in "${keys[@]}"; do
		[ "${mine[$k]}" -eq "${theirs[$k]}" ] || differ=1
	done
	if [ "$differ" -eq 0 ]; then
		agreed=1
		break
	fi
	echo "attempt $attempt: counts differ (other processes may have moved them between the readings), retrying"
done
if [ "$agreed" -ne 1 ]; then
	printf '%-12s %10s %10s\n' state preflight ss >&2
	for k in "${keys[@]}"; do
		printf '%-12s %10s %10s\n' "$k" "${mine[$k]}" "${theirs[$k]}" >&2
	done
	die "preflight and ss never agreed in 5 attempts"
fi
echo "agreed with ss on attempt $attempt: $json"

# The census sees at least what sockgen holds.
for k in listen established close_wait fin_wait2 time_wait; do
	[ "${mine[$k]}" -ge "${want[$k]}" ] ||
		die "$k: preflight counted ${mine[$k]}, sockgen alone holds ${want[$k]}"
done

# The text form carries the same states, one "key N" line each, in order.
"$PREFLIGHT" tcp-census >"$tmp/text"
[ "$(cut -d' ' -f1 "$tmp/text" | tr '\n' ' ')" = "${keys[*]} " ] ||
	die "text output states differ: $(cat "$tmp/text")"
grep -Eqv '^[a-z0-9_]+ [0-9]+$' "$tmp/text" && die "malformed text line: $(cat "$tmp/text")"

# --pid of a process in our own namespace counts ours (sockgen's sockets
# are there); a pid that does not exist is an input error.
pid_json=$("$PREFLIGHT" tcp-census --pid "$pid" --json) || die "'tcp-census --pid $pid' failed"
[[ $pid_json =~ \"close_wait\":([0-9]+) ]] || die "no close_wait in $pid_json"
[ "${BASH_REMATCH[1]}" -ge "${want[close_wait]}" ] ||
	die "--pid of a process in our namespace: close_wait ${BASH_REMATCH[1]}, sockgen alone holds ${want[close_wait]}"
set +e
"$PREFLIGHT" tcp-census --pid 4194303 >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[ "$rc" -eq 2 ] || die "'tcp-census --pid' of a missing process exited $rc, want 2"
grep -q "no process with pid 4194303" "$tmp/err" || die "missing pid: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] || die "'tcp-census --pid' of a missing process wrote a census"

# The dump covers preflight's own network namespace: in a fresh one, none
# of sockgen's sockets are visible.
if unshare -n true 2>/dev/null; then
	ns_json=$(unshare -n "$PREFLIGHT" tcp-census --json)
	[[ $ns_json =~ ^\{(\"[a-z0-9_]+\":0,)*\"[a-z0-9_]+\":0\}$ ]] ||
		die "a fresh network namespace should have no TCP sockets: $ns_json"
else
	echo "note: cannot unshare a network namespace here; namespace check skipped"
fi
echo "ok"
