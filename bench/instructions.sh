#!/usr/bin/env bash
# Steady-state instruction count of the single-thread range scan, for A/B
# comparisons on a noisy shared machine (instructions do not depend on load).
#
#   bench/instructions.sh LOG NAMES [DIST...]
#
# For each DIST (a copy of dist/ made before a change, e.g. bench/out/distA;
# default: dist) it runs dist/bench/range-throughput.js under callgrind once with
# 1 pass and once with 3 passes over LOG and prints (3-pass - 1-pass) / 2: the
# instructions of one warmed-up pass, without start-up and JIT warm-up.
# Needs valgrind. A 10 MB LOG takes about a minute per DIST.
set -euo pipefail
log=${1:?usage: bench/instructions.sh LOG NAMES [DIST...]}
names=${2:?usage: bench/instructions.sh LOG NAMES [DIST...]}
shift 2
[ $# -gt 0 ] || set -- dist
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null node "$1/bench/range-throughput.js" "$log" "$names" "$2" 2>&1 |
    awk '/Collected/ {print $4}'
}
for d in "$@"; do
  one=$(count "$d" 1)
  three=$(count "$d" 3)
  echo "$d: $(( (three - one) / 2 )) instructions per pass over $log"
done
