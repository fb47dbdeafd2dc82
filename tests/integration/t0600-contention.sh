#!/usr/bin/env bash
# preflight contention against live Go programs (tests/targets/profilegen,
# built with the machine's Go and, when installed, Debian's Go 1.19): the
# lock the workload makes eight goroutines wait for ranks first in both
# profiles, at the line where it is unlocked (mutex) and locked (block);
# disabled profiles say how to enable them; a listener answering 404 or an
# HTML page, or none at all, is one line on stderr and exit 2.
. "$(dirname "$0")/lib.sh"
need jq

PG_BIN=$(build_go_target profilegen)

# start_profilegen VAR ARGS...: starts profilegen serving on loopback and
# stores its host:port in VAR once it reports ready (for -answer pprof:
# once the hot lock has been contended, so the profiles hold the sites).
start_profilegen() {
	local -n _addr=$1
	shift
	local fifo="$WORK/ready.$((++_n_started))" fd line pid
	mkfifo "$fifo"
	exec {fd}<>"$fifo"
	start_bg pid "$PG_BIN" -serve 127.0.0.1:0 -ready-file "$fifo" -max-lifetime 300s "$@"
	if ! read -r -t 60 -u "$fd" line; then
		line="no answer within 60 s"
	fi
	exec {fd}>&-
	case $line in
	addr=*) _addr=${line#addr=} ;;
	*) die "profilegen $* did not become ready: $line" ;;
	esac
}

# one_line FILE: the file has exactly one line.
one_line() {
	[ "$(wc -l <"$1")" -eq 1 ]
}

check_ranking() { # LABEL ADDR
	local label=$1 addr=$2 j="$WORK/$1.json" t="$WORK/$1.txt"
	pf "$j" contention --format json --timeout 10 "http://$addr"
	expect_rc "$label: contention --format json exits 0" 0
	expect_true "$label: the output is one JSON document" jq -e '.mutex and .block' "$j"
	expect_eq "$label: mutex profile enabled" "$(jq -r .mutex.enabled "$j")" true
	expect_eq "$label: mutex sampling period as the program set it" "$(jq -r .mutex.sampling_period "$j")" 1
	expect_eq "$label: the hot lock ranks first in the mutex profile" \
		"$(jq -r '.mutex.sites[0].function' "$j")" main.hotCriticalSection
	expect_eq "$label: ... at its Unlock line (the end of the critical section)" \
		"$(jq -r '.mutex.sites[0].line' "$j")" \
		"$(grep -n 'hotLock.Unlock()' "$SRCDIR/tests/targets/profilegen/workload.go" | cut -d: -f1)"
	expect_match "$label: ... in workload.go" "$(jq -r '.mutex.sites[0].file' "$j")" '/profilegen/workload\.go$'
	expect_num "$label: ... with most of the delay" "$(jq -r '.mutex.sites[0].share' "$j")" '>' 0.5
	expect_num "$label: ... delay in seconds" "$(jq -r '.mutex.sites[0].delay_seconds' "$j")" '>' 0
	expect_eq "$label: ... its stack starts at sync.(*Mutex).Unlock" \
		"$(jq -r '.mutex.sites[0].stack[0].function' "$j")" 'sync.(*Mutex).Unlock'
	# The cold lock is contended rarely: when it is there, it ranks below.
	expect_eq "$label: the cold lock never ranks first" \
		"$(jq -r '[.mutex.sites[].function] | (index("main.coldCriticalSection") // 1) > 0' "$j")" true
	expect_eq "$label: the hot lock ranks first in the block profile" \
		"$(jq -r '.block.sites[0].function' "$j")" main.hotCriticalSection
	expect_eq "$label: ... at its Lock line (where the goroutines waited)" \
		"$(jq -r '.block.sites[0].line' "$j")" \
		"$(grep -n 'hotLock.Lock()' "$SRCDIR/tests/targets/profilegen/workload.go" | cut -d: -f1)"
	expect_eq "$label: the channel receive is a block site" \
		"$(jq -r '[.block.sites[].function] | index("main.consumeJobs") != null' "$j")" true
	expect_eq "$label: block profile prints no sampling period" "$(jq -r .block.sampling_period "$j")" null
	# Each share is rounded to 6 decimals, so n sites may overshoot 1 by n * 5e-7.
	expect_eq "$label: shares add up to at most 1 (within rounding)" \
		"$(jq '([.mutex.sites[].share] | add) <= 1 + (.mutex.sites | length) * 0.0000005 + 1e-12' "$j")" true
	expect_eq "$label: no remedy when both are on" "$(jq -r '[.mutex.remedy, .block.remedy] | map(select(. != null)) | length' "$j")" 0

	pf "$t" contention --top 1 "$addr"
	expect_rc "$label: contention (tty, bare host:port) exits 0" 0
	expect_match "$label: tty ranks the hot lock first" "$(grep -m1 -A1 'rank' "$t" | tail -n1)" \
		'^ +1 .*main\.hotCriticalSection workload\.go:[0-9]+'
	expect_match "$label: --top 1 says how many more" "$(cat "$t")" 'more \(--top 0 shows all\)'
	pf "$j" contention --format json --top 1 "$addr"
	expect_eq "$label: --top 1 keeps one site per profile" "$(jq '[.mutex.sites, .block.sites] | map(length)' -c "$j")" '[1,1]'
	# -o FILE, and a timeout with a unit.
	pf "$WORK/$label.o.stdout" contention -f json -o "$WORK/$label.o.json" --timeout 10s "$addr"
	expect_rc "$label: -f json -o FILE exits 0" 0
	expect_eq "$label: ... nothing on stdout" "$(wc -c <"$WORK/$label.o.stdout")" 0
	expect_eq "$label: ... the file holds the ranking" "$(jq -r '.mutex.sites[0].function' "$WORK/$label.o.json")" \
		main.hotCriticalSection
	expect_eq "$label: ... and the listener it came from" "$(jq -r '.url' "$WORK/$label.o.json")" "http://$addr"
}

# ---- contended, machine's Go ------------------------------------------------
start_profilegen addr
check_ranking go "$addr"

# ---- contended, Go 1.19 -----------------------------------------------------
if [ -x /usr/lib/go-1.19/bin/go ]; then
	PG_MAIN=$PG_BIN
	PG_BIN="$WORK/profilegen-go1.19"
	(cd "$SRCDIR/tests/targets/profilegen" && GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-buildvcs=false \
		/usr/lib/go-1.19/bin/go build -o "$PG_BIN" .) || die "Go 1.19 cannot build profilegen"
	start_profilegen addr119
	check_ranking go1.19 "$addr119"
	PG_BIN=$PG_MAIN
else
	skip_one "Go 1.19 ranking" "/usr/lib/go-1.19/bin/go is not installed"
fi

# ---- profiles off -----------------------------------------------------------
start_profilegen off -disabled
pf "$WORK/off.json" contention --format json "$off"
expect_rc "disabled profiles: exit 0" 0
expect_eq "disabled: mutex not enabled" "$(jq -r .mutex.enabled "$WORK/off.json")" false
expect_eq "disabled: mutex sampling period 0" "$(jq -r .mutex.sampling_period "$WORK/off.json")" 0
expect_eq "disabled: no sites" "$(jq -c '[.mutex.sites, .block.sites] | map(length)' "$WORK/off.json")" '[0,0]'
expect_match "disabled: mutex remedy names SetMutexProfileFraction" "$(jq -r .mutex.remedy "$WORK/off.json")" \
	'runtime\.SetMutexProfileFraction\('
expect_match "disabled: block remedy names SetBlockProfileRate" "$(jq -r .block.remedy "$WORK/off.json")" \
	'runtime\.SetBlockProfileRate\('
pf "$WORK/off.txt" contention "$off"
expect_match "disabled: tty says so and how to enable it" "$(cat "$WORK/off.txt")" \
	'disabled \(sampling period 0\).*SetMutexProfileFraction'

# ---- wrong answers ----------------------------------------------------------
start_profilegen a404 -answer 404
pf "$WORK/404.out" contention "http://$a404"
expect_rc "404 listener: exit 2" 2
expect_true "404 listener: one line on stderr" one_line "$WORK/404.out.err"
expect_match "404 listener: it says 404 and names the URL" "$(cat "$WORK/404.out.err")" \
	"^preflight contention: 'http://$a404/debug/pprof/mutex\?debug=1': 404"
expect_eq "404 listener: nothing on stdout" "$(wc -c <"$WORK/404.out")" 0

start_profilegen ahtml -answer html
pf "$WORK/html.out" contention --format json "$ahtml"
expect_rc "HTML listener: exit 2" 2
expect_true "HTML listener: one line on stderr" one_line "$WORK/html.out.err"
expect_match "HTML listener: it says HTML" "$(cat "$WORK/html.out.err")" 'HTML page, not a profile'
expect_eq "HTML listener: nothing on stdout" "$(wc -c <"$WORK/html.out")" 0

pf "$WORK/refused.out" contention --timeout 5 127.0.0.1:1
expect_rc "nothing listening: exit 2" 2
expect_true "nothing listening: one line on stderr" one_line "$WORK/refused.out.err"

pf "$WORK/usage.out" contention
expect_rc "no URL: exit 2" 2
pf "$WORK/usage.out" contention --format xml "$a404"
expect_rc "unknown format: exit 2" 2
expect_true "unknown format: one line on stderr" one_line "$WORK/usage.out.err"

finish
