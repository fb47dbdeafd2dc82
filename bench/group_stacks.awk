# group_stacks.awk: groups a goroutine debug=2 dump (or crash log) by
# stack, the way it is done by hand: one record per goroutine (blank-line
# separated), argument values, PC offsets and goroutine ids stripped, then
# counted. Prints "COUNT<TAB>STATE<TAB>TOP FRAME", then "TOTAL<TAB>total";
# sort it (`mawk -f group_stacks.awk dump.txt | sort -rn`) for biggest
# first. The baseline of bench/goroutines.sh; written for speed (whole-
# record gsub, no per-line loop), so the comparison is a fair one.
BEGIN { RS = "" }
/^goroutine [0-9]/ {
	rec = $0
	nl = index(rec, "\n")
	if (nl == 0)
		next
	state = substr(rec, 1, nl - 1)
	rec = substr(rec, nl + 1)
	sub(/^[^[]*\[/, "", state)
	sub(/(, [0-9]+ minutes)?(, locked to thread)?\]:$/, "", state)
	gsub(/\([^()\n]*\)\n/, "\n", rec)
	gsub(/ \+0x[0-9a-f]+/, "", rec)
	sub(/ in goroutine [0-9]+/, "", rec)
	if (!(rec in n)) {
		st[rec] = state
		nl = index(rec, "\n")
		top[rec] = substr(rec, 1, nl - 1)
	}
	n[rec]++
	total++
}
END {
	for (k in n)
		printf "%d\t%s\t%s\n", n[k], st[k], top[k]
	printf "%d\ttotal\n", total
}
