#!/usr/bin/env bash
# One shape for every command (docs/cli.md): each command listed by
# `preflight --help` answers --help and --version with exit 0, refuses an
# unknown option with one line and exit 2, has a man page that man(1)
# renders, and appears in both completion scripts; list-checks' tty output
# matches its golden file and its JSON goes to -o FILE whole.
. "$(dirname "$0")/lib.sh"
need jq

cmds=$("$PREFLIGHT" --help | sed -n 's/^  \([a-z-]*\)  .*/\1/p')
expect_true "--help lists commands" test -n "$cmds"
for c in $cmds; do
	set +e
	help=$("$PREFLIGHT" "$c" --help 2>&1)
	rc=$?
	set -e
	expect_eq "$c --help exits 0" "$rc" 0
	expect_match "$c --help starts with its usage" "$help" "^usage: preflight $c "
	set +e
	ver=$("$PREFLIGHT" "$c" --version 2>&1)
	rc=$?
	err=$("$PREFLIGHT" "$c" --no-such-option 2>&1 >/dev/null)
	rc2=$?
	set -e
	expect_eq "$c --version exits 0" "$rc" 0
	expect_match "$c --version prints the version" "$ver" '^preflight [0-9a-z.+~-]+'
	expect_eq "$c refuses an unknown option with exit 2" "$rc2" 2
	expect_eq "$c says so in one line" "$(printf '%s\n' "$err" | wc -l)" 1
	expect_match "$c names itself in the error" "$err" "^preflight $c: "
	"$PREFLIGHT" manpage "$c" >"$WORK/$c.1"
	expect_match "$c has a man page" "$(head -n1 "$WORK/$c.1")" '^\.TH PREFLIGHT'
	if command -v man >/dev/null; then
		set +e
		warn=$(MANWIDTH=80 man --warnings -l "$WORK/$c.1" 2>&1 >/dev/null)
		set -e
		expect_eq "man renders $c's page without warnings" "$warn" ""
	fi
done

"$PREFLIGHT" completion bash >"$WORK/preflight.bash"
"$PREFLIGHT" completion zsh >"$WORK/_preflight"
for c in $cmds; do
	expect_true "bash completion knows $c" grep -q "^    $c)" "$WORK/preflight.bash"
	expect_true "zsh completion knows $c" grep -q "'$c:" "$WORK/_preflight"
done
# The bash script loads and completes a command name and an option.
out=$(bash -c 'source "$1"; COMP_WORDS=(preflight goro); COMP_CWORD=1; _preflight; echo "${COMPREPLY[*]}";
	COMP_WORDS=(preflight check --fail); COMP_CWORD=2; _preflight; echo "${COMPREPLY[*]}";
	COMP_WORDS=(preflight check --format ""); COMP_CWORD=3; _preflight; echo "${COMPREPLY[*]}"' _ "$WORK/preflight.bash")
expect_eq "bash completes a command" "$(sed -n 1p <<<"$out")" "goroutines"
expect_eq "bash completes an option" "$(sed -n 2p <<<"$out")" "--fail-on"
expect_eq "bash completes a format" "$(sed -n 3p <<<"$out")" "tty json junit markdown prom"
if command -v zsh >/dev/null; then
	expect_true "the zsh script parses" zsh -n "$WORK/_preflight"
fi
set +e
"$PREFLIGHT" completion fish >/dev/null 2>&1
rc=$?
set -e
expect_eq "completion refuses an unknown shell" "$rc" 2

# list-checks: golden tty, JSON through -o, the format table.
"$PREFLIGHT" list-checks >"$WORK/list.tty"
if [ -n "${UPDATE_GOLDEN:-}" ]; then
	cp "$WORK/list.tty" "$SRCDIR/tests/golden/list-checks.tty"
fi
if ! diff -u "$SRCDIR/tests/golden/list-checks.tty" "$WORK/list.tty" >"$WORK/list.diff"; then
	show "$WORK/list.diff"
fi
expect_true "list-checks tty matches tests/golden/list-checks.tty" cmp -s "$SRCDIR/tests/golden/list-checks.tty" "$WORK/list.tty"
"$PREFLIGHT" list-checks --format json -o "$WORK/list.json"
expect_true "list-checks -o writes valid JSON" jq -e 'length > 20 and all(.[]; .id and .layer and .params)' "$WORK/list.json"
expect_eq "--json is --format json" "$("$PREFLIGHT" list-checks --json | jq -c .)" "$(jq -c . "$WORK/list.json")"
expect_true "no partial file is left beside the output" test -z "$(ls "$WORK" | grep partial || true)"
set +e
"$PREFLIGHT" list-checks -o "$WORK/no/such/dir/list.json" 2>"$WORK/err"
rc=$?
set -e
expect_eq "an unwritable -o is an input error" "$rc" 2
expect_match "and says which file" "$(cat "$WORK/err")" "cannot write '.*/no/such/dir/list.json'"
set +e
"$PREFLIGHT" list-checks -o /dev/full 2>"$WORK/err"
rc=$?
set -e
expect_eq "a full disk is an internal error, not exit 0" "$rc" 3

# --checklist - reads the checklist from standard input, and names it "-"
# in the report and in errors.
out=$(printf 'version: 1\nname: from stdin\nitems:\n  - check: fd.system\n' |
	"$PREFLIGHT" check --checklist - --window 0 -f json | jq -c '[.checklist.source, .checklist.name, [.checks[].check]]')
expect_eq "--checklist - reads standard input" "$out" '["-","from stdin",["fd.system"]]'
set +e
err=$(printf 'version: 1\nitems:\n  - check: nope\n' | "$PREFLIGHT" check --checklist - --window 0 2>&1 >/dev/null)
rc=$?
set -e
expect_eq "a bad checklist on stdin exits 2" "$rc" 2
expect_match "... with the position under the name '-'" "$err" "^preflight check: -:3:12: unknown check 'nope'"

# The progress line: drawn on a terminal (script(1) gives a pty) and
# erased before the command ends; never written to a pipe.
if command -v script >/dev/null; then
	script -qc "$PREFLIGHT check --window 1s -o $WORK/p.json" /dev/null >"$WORK/pty.out" 2>&1 || true
	expect_true "check draws a progress line on a terminal" grep -q 'sampling the host over 1.0 s' "$WORK/pty.out"
	expect_true "... and erases it (ends with CR, erase-line)" test "$(tail -c 4 "$WORK/pty.out" | od -An -c | tr -d ' ')" = '\r033[K'
fi
"$PREFLIGHT" check --window 1s -o "$WORK/p.json" 2>"$WORK/pipe.err" || true
expect_eq "no progress line into a pipe or file" "$(cat "$WORK/pipe.err")" ""

finish
