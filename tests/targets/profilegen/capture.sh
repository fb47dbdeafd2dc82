#!/usr/bin/env bash
# capture.sh [OUTDIR]: rebuilds the profile fixtures from real Go runtimes,
# Debian's Go 1.19 and the machine's Go, into OUTDIR (default
# tests/fixtures/profiles). Needs the Go module proxy for promgen's
# client_golang (the integration tests never run this). See README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../../fixtures/profiles}
go119=/usr/lib/go-1.19/bin/go
go126=$("$here/../../../scripts/find-go.sh")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

capture() { # VERSION GO CLIENT_GOLANG_VERSION
	local v=$1 go=$2 cg=$3 dir="$out/go$1"
	(cd "$here" && GOTOOLCHAIN=local "$go" build -o "$tmp/profilegen-$v" .)
	mkdir -p "$dir/disabled"
	"$tmp/profilegen-$v" -capture "$dir"
	"$tmp/profilegen-$v" -disabled -capture "$dir/disabled"
	rm -f "$dir/disabled/vars.json"    # the same as with profiling on
	cp -R "$here/promgen" "$tmp/promgen-$v"
	(cd "$tmp/promgen-$v" && GOTOOLCHAIN=local "$go" get "github.com/prometheus/client_golang@$cg" &&
		GOTOOLCHAIN=local "$go" mod tidy && GOTOOLCHAIN=local "$go" build -o promgen .)
	"$tmp/promgen-$v/promgen" >"$dir/metrics.txt"
	"$tmp/promgen-$v/promgen" -runtime-metrics >"$dir/metrics-runtime.txt"
}

capture 1.19 "$go119" v1.14.0
capture 1.26 "$go126" v1.25.0
ls -l "$out"/go1.*/ "$out"/go1.*/disabled/
