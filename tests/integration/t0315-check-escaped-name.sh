#!/usr/bin/env bash
# A target whose executable path and process name hold terminal escape
# sequences (a window-title OSC, a BEL, a screen clear): the demo binary
# copied to $WORK/x<ESC>]0;pwned<BEL><ESC>[2J/<ESC>]0;pwned<BEL><ESC>[2Jsvc, so
# its comm (the first 15 bytes of the file name) holds them too.
# preflight check --pid writes no raw ESC or BEL to the terminal (tty to a
# file and on a pseudo-terminal with colour, JUnit, Markdown) and shows the
# escaped form; the JSON report keeps the exact bytes as JSON escapes.
. "$(dirname "$0")/lib.sh"
need jq xmllint

evil=$'\e]0;pwned\a\e[2J'
dir="$WORK/x$evil"
mkdir -p "$dir"
DEMO_BIN="$dir/${evil}svc"
cp "$(build_go_target demo)" "$DEMO_BIN"
start_demo -- -addr 127.0.0.1:0 -debug-addr 127.0.0.1:0
comm=$(cat "/proc/$DEMO_PID/comm")
expect_eq "the target's comm holds the escape sequence" "$comm" "${evil}s"

# No ESC and no BEL; colour (SGR, ESC [ ... m) only where allowed.
no_raw_controls() { # DESC FILE [sgr]
	local n
	if [ "${3:-}" = sgr ]; then
		n=$(sed -e 's/\x1b\[[0-9;]*m//g' "$2" | grep -c $'[\x1b\a]' || true)
	else
		n=$(grep -c $'[\x1b\a]' "$2" || true)
	fi
	expect_eq "$1: no raw ESC or BEL" "$n" 0
}

# ---- tty into a file ----------------------------------------------------------
pf "$WORK/tty.out" check --pid "$DEMO_PID" --window 0 --timeout 10
expect_rc "tty: exits 0 or 1" 0 1
no_raw_controls "tty" "$WORK/tty.out"
no_raw_controls "tty's stderr" "$WORK/tty.out.err"
expect_eq "tty: the ESC count is 0 (grep -c)" "$(grep -c $'\x1b' "$WORK/tty.out" || true)" 0
escaped='\e]0;pwned\x07\e[2J'
expect_true "tty: the process name is shown escaped" \
	grep -Fq "target: pid $DEMO_PID \"${escaped}s\" (\"$WORK/x${escaped}/${escaped}svc\")" "$WORK/tty.out"
show "$WORK/tty.out" 4

# ---- tty on a terminal, with colour -------------------------------------------
if command -v script >/dev/null 2>&1; then
	# stderr elsewhere: on a terminal it carries the progress line's own
	# erase sequences (t0060 tests those), not the report.
	TERM=xterm-256color script -qec "'$PREFLIGHT' check --pid $DEMO_PID --window 0 --timeout 10 --color always 2>/dev/null" \
		/dev/null </dev/null >"$WORK/pty.out" 2>&1 || true
	expect_match "pty: coloured" "$(cat "$WORK/pty.out")" $'\e\\[1;31m|\e\\[33m|\e\\[32m'
	no_raw_controls "pty (colour sequences aside)" "$WORK/pty.out" sgr
	expect_true "pty: the escaped name is there" grep -Fq "\"${escaped}s\"" "$WORK/pty.out"
else
	skip_one "pty output" "script is not installed"
fi

# ---- machine formats ----------------------------------------------------------
pf_json "$WORK/r.json" --pid "$DEMO_PID" --window 0
expect_rc "json: exits 0 or 1" 0 1
no_raw_controls "json" "$WORK/r.json"
expect_eq "json: comm keeps the exact bytes" "$(jq -r .target.comm "$WORK/r.json")" "${evil}s"
expect_eq "json: exe keeps the exact bytes" "$(jq -r .target.exe "$WORK/r.json")" "$DEMO_BIN"
expect_true "json: written as JSON escapes" grep -Fq '"comm": "\u001B]0;pwned\u0007\u001B[2Js"' "$WORK/r.json"

pf "$WORK/r.xml" check --pid "$DEMO_PID" --window 0 --timeout 10 --format junit
expect_rc "junit: exits 0 or 1" 0 1
no_raw_controls "junit" "$WORK/r.xml"
expect_true "junit: well-formed XML" xmllint --noout "$WORK/r.xml"
expect_eq "junit: the comm property has U+FFFD for each control" \
	"$(xmllint --xpath 'string(//property[@name="target_comm"]/@value)' "$WORK/r.xml")" \
	$'\uFFFD]0;pwned\uFFFD\uFFFD[2Js'

pf "$WORK/r.md" check --pid "$DEMO_PID" --window 0 --timeout 10 --format markdown
expect_rc "markdown: exits 0 or 1" 0 1
no_raw_controls "markdown" "$WORK/r.md"

# An error message that quotes other processes' names: --process matching
# two of them lists each "PID (comm)" on stderr, escaped like the report.
start_demo -- -addr 127.0.0.1:0 -debug-addr 127.0.0.1:0
pf "$WORK/two.out" check --process "${evil}s" --window 0 --timeout 10
expect_rc "--process matching two processes: exit 2" 2
expect_match "... the error lists both" "$(cat "$WORK/two.out.err")" "matches 2 processes"
no_raw_controls "... stderr" "$WORK/two.out.err"

finish
