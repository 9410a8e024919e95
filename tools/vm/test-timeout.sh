#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test-timeout.sh SELFTESTS_DIR TEST...: print each test's time limit in
# seconds, one per line: a "# timeout=N" line in the test's first 20 lines,
# else timeout=N from SELFTESTS_DIR/settings (kselftest format), else 45;
# ten times that with BOND_SOAK=1 (make soak); times BOND_TIMEOUT_FACTOR
# (make check-debug) too.
dir=$1
shift
def=$(sed -n 's/^timeout=\([0-9]\{1,\}\)$/\1/p' "$dir/settings" 2>/dev/null | tail -n1)
for t; do
	to=$(head -n 20 "$dir/$t" 2>/dev/null | sed -n 's/^# timeout=\([0-9]\{1,\}\)$/\1/p' | head -n1)
	echo $((${to:-${def:-45}} * (${BOND_SOAK:-0} == 1 ? 10 : 1) * ${BOND_TIMEOUT_FACTOR:-1}))
done
