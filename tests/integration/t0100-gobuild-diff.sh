#!/usr/bin/env bash
# t0100: `preflight buildinfo FILE` prints byte for byte what `go version -m
# FILE` prints, on the same binaries at the same moment: the test target in
# tests/targets/buildinfo built with the machine's Go in every flavour that
# changes the build info or the ELF layout, and with Debian's Go 1.19 when it
# is installed. The whole outputs are compared, so every field (go version,
# path, mod, dep, =>, each build setting and its quoting) is held to Go's.
# The JSON output is compared with `go version -m -json` field by field.
# Bad input (a non-Go ELF, a truncated Go binary, a missing file) must give
# exit 2 and one line on stderr.
set -euo pipefail

: "${PREFLIGHT:?PREFLIGHT must name the built preflight binary}"
: "${SRCDIR:?SRCDIR must name the source tree}"

if ! GO=$(bash "$SRCDIR/scripts/find-go.sh"); then
	echo "t0100: skipped: no Go toolchain on this machine" >&2
	exit 77
fi
GO119=/usr/lib/go-1.19/bin/go

work=$(mktemp -d "${BUILDDIR:-/tmp}/t0100.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Builds must not reach the network nor switch toolchains; the target has no
# dependency outside the tree (its one dep is a local replace). VCS stamping
# is asked for explicitly: "auto" leaves it out in some setups (and this
# machine's environment may carry GOFLAGS=-buildvcs=false).
export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-buildvcs=true GOWORK=off
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1

fails=0
checked=0
fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# A private git repository holding a copy of the target, so the go command
# stamps vcs.* settings (and, since Go 1.24, a version from the commit).
src=$work/src
mkdir -p "$src"
cp -R "$SRCDIR/tests/targets/buildinfo/." "$src/"
git -C "$src" init -q
git -C "$src" -c user.name=t0100 -c user.email=t0100@localhost add -A
git -C "$src" -c user.name=t0100 -c user.email=t0100@localhost \
	commit -q -m "buildinfo target" --date=2026-01-02T03:04:05Z
mkdir -p "$work/bin"

# build NAME GO [env VAR=value...] -- [go build flags...]
build() {
	local name=$1 gobin=$2
	shift 2
	local envs=()
	while [ "$1" != "--" ]; do
		envs+=("$1")
		shift
	done
	shift
	if ! (cd "$src" && env "${envs[@]}" "$gobin" build -o "$work/bin/$name" "$@" . ) \
		>"$work/$name.buildlog" 2>&1; then
		fail "could not build $name:"
		cat "$work/$name.buildlog" >&2
		return 1
	fi
}

# compare FILE: the whole text output, then the JSON output.
compare() {
	local f=$1 name
	name=$(basename "$f")
	checked=$((checked + 1))
	if ! "$GO" version -m "$f" >"$work/$name.go.txt"; then
		fail "$name: go version -m cannot read it"
		return
	fi
	if ! "$PREFLIGHT" buildinfo "$f" >"$work/$name.pf.txt"; then
		fail "$name: preflight buildinfo failed"
		return
	fi
	if ! cmp -s "$work/$name.go.txt" "$work/$name.pf.txt"; then
		fail "$name: output differs from go version -m"
		diff -u "$work/$name.go.txt" "$work/$name.pf.txt" >&2 || true
	fi
	compare_json "$f" "$name"
}

# Go's -json shape and ours differ in naming (docs/buildinfo.md), so both
# are brought to one form. Build settings are compared as an ordered list
# of key=value, which is also what the object keeps (JSON_PRESERVE_ORDER).
compare_json() {
	local f=$1 name=$2
	command -v jq >/dev/null || return 0
	"$GO" version -m -json "$f" | jq -S '{
		go_version: .GoVersion, path: .Path,
		main: (if .Main then {path: .Main.Path, version: .Main.Version, sum: (.Main.Sum // "")} else null end),
		deps: [(.Deps // [])[] | {path: .Path, version: .Version, sum: (.Sum // ""),
			replace: (if .Replace then {path: .Replace.Path, version: .Replace.Version,
				sum: (.Replace.Sum // "")} else null end)}],
		settings: [(.Settings // [])[] | "\(.Key)=\(.Value // "")"]}' >"$work/$name.go.json"
	"$PREFLIGHT" buildinfo --json "$f" | jq -S '{
		go_version, path,
		main: (if .main then {path: .main.path, version: .main.version, sum: .main.sum} else null end),
		deps,
		settings: [.settings | to_entries[] | "\(.key)=\(.value)"]}' >"$work/$name.pf.json"
	if ! cmp -s "$work/$name.go.json" "$work/$name.pf.json"; then
		fail "$name: --json differs from go version -m -json"
		diff -u "$work/$name.go.json" "$work/$name.pf.json" >&2 || true
	fi
	if [ "$("$PREFLIGHT" buildinfo --json "$f" | jq -r .file)" != "$f" ]; then
		fail "$name: --json names the wrong file"
	fi
}

# Stands in for sstrip: no section headers (e_shoff, e_shnum and e_shstrndx
# zeroed), so both readers must fall back to the first writable,
# non-executable PT_LOAD segment. The table's bytes stay in the file, since
# Go's own linker puts it right after the program headers. (Debian 12's
# objcopy predates --strip-section-headers.) ELF64 little-endian only.
strip_section_headers() {
	local in=$1 out=$2
	cp "$in" "$out"
	printf '\0\0\0\0\0\0\0\0' | dd of="$out" bs=1 seek=40 conv=notrunc status=none
	printf '\0\0\0\0' | dd of="$out" bs=1 seek=60 conv=notrunc status=none
	chmod +x "$out"
	# Not "readelf | grep -q": under pipefail, grep leaving early would
	# SIGPIPE readelf and make the pipeline false.
	if grep -q go.buildinfo <<<"$(readelf -S "$out" 2>/dev/null)"; then
		fail "strip_section_headers left a section table in $out"
	fi
}

gov=$("$GO" env GOVERSION)
echo "t0100: machine's Go is $gov; building the target (this takes a while)"

# The machine's Go, clean tree.
build cgo1 "$GO" CGO_ENABLED=1 -- || true
build cgo0 "$GO" CGO_ENABLED=0 -- || true
build trimpath-sw "$GO" CGO_ENABLED=1 -- -trimpath "-ldflags=-s -w" || true
build race "$GO" CGO_ENABLED=1 -- -race || true
build pie "$GO" CGO_ENABLED=1 -- -buildmode=pie || true
# A flag value with spaces and quotes, so build settings need Go quoting.
build ldflags-x "$GO" CGO_ENABLED=0 -- '-ldflags=-X "main.unused=a b"' -tags=netgo,osusergo || true

# The machine's Go, dirty tree: vcs.modified=true (and "+dirty" on Go >= 1.24).
echo "// dirty" >>"$src/main.go"
build dirty "$GO" CGO_ENABLED=0 -- || true
git -C "$src" checkout -q -- main.go

# Debian's Go 1.19: build settings and vcs stamping exist, no DefaultGODEBUG.
if [ -x "$GO119" ]; then
	build go119-cgo1 "$GO119" CGO_ENABLED=1 -- || true
	build go119-trimpath-cgo0 "$GO119" CGO_ENABLED=0 -- -trimpath "-ldflags=-s -w" || true
else
	echo "t0100: Debian's Go 1.19 ($GO119) is absent; skipping its variants"
fi

for b in "$work"/bin/*; do
	[ -f "$b" ] || continue
	case "$b" in
	*/cgo1 | */cgo0 | */go119-cgo1) strip_section_headers "$b" "$b-noshdr" ;;
	esac
done

for b in "$work"/bin/*; do
	compare "$b"
done

# Sanity: the flavours really differ where the test relies on them.
grep -qF $'\tbuild\tvcs.modified=false' "$work/cgo1.go.txt" || fail "clean build lacks vcs.modified=false"
grep -qF $'\tbuild\tvcs.modified=true' "$work/dirty.go.txt" || fail "dirty build lacks vcs.modified=true"
grep -qF $'\tbuild\t-race=true' "$work/race.go.txt" || fail "race build lacks -race=true"
grep -qF $'\tbuild\t-buildmode=pie' "$work/pie.go.txt" || fail "pie build lacks -buildmode=pie"
grep -qF $'\t=>\t./greetmod\t' "$work/cgo1.go.txt" || fail "no => line for the replaced module"
grep -qF $'\tbuild\t-ldflags="-X \\"main.unused=a b\\""' "$work/ldflags-x.go.txt" ||
	fail "ldflags-x build lacks a quoted -ldflags setting"

# A directory: Go walks it and lists only Go executables, silently; so do we.
cp /bin/true "$work/bin/not-go"
head -c 100000 "$work/bin/cgo0" >"$work/bin/truncated"
echo "plain text" >"$work/bin/notes.txt"
"$GO" version -m "$work/bin" >"$work/dir.go.txt"
if ! "$PREFLIGHT" buildinfo "$work/bin" >"$work/dir.pf.txt"; then
	fail "preflight buildinfo on a directory failed"
fi
cmp -s "$work/dir.go.txt" "$work/dir.pf.txt" || {
	fail "directory listing differs from go version -m"
	diff -u "$work/dir.go.txt" "$work/dir.pf.txt" >&2 || true
}
checked=$((checked + 1))

# Bad input: exit 2, nothing on stdout, exactly one line on stderr.
bad() {
	local what=$1 want=$2 rc=0
	shift 2
	"$PREFLIGHT" buildinfo "$@" >"$work/bad.out" 2>"$work/bad.err" || rc=$?
	checked=$((checked + 1))
	if [ "$rc" -ne 2 ]; then
		fail "$what: exit $rc, want 2"
	fi
	if [ -s "$work/bad.out" ]; then
		fail "$what: printed on stdout"
	fi
	if [ "$(wc -l <"$work/bad.err")" -ne 1 ] || ! grep -q "^preflight buildinfo: .*$want" "$work/bad.err"; then
		fail "$what: want one line matching '$want' on stderr, got:"
		cat "$work/bad.err" >&2
	fi
}
bad "non-Go ELF" "is not a Go executable" /bin/true
bad "truncated Go binary" "is truncated" "$work/bin/truncated"
bad "missing file" "No such file or directory" "$work/does-not-exist"
bad "no file" "no FILE given"

echo "t0100: $checked cases checked, $fails failed"
if [ "$fails" -ne 0 ]; then
	exit 1
fi
