#!/usr/bin/env bash
# preflight goroutines' output: the option table (--help, --version, -n,
# bare-number --timeout), -o FILE with --format json (valid, the fields
# docs/goroutines.md lists, replaced only when complete), the tty output
# against golden files, dumps and a target whose function names, paths,
# states, labels and creators carry terminal escape sequences, and the
# progress line on a terminal (a pty from script(1)).
#
# Golden files: tests/golden/goroutines/; UPDATE_GOLDEN=1 rewrites them
# (docs/testing.md).
. "$(dirname "$0")/lib.sh"
need jq python3 script

fx=$SRCDIR/tests/fixtures/goroutines
golden_dir=$SRCDIR/tests/golden/goroutines

# golden NAME ARGS...: `preflight goroutines ARGS` run in $SRCDIR (so the
# file names in the output are the tree's relative ones) matches
# tests/golden/goroutines/NAME.
golden() {
	local name=$1
	shift
	pushd "$SRCDIR" >/dev/null
	pf "$WORK/$name" goroutines "$@"
	popd >/dev/null
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		mkdir -p "$golden_dir"
		cp "$WORK/$name" "$golden_dir/$name"
	fi
	if diff -u "$golden_dir/$name" "$WORK/$name" >"$WORK/$name.diff" 2>&1; then
		_ok "golden $name"
	else
		_not_ok "golden $name (UPDATE_GOLDEN=1 rewrites it)" "$(head -n 40 "$WORK/$name.diff")"
	fi
}

no_esc() { # FILE: no raw ESC byte in it
	! grep -qP '\x1b' "$1"
}

# ---- the option table ----------------------------------------------------------
pf "$WORK/help" goroutines --help
expect_rc "--help: exit 0" 0
expect_match "--help: usage from the option table" "$(head -n1 "$WORK/help")" '^usage: preflight goroutines \[options\] URL\|FILE\.\.\.$'
for o in -f,\ --format -o,\ --output -n,\ --samples -i,\ --interval -t,\ --timeout --min-growth --max-debug2 --no-source; do
	expect_match "--help lists $o" "$(cat "$WORK/help")" "^ +$o"
done
pf "$WORK/version" goroutines --version
expect_rc "--version: exit 0" 0
expect_match "--version: the version" "$(cat "$WORK/version")" '^preflight [0-9]+\.[0-9]+'
pf "$WORK/badt" goroutines --timeout soon "$fx/go1.26/debug1.txt"
expect_rc "--timeout soon: exit 2" 2
expect_match "... saying what it takes" "$(cat "$WORK/badt.err")" 'takes a duration'
pf "$WORK/badi" goroutines --interval 0 http://127.0.0.1:1
expect_rc "--interval 0: exit 2" 2

# ---- JSON, to a file -----------------------------------------------------------
series=("$fx"/go1.26/series-{1,2,3}.debug1.txt "$fx/go1.26/series-3.debug2.txt")
pf "$WORK/o.stdout" goroutines --format json -o "$WORK/o.json" "${series[@]}"
expect_rc "--format json -o FILE: exit 1 (suspects)" 1
expect_eq "... nothing on stdout" "$(wc -c <"$WORK/o.stdout")" 0
expect_true "... the file is one JSON document" jq -e . "$WORK/o.json"
expect_eq "... top-level fields as documented" "$(jq -c 'keys_unsorted' "$WORK/o.json")" \
	'["snapshots","detail","groups","suspects","connections","match"]'
expect_eq "... snapshot fields" "$(jq -c '.snapshots[0] | keys_unsorted' "$WORK/o.json")" \
	'["source","taken_at","debug","total","groups","truncated","record_dropped"]'
expect_eq "... group fields" "$(jq -c '.groups[0] | keys_unsorted' "$WORK/o.json")" \
	'["key","stack","state","created_by","created_at","counts","site","wait_minutes","labels","elided"]'
expect_eq "... suspect fields" "$(jq -c '.suspects[0] | keys_unsorted' "$WORK/o.json")" \
	'["site","created_by","count","growth","counts","wait_minutes","state","reason","pattern","remedy"]'
expect_eq "... the same document as on stdout" "$(pf "$WORK/o2.json" goroutines --format json "${series[@]}"; cat "$WORK/o2.json")" \
	"$(cat "$WORK/o.json")"
echo previous >"$WORK/keep.json"
printf 'not a dump\n' >"$WORK/garbage.txt"
pf "$WORK/keep.out" goroutines --format json -o "$WORK/keep.json" "$WORK/garbage.txt"
expect_rc "-o FILE on bad input: exit 2" 2
expect_eq "... the previous file is left as it was" "$(cat "$WORK/keep.json")" previous
pf "$WORK/nodir" goroutines --format json -o "$WORK/no/such/dir/x.json" "$fx/go1.26/debug1.txt"
expect_rc "-o into a missing directory: exit 2" 2

# ---- tty against golden files ------------------------------------------------------
golden go1.26-debug2.tty --no-source --top 0 --frames 2 tests/fixtures/goroutines/go1.26/debug2.txt
golden go1.26-series.tty --no-source tests/fixtures/goroutines/go1.26/series-{1,2,3}.debug1.txt \
	tests/fixtures/goroutines/go1.26/series-3.debug2.txt
golden go1.19-7min.tty --no-source --frames 1 --top 5 tests/fixtures/goroutines/go1.19/debug2-7min.txt
golden hostile-escapes.tty --no-source tests/fixtures/goroutines/hostile/escapes.debug2.txt
golden hostile-escapes-debug1.tty --no-source tests/fixtures/goroutines/hostile/escapes.debug1.txt

# ---- escape sequences from a dump ------------------------------------------------------
for f in escapes.debug2.txt escapes.debug1.txt; do
	pf "$WORK/$f.out" goroutines "$fx/hostile/$f"
	expect_true "$f: no raw ESC byte in the tty output" no_esc "$WORK/$f.out"
	expect_true "... nor on stderr" no_esc "$WORK/$f.out.err"
	expect_match "... the title sequence shown escaped" "$(cat "$WORK/$f.out")" '\\e\]0;pwned\\x07'
	expect_match "... the clear-screen sequence shown escaped" "$(cat "$WORK/$f.out")" '\\e\[2J'
done
out=$(cat "$WORK/escapes.debug2.txt.out")
expect_match "debug=2: the state escaped" "$out" '"chan receive\\e\[2J"'
expect_match "... the creator escaped" "$out" 'created by "main\.\\e\[2Jstart"'
expect_match "... the label escaped" "$out" 'labels .*\\e\]0;pwned\\x07'
expect_match "... the suspect's site escaped" "$out" '^  1\. "main\.\\e\]0;pwned\\x07handler"'
pf "$WORK/esc.json" goroutines --format json "$fx/hostile/escapes.debug2.txt"
expect_eq "json keeps the text itself (JSON escapes it)" \
	"$(jq -r '.groups[0].site' "$WORK/esc.json" | od -An -c | tr -s ' ' | head -c 20)" "$(printf 'main.\033]0;' | od -An -c | tr -s ' ' | head -c 20)"
expect_true "... with no raw ESC byte in the file" no_esc "$WORK/esc.json"

# A file name with escapes in it, cut mid-record: stdout and stderr escape it.
name=$'\e]0;pwned\a-dump.txt'
head -c 300 "$fx/go1.26/debug1.txt" >"$WORK/$name"
pf "$WORK/name.out" goroutines "$WORK/$name"
expect_true "a file name with escapes: none raw on stdout" no_esc "$WORK/name.out"
expect_true "... none raw on stderr" no_esc "$WORK/name.out.err"
expect_match "... and shown escaped" "$(cat "$WORK/name.out.err")" '\\e\]0;pwned\\x07-dump\.txt'
expect_eq "... stderr stays one line" "$(wc -l <"$WORK/name.out.err")" 1

# ---- a target serving such dumps ---------------------------------------------------------
start_fake fake_pprof.py hostile --debug1 "$fx/hostile/escapes.debug1.txt" --debug2 "$fx/hostile/escapes.debug2.txt"
pf "$WORK/url-esc" goroutines -n 2 -i 200ms "$FAKE_URL"
expect_rc "a target serving escapes: exit 0 or 1" 0 1
expect_true "... no raw ESC byte on stdout" no_esc "$WORK/url-esc"
expect_true "... nor on stderr" no_esc "$WORK/url-esc.err"
expect_match "... shown escaped" "$(cat "$WORK/url-esc")" '\\e\]0;pwned\\x07'

# -n is --samples; the fake serves the leak series in turn.
start_fake fake_pprof.py series --debug1 "$fx/go1.26/series-1.debug1.txt" --debug1 "$fx/go1.26/series-2.debug1.txt" \
	--debug1 "$fx/go1.26/series-3.debug1.txt" --debug2 "$fx/go1.26/series-3.debug2.txt"
series_url=$FAKE_URL
pf "$WORK/n3.json" goroutines -n 3 -i 200ms --min-growth 3 --format json "$series_url"
expect_rc "-n 3 against the series: exit 1 (the leak)" 1
expect_eq "... three debug=1 snapshots" "$(jq -c '[.snapshots[].debug]' "$WORK/n3.json")" '[1,1,1]'
expect_eq "... the leak's counts, oldest first" \
	"$(jq -c '.suspects[] | select(.site | startswith("main.leakyHandler.func1 ")) | .counts' "$WORK/n3.json")" '[4,8,12]'
expect_eq "... the states from the debug=2 dump" "$(jq -r '.detail.debug' "$WORK/n3.json")" 2

# ---- the progress line, on a terminal only ----------------------------------------------
start_fake fake_pprof.py progress --debug1 "$fx/go1.26/debug1.txt"
pf "$WORK/noprog" goroutines -n 2 -i 1s --max-debug2 0 "$FAKE_URL"
expect_no_match "stderr not a terminal: no progress line" "$(cat "$WORK/noprog.err")" 'snapshot 1/2'
set +e
NO_COLOR=1 TERM=xterm timeout 60 script -qec "'$PREFLIGHT' goroutines -n 2 -i 1s --max-debug2 0 -o '$WORK/prog.out' '$FAKE_URL'" \
	/dev/null >"$WORK/typescript" 2>&1
rc=$?
set -e
expect_eq "on a pty: exit 0" "$rc" 0
expect_match "... a progress line counts the snapshots down" "$(tr '\r' '\n' <"$WORK/typescript")" \
	'preflight goroutines: snapshot 1/2, next in [0-9.]+s'
expect_true "... and is erased (\\r ESC [K)" grep -qP '\r\x1b\[K' "$WORK/typescript"
expect_match "... the report went to -o" "$(cat "$WORK/prog.out")" '^snapshot 1: '

# ---- the terminal's width ---------------------------------------------------------------
set +e
NO_COLOR=1 COLUMNS=60 TERM=xterm timeout 60 script -qec "stty cols 60; '$PREFLIGHT' goroutines --frames 3 --no-source '$fx/go1.26/debug2.txt'" \
	/dev/null >"$WORK/narrow" 2>&1
set -e
longest=$(tr -d '\r' <"$WORK/narrow" | awk '{ n = length($0); if (n > m) m = n } END { print m + 0 }')
expect_num "on a 60-column terminal no line is longer ($longest)" "$longest" '<=' 60
expect_match "... long lines are cut with ..." "$(tr -d '\r' <"$WORK/narrow")" '\.\.\.$'
# the 7-minute dump with its 2 receivers 5 times over: a suspect to colour
# (one dump's wait rule needs a group of 10)
awk 'BEGIN { RS = ""; ORS = "\n\n" } { print } /main\.recvForever/ { for (i = 0; i < 4; i++) print }' \
	"$fx/go1.19/debug2-7min.txt" >"$WORK/7min-big.txt"
set +e
NO_COLOR=1 TERM=xterm timeout 60 script -qec "stty cols 60; '$PREFLIGHT' goroutines --color always --no-source '$WORK/7min-big.txt'" \
	/dev/null >"$WORK/color" 2>&1
NO_COLOR=1 TERM=xterm timeout 60 script -qec "stty cols 60; '$PREFLIGHT' goroutines --no-source '$WORK/7min-big.txt'" \
	/dev/null >"$WORK/nocolor" 2>&1
set -e
expect_true "--color always: colour on a terminal" grep -qP '\x1b\[1;31m' "$WORK/color"
expect_true "NO_COLOR on a terminal: no escape at all" no_esc "$WORK/nocolor"

finish
