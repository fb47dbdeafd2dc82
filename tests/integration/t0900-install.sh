#!/usr/bin/env bash
# cmake --install into a staging root (what `make install DESTDIR=...
# PREFIX=...` runs): the installed binary runs, every command has a man
# page that man(1) renders without a warning, the bash completion is found
# where bash-completion looks and completes, the zsh one registers, and the
# installed example checklist loads.
. "$(dirname "$0")/lib.sh"
need cmake man gzip

stage=$WORK/stage
prefix=/usr/local    # make install's default PREFIX
root=$stage$prefix

DESTDIR=$stage cmake --install "$BUILDDIR" --prefix "$prefix" >"$WORK/install.log" 2>&1 ||
	{ show "$WORK/install.log"; die "cmake --install failed"; }
pf_inst=$root/bin/preflight

# ---- the binary --------------------------------------------------------------
expect_true "the binary is installed in PREFIX/bin, executable" test -x "$pf_inst"
expect_eq "installed --version equals the built one's" "$("$pf_inst" --version)" "$("$PREFLIGHT" --version)"
expect_match "--version is 'preflight VERSION'" "$("$pf_inst" --version)" '^preflight [0-9]+\.[0-9]+\.[0-9]+'
set +e
"$pf_inst" tcp-census >"$WORK/census.out" 2>&1
rc=$?
set -e
expect_eq "installed tcp-census exits 0" "$rc" 0
expect_match "... and counts states" "$(cat "$WORK/census.out")" 'established'

# ---- man pages ---------------------------------------------------------------
mapfile -t cmds < <("$PREFLIGHT" --help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }')
expect_true "--help lists the commands (check among them)" grep -qx check <(printf '%s\n' "${cmds[@]}")
mandir=$root/share/man/man1
want=(preflight.1.gz)
for c in "${cmds[@]}"; do
	want+=("preflight-$c.1.gz")
done
expect_eq "one page per command plus preflight(1), nothing else" \
	"$(cd "$mandir" && ls | sort | tr '\n' ' ')" "$(printf '%s\n' "${want[@]}" | sort | tr '\n' ' ')"
for page in "${want[@]}"; do
	name=${page%.1.gz}
	f=$mandir/$page
	if [ ! -f "$f" ]; then
		_not_ok "$page is installed"
		continue
	fi
	set +e
	MANWIDTH=80 man -l --warnings "$f" >"$WORK/$name.txt" 2>"$WORK/$name.err"
	rc=$?
	set -e
	expect_eq "man -l --warnings $page: exit 0" "$rc" 0
	expect_eq "... no warnings on stderr" "$(cat "$WORK/$name.err")" ""
	# The title is the name in capitals; today's pages spell the dashes
	# after the first as '_' (PREFLIGHT-LIST_CHECKS), so either is taken.
	title=${name^^}
	expect_match "... renders its own title" "$(head -n 1 "$WORK/$name.txt")" "^${title//-/[-_]}\(1\)"
	expect_match "... with a NAME section naming it" "$(sed -n '/^NAME/,/^[A-Z]/p' "$WORK/$name.txt")" "$name +- "
done

# ---- bash completion ---------------------------------------------------------
bcomp=$root/share/bash-completion/completions/preflight
expect_true "bash completion installed in PREFIX/share/bash-completion/completions" test -f "$bcomp"
# complete_words SCRIPT WORDS...: what the completion function of
# `complete -p preflight` offers for the last word (COMPREPLY, one a line).
# SCRIPT loads the completion first.
complete_words() {
	local load=$1
	shift
	bash --norc --noprofile -c '
		eval "$1"
		shift
		spec=$(complete -p preflight) || exit 3
		fn=$(sed -n "s/.* -F \([^ ]*\) .*/\1/p" <<<"$spec")
		[ -n "$fn" ] || exit 4
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		"$fn" preflight "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$load" "$@"
}
expect_match "sourced, it registers a completion for preflight" \
	"$(bash --norc --noprofile -c 'source "$1"; complete -p preflight' _ "$bcomp" 2>&1)" '-F [^ ]+ preflight$'
expect_eq "preflight goro<TAB> completes goroutines" \
	"$(complete_words "source '$bcomp'" preflight goro)" goroutines
expect_eq "preflight check --fo<TAB> completes --format" \
	"$(complete_words "source '$bcomp'" preflight check --fo)" --format
expect_eq "preflight check --format <TAB> offers the formats" \
	"$(complete_words "source '$bcomp'" preflight check --format '' | tr '\n' ' ')" "tty json junit markdown prom "
# The way a user's shell gets it: bash-completion's on-demand loader, which
# searches XDG_DATA_DIRS/bash-completion/completions for the command's name.
if [ -f /usr/share/bash-completion/bash_completion ]; then
	expect_eq "bash-completion's loader finds it under PREFIX/share and completes goro<TAB>" \
		"$(XDG_DATA_DIRS=$root/share complete_words \
			'source /usr/share/bash-completion/bash_completion; _completion_loader preflight' preflight goro)" \
		goroutines
else
	skip_one "bash-completion's loader finds it" "bash-completion is not installed"
fi

# ---- zsh completion ----------------------------------------------------------
zcomp=$root/share/zsh/vendor-completions/_preflight
expect_true "zsh completion installed in PREFIX/share/zsh/vendor-completions" test -f "$zcomp"
if command -v zsh >/dev/null; then
	expect_true "... parses (zsh -n)" zsh -n "$zcomp"
	expect_eq "... compinit registers _preflight for preflight from that directory" \
		"$(zsh -f -c 'fpath=("$1" $fpath); autoload -Uz compinit; compinit -u -d "$2"; print -r -- ${_comps[preflight]}' \
			_ "${zcomp%/*}" "$WORK/zcompdump" 2>&1)" _preflight
else
	skip_one "zsh completion loads" "zsh is not installed"
fi

# ---- examples ----------------------------------------------------------------
ex=$root/share/doc/preflight/examples/checklist.yaml
expect_true "examples installed in PREFIX/share/doc/preflight/examples" test -f "$ex"
set +e
"$pf_inst" check --checklist "$ex" --window 0 --format json >"$WORK/ex.json" 2>"$WORK/ex.err"
rc=$?
set -e
expect_in "the installed binary runs the installed example checklist (exit 0 or 1)" "$rc" 0 1
expect_true "... into a JSON report" json_ok "$WORK/ex.json"

finish
