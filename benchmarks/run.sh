#!/usr/bin/env bash
# Runs every Tollgate benchmark and writes
#   benchmarks/results/<date>-<mode>.md   machine, JDK, commands, raw output, summary
#   benchmarks/results/latest-summary.md  the summary table alone
#   benchmarks/README.md, README.md       the same table, between their results markers
#   benchmarks/results/charts/*.svg       charts of decision cost, memory and HTTP throughput
# A run of some parts writes its results file only: the tables and charts stay those of a whole run.
#
# Usage: benchmarks/run.sh [quick|full] [parts]
#   quick (default): about 10 minutes on 2 cores, JMH 1 fork, 2x1s warm-up, 3x1s measurement
#   full:            for publishing (about two hours), JMH 3 forks, 5x2s warm-up, 10x2s
#                    measurement, 1M clients, Redis 5 rounds of 10 s + 10 s
#   parts:           comma-separated subset of decisions,memory,http,redis (default: all)
# Needs: JDK 17+, Maven 3.8+ (network on the first build). Optional: wrk on the PATH for the
# HTTP part (apt-get install wrk); without it a Java client is used.
# The Redis part needs redis-server and redis-benchmark (apt-get install redis-server).
set -euo pipefail

mode="${1:-quick}"
all_parts="decisions,memory,http,redis"
parts="${2:-$all_parts}"
case "$mode" in quick|full) ;; *) echo "usage: $0 [quick|full] [parts]" >&2; exit 2 ;; esac

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
. "$here/machine.sh"
results="$here/results"
mkdir -p "$results"
stamp="$(date -u +%Y-%m-%d-%H%M)"
# Read before this script writes the charts and tables it tracks, which would mark the tree changed.
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
out="$results/$stamp-$mode.md"
raw="$(mktemp)"
summary="$(mktemp)"
trap 'rm -f "$raw" "$summary"' EXIT

build=(mvn -B -q -f "$root/pom.xml" -pl benchmarks -am -DskipTests install)
echo "== ${build[*]}"
"${build[@]}"
classpath="$here/target/classes:$(cat "$here/target/benchmark.classpath")"
suite=(java -Xms512m -Xmx1g -cp "\$CLASSPATH" dev.tollgate.benchmarks.Suite "$mode" "$summary" "$parts")
echo "== ${suite[*]}"
start=$(date +%s)
CLASSPATH="$classpath" java -Xms512m -Xmx1g dev.tollgate.benchmarks.Suite "$mode" "$summary" "$parts" 2>&1 | tee "$raw"
elapsed=$(( $(date +%s) - start ))
whole_run=$([ "$parts" = "$all_parts" ] && echo yes || echo no)
# Charts of the same summary (SVG), shown in the benchmarks README.
if [ "$whole_run" = yes ]; then
  CLASSPATH="$classpath" java dev.tollgate.benchmarks.Charts "$summary" "$results/charts"
fi

{
  echo "# Tollgate benchmarks, $mode mode, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "## Machine"
  echo
  echo '```'
  machine_lines
  echo "maven:   $(mvn -v 2>/dev/null | head -1 | sed 's/\x1b\[[0-9;]*m//g')"
  if command -v wrk >/dev/null; then
    echo "wrk:     $(wrk --version 2>&1 | head -1 || true)"
  else
    echo "wrk:     not installed (Java client used)"
  fi
  echo "commit:  $commit"
  echo "time:    ${elapsed}s"
  echo '```'
  echo
  echo "Numbers from one machine and one run. Compare the contenders within this file (they ran side by"
  echo "side, in the same run, on the same machine), not across machines. On a shared machine other work"
  echo "adds noise: see the load above and the ± columns in the raw output."
  echo
  echo "## Commands"
  echo
  echo '```'
  echo "benchmarks/run.sh $mode $parts"
  echo "${build[*]}"
  echo "${suite[*]}"
  echo '```'
  echo
  cat "$summary"
  echo "## Raw output"
  echo
  echo '```'
  # JMH's progress lines are long; keep everything but the per-iteration chatter of the forks.
  grep -v -E '^(Iteration|# Warmup Iteration|WARNING: )' "$raw" || true
  echo '```'
} > "$out"

if [ "$whole_run" = no ]; then
  echo "== wrote $out (parts $parts only: latest-summary.md, the charts and the READMEs' tables are left as they were)"
  exit 0
fi

{
  echo "Measured by \`benchmarks/run.sh $mode\` on $(date -u '+%Y-%m-%d'), $(nproc) cores"
  echo "($(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //')), $(java -version 2>&1 | head -1)."
  echo "Full details and raw output: [$(basename "$out")]($(basename "$out"))."
  echo
  cat "$summary"
} > "$results/latest-summary.md"

# The benchmarks README and the project's README show the latest summary between their two
# markers, so that neither is a hand-made copy that drifts.
#   $1 the README; $2 what goes before the summary's links to its results file (they are relative
#   to results/); $3 the prefix of the summary's headings there (## or ###)
show_summary() {
  local readme=$1
  # Both markers, or nothing is replaced: without its end, the rest of the README would go.
  if grep -q '<!-- results:begin -->' "$readme" 2>/dev/null &&
    grep -q '<!-- results:end -->' "$readme"; then
    awk -v summary="$results/latest-summary.md" -v links="$2" -v heading="$3" '
      /<!-- results:begin -->/ {
        print
        while ((getline line < summary) > 0) {
          sub(/\]\(20/, "](" links "20", line)
          sub(/^## /, heading " ", line)
          print line
        }
        skip = 1
        next
      }
      /<!-- results:end -->/ { skip = 0 }
      !skip { print }
    ' "$readme" > "$readme.tmp" && mv "$readme.tmp" "$readme"
  fi
}
readme="$here/README.md"
show_summary "$readme" "results/" "##"
show_summary "$here/../README.md" "benchmarks/results/" "###"

echo "== wrote $out, $results/latest-summary.md and the table in $readme and $here/../README.md"
