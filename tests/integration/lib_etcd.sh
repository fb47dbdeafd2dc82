# lib_etcd.sh: a real etcd for the tests/integration/tNNNN-*.sh scenarios.
# Source it after lib.sh, whose traps, start_bg, start_demo, stop_proc,
# skip and die it builds on:
#
#   . "$(dirname "$0")/lib.sh"
#   . "$(dirname "$0")/lib_etcd.sh"
#   need_etcd                         # ETCD_BIN, ETCDLOAD_BIN, or skip (77)
#   start_etcd url pid                # http on 127.0.0.1, pprof on
#   start_etcdload lpid -endpoints "$url" -clients-start 2 -clients-end 40 \
#       -ramp 10s -duration 16s
#   ... preflight check --pid "$pid" ...
#   wait_etcdload "$lpid" 30
#
# What it gives:
#   - build_etcd / build_etcdload: tests/targets/etcd (a wrapper module whose
#     main is etcd's own etcdmain.Main, pinned to etcd v3.6.x in its go.mod
#     and go.sum) and tests/targets/etcdload (a load client on etcd's
#     client/v3), built with the machine's Go into $BUILDDIR/targets, once
#     per build directory, under a lock. Unlike build_go_target these
#     modules need the Go module proxy (GOPROXY as set, else the default)
#     the first time; the module cache keeps them after that. They return
#     77 with the reason on stderr when the proxy cannot be reached;
#     need_etcd turns that into a skip.
#   - start_etcd / start_etcd_tls: a one-member etcd on free ports, data
#     under $WORK, pprof on (--enable-pprof: /debug/pprof/ on the client
#     URL), metrics on their own loopback listener, ready when /health says
#     so (a bounded poll), stopped at exit, and started under timeout so it
#     also ends by itself after ETCD_LIFETIME (default DEMO_LIFETIME).
#   - start_etcdload / wait_etcdload: the load client, ready by FIFO.
# Clients only ever connect to 127.0.0.1. start_etcd_tls listens on
# 0.0.0.0 on purpose (pprof exposed beyond loopback is what the exposure
# check must catch); nothing is ever sent to another address.

: "${_lib_main_pid:?source lib.sh before lib_etcd.sh}"

ETCD_LIFETIME=${ETCD_LIFETIME:-$DEMO_LIFETIME}
# How long etcd may take to answer /health as healthy after its start.
ETCD_READY_TIMEOUT=${ETCD_READY_TIMEOUT:-60}
# A cold build downloads about 60 modules and compiles etcd: minutes on a
# busy 2-core machine; a parallel scenario waits this long for the lock.
ETCD_BUILD_LOCK_WAIT=${ETCD_BUILD_LOCK_WAIT:-900}

# ---- building ---------------------------------------------------------------

# build_go_module NAME: builds tests/targets/NAME (a module with its own
# go.mod and go.sum) into $BUILDDIR/targets/NAME and prints the path. The
# module proxy is allowed (GOPROXY as the environment has it), go.mod and
# go.sum are never changed (-mod=readonly: every download is checked
# against the committed go.sum), no toolchain is downloaded, no VCS stamp.
# Returns 77 with the reason on stderr when the modules cannot be
# downloaded, 1 when the build fails.
build_go_module() {
	local name=$1
	local src="$SRCDIR/tests/targets/$name"
	local dir="$BUILDDIR/targets"
	local out="$dir/$name"
	local go
	[ -f "$src/go.mod" ] || die "no module '$src'"
	go=$("$SRCDIR/scripts/find-go.sh") || die "cannot build '$name' without Go"
	mkdir -p "$dir"
	(
		flock -w "$ETCD_BUILD_LOCK_WAIT" 9 || die "timed out waiting for the build lock of '$out'"
		if [ -x "$out" ] && [ -z "$(find "$src" -newer "$out" -print -quit)" ]; then
			exit 0
		fi
		if [ -z "${GOCACHE:-}" ] && [ -z "${HOME:-}" ] && [ -z "${XDG_CACHE_HOME:-}" ]; then
			export GOCACHE="$BUILDDIR/go-cache" GOPATH="$BUILDDIR/go-path"
		fi
		# ETCD_GOFLAGS adds flags (-p=1 on a machine shared with other builds).
		export GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false${ETCD_GOFLAGS:+ $ETCD_GOFLAGS}"
		local log="$dir/.download-$name.log"
		# Downloads first, apart from the build, so that an unreachable
		# proxy is a skip and a compile error a failure. A module that does
		# not match go.sum is a failure too, never a skip.
		if ! (cd "$src" && timeout 600 "$go" mod download) >"$log" 2>&1; then
			if grep -q 'SECURITY ERROR\|checksum mismatch\|missing go.sum entry' "$log"; then
				cat "$log" >&2
				die "'go mod download' of '$name': the modules do not match go.sum"
			fi
			echo "cannot download the modules of '$name' (GOPROXY=$("$go" env GOPROXY)): $(grep . "$log" | tail -n 1)" >&2
			exit 77
		fi
		(cd "$src" && nice "$go" build -o "$out.tmp.$$" .) || die "'$go build' of '$name' failed"
		mv -f "$out.tmp.$$" "$out"
	) 9>"$dir/.lock-$name" || return $?
	echo "$out"
}

# build_etcd: the etcd binary (tests/targets/etcd), built when needed.
build_etcd() {
	build_go_module etcd
}

# build_etcdload: the load client (tests/targets/etcdload).
build_etcdload() {
	build_go_module etcdload
}

# need_etcd: sets ETCD_BIN and ETCDLOAD_BIN (building them when needed,
# unless they are set already); skips the scenario when the module proxy
# cannot be reached and the modules are not in the module cache.
need_etcd() {
	need curl
	local rc=0 err="$WORK/.build-etcd.err"
	if [ -z "${ETCD_BIN:-}" ]; then
		ETCD_BIN=$(build_etcd 2>"$err") || rc=$?
	fi
	if [ "$rc" = 0 ] && [ -z "${ETCDLOAD_BIN:-}" ]; then
		ETCDLOAD_BIN=$(build_etcdload 2>"$err") || rc=$?
	fi
	case $rc in
	0) ;;
	77) skip "$(tail -n 1 "$err")" ;;
	*)
		cat "$err" >&2
		exit "$rc"
		;;
	esac
}

# ---- ports --------------------------------------------------------------------

# etcd_free_ports N: N distinct TCP ports that nothing listens on, drawn at
# random below the ephemeral range (so no outgoing connection holds them).
# Another process may take one before etcd binds it: start_etcd retries.
etcd_free_ports() {
	local n=$1 lo=20000 hi=32000 p got=() used
	read -r hi _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || hi=32768
	hi=$((hi > lo + 1000 ? hi - 1 : 32000))
	used=" $(ss -Htln 2>/dev/null | awk '{ n = split($4, a, ":"); printf "%s ", a[n] }') "
	while [ "${#got[@]}" -lt "$n" ]; do
		p=$((lo + (RANDOM * 32768 + RANDOM) % (hi - lo)))
		[[ $used == *" $p "* ]] && continue
		used+="$p "
		got+=("$p")
	done
	echo "${got[*]}"
}

# ---- starting etcd ------------------------------------------------------------

_etcd_n=0

# start_etcd VAR_URL VAR_PID [NAME=VALUE...] [ETCD FLAGS...]: starts a
# one-member etcd (ETCD_BIN, else built) serving clients on
# http://127.0.0.1:PORT, peers on another loopback port and /metrics and
# /health on a third (--listen-metrics-urls), with --enable-pprof; data in
# $WORK/etcd.N. NAME=VALUE words set its environment (GOMAXPROCS, GOGC,
# GODEBUG, GOMEMLIMIT and every ETCD_* variable are cleared otherwise: etcd
# reads ETCD_* as flags); flags after them are appended (a later flag wins
# over start_etcd's own). Waits until /health answers {"health":"true"},
# then sets VAR_URL to the client URL and VAR_PID to etcd's own pid (its
# parent is `timeout`, which ends it after ETCD_LIFETIME whatever happens
# to this script), and sets ETCD_CLIENT_URL, ETCD_PEER_URL,
# ETCD_METRICS_URL, ETCD_DATA_DIR, ETCD_LOG, ETCD_PID for the last etcd
# started. Ends the scenario when etcd is not healthy within
# ETCD_READY_TIMEOUT seconds or exits first.
start_etcd() {
	_start_etcd http "$@"
}

# start_etcd_tls VAR_URL VAR_PID [NAME=VALUE...] [ETCD FLAGS...]: the same
# etcd with its client listener on https://0.0.0.0:PORT (advertised, and
# connected to, as https://127.0.0.1:PORT), with a server certificate
# signed by a CA made for it with openssl in $WORK/etcd.N/tls
# (ETCD_CACERT names the CA's certificate: curl --cacert, etcdload
# -cacert). Peers and metrics stay on plain http on 127.0.0.1. gRPC, the
# HTTP API and /debug/pprof/ are all on the https client listener.
start_etcd_tls() {
	need openssl
	_start_etcd https "$@"
}

# etcd_make_certs DIR: a self-signed CA (ca.crt, ca.key) and a server
# certificate it signs (server.crt, server.key) for 127.0.0.1, ::1 and
# localhost, valid for two days.
etcd_make_certs() {
	local d=$1
	mkdir -p "$d"
	(
		cd "$d" || exit 1
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-keyout ca.key -out ca.crt -days 2 -subj "/CN=preflight test CA" \
			-addext "basicConstraints=critical,CA:TRUE" \
			-addext "keyUsage=critical,keyCertSign,cRLSign" &&
			openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
				-keyout server.key -out server.csr -subj "/CN=127.0.0.1" &&
			printf '%s\n' "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost" \
				"extendedKeyUsage=serverAuth,clientAuth" \
				"keyUsage=critical,digitalSignature,keyEncipherment" >server.ext &&
			openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
				-days 2 -extfile server.ext -out server.crt
	) >"$d/openssl.log" 2>&1 || {
		show "$d/openssl.log"
		die "openssl could not make the test certificates in $d"
	}
}

_start_etcd() {
	local _se_scheme=$1
	local -n _etcd_url_ret=$2 _etcd_pid_ret=$3
	shift 3
	local _se_env=(env -u GOMAXPROCS -u GOGC -u GODEBUG -u GOMEMLIMIT) _se_v
	for _se_v in $(compgen -e); do
		[[ $_se_v == ETCD_* ]] && _se_env+=(-u "$_se_v")
	done
	while [ $# -gt 0 ] && [[ $1 =~ ^[A-Z][A-Z0-9_]*= ]]; do
		_se_env+=("$1")
		shift
	done
	if [ -z "${ETCD_BIN:-}" ]; then
		need_etcd
	fi
	_etcd_n=$((_etcd_n + 1))
	local _se_n=$_etcd_n _se_dir="$WORK/etcd.$_etcd_n" _se_name="etcd$_etcd_n"
	local _se_listen_host=127.0.0.1 _se_tls=() _se_curl_tls=()
	mkdir -p "$_se_dir"
	if [ "$_se_scheme" = https ]; then
		etcd_make_certs "$_se_dir/tls"
		_se_listen_host=0.0.0.0
		_se_tls=(--cert-file "$_se_dir/tls/server.crt" --key-file "$_se_dir/tls/server.key")
		_se_curl_tls=(--cacert "$_se_dir/tls/ca.crt")
		ETCD_CACERT="$_se_dir/tls/ca.crt"
	fi
	local _se_attempt _se_cport _se_pport _se_mport _se_tpid _se_epid _se_log _se_i _se_health
	for _se_attempt in 1 2 3; do
		read -r _se_cport _se_pport _se_mport <<<"$(etcd_free_ports 3)"
		rm -rf "$_se_dir/data"
		start_bg _se_tpid timeout -k 5 "$ETCD_LIFETIME" "${_se_env[@]}" "$ETCD_BIN" \
			--name "$_se_name" --data-dir "$_se_dir/data" \
			--listen-client-urls "$_se_scheme://$_se_listen_host:$_se_cport" \
			--advertise-client-urls "$_se_scheme://127.0.0.1:$_se_cport" \
			--listen-peer-urls "http://127.0.0.1:$_se_pport" \
			--initial-advertise-peer-urls "http://127.0.0.1:$_se_pport" \
			--initial-cluster "$_se_name=http://127.0.0.1:$_se_pport" \
			--initial-cluster-state new --initial-cluster-token "preflight-$$-$_se_n" \
			--listen-metrics-urls "http://127.0.0.1:$_se_mport" \
			--enable-pprof --log-outputs stderr \
			"${_se_tls[@]}" "$@"
		_se_log="$WORK/bg.$_n_started.log"
		# etcd is timeout's child: its own pid is the one preflight checks.
		_se_epid=
		for ((_se_i = 0; _se_i < 50; _se_i++)); do
			_se_epid=$(ps -o pid= --ppid "$_se_tpid" 2>/dev/null | tr -d ' ' | head -n 1 || true)
			[ -n "$_se_epid" ] && break
			kill -0 "$_se_tpid" 2>/dev/null || break
			sleep 0.1
		done
		[ -n "$_se_epid" ] && _demo_of[$_se_tpid]=$_se_epid
		_se_health=
		for ((_se_i = 0; _se_i < ETCD_READY_TIMEOUT * 5; _se_i++)); do
			kill -0 "$_se_tpid" 2>/dev/null || break
			_se_health=$(curl -s --noproxy '*' --max-time 2 "${_se_curl_tls[@]}" \
				"$_se_scheme://127.0.0.1:$_se_cport/health" 2>/dev/null) || true
			[[ $_se_health == *'"health":"true"'* ]] && break
			sleep 0.2
		done
		if [[ $_se_health == *'"health":"true"'* ]] && [ -n "$_se_epid" ]; then
			break
		fi
		stop_proc "$_se_tpid" "$_se_epid"
		if [ "$_se_attempt" -lt 3 ] && grep -q 'address already in use' "$_se_log"; then
			echo "# etcd: a port was taken before etcd bound it; trying other ports"
			continue
		fi
		show "$_se_log" 60
		die "etcd ($ETCD_BIN, $_se_scheme://$_se_listen_host:$_se_cport) did not become healthy within ${ETCD_READY_TIMEOUT}s: ${_se_health:-no answer}"
	done
	ETCD_CLIENT_URL="$_se_scheme://127.0.0.1:$_se_cport"
	ETCD_PEER_URL="http://127.0.0.1:$_se_pport"
	ETCD_METRICS_URL="http://127.0.0.1:$_se_mport"
	ETCD_DATA_DIR="$_se_dir/data"
	ETCD_LOG=$_se_log
	ETCD_PID=$_se_epid
	_etcd_url_ret=$ETCD_CLIENT_URL
	_etcd_pid_ret=$_se_epid
}

# stop_etcd PID: stops one etcd before the end (SIGTERM, then SIGKILL
# after 5 s), as stop_demo does for the demo.
stop_etcd() {
	stop_demo "$1"
}

# etcd_goroutines URL: the goroutine total etcd's pprof reports now (the
# debug=1 header), or "?" when it does not answer.
etcd_goroutines() {
	local tls=()
	[[ $1 == https:* ]] && tls=(--cacert "$ETCD_CACERT")
	curl -s --noproxy '*' --max-time 10 "${tls[@]}" "$1/debug/pprof/goroutine?debug=1" 2>/dev/null |
		sed -n '1s/^goroutine profile: total \([0-9]*\).*/\1/p' | grep . || echo '?'
}

# ---- the load client ------------------------------------------------------------

declare -A _etcdload_log=()

# start_etcdload VAR_PID [FLAGS...]: starts the load client (ETCDLOAD_BIN)
# with those flags (see tests/targets/etcdload/main.go: -endpoints,
# -clients-start, -clients-end, -ramp, -duration, -rate, -cacert), waits
# until its first clients are connected (its ready FIFO, as start_demo
# does; at most 60 s), and sets VAR_PID and ETCDLOAD_LOG. It ends by
# itself after -duration, and in any case after DEMO_LIFETIME.
start_etcdload() {
	local -n _load_pid_ret=$1
	shift
	if [ -z "${ETCDLOAD_BIN:-}" ]; then
		need_etcd
	fi
	DEMO_BIN=$ETCDLOAD_BIN start_demo -- "$@"
	ETCDLOAD_LOG=$DEMO_LOG
	_etcdload_log[$DEMO_PID]=$DEMO_LOG
	_load_pid_ret=$DEMO_PID
}

# wait_etcdload PID SECONDS: waits (at most SECONDS) for the load started
# by start_etcdload to end by itself. Returns 0 when it did (its log has
# the "done" line it writes only then), 1 otherwise (it is then stopped).
wait_etcdload() {
	local pid=$1 secs=$2 sh dog
	for sh in "${!_demo_of[@]}"; do
		[ "${_demo_of[$sh]}" = "$pid" ] && break
		sh=
	done
	[ -n "${sh:-}" ] || return 1
	# wait -n on a child that has already ended waits for the other one
	# (bash 5.2: "no such job"), hence the kill -0 first; should the load
	# end between the two, the wait lasts until the watchdog, no longer.
	if kill -0 "$sh" 2>/dev/null; then
		sleep "$secs" &
		dog=$!
		wait -n "$sh" "$dog" 2>/dev/null || true
		{ kill "$dog" && wait "$dog"; } 2>/dev/null || true
	fi
	stop_proc "$sh" "$pid"
	unset "_demo_of[$sh]"
	grep -q ' done after ' "${_etcdload_log[$pid]}"
}
