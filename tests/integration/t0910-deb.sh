#!/usr/bin/env bash
# ctest-labels: slow
# The .deb (what `make deb` builds with CPack): its name and Depends, its
# files, the extracted binary's libraries, and then the real thing: apt
# installs it into a clean Debian root (debootstrap --variant=minbase, which
# has no libcurl): dpkg -i alone refuses it for want of libcurl4, and the
# unpacked binary's HTTP checks are errors naming libcurl; apt-get install
# -f pulls libcurl4 in as a dependency, and the installed binary runs
# there — --version, tcp-census, and `check --pid` against a demo on the
# host, whose HTTP checks now judge.
#
# The clean root comes from the Debian mirror (PREFLIGHT_DEB_MIRROR, default
# deb.debian.org, as install-deps.sh uses): this is the one scenario that
# leaves loopback. The minbase root is made once per build directory and
# kept there as a tarball ($BUILDDIR/deb-root-SUITE.tar.gz, ~2 min to make);
# with no mirror in reach, the install part is skipped, saying so.
. "$(dirname "$0")/lib.sh"
need cpack dpkg-deb dpkg-shlibdeps jq
[ "${PREFLIGHT_SANITIZE:-OFF}" != ON ] || skip "the .deb is made from the normal build, not a sanitizer build"

arch=$(dpkg --print-architecture)
version=${PREFLIGHT_DEB_VERSION:?PREFLIGHT_DEB_VERSION is set by CTest}

# ---- the package -------------------------------------------------------------
cpack -G DEB --config "$BUILDDIR/CPackConfig.cmake" -B "$WORK/pkg" >"$WORK/cpack.log" 2>&1 ||
	{ show "$WORK/cpack.log" 80; die "cpack failed"; }
deb=$WORK/pkg/preflight_${version}_$arch.deb
expect_true "cpack writes preflight_VERSION_ARCH.deb ($(basename "$deb"))" test -f "$deb"
[ -f "$deb" ] || finish
echo "# $(basename "$deb"): $(stat -c %s "$deb") bytes"

field() { dpkg-deb -f "$deb" "$1"; }
expect_eq "Package" "$(field Package)" preflight
expect_eq "Version is the build's (git describe)" "$(field Version)" "$version"
expect_eq "Architecture" "$(field Architecture)" "$arch"
depends=$(field Depends)
echo "# Depends: $depends"
# has_dep NAME: NAME is one of the comma-separated Depends, with or without a version.
has_dep() { tr ',' '\n' <<<"$depends" | sed 's/^ *//; s/ .*//' | grep -qx "$1"; }
for d in libcurl4 libjansson4 libyaml-0-2 libc6 libsqlite3-0 libssl3; do
	expect_true "Depends names $d" has_dep "$d"
done
expect_no_match "... but not libpq5 (only a PostgreSQL store needs it)" "$depends" 'libpq5'
expect_match "Recommends libpq5" "$(field Recommends)" 'libpq5'
expect_no_match "... nor libmicrohttpd12 (only serve needs it; it brings GnuTLS)" "$depends" 'libmicrohttpd'
expect_match "Recommends libmicrohttpd12" "$(field Recommends)" 'libmicrohttpd12'
expect_match "... libcurl4 with the release whose options we set (>= 7.85.0)" "$depends" 'libcurl4 \(>= 7\.85\.0\)'

dpkg-deb -c "$deb" | awk '{ print $NF }' | sed 's|^\./|/|' >"$WORK/files"
mapfile -t cmds < <("$PREFLIGHT" --help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }')
want=(/usr/bin/preflight /usr/share/man/man1/preflight.1.gz
	/usr/share/bash-completion/completions/preflight /usr/share/zsh/vendor-completions/_preflight
	/usr/share/doc/preflight/examples/checklist.yaml)
for c in "${cmds[@]}"; do
	want+=("/usr/share/man/man1/preflight-$c.1.gz")
done
missing=$(for f in "${want[@]}"; do grep -qxF "$f" "$WORK/files" || echo "$f"; done)
expect_eq "it holds the binary, a man page per command, both completions, the examples" "$missing" ""

# The extracted binary: every library it links resolves on this host, and
# libcurl is not among them — it is dlopened, which is why Depends must name it.
dpkg-deb -x "$deb" "$WORK/x"
ldd "$WORK/x/usr/bin/preflight" >"$WORK/ldd" 2>&1 || true
expect_no_match "ldd: every linked library resolves" "$(cat "$WORK/ldd")" 'not found'
expect_no_match "... and libcurl is not linked (dlopen on first use)" "$(cat "$WORK/ldd")" 'libcurl'
expect_no_match "... nor libpq, nor libcrypto (dlopen on first use)" "$(cat "$WORK/ldd")" 'libpq|libcrypto'
expect_eq "the extracted binary's --version" "$("$WORK/x/usr/bin/preflight" --version)" "$("$PREFLIGHT" --version)"

# ---- installed with apt into a clean Debian root -------------------------------
if [ "$_n_fail" -gt 0 ]; then
	finish
fi
[ "$(id -u)" = 0 ] || skip "installing into a clean root needs root (chroot, mount)"
need debootstrap chroot unshare curl
suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
[ -n "$suite" ] || skip "no VERSION_CODENAME in /etc/os-release: which Debian to bootstrap?"
mirror=${PREFLIGHT_DEB_MIRROR:-http://deb.debian.org/debian}
cache=$BUILDDIR/deb-root-$suite-$arch.tar.gz
root=$WORK/root

# A root's /proc is mounted only inside a private mount namespace
# (in_root), so it is gone when that ends; never delete through a mount.
at_exit 'if mountpoint -q "$root/proc" 2>/dev/null; then umount -l "$root/proc"; fi'
in_root() { # CMD...: runs CMD chrooted into the root, with /proc mounted
	unshare --mount --propagation private -- sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$root" "$@"
}

if [ ! -f "$cache" ]; then
	curl -sf --max-time 15 -o /dev/null "$mirror/dists/$suite/InRelease" ||
		skip "the Debian mirror '$mirror' is out of reach: the package was checked, its install in a clean root was not"
	(
		flock -w 600 9 || die "timed out waiting for the lock of '$cache'"
		[ -f "$cache" ] && exit 0
		echo "# making a clean $suite root with debootstrap (once per build directory)"
		mkdir "$WORK/boot"
		debootstrap --variant=minbase "$suite" "$WORK/boot" "$mirror" >"$WORK/debootstrap.log" 2>&1 ||
			{ show "$WORK/debootstrap.log" 60; die "debootstrap failed"; }
		tar -C "$WORK/boot" -czf "$cache.tmp.$$" . && mv -f "$cache.tmp.$$" "$cache"
		rm -rf "$WORK/boot"
	) 9>"$cache.lock" || exit 1
fi
mkdir "$root"
tar -C "$root" -xzf "$cache"
expect_true "the clean root has no libcurl4" sh -c "! chroot '$root' dpkg -s libcurl4 >/dev/null 2>&1"

cp "$deb" "$root/tmp/"
export DEBIAN_FRONTEND=noninteractive
if ! in_root apt-get update -qq >"$WORK/apt.log" 2>&1; then
	grep -qiE 'could not resolve|temporary failure|unable to connect|network is unreachable' "$WORK/apt.log" &&
		skip "the Debian mirror is out of reach from the clean root: the package was checked, its install was not"
	show "$WORK/apt.log"
	die "apt-get update in the clean root failed"
fi
# With the libraries it links but without libcurl4, dpkg alone refuses to
# configure it and leaves it unpacked: a real host without libcurl, no
# shim. Its HTTP checks must be errors naming libcurl (t0920 holds the same
# with a preloaded shim).
in_root apt-get install -y -q --no-install-recommends libjansson4 libyaml-0-2 libsqlite3-0 libssl3 >>"$WORK/apt.log" 2>&1 ||
	{ show "$WORK/apt.log"; die "apt-get install libjansson4 libyaml-0-2 libsqlite3-0 libssl3 in the clean root failed"; }
start_demo -- -addr 127.0.0.1:0 -debug-addr 127.0.0.1:0
set +e
in_root dpkg -i "/tmp/$(basename "$deb")" >"$WORK/dpkg.log" 2>&1
rc=$?
set -e
expect_ne "dpkg -i without libcurl4 in the root fails" "$rc" 0
expect_match "... on the libcurl4 dependency" "$(cat "$WORK/dpkg.log")" 'depends on libcurl4'
expect_no_match "... and on no other" "$(cat "$WORK/dpkg.log")" 'depends on (libc6|libjansson4|libyaml|libsqlite3|libssl3)'
set +e
timeout -k 5 "$PF_HANG_GUARD" unshare --mount --propagation private -- sh -c \
	'mount -t proc proc "$0/proc" && exec chroot "$0" preflight check --pid "$1" --window 0 --format json --timeout 10' \
	"$root" "$DEMO_PID" >"$WORK/nocurl.json" 2>"$WORK/nocurl.err"
set -e
expect_eq "unpacked without libcurl: sec.pprof-exposure is an error" \
	"$(check_status "$WORK/nocurl.json" sec.pprof-exposure)" error
expect_match "... naming libcurl and the package to install" \
	"$(check_field "$WORK/nocurl.json" sec.pprof-exposure summary)" "libcurl\.so\.4.*cannot open shared object file.*install libcurl4"
[ -s "$WORK/nocurl.json" ] || show "$WORK/nocurl.err"

set +e
in_root apt-get install -y -q -f --no-install-recommends >"$WORK/apt.log" 2>&1
rc=$?
set -e
expect_eq "apt-get install -f pulls what it depends on and configures it" "$rc" 0
[ "$rc" = 0 ] || { show "$WORK/apt.log" 60; finish; }
expect_eq "preflight is installed" "$(chroot "$root" dpkg-query -W -f='${Status}' preflight)" "install ok installed"
expect_eq "libcurl4 came with it" "$(chroot "$root" dpkg-query -W -f='${Status}' libcurl4 2>&1)" "install ok installed"
expect_eq "... pulled in as a dependency (apt marks it automatic)" \
	"$(chroot "$root" apt-mark showauto libcurl4)" libcurl4

expect_eq "installed preflight --version" "$(in_root preflight --version 2>&1)" "$("$PREFLIGHT" --version)"
set +e
in_root preflight tcp-census >"$WORK/census.out" 2>&1
rc=$?
set -e
expect_eq "installed tcp-census exits 0" "$rc" 0
expect_match "... and counts states" "$(cat "$WORK/census.out")" 'established'

# HTTP through the libcurl apt installed: the chroot shares the host's
# network and pid namespaces, so the demo started here is the target.
set +e
timeout -k 5 "$PF_HANG_GUARD" unshare --mount --propagation private -- sh -c \
	'mount -t proc proc "$0/proc" && exec chroot "$0" preflight check --pid "$1" --window 0 --format json --timeout 10' \
	"$root" "$DEMO_PID" >"$WORK/check.json" 2>"$WORK/check.err"
rc=$?
set -e
expect_in "installed check --pid exits 0 or 1" "$rc" 0 1
expect_true "... with a JSON report" json_ok "$WORK/check.json"
st=$(check_status "$WORK/check.json" sec.pprof-exposure)
expect_in "... sec.pprof-exposure judged over HTTP (the demo serves pprof on loopback)" "$st" pass
expect_eq "... no check names libcurl" "$(jq -r '[.checks[] | select(.summary | test("libcurl"))] | length' "$WORK/check.json")" 0

# The checklist loop on the default SQLite store, without libpq5 (installed
# with --no-install-recommends): it works; a postgresql:// store says what
# to install, exit 2.
cat >"$root/tmp/launch.yaml" <<'YAML'
version: 1
name: deb smoke
items:
  - id: true-exits-0
    title: "true exits 0"
    verify: {exec: {command: "true"}}
YAML
set +e
in_root env XDG_STATE_HOME=/tmp/state preflight run /tmp/launch.yaml --by deb-test >"$WORK/run.out" 2>&1
rc=$?
set -e
expect_eq "installed run on the SQLite store exits 0" "$rc" 0 || show "$WORK/run.out"
set +e
in_root preflight runs --db postgresql:///x?host=/nonexistent >"$WORK/pq.out" 2>&1
rc=$?
set -e
expect_eq "without libpq5, a postgresql:// store is exit 2" "$rc" 2
expect_match "... naming libpq and the package to install" "$(cat "$WORK/pq.out")" 'libpq\.so\.5 cannot be loaded.*install libpq5'

# Nor is libmicrohttpd12 there (a recommendation): serve says what to
# install, exit 3, as a missing libcurl does.
printf 'ann:0123456789abcdef0123\n' >"$root/tmp/tokens"
set +e
in_root env XDG_STATE_HOME=/tmp/state timeout 20 preflight serve --listen 127.0.0.1:0 --tokens /tmp/tokens \
	>"$WORK/serve.out" 2>&1
rc=$?
set -e
expect_eq "without libmicrohttpd12, serve is exit 3" "$rc" 3 || show "$WORK/serve.out"
expect_match "... naming libmicrohttpd and the package to install" "$(cat "$WORK/serve.out")" \
	"'libmicrohttpd\.so\.12' cannot be loaded: .*; install libmicrohttpd12"

finish
