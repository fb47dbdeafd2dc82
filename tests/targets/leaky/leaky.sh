# leaky.sh: drives the leaky target from the tests/integration/t05NN-*.sh
# scenarios. Source it after tests/integration/lib.sh, whose start_demo,
# traps, pf and assertions it builds on. Only 127.0.0.1 is ever connected to.

LEAKY_SRC="$SRCDIR/tests/targets/leaky"

# Debian's golang-1.19: its runtime writes the older dump formats
# ("created by F" without "in goroutine N", [semacquire] for a mutex wait).
LEAKY_GO119=${LEAKY_GO119:-/usr/lib/go-1.19/bin/go}

# leaky_builds: one line "LABEL PATH" per toolchain the target is built
# with: "machine" (scripts/find-go.sh), and "go1.19" when Debian's Go 1.19
# is installed. LEAKY_ONLY=LABEL keeps one of them.
leaky_builds() {
	local bin
	bin=$(build_go_target leaky) || exit 1
	echo "machine $bin"
	if [ -x "$LEAKY_GO119" ]; then
		bin=$(leaky_build_with "$LEAKY_GO119" go1.19) || exit 1
		echo "go1.19 $bin"
	fi
}

# leaky_go_of BIN: the Go release a binary was built with ("go1.26.8").
leaky_go_of() {
	local go
	go=$("$SRCDIR/scripts/find-go.sh") || return 1
	GOTOOLCHAIN=local "$go" version "$1" | sed 's/.*: //; s/ .*//'
}

# leaky_build_with GO LABEL: builds the target with that toolchain into
# $BUILDDIR/targets/leaky-LABEL and prints the path; once per build
# directory, under a lock, as build_go_target does for the machine's Go.
leaky_build_with() {
	local go=$1 label=$2 dir="$BUILDDIR/targets"
	local out="$dir/leaky-$label"
	mkdir -p "$dir"
	(
		flock -w 300 9 || die "timed out waiting for the build lock of '$out'"
		if [ -x "$out" ] && [ -z "$(find "$LEAKY_SRC" -newer "$out" -print -quit)" ]; then
			exit 0
		fi
		if [ -z "${GOCACHE:-}" ] && [ -z "${HOME:-}" ] && [ -z "${XDG_CACHE_HOME:-}" ]; then
			export GOCACHE="$BUILDDIR/go-cache" GOPATH="$BUILDDIR/go-path"
		fi
		(cd "$LEAKY_SRC" && GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-buildvcs=false \
			"$go" build -o "$out.tmp.$$" .) || die "'$go build' of the leaky target failed"
		mv -f "$out.tmp.$$" "$out"
	) 9>"$dir/.lock-leaky-$label" || exit 1
	echo "$out"
}

# for_each_build FN: calls FN LABEL BIN for each build (see leaky_builds).
for_each_build() {
	local builds line label bin
	builds=$(leaky_builds) || exit 1
	mapfile -t builds <<<"$builds"
	for line in "${builds[@]}"; do
		label=${line%% *}
		bin=${line#* }
		[ -n "${LEAKY_ONLY:-}" ] && [ "$LEAKY_ONLY" != "$label" ] && continue
		echo "# --- leaky built with $label ($(leaky_go_of "$bin"))"
		"$1" "$label" "$bin"
	done
}

# start_leaky BIN [NAME=VALUE...] [FLAGS...]: starts the target with those
# environment variables (GOGC, GODEBUG, GOMEMLIMIT, GOTRACEBACK and
# GOMAXPROCS are cleared otherwise) on loopback ports the kernel picks, and
# waits for its ready event (start_demo's FIFO); sets LEAKY_PID, LEAKY_DEBUG
# and LEAKY_SVC (base URLs) and LEAKY_LOG.
start_leaky() {
	local env=(env -u GOGC -u GODEBUG -u GOMEMLIMIT -u GOTRACEBACK -u GOMAXPROCS)
	DEMO_BIN=$1
	shift
	while [ $# -gt 0 ] && [[ $1 =~ ^[A-Z][A-Z0-9_]*= ]]; do
		env+=("$1")
		shift
	done
	start_demo "${env[@]}" -- -addr 127.0.0.1:0 -debug-addr 127.0.0.1:0 "$@"
	LEAKY_PID=$DEMO_PID
	LEAKY_LOG=$DEMO_LOG
	LEAKY_DEBUG="http://$(demo_addr debug "$LEAKY_LOG")"
	LEAKY_SVC="http://$(demo_addr service "$LEAKY_LOG")"
	case $LEAKY_DEBUG$LEAKY_SVC in
	http://127.0.0.1:[0-9]*http://127.0.0.1:[0-9]*) ;;
	*) die "leaky reported no loopback addresses: '$LEAKY_DEBUG' '$LEAKY_SVC'" ;;
	esac
}

stop_leaky() {
	stop_demo "$LEAKY_PID" || true
}

# leaky_post PATH_AND_QUERY: an admin call; prints the JSON answer and fails
# the scenario when the call is refused.
leaky_post() {
	curl -sS --fail-with-body --noproxy '*' --max-time 30 -X POST "$LEAKY_SVC$1" ||
		die "admin call '$1' failed"
}

leaky_status() {
	curl -sS --fail --noproxy '*' --max-time 10 "$LEAKY_SVC/admin/status" ||
		die "admin status failed"
}

# leaky_until SECONDS JQ_EXPR: polls /admin/status (every 100 ms) until the
# expression holds; fails the scenario after SECONDS. A bounded wait for a
# condition, not a sleep standing in for one.
leaky_until() {
	local end=$((SECONDS + $1))
	until leaky_status | jq -e "$2" >/dev/null; do
		[ "$SECONDS" -lt "$end" ] || die "leaky: '$2' not true within $1 s: $(leaky_status)"
		sleep 0.1
	done
}

# leaky_line TEXT: FILE:LINE of the one line of the target's source holding
# TEXT (fixed string), the call site a suspect must name.
leaky_line() {
	local hits
	hits=$(grep -nF -- "$1" "$LEAKY_SRC"/*.go | cut -d: -f1,2)
	[ "$(wc -l <<<"$hits")" = 1 ] && [ -n "$hits" ] || die "want exactly one line holding '$1' in $LEAKY_SRC, got: $hits"
	echo "${hits#"$SRCDIR/tests/targets/"}"
}

# goroutines OUT [URL]: preflight goroutines, four samples a second apart,
# JSON report in OUT (default URL: the target's debug listener).
goroutines() {
	pf "$1" goroutines --samples 4 --interval 1s --format json "${2:-$LEAKY_DEBUG}"
}

# suspect_lines OUT: every suspect, one line each.
suspect_lines() {
	jq -r '.suspects[]? | "\(.count) (+\(.growth)) \(.site) | \(.pattern) | created by \(.created_by)"' "$1" 2>/dev/null ||
		head -c 2000 "$1"
}

# show_suspects OUT: the same as TAP comments.
show_suspects() {
	suspect_lines "$1" | sed 's/^/#   /'
}

# suspect_at OUT FUNC: the first suspect whose site is in FUNC (the site is
# "FUNC (FILE:LINE)"), as compact JSON; empty when there is none.
suspect_at() {
	jq -c --arg f "$2" '[.suspects[]? | select(.site == $f or (.site | startswith($f + " ")))][0] // empty' "$1"
}

# n_suspects_besides OUT FUNC...: how many suspects are in none of FUNC,
# nor created by one of them.
n_suspects_besides() {
	local out=$1
	shift
	jq '[.suspects[]? | .site as $s | (.created_by // "") as $c
		| select(all($ARGS.positional[]; . as $f
			| ($s != $f and ($s | startswith($f + " ") | not)
			   and $c != $f and ($c | startswith($f + " ") | not))))] | length' "$out" --args "$@"
}

# ere_quote TEXT: TEXT as an extended regular expression matching itself.
ere_quote() {
	sed 's/[][\\.*^$+?(){}|]/\\&/g' <<<"$1"
}

# expect_suspect DESC OUT FUNC FILE:LINE PATTERN_ERE [CREATOR]: the report
# OUT has a suspect whose site is FUNC at FILE:LINE (relative to
# tests/targets), whose pattern matches PATTERN_ERE, that grew, with a
# remedy, and (when given) created by CREATOR. Sets SUSPECT (its JSON).
expect_suspect() {
	local d=$1 out=$2 func=$3 fl=$4 pat=$5 creator=${6:-} site lines
	SUSPECT=$(suspect_at "$out" "$func")
	if [ -z "$SUSPECT" ]; then
		mapfile -t lines < <(suspect_lines "$out")
		_not_ok "$d: a suspect at $func" "suspects:" "${lines[@]}"
		return 0
	fi
	_ok "$d: a suspect at $func"
	site=$(jq -r .site <<<"$SUSPECT")
	expect_match "$d: ... at the call site $fl" "$site" "/$(ere_quote "$fl")([^0-9]|$)"
	expect_match "$d: ... pattern /$pat/" "$(jq -r .pattern <<<"$SUSPECT")" "$pat"
	expect_num "$d: ... growth > 0" "$(jq -r .growth <<<"$SUSPECT")" '>' 0
	expect_ne "$d: ... with a remedy" "$(jq -r '.remedy // ""' <<<"$SUSPECT")" ""
	if [ -n "$creator" ]; then
		expect_match "$d: ... created by $creator" "$(jq -r '.created_by // ""' <<<"$SUSPECT")" \
			"^$(ere_quote "$creator")([ (]|$)"
	fi
}

# expect_count_between DESC LOW HIGH [SLACK]: the suspect's count and
# growth agree with what the target itself counted before (LOW) and after
# (HIGH) the sampling: LOW <= count <= HIGH, and growth <= HIGH - LOW +
# SLACK, SLACK (default 10, one round) for a round that was made just
# before LOW was read and had not all reached its blocking point by the
# first snapshot.
expect_count_between() {
	local slack=${4:-10}
	expect_num "$1: ... count >= $2 leaked before sampling" "$(jq -r .count <<<"$SUSPECT")" '>=' "$2"
	expect_num "$1: ... count <= $3 leaked after sampling" "$(jq -r .count <<<"$SUSPECT")" '<=' "$3"
	expect_num "$1: ... growth at most the $(($3 - $2)) added while sampling" \
		"$(jq -r .growth <<<"$SUSPECT")" '<=' $(($3 - $2 + slack))
}

# expect_only_suspects DESC OUT FUNC...: every suspect is in one of FUNC,
# or was created by one of them.
expect_only_suspects() {
	local d=$1 out=$2 n lines
	shift 2
	n=$(n_suspects_besides "$out" "$@")
	if [ "$n" = 0 ]; then
		_ok "$d"
	else
		mapfile -t lines < <(suspect_lines "$out")
		_not_ok "$d" "$n suspect(s) outside $*:" "${lines[@]}"
	fi
}

# leaky_added KIND: how many leaks of KIND the target has made so far.
leaky_added() {
	leaky_status | jq --arg k "$1" '.added[$k] // 0'
}
