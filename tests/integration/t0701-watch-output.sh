#!/usr/bin/env bash
# preflight watch's options and output, against a stand-in target
# (fake_pprof.py) whose heap sits at 90% of its GC goal even right after
# each GC cycle (one per /debug/vars answer): the option table
# (--help, --version, -n/--samples and --count, durations with units),
# events as JSON lines with --format json, -o FILE, untrusted text on the
# terminal (a directory and a URL with escape sequences), the progress
# line on a pty, and a listener that accepts and never answers.
. "$(dirname "$0")/lib.sh"
need jq python3 script gzip

fx=$SRCDIR/tests/fixtures

no_esc() { # FILE: no raw ESC byte in it
	! grep -qP '\x1b' "$1"
}


jq '.memstats.HeapAlloc = ((.memstats.NextGC * 0.9) | floor)' "$fx/profiles/go1.26/vars.json" >"$WORK/vars.json"
printf 'not really a profile' | gzip >"$WORK/heap.pb.gz"
start_fake fake_pprof.py target --vars "$WORK/vars.json" --gc-per-vars --heap "$WORK/heap.pb.gz" \
	--debug1 "$fx/goroutines/go1.26/debug1.txt" --debug2 "$fx/goroutines/go1.26/debug2.txt"
URL=$FAKE_URL

# ---- the option table ----------------------------------------------------------
pf "$WORK/help" watch --help
expect_rc "--help: exit 0" 0
expect_match "--help: usage" "$(head -n1 "$WORK/help")" '^usage: preflight watch \[options\] URL$'
for o in -f,\ --format -o,\ --output -n,\ --samples --count -i,\ --interval -t,\ --timeout -w,\ --window -p,\ --pid -d,\ --dir; do
	expect_match "--help lists $o" "$(cat "$WORK/help")" "^ +$o"
done
pf "$WORK/version" watch --version
expect_rc "--version: exit 0" 0
pf "$WORK/noargs" watch
expect_rc "no URL: exit 2" 2
pf "$WORK/two" watch "$URL" "$URL"
expect_rc "two URLs: exit 2" 2
pf "$WORK/badfmt" watch --format xml "$URL"
expect_rc "--format xml: exit 2" 2
pf "$WORK/badt" watch --timeout soon "$URL"
expect_rc "--timeout soon: exit 2" 2

# ---- tty events, and -n / --samples / --count --------------------------------------
for n in "-n 3" "--samples 3" "--count 3"; do
	d=$WORK/tty-${n// /}
	# shellcheck disable=SC2086
	pf "$d.out" watch --dir "$d" --interval 100ms --window 200ms --timeout 500ms --gc-cpu 0 $n "$URL"
	expect_rc "$n: exit 0" 0
	expect_match "$n: stops after 3 samples" "$(cat "$d.out.err")" 'after 3 samples: 1 event, 0 failed requests'
	expect_match "$n: one event line" "$(cat "$d.out")" \
		'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z heap-pressure 0\.90 >= 0\.85: saved heap-[0-9T]+Z-heap-pressure\.pb\.gz '
done
expect_eq "... and only one (cooldown)" "$(wc -l <"$WORK/tty--n3.out")" 1
# The trough needs a full window: three samples at 100ms do not span 5s.
pf "$WORK/short.out" watch --dir "$WORK/short.d" --interval 100ms --window 5s --gc-cpu 0 -n 3 "$URL"
expect_match "a window not yet full: no event" "$(cat "$WORK/short.out.err")" 'after 3 samples: 0 events'
# A heap at 0.9 of its goal with no GC cycle ending (a burst between two
# cycles, to the watcher): never judged.
start_fake fake_pprof.py nogc --vars "$WORK/vars.json" --heap "$WORK/heap.pb.gz" --debug1 "$fx/goroutines/go1.26/debug1.txt"
pf "$WORK/nogc.out" watch --dir "$WORK/nogc.d" --interval 100ms --window 200ms --gc-cpu 0 -n 8 "$FAKE_URL"
expect_rc "no GC cycle in the window: exit 0" 0
expect_match "... and no event, however high HeapAlloc/NextGC" "$(cat "$WORK/nogc.out.err")" 'after 8 samples: 0 events'
# --heap-pressure just above the trough (HeapAlloc = floor(0.9 NextGC)): silent; just under: fires.
pf "$WORK/above.out" watch --dir "$WORK/above.d" --interval 100ms --window 200ms --gc-cpu 0 --heap-pressure 0.901 -n 4 "$URL"
expect_match "--heap-pressure 0.901 over a trough just under 0.9: no event" "$(cat "$WORK/above.out.err")" 'after 4 samples: 0 events'
pf "$WORK/at.out" watch --dir "$WORK/at.d" --interval 100ms --window 200ms --gc-cpu 0 --heap-pressure 0.899 -n 4 "$URL"
expect_match "--heap-pressure 0.899 under that trough: an event" "$(cat "$WORK/at.out.err")" 'after 4 samples: 1 event'
# The meta file: debug=1 by default, and why; --full-stacks under the guard adds debug=2.
meta=$(ls "$WORK"/tty--n3/meta-*.json)
expect_eq "the meta file says debug=1 was taken" "$(jq -r .stacks.profile "$meta")" debug=1
expect_match "... and why" "$(jq -r .stacks.why "$meta")" '--full-stacks not given'
expect_eq "... the first capture of its incident" "$(jq -c '.incident | [.capture, .first]' "$meta")" '[1,true]'
expect_eq "... the check the trigger mirrors" "$(jq -r '.crossings[0].check' "$meta")" go.heap-pressure
expect_eq "... no debug=2 file" "$(ls "$WORK"/tty--n3 | grep -c debug2 || true)" 0
pf "$WORK/full.out" watch --dir "$WORK/full.d" --interval 100ms --window 200ms --gc-cpu 0 --full-stacks -n 3 "$URL"
meta=$(ls "$WORK"/full.d/meta-*.json)
expect_eq "--full-stacks, 41 goroutines < 20000: debug=2 taken" "$(jq -r .stacks.profile "$meta")" debug=2
expect_true "... and saved" test -s "$(ls "$WORK"/full.d/goroutine-*.debug2.txt)"
pf "$WORK/guard.out" watch --dir "$WORK/guard.d" --interval 100ms --window 200ms --gc-cpu 0 --full-stacks \
	--max-debug2 41 -n 3 "$URL"
meta=$(ls "$WORK"/guard.d/meta-*.json)
expect_eq "--full-stacks --max-debug2 41 with 41 goroutines: debug=1 only" "$(jq -r .stacks.profile "$meta")" debug=1
expect_match "... saying why" "$(jq -r .stacks.why "$meta")" '41 goroutines >= --max-debug2 41'
expect_match "... on stderr too" "$(cat "$WORK/guard.out.err")" 'no debug=2 dump: 41 goroutines >= --max-debug2 41'

# ---- JSON lines, to a file ---------------------------------------------------------
pf "$WORK/json.stdout" watch --format json -o "$WORK/events.jsonl" --dir "$WORK/json.d" --interval 100ms \
	--window 200ms --cooldown 0 --gc-cpu 0 --samples 5 "$URL"
expect_rc "--format json -o FILE: exit 0" 0
expect_eq "... nothing on stdout" "$(wc -c <"$WORK/json.stdout")" 0
# The window is full at the third sample, or the second when a tick came
# late (the grid skips it): an event for each sample from then on.
nev=$(wc -l <"$WORK/events.jsonl")
expect_num "... an event per sample once the window is full (--cooldown 0), one line each ($nev)" "$nev" ">=" 3
expect_true "... every line a JSON object" jq -e -s "length == $nev and all(type == \"object\")" "$WORK/events.jsonl"
expect_eq "... the fields docs/watch.md lists" "$(head -n1 "$WORK/events.jsonl" | jq -c 'keys_unsorted')" \
	'["time","crossings","incident","stacks","dir","stem","files"]'
expect_eq "... the crossing" "$(head -n1 "$WORK/events.jsonl" | jq -c '.crossings[0] | [.reason, (.value >= 0.85), .threshold]')" \
	'["heap-pressure",true,0.85]'
expect_match "... the time" "$(head -n1 "$WORK/events.jsonl" | jq -r .time)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$'
expect_eq "... the directory" "$(head -n1 "$WORK/events.jsonl" | jq -r .dir)" "$WORK/json.d"
missing=0
while read -r f; do
	[ -s "$WORK/json.d/$f" ] || missing=$((missing + 1))
done < <(jq -r '.files[]' "$WORK/events.jsonl")
expect_eq "... every file named is there" "$missing" 0
expect_eq "... four files per event (heap, debug=1, memstats, meta)" \
	"$(jq -s '[.[].files | length] | unique' "$WORK/events.jsonl" | jq -c .)" '[4]'
expect_eq "... one incident, captures numbered from 1, only the first first (--cooldown 0, crossing every sample)" \
	"$(jq -s -c '[.[].incident | [.capture, .first]]' "$WORK/events.jsonl")" \
	"$(jq -n -c --argjson n "$nev" '[range(1; $n + 1) | [., . == 1]]')"
expect_eq "... one incident id" "$(jq -r .incident.id "$WORK/events.jsonl" | sort -u | wc -l)" 1
expect_eq "... the stem in every file name" \
	"$(jq -r '.stem as $s | .files | map(contains($s)) | all' "$WORK/events.jsonl" | sort -u)" true

# A watch that fails leaves no -o file behind.
pf "$WORK/fail.out" watch --format json -o "$WORK/never.jsonl" --dir "$WORK/fail.d" --samples 3 http://127.0.0.1:1
expect_rc "nothing answers: exit 2" 2
expect_true "... and no output file" test ! -e "$WORK/never.jsonl"

# ---- untrusted text on the terminal -------------------------------------------------
dir=$WORK/$'\e]0;pwned\a-dir'
pf "$WORK/escdir" watch --dir "$dir" --interval 100ms --window 100ms --gc-cpu 0 --samples 2 "$URL"
expect_rc "a --dir with escape sequences: exit 0" 0
expect_true "... no raw ESC on stdout" no_esc "$WORK/escdir"
expect_true "... nor on stderr" no_esc "$WORK/escdir.err"
expect_match "... the start line shows it escaped" "$(cat "$WORK/escdir.err")" '\\e\]0;pwned\\x07-dir'
pf "$WORK/escurl" watch --dir "$WORK/escurl.d" --samples 1 "http://127.0.0.1:1/"$'\e[2J'
expect_rc "a URL with escape sequences that nothing answers: exit 2" 2
expect_true "... no raw ESC on stderr" no_esc "$WORK/escurl.err"
expect_eq "... one line" "$(wc -l <"$WORK/escurl.err")" 1
pf "$WORK/escjson" watch --format json --dir "$dir" --interval 100ms --window 100ms --gc-cpu 0 --samples 2 "$URL"
expect_true "--format json with that --dir: no raw ESC" no_esc "$WORK/escjson"
expect_eq "... the directory as it is, in JSON" "$(jq -r .dir "$WORK/escjson")" "$dir"

# ---- the progress line, on a terminal only -------------------------------------------
pf "$WORK/noprog" watch --dir "$WORK/noprog.d" --interval 100ms --gc-cpu 0 --samples 5 "$URL"
expect_no_match "stderr not a terminal: no progress line" "$(cat "$WORK/noprog.err")" 'samples?, [0-9]+ events?;'
set +e
NO_COLOR=1 TERM=xterm timeout 60 script -qec "stty cols 200; '$PREFLIGHT' watch --dir '$WORK/prog.d' --interval 100ms --window 200ms --gc-cpu 0 --samples 10 -o '$WORK/prog.out' '$URL'" \
	/dev/null >"$WORK/typescript" 2>&1
rc=$?
set -e
expect_eq "on a pty: exit 0" "$rc" 0
expect_match "... a progress line with the latest values" "$(tr '\r' '\n' <"$WORK/typescript")" \
	'preflight watch: [0-9]+ samples, 1 event; heap 0\.90 .*goroutines 41'
expect_true "... erased before other lines (\\r ESC [K)" grep -qP '\r\x1b\[K' "$WORK/typescript"
expect_match "... the event went to -o" "$(cat "$WORK/prog.out")" 'heap-pressure 0\.90 >= 0\.85'

# ---- a listener that accepts and never answers ------------------------------------------
start_fake fake_pprof.py hang --hang
start=$SECONDS
pf "$WORK/hang" watch --dir "$WORK/hang.d" --timeout 1s --samples 3 "$FAKE_URL"
took=$((SECONDS - start))
expect_rc "never answers: exit 2" 2
expect_num "... after one timeout ($took s)" "$took" '<' 10
expect_eq "... one line" "$(wc -l <"$WORK/hang.err")" 1
expect_match "... naming both URLs and the wait" "$(cat "$WORK/hang.err")" \
	"timed out after 1s waiting for '$FAKE_URL/debug/vars' and '$FAKE_URL/debug/pprof/'"

finish
