#!/usr/bin/env bash
# preflight contention on saved profiles (tests/fixtures/profiles, written
# by real Go 1.19 and 1.26 runtimes): the tty output is compared with
# golden files under tests/golden/ (UPDATE_GOLDEN=1 rewrites them), the
# JSON written with -o is read back with jq, function names holding escape
# sequences reach the terminal escaped, and the option table's errors
# (-n, a bad --timeout, two profiles of one kind) are one line and exit 2.
. "$(dirname "$0")/lib.sh"
need jq

cd "$SRCDIR"
fx=tests/fixtures/profiles
golden=tests/golden

# golden NAME ARGS...: preflight contention ARGS matches tests/golden/NAME.
golden() {
	local name=$1
	shift
	pf "$WORK/$name" contention "$@"
	expect_rc "$name: exit 0" 0
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		cp "$WORK/$name" "$golden/$name"
		skip_one "$name: matches $golden/$name" "UPDATE_GOLDEN=1 rewrote it"
		return
	fi
	if diff -u "$golden/$name" "$WORK/$name" >"$WORK/$name.diff"; then
		_ok "$name: matches $golden/$name"
	else
		_not_ok "$name: matches $golden/$name" "$(head -n 30 "$WORK/$name.diff")"
	fi
}

golden contention-go1.26.txt --top 0 "$fx/go1.26/mutex.txt" "$fx/go1.26/block.txt"
golden contention-go1.19.txt "$fx/go1.19/block.txt" "$fx/go1.19/mutex.txt"
golden contention-disabled.txt "$fx/go1.26/disabled/mutex.txt" "$fx/go1.26/disabled/block.txt"
golden contention-go1.26.md --format markdown --top 3 "$fx/go1.26/mutex.txt" "$fx/go1.26/block.txt"
# The tty output is the same whichever order the files come in, and a file
# is never coloured or wrapped.
pf "$WORK/swapped.txt" contention --top 0 "$fx/go1.26/block.txt" "$fx/go1.26/mutex.txt"
expect_eq "files in either order: the same output" "$(cat "$WORK/swapped.txt")" "$(cat "$WORK/contention-go1.26.txt")"
expect_no_match "no escape sequence in a file" "$(cat "$WORK/contention-go1.26.txt")" $'\e'

# ---- --format json -o FILE ----------------------------------------------------
pf "$WORK/json.stdout" contention --format json -o "$WORK/c.json" --top 2 "$fx/go1.26/mutex.txt" "$fx/go1.26/block.txt"
expect_rc "--format json -o FILE: exit 0" 0
expect_eq "... nothing on stdout" "$(wc -c <"$WORK/json.stdout")" 0
expect_true "... one JSON document in the file" jq -e '.mutex and .block' "$WORK/c.json"
expect_eq "... no listener URL for files" "$(jq -r '.url' "$WORK/c.json")" null
expect_eq "... each profile names its file" "$(jq -r '.mutex.file' "$WORK/c.json")" "$fx/go1.26/mutex.txt"
expect_eq "... --top 2 keeps two sites" "$(jq -c '[.mutex.sites, .block.sites] | map(length)' "$WORK/c.json")" '[2,2]'
expect_eq "... the hot lock ranks first" "$(jq -r '.mutex.sites[0].function' "$WORK/c.json")" main.hotCriticalSection
expect_eq "... at its Unlock line" "$(jq -r '.mutex.sites[0].line' "$WORK/c.json")" 36
expect_eq "... and in the block profile at its Lock line" \
	"$(jq -r '.block.sites[0] | "\(.function):\(.line)"' "$WORK/c.json")" main.hotCriticalSection:30
expect_eq "... n_sites counts every site, not only those shown" "$(jq -r '.mutex.n_sites' "$WORK/c.json")" 3
expect_eq "... shares are the shortest exact reals" "$(grep -c '"share": 0\.[0-9]\{1,6\},' "$WORK/c.json")" 4
expect_eq "... no remedy when both are on" "$(jq -c '[.mutex.remedy, .block.remedy]' "$WORK/c.json")" '[null,null]'
pf "$WORK/one.json" contention -f json "$fx/go1.19/disabled/mutex.txt"
expect_rc "one saved profile: exit 0" 0
expect_eq "... only that profile" "$(jq -c 'keys' "$WORK/one.json")" '["mutex","url"]'
expect_match "... disabled, with the remedy" "$(jq -r '.mutex.remedy' "$WORK/one.json")" 'SetMutexProfileFraction'

# ---- untrusted function names -------------------------------------------------
# A profile whose function and file names carry a window title and a screen
# clear (a hostile or corrupted service): the terminal sees them escaped.
sed -e $'s/main\\.hotCriticalSection/main.hot\e]0;pwned\a\e[2JSection/' \
	-e $'s#/workload\\.go#/work\e[8mload.go#' "$fx/go1.26/mutex.txt" >"$WORK/evil-mutex.txt"
pf "$WORK/evil.txt" contention --top 0 "$WORK/evil-mutex.txt"
expect_rc "hostile names: exit 0" 0
expect_eq "hostile names: no raw ESC byte" "$(grep -c $'\x1b' "$WORK/evil.txt" || true)" 0
expect_eq "hostile names: no raw BEL byte" "$(grep -c $'\a' "$WORK/evil.txt" || true)" 0
expect_match "hostile names: shown escaped" "$(cat "$WORK/evil.txt")" \
	'"main\.hot\\e\]0;pwned\\x07\\e\[2JSection" "work\\e\[8mload\.go":36'
pf "$WORK/evil.json" contention --format json "$WORK/evil-mutex.txt"
expect_eq "hostile names: JSON keeps the exact bytes" "$(jq -r '.mutex.sites[0].function' "$WORK/evil.json")" \
	$'main.hot\e]0;pwned\a\e[2JSection'

# ---- errors -------------------------------------------------------------------
one_line_error() { # DESC ARGS...
	local d=$1
	shift
	pf "$WORK/err.out" contention "$@"
	expect_rc "$d: exit 2" 2
	expect_eq "$d: one line on stderr" "$(wc -l <"$WORK/err.out.err")" 1
	expect_eq "$d: nothing on stdout" "$(wc -c <"$WORK/err.out")" 0
}
one_line_error "-n (it means --samples elsewhere)" -n 3 "$fx/go1.26/mutex.txt"
expect_match "... points to --top" "$(cat "$WORK/err.out.err")" 'use --top N'
one_line_error "-n5 bundled" -n5 "$fx/go1.26/mutex.txt"
pf "$WORK/dash.out" contention -o "$WORK/-n.txt" "$fx/go1.26/mutex.txt"
expect_rc "-o with a file named -n.txt is not -n" 0
one_line_error "--timeout without a unit it knows" --timeout 5x 127.0.0.1:1
one_line_error "--timeout 0" --timeout 0 127.0.0.1:1
one_line_error "two mutex profiles" "$fx/go1.26/mutex.txt" "$fx/go1.19/mutex.txt"
one_line_error "a file that is not a profile" "$fx/README.md"
one_line_error "a file and a URL" "$fx/go1.26/mutex.txt" http://127.0.0.1:1
one_line_error "three operands" "$fx/go1.26/mutex.txt" "$fx/go1.26/block.txt" "$fx/go1.26/heap.txt"
one_line_error "unknown format" --format prom "$fx/go1.26/mutex.txt"
pf "$WORK/refused.out" contention --timeout 500ms 127.0.0.1:1
expect_rc "--timeout with units, nothing listening: exit 2" 2
expect_eq "... one line on stderr" "$(wc -l <"$WORK/refused.out.err")" 1

finish
