# The .deb: `make deb` (cpack -G DEB in the build directory) writes
# preflight_VERSION_ARCH.deb. See docs/packaging.md.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME preflight)
set(CPACK_PACKAGE_VERSION ${PF_DEB_VERSION})
set(CPACK_PACKAGE_CONTACT "preflight maintainers <preflight-maintainers@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "launch readiness checks for Go services, from outside the process")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "preflight reads the host, a Go service's process and its Go runtime
surfaces (pprof, expvar, Prometheus metrics) and judges them against a risk
map of four layers: code, runtime, infra and business. It also groups
goroutine dumps, ranks mutex and block contention, counts TCP states over
netlink and saves profiles when thresholds are crossed.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
# dpkg-shlibdeps finds what the binary links: libc6, libjansson4,
# libyaml-0-2, libsqlite3-0. It cannot see the libraries loaded on first
# use (dlopen), so they are named here: libcurl4 (src/io/http.c), 7.85.0
# for CURLOPT_PROTOCOLS_STR (older releases would silently ignore the
# protocol restriction); libssl3's libcrypto (src/notify/crypto.c: the
# DingTalk signature); libpq5 (src/store/db_pg.c), recommended only,
# since a PostgreSQL store is a team's choice and SQLite is the default;
# and libmicrohttpd12 (src/serve/mhd.c), recommended: only `serve` needs it
# and it brings GnuTLS.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libcurl4 (>= 7.85.0), libssl3")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libpq5, libmicrohttpd12")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion")
include(CPack)
