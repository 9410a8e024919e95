# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# ktap.sh: the KTAP output of make check (tools/check.sh) and make cross
# (tools/cross.sh). Source it, then:
#
#   ktap_begin FILE      items are numbered from 1 and also written to FILE
#   emit ok|not-ok NAME [DIRECTIVE]   one item ("# SKIP why" as DIRECTIVE)
#   diag TEXT...         a diagnostic line
#   show_tail FILE [N]   the last N (20) lines of a log, as diagnostics
#   ktap_end             the time taken and the closing line "<n> passed,
#                        <n> failed, <n> skipped" of every item in FILE;
#                        fails if one failed

ktap_begin() {			# FILE
	tap=$1
	: >"$tap"
	n=0
	t_start=$SECONDS
}

emit() {			# ok|not-ok NAME [DIRECTIVE]
	local st=$1 line
	[[ $st == not-ok ]] && st="not ok"
	n=$((n + 1))
	line="$st $n $2${3:+ # $3}"
	echo "$line"
	echo "$line" >>"$tap"
}

diag() { echo "# $*"; }

show_tail() {			# FILE [LINES]: the end of a log, as diagnostics
	[[ -f $1 ]] && tail -n "${2:-20}" "$1" | sed 's/^/#   /'
}

ktap_end() {
	local pass skip fail
	pass=$(grep -c '^ok ' "$tap" | tr -d ' ')
	skip=$(grep -c '^ok .* # SKIP' "$tap" | tr -d ' ')
	fail=$(grep -c '^not ok ' "$tap" | tr -d ' ')
	diag "total time $((SECONDS - t_start))s; KTAP: $tap"
	echo "$((pass - skip)) passed, $fail failed, $skip skipped"
	((fail == 0))
}
