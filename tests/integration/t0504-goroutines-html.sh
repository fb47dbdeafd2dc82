#!/usr/bin/env bash
# preflight goroutines --format html: one self-contained HTML5 page. A
# golden file on a fixed series; the page read back with Python's HTML
# parser under strict rules (tests/integration/html_check.py: explicit
# nesting, no external resource, no control character, unique ids) and
# held against the JSON output of the same input (one <details> per group,
# in order, with its count, state, site and every frame as func and
# file:line; suspects open and marked); text from a dump with <, &,
# quotes, escape sequences, a noncharacter and bytes that are not UTF-8
# escaped; -o FILE replaced only when complete. No network.
#
# Golden files: tests/golden/goroutines/; UPDATE_GOLDEN=1 rewrites them.
. "$(dirname "$0")/lib.sh"
need jq python3

fx=$SRCDIR/tests/fixtures/goroutines
golden_dir=$SRCDIR/tests/golden/goroutines
check=$SRCDIR/tests/integration/html_check.py

no_esc() { ! grep -qP '\x1b' "$1"; }

# ---- golden ------------------------------------------------------------------
pushd "$SRCDIR" >/dev/null
pf "$WORK/series.html" goroutines --no-source --format html tests/fixtures/goroutines/go1.26/series-{1,2,3}.debug1.txt \
	tests/fixtures/goroutines/go1.26/series-3.debug2.txt
popd >/dev/null
expect_rc "series html: exit 1 (suspects), as in the other formats" 1
if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
	cp "$WORK/series.html" "$golden_dir/go1.26-series.html"
	skip_one "golden go1.26-series.html" "UPDATE_GOLDEN=1 rewrote it"
elif diff -u "$golden_dir/go1.26-series.html" "$WORK/series.html" >"$WORK/series.diff" 2>&1; then
	_ok "golden go1.26-series.html"
else
	_not_ok "golden go1.26-series.html (UPDATE_GOLDEN=1 rewrites it)" "$(head -n 40 "$WORK/series.diff")"
fi

# ---- the checker itself refuses what it should ---------------------------------
printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>t</title></head><body><p>a\x1bb</p></body></html>\n' >"$WORK/bad1.html"
expect_true "html_check refuses a raw ESC" bash -c "! python3 '$check' '$WORK/bad1.html' 2>/dev/null"
printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>t</title></head><body><p><code>x</p></code></body></html>\n' >"$WORK/bad2.html"
expect_true "html_check refuses misnested tags" bash -c "! python3 '$check' '$WORK/bad2.html' 2>/dev/null"
printf '<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>t</title><link rel="stylesheet" href="https://x/y.css"></head><body></body></html>\n' >"$WORK/bad3.html"
expect_true "html_check refuses an external stylesheet" bash -c "! python3 '$check' '$WORK/bad3.html' 2>/dev/null"

# ---- structure, against the JSON of the same input ---------------------------------
# compare FILE.html FILE.json DESC: the page's groups are the JSON's
compare() {
	local html=$1 json=$2 desc=$3
	if ! python3 "$check" "$html" >"$html.parsed" 2>"$html.problems"; then
		_not_ok "$desc: valid by the strict checker" "$(head -n 20 "$html.problems")"
		return
	fi
	_ok "$desc: valid by the strict checker"
	expect_eq "$desc: one <details> per group" "$(jq '.groups | length' "$html.parsed")" "$(jq '.groups | length' "$json")"
	expect_eq "$desc: the groups' last counts, in order" "$(jq -c '[.groups[].count]' "$html.parsed")" \
		"$(jq -c '[.groups[].counts[-1]]' "$json")"
	expect_eq "$desc: every frame as function and file:line" \
		"$(jq -c '[.groups[].frames]' "$html.parsed")" \
		"$(jq -c '[.groups[] | [.stack[] | [.func, "\(.file):\(.line)"]]]' "$json")"
	expect_eq "$desc: the states (- without one)" "$(jq -c '[.groups[].state]' "$html.parsed")" \
		"$(jq -c '[.groups[] | if .state == "" then "-" else .state end]' "$json")"
	expect_eq "$desc: suspects marked, and open" \
		"$(jq -c '[.groups[] | select(.suspect) | [.site, .open]]' "$html.parsed")" \
		"$(jq -c '[.suspects[] | [(.site | sub(" \\(.*"; "")), true]]' "$json")"
	expect_eq "$desc: the other groups closed" "$(jq '[.groups[] | select(.suspect | not) | .open] | any' "$html.parsed")" false
	expect_true "$desc: no raw ESC byte" no_esc "$html"
}

for v in go1.19 go1.26; do
	d=$fx/$v
	args=("$d"/series-{1,2,3}.debug1.txt "$d/series-3.debug2.txt")
	pf "$WORK/$v.html" goroutines --no-source --format html "${args[@]}"
	pf "$WORK/$v.json" goroutines --no-source --format json "${args[@]}"
	expect_rc "$v series: exit 1" 1
	compare "$WORK/$v.html" "$WORK/$v.json" "$v series"
	expect_match "$v series: a sparkline per group" "$(grep -c '<svg class="spark"' "$WORK/$v.html")" \
		"^$(jq '.groups | length' "$WORK/$v.json")$"
	expect_match "$v series: counts per snapshot in a table" "$(cat "$WORK/$v.html")" \
		'<th scope="row">goroutines</th><td class="n">4</td><td class="n">8</td><td class="n">12</td><td class="n">12</td>'
	expect_match "$v series: the suspect's reason, pattern and fix" "$(cat "$WORK/$v.html")" \
		'<p>pattern: send with no receiver</p>'
	expect_match "$v series: the creator" "$(cat "$WORK/$v.html")" '<dt>created by</dt><dd><code>main\.leakyHandler</code>'

	# one dump, with waits
	pf "$WORK/$v-7.html" goroutines --no-source --format html "$d/debug2-7min.txt"
	pf "$WORK/$v-7.json" goroutines --no-source --format json "$d/debug2-7min.txt"
	compare "$WORK/$v-7.html" "$WORK/$v-7.json" "$v one dump"
	expect_match "$v one dump: wait minutes" "$(cat "$WORK/$v-7.html")" '<dt>waiting</dt><dd>[0-9]+ to 12 minutes</dd>'
	expect_eq "$v one dump: no sparkline for one snapshot" "$(grep -c '<svg' "$WORK/$v-7.html")" 0
done

# ---- hostile text ---------------------------------------------------------------------
for f in escapes.debug2.txt escapes.debug1.txt; do
	pf "$WORK/$f.html" goroutines --no-source --format html "$fx/hostile/$f"
	pf "$WORK/$f.json" goroutines --no-source --format json "$fx/hostile/$f"
	expect_true "$f: valid by the strict checker" python3 "$check" "$WORK/$f.html"
	expect_true "$f: no raw ESC byte" no_esc "$WORK/$f.html"
	expect_match "$f: the title sequence shown escaped" "$(cat "$WORK/$f.html")" '\\e\]0;pwned\\x07'
	expect_eq "$f: one <details> per group" "$(grep -c '^<details' "$WORK/$f.html")" "$(jq '.groups | length' "$WORK/$f.json")"
done

# A dump whose names and paths carry HTML: < > & " ' in function names,
# a path with a script tag, a state with a noncharacter, a creator with
# bytes that are not UTF-8.
{
	printf 'goroutine 1 [chan receive\xef\xbf\xbe, 9 minutes]:\n'
	printf 'main.(*T[<b>&amp;"x'"'"']).run(0x1)\n\t/src/<script>alert(1)</script>&a"b.go:7 +0x1\n'
	printf 'created by main.start\xff\xfe in goroutine 2\n\t/src/main.go:3 +0x1\n\n'
	for i in $(seq 2 12); do
		printf 'goroutine %d [chan receive\xef\xbf\xbe, 9 minutes]:\n' "$((i + 10))"
		printf 'main.(*T[<b>&amp;"x'"'"']).run(0x1)\n\t/src/<script>alert(1)</script>&a"b.go:7 +0x1\n'
		printf 'created by main.start\xff\xfe in goroutine 2\n\t/src/main.go:3 +0x1\n\n'
	done
	printf 'goroutine 2 [select]:\nmain.main()\n\t/src/main.go:10 +0x1\n'
} >"$WORK/html-names.txt"
pf "$WORK/names.html" goroutines --no-source --format html "$WORK/html-names.txt"
expect_rc "HTML in names: exit 1 (twelve blocked 9 minutes)" 1
pf "$WORK/names.json" goroutines --no-source --format json "$WORK/html-names.txt"
if python3 "$check" "$WORK/names.html" >"$WORK/names.parsed" 2>"$WORK/names.problems"; then
	_ok "HTML in names: valid by the strict checker"
else
	_not_ok "HTML in names: valid by the strict checker" "$(cat "$WORK/names.problems")"
fi
page=$(cat "$WORK/names.html")
expect_no_match "HTML in names: no raw <script> from the dump" "$page" '<script>alert'
expect_match "... shown as text" "$page" '&lt;script&gt;alert\(1\)&lt;/script&gt;&amp;a&quot;b\.go:7'
expect_match "... the function name's < & \" ' escaped" "$page" 'main\.\(\*T\[&lt;b&gt;&amp;amp;&quot;x&#39;\]\)\.run'
expect_eq "... and read back as the dump wrote it" "$(jq -r '.groups[0].frames[0][0]' "$WORK/names.parsed")" \
	"main.(*T[<b>&amp;\"x']).run"
expect_eq "... its file:line too" "$(jq -r '.groups[0].frames[0][1]' "$WORK/names.parsed")" \
	'/src/<script>alert(1)</script>&a"b.go:7'
expect_match "... the noncharacter shown as \\uFFFE" "$page" 'chan receive\\uFFFE'
expect_match "... bytes that are not UTF-8 shown as \\xNN" "$page" 'main\.start\\xff\\xfe'
expect_eq "... exactly one script element, the page's own" "$(grep -o '<script' "$WORK/names.html" | wc -l)" 1

# ---- -o FILE ---------------------------------------------------------------------------
pf "$WORK/o.stdout" goroutines --no-source --format html -o "$WORK/o.html" "$fx/go1.26/debug2.txt"
expect_rc "-o FILE: exit 0" 0
expect_eq "... nothing on stdout" "$(wc -c <"$WORK/o.stdout")" 0
expect_true "... the file is the page" python3 "$check" "$WORK/o.html"
echo previous >"$WORK/keep.html"
printf 'not a dump\n' >"$WORK/garbage.txt"
pf "$WORK/keep.out" goroutines --format html -o "$WORK/keep.html" "$WORK/garbage.txt"
expect_rc "-o FILE on bad input: exit 2" 2
expect_eq "... the previous file is left as it was" "$(cat "$WORK/keep.html")" previous

finish
