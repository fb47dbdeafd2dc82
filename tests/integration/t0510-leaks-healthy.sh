#!/usr/bin/env bash
# The leaky target in its healthy mode: HTTP clients, a worker pool that
# grows from 10 to 200 workers and shrinks back several times a second, and
# bursts of short-lived goroutines. preflight goroutines must suspect
# nothing, run after run, while the load runs; and when a real leak is
# added under the same load, it must suspect the leak and nothing else.
# With the machine's Go and with Go 1.19.
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/targets/leaky/leaky.sh"
need jq curl

RUNS=${HEALTHY_RUNS:-3}

# pool_counts OUT: the pool's workers (every stack through
# main.(*pool).worker) in each snapshot, space-separated.
pool_counts() {
	jq -r '[.groups[] | select(any(.stack[]; .func == "main.(*pool).worker")) | .counts]
		| transpose | map(add) | map(tostring) | join(" ")' "$1"
}

each_build() {
	local label=$1 bin=$2 out run counts lines
	start_leaky "$bin" -leak healthy -leak-for 300s
	# The load is on once the pool has grown past its minimum.
	leaky_until 30 '.pool_workers > 10'
	for run in $(seq "$RUNS"); do
		out="$WORK/healthy-$label-$run.json"
		goroutines "$out"
		expect_rc "$label healthy, run $run: exit 0, nothing suspected" 0
		if [ "$(jq '.suspects | length' "$out")" = 0 ]; then
			_ok "$label healthy, run $run: no suspect"
		else
			mapfile -t lines < <(suspect_lines "$out")
			_not_ok "$label healthy, run $run: no suspect" "${lines[@]}"
		fi
		# Not vacuous: the pool really rose and fell while it was sampled.
		counts=$(pool_counts "$out")
		expect_true "$label healthy, run $run: the pool's size changed between snapshots ($counts)" \
			awk -v c="$counts" 'BEGIN { n = split(c, a, " "); for (i = 2; i <= n; i++) if (a[i] != a[1]) exit 0; exit 1 }'
	done
	expect_true "$label healthy: the load ran through every sample" \
		bash -c "curl -s --noproxy '*' '$LEAKY_SVC/admin/status' | jq -e '.running | index(\"healthy\")'"

	# A leak under the same load: it alone is suspected.
	leaky_post '/admin/leak?kind=send&n=3&every=200ms&for=300s' >/dev/null
	out="$WORK/healthy-send-$label.json"
	goroutines "$out"
	stop_leaky
	expect_rc "$label healthy + send leak: suspects found" 1
	expect_suspect "$label healthy + send leak" "$out" main.sendResult "$(leaky_line 'result <- v * v')" \
		'^send with no receiver' main.leakSenders
	expect_only_suspects "$label healthy + send leak: nothing else suspected" "$out" main.sendResult
}
for_each_build each_build
finish
