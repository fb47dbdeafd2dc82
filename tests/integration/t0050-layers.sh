#!/usr/bin/env bash
# The layering rules of docs/architecture.md hold on the compiled tree
# (scripts/check-layers.sh reads each object's undefined symbols with
# nm -u): the pure layers do no I/O, and only src/cmd and src/report
# print. The checker is first shown to catch planted violations, so a
# checker that passes everything cannot pass this test.
. "$(dirname "$0")/lib.sh"
need nm
CC=${CC:-cc}
need "$CC"

checker=$SRCDIR/scripts/check-layers.sh
planted=$WORK/planted
mkdir -p "$planted/src/check" "$planted/src/collect" "$planted/src/report"
printf '#include <stdio.h>\nint leak_like(const char *p) { FILE *f = fopen(p, "r"); return f != NULL; }\n' >"$WORK/io.c"
printf '#include <stdio.h>\nvoid chatty(void) { fprintf(stderr, "hello\\n"); }\n' >"$WORK/print.c"
printf '#include <stdio.h>\nvoid render(FILE *o) { fprintf(o, "x\\n"); printf("y\\n"); }\n' >"$WORK/render.c"
"$CC" -c -o "$planted/src/check/io.c.o" "$WORK/io.c"
"$CC" -c -o "$planted/src/collect/print.c.o" "$WORK/print.c"
"$CC" -c -o "$planted/src/report/render.c.o" "$WORK/render.c"

set +e
out=$("$checker" "$planted" 2>&1)
rc=$?
set -e
expect_eq "planted violations fail the check" "$rc" 1
expect_match "fopen in a pure layer is named" "$out" 'src/check/io\.c\.o: calls fopen \(I/O in a pure layer\)'
expect_match "stderr outside cmd/report is named" "$out" 'src/collect/print\.c\.o: calls stderr \(printing outside'
expect_no_match "a reporter may print" "$out" 'render\.c\.o'

set +e
out=$("$checker" "$BUILDDIR/CMakeFiles/preflight_core.dir" "$SRCDIR" 2>&1)
rc=$?
set -e
[ "$rc" -eq 0 ] || printf "%s\n" "$out" | sed "s/^/#   /"
expect_eq "the tree keeps the layering rules" "$rc" 0
n=$(find "$BUILDDIR/CMakeFiles/preflight_core.dir/src/check" -name '*.o' | wc -l)
expect_true "the check looked at the pure objects ($n in src/check)" test "$n" -gt 10

finish
