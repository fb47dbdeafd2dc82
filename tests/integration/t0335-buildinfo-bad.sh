#!/usr/bin/env bash
# t0335: `preflight buildinfo` on operands it cannot read. A named
# directory that cannot be listed, a path that does not exist, a file
# named as a directory: each gets one line on stderr naming the path and
# exit 2, never silence and exit 0 (which would read as "no Go executables
# here"). A directory below a named one that cannot be listed is skipped
# silently, as `go version DIR` skips it.
# Tests run as root here, and root lists a mode-000 directory; the
# permission cases run preflight as nobody (setpriv), or directly when
# this runs as another user.
source "$(dirname "$0")/lib.sh"

# as_user CMD...: runs CMD as a user the mode bits bind.
as_user() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
	else
		"$@"
	fi
}

# one_line FILE: stderr held exactly one line.
one_line() {
	[ "$(wc -l <"$1")" = 1 ]
}

# ---- a named directory that cannot be listed ----------------------------------
# nobody must reach $WORK (mktemp makes it 0700) to get as far as the
# directory itself; otherwise stat fails first and the case is not tested.
chmod 755 "$WORK"
mkdir "$WORK/locked" "$WORK/tree" "$WORK/tree/locked"
printf '#!/bin/sh\n' >"$WORK/tree/script"
chmod 000 "$WORK/locked" "$WORK/tree/locked"
at_exit "chmod 755 '$WORK/locked' '$WORK/tree/locked'"
if [ "$(id -u)" = 0 ] && ! command -v setpriv >/dev/null 2>&1; then
	skip_one "an unreadable directory: exit 2" "setpriv is not installed"
elif ! as_user test -x "$PREFLIGHT"; then
	skip_one "an unreadable directory: exit 2" "the unprivileged user cannot run $PREFLIGHT"
else
	_pf_last_err="$WORK/locked.out.err"
	set +e
	as_user timeout -k 5 "$PF_HANG_GUARD" "$PREFLIGHT" buildinfo "$WORK/locked" \
		>"$WORK/locked.out" 2>"$WORK/locked.out.err"
	PF_RC=$?
	set -e
	expect_rc "an unreadable directory: exit 2" 2
	expect_match "... the error names it and says why" "$(cat "$WORK/locked.out.err")" \
		"^preflight buildinfo: cannot read directory '$WORK/locked': permission denied$"
	expect_true "... in one line" one_line "$WORK/locked.out.err"
	expect_eq "... and prints nothing on stdout" "$(cat "$WORK/locked.out")" ""

	# An unreadable directory inside a named one is passed over, as Go
	# does; the rest of the tree is still walked.
	set +e
	as_user timeout -k 5 "$PF_HANG_GUARD" "$PREFLIGHT" buildinfo "$WORK/tree" \
		>"$WORK/tree.out" 2>"$WORK/tree.out.err"
	PF_RC=$?
	set -e
	_pf_last_err="$WORK/tree.out.err"
	expect_rc "an unreadable directory below a named one: exit 0" 0
	expect_eq "... silently" "$(cat "$WORK/tree.out" "$WORK/tree.out.err")" ""
fi

# ---- paths that fail for root too ---------------------------------------------
pf "$WORK/missing.out" buildinfo "$WORK/no-such-dir"
expect_rc "a directory that does not exist: exit 2" 2
expect_match "... the error names it" "$(cat "$WORK/missing.out.err")" \
	"^preflight buildinfo: cannot stat '$WORK/no-such-dir': no such file or directory$"
expect_true "... in one line" one_line "$WORK/missing.out.err"

pf "$WORK/notdir.out" buildinfo "$WORK/tree/script/"
expect_rc "a file given as a directory (trailing slash): exit 2" 2
expect_match "... the error names it" "$(cat "$WORK/notdir.out.err")" "'$WORK/tree/script/'.*not a directory"
expect_true "... in one line" one_line "$WORK/notdir.out.err"

# An empty directory, named or met in a walk, is no error and prints
# nothing (under UBSan, listing one used to hand qsort a NULL array).
mkdir "$WORK/empty"
pf "$WORK/empty.out" buildinfo "$WORK/empty"
expect_rc "an empty directory: exit 0" 0
expect_eq "... silently" "$(cat "$WORK/empty.out" "$WORK/empty.out.err")" ""

# One bad operand among good ones: the others are still read, exit 2.
pf "$WORK/mixed.out" buildinfo "$WORK/no-such-dir" "$WORK/tree"
expect_rc "a bad operand beside a good one: exit 2" 2
expect_true "... one line for the bad one only" one_line "$WORK/mixed.out.err"

finish
