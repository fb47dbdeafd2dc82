#!/usr/bin/env bash
# check's tty report, whole, on captured inputs (the sockgen fixture of
# tests/fixtures/netlink: its /proc tree and its recorded netlink census),
# against tests/golden/check-sockgen.tty: grouping by layer, worst first,
# summaries, remedies and the footer's counts. Only the first line (host,
# time) and the run time are normalised. Regenerate after an intended
# change with: UPDATE_GOLDEN=1 ctest -R t0065.
. "$(dirname "$0")/lib.sh"

golden=$SRCDIR/tests/golden/check-sockgen.tty
cd "$SRCDIR"
fx=tests/fixtures/netlink/sockgen
set +e
# --timeout: the recorded listeners' ports are probed on this machine's
# loopback; nothing listens there in a test run, or a refusal comes at once.
COLUMNS=100 PREFLIGHT_NETLINK_REPLAY=$fx/census.nlrec "$PREFLIGHT" check --root "$fx/root" --pid 4343 --window 0 \
	--timeout 1s --color never >"$WORK/out.tty" 2>"$WORK/err"
rc=$?
set -e
# No failure, but the fixture lacks parts of /proc/PID (exe, cgroup): those
# checks are errors, and a run with errors never exits 0.
expect_eq "check on the fixture finds warnings and errors, no failure: exit 1 for the errors" "$rc" 1
sed -e '1s/ host .*$/ host HOST  TIME/' -e '$s/ in [0-9.]* s$/ in N s/' -e '1s/^preflight [^ ]*/preflight VERSION/' \
	"$WORK/out.tty" >"$WORK/norm.tty"
if [ -n "${UPDATE_GOLDEN:-}" ]; then
	cp "$WORK/norm.tty" "$golden"
fi
if ! diff -u "$golden" "$WORK/norm.tty" >"$WORK/diff"; then
	show "$WORK/diff" 60
fi
expect_true "the tty report matches tests/golden/check-sockgen.tty" cmp -s "$golden" "$WORK/norm.tty"
expect_eq "no raw escape byte in the tty report" "$(grep -c $'\x1b' "$WORK/out.tty" || true)" 0
finish
