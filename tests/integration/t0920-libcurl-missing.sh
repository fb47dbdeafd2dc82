#!/usr/bin/env bash
# A host without libcurl: every check that reads the target over HTTP is an
# ERROR naming libcurl.so.4 and the package to install (not a SKIP and a
# false "no pprof" warning), the checks that need no HTTP still judge, and
# goroutines / contention / watch on a URL fail with the same words.
#
# libcurl is hidden by a preloaded shim, built here with the machine's cc,
# whose dlopen() fails for any libcurl name the way a missing file does
# (t0910 holds the same on a real root without libcurl4). The target is the
# demo, serving pprof and expvar on loopback.
. "$(dirname "$0")/lib.sh"
need jq
cc=${CC:-cc}
command -v "$cc" >/dev/null || skip "no C compiler ('$cc') to build the dlopen shim"

cat >"$WORK/nocurl.c" <<'EOF'
/* dlopen() of any libcurl or libmicrohttpd fails as if the file were not installed. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>

void *dlopen(const char *file, int mode)
{
	void *(*real)(const char *, int) = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");

	if (file && (strstr(file, "libcurl") || strstr(file, "libmicrohttpd")))
		return real("/nonexistent/libcurl.so.4", mode);
	return real(file, mode);
}
EOF
"$cc" -shared -fPIC -o "$WORK/nocurl.so" "$WORK/nocurl.c" -ldl 2>"$WORK/cc.err" ||
	{ show "$WORK/cc.err"; die "cannot build the dlopen shim"; }
# Sanitizer runtimes take LD_PRELOAD'ed libraries as they come; the shim is
# reached through their own dlopen interceptor (RTLD_NEXT).
nocurl=(env LD_PRELOAD="$WORK/nocurl.so")

start_demo -- -addr 127.0.0.1:0 -debug-addr 127.0.0.1:0
url=http://$(demo_addr debug)

# Control: with libcurl, pprof is found on loopback.
pf_json "$WORK/with.json" --pid "$DEMO_PID" --window 0
expect_eq "with libcurl: sec.pprof-exposure passes (pprof on loopback)" \
	"$(check_status "$WORK/with.json" sec.pprof-exposure)" pass

# ---- preflight check ---------------------------------------------------------
set +e
timeout -k 5 "$PF_HANG_GUARD" "${nocurl[@]}" "$PREFLIGHT" check --pid "$DEMO_PID" --window 1 --format json \
	--timeout 10 >"$WORK/without.json" 2>"$WORK/without.err"
PF_RC=$?
_pf_last_err=$WORK/without.err
set -e
expect_true "without libcurl: a JSON report all the same" json_ok "$WORK/without.json"
http_checks=(sec.pprof-exposure go.heap-pressure go.gc-cpu go.gc-pause go.goroutines go.goroutine-leak
	go.mutex-contention go.block-contention)
for id in "${http_checks[@]}"; do
	expect_eq "$id: error" "$(check_status "$WORK/without.json" "$id")" error
	expect_match "... naming libcurl.so.4, why, and the package" "$(check_field "$WORK/without.json" "$id" summary)" \
		"'libcurl\.so\.4' cannot be loaded: .*cannot open shared object file.*; install libcurl4"
done
expect_eq "no check says 'no pprof' or skips for want of a listener" \
	"$(jq -r '[.checks[] | select(.summary | test("no listener|no pprof"))] | length' "$WORK/without.json")" 0
# The checks that need no HTTP still judge.
for id in cpu.gomaxprocs fd.process net.close-wait go.buildinfo; do
	expect_in "$id still judges" "$(check_status "$WORK/without.json" "$id")" pass warn fail
done
expect_eq "only the HTTP checks name libcurl" \
	"$(jq -r '[.checks[] | select(.summary | test("libcurl")) | .check] | sort | join(" ")' "$WORK/without.json")" \
	"$(printf '%s\n' "${http_checks[@]}" | sort | tr '\n' ' ' | sed 's/ $//')"

# Exit status: 3, a dependency is missing and no HTTP check could judge
# (docs/architecture.md).
expect_rc "check exits 3 when libcurl is missing" 3
expect_match "... and says so on stderr" "$(cat "$WORK/without.err")" "libcurl\.so\.4.*install libcurl4"

# ---- the commands that take a URL ----------------------------------------------
# url_cmd NAME ARGS...: runs preflight without libcurl; stderr in $WORK/NAME.err.
url_cmd() {
	local name=$1
	shift
	set +e
	timeout -k 5 "$PF_HANG_GUARD" "${nocurl[@]}" "$PREFLIGHT" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
	PF_RC=$?
	_pf_last_err=$WORK/$name.err
	set -e
}
# want_rc CMD DESC: a missing libcurl is exit 3, not an input error.
want_rc() {
	expect_rc "$2 exits 3" 3
}
url_cmd goroutines goroutines --samples 1 "$url"
want_rc goroutines "goroutines URL without libcurl"
expect_match "... naming libcurl.so.4 and the package" "$(cat "$WORK/goroutines.err")" \
	"^preflight goroutines: .*'libcurl\.so\.4' cannot be loaded: .*; install libcurl4"
url_cmd contention contention "$url"
want_rc contention "contention URL without libcurl"
expect_match "... naming libcurl.so.4 and the package" "$(cat "$WORK/contention.err")" \
	"^preflight contention: .*'libcurl\.so\.4' cannot be loaded: .*; install libcurl4"
url_cmd watch watch "$url" --dir "$WORK/prof"
want_rc watch "watch URL without libcurl"
expect_match "... naming libcurl.so.4 and the package" "$(cat "$WORK/watch.err")" \
	"^preflight watch: .*'libcurl\.so\.4' cannot be loaded: .*; install libcurl4"

# ---- preflight serve without libmicrohttpd (dlopened the same way) -----------
printf 'ann:%s\n' 0123456789abcdef0123 >"$WORK/tokens"
url_cmd serve serve --listen 127.0.0.1:0 --db "$WORK/serve.db" --tokens "$WORK/tokens"
want_rc serve "serve without libmicrohttpd"
expect_match "... one line naming libmicrohttpd.so.12 and the package" "$(cat "$WORK/serve.err")" \
	"^preflight serve: 'libmicrohttpd\.so\.12' cannot be loaded: .*; install libmicrohttpd12$"
expect_eq "... before anything was created or bound" "$(cat "$WORK/serve.out"; ls "$WORK/serve.db" 2>/dev/null)" ""

finish
