#!/usr/bin/env bash
# What the servlet filter costs in the containers users deploy to: the servlet example's WAR in a
# standalone Tomcat 11 and a standalone Jetty 12 (their distributions as downloaded, default
# settings), loaded by wrk. Writes benchmarks/results/<date>-standalone.md.
#
# Usage: benchmarks/standalone.sh [rounds] [seconds per round]   (default: 7 rounds of 5 s)
#
# Each container serves the one WAR, unpacked three ways side by side:
#   /plain     the example without Tollgate (web.xml without its filter)
#   /tollgate  the example as shipped (web.xml, tollgate.properties and its plans), with quotas
#              nobody reaches, so that every request is admitted and gets its five headers
#   /no-headers  as /tollgate with headers.dialects=none: the decision without the headers' cost
#   /tomcat    Tomcat only: the example behind Tomcat's own RateLimitFilter instead (the peer)
# wrk (2 threads, 16 connections, an X-Api-Key header) loads GET /api/assets?pageSize=20 of each:
# two warm-up passes over every variant, then interleaved rounds (each round starts with the next
# variant); each figure is the median over the rounds. Beside requests per second, the server's
# CPU time per request (/proc/<pid>/stat over each wrk run), which other tenants of a shared machine
# do not change. The container is pinned to core 0 and wrk to
# core 1 (taskset), so that what a variant adds per request shows as lost throughput.
#
# Needs: JDK 17+, Maven (downloads both distributions from Maven Central once), wrk, taskset, curl.
set -euo pipefail

rounds="${1:-7}"
seconds="${2:-5}"
warmup_seconds="${WARMUP_SECONDS:-10}"
warmup_passes=2
# The newest Tomcat 11 and the project's Jetty 12, as Maven Central serves their distributions.
tomcat_version=11.0.24
jetty_version="$(sed -n 's:.*<jetty.version>\(.*\)</jetty.version>.*:\1:p' "$(dirname "$0")/../pom.xml")"
api_key=demo-key-1

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
for tool in wrk taskset curl; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install $tool)" >&2; exit 2; }
done
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
stamp="$(date -u +%Y-%m-%d-%H%M)"
out="$here/results/$stamp-standalone.md"
work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building the servlet example's WAR"
mvn -B -q -f "$root/pom.xml" -pl examples/servlet-example -am -DskipTests -DskipPit install
war="$root/examples/servlet-example/target/servlet-example.war"

dist="$here/target/distributions"
mkdir -p "$dist"
fetch() { # groupId:artifactId:version:type -> the file in $dist
  local file="$dist/$(echo "$1" | cut -d: -f2)-$(echo "$1" | cut -d: -f3).$(echo "$1" | cut -d: -f4)"
  if [ ! -f "$file" ]; then
    mvn -B -q dependency:copy -Dartifact="$1" -DoutputDirectory="$dist" >&2
  fi
  echo "$file"
}
tomcat_tgz="$(fetch "org.apache.tomcat:tomcat:$tomcat_version:tar.gz")"
jetty_tgz="$(fetch "org.eclipse.jetty:jetty-home:$jetty_version:tar.gz")"

# The three webapps, unpacked from the one WAR.
apps="$work/apps"
mkdir -p "$apps/plain" "$apps/tollgate" "$apps/no-headers" "$apps/tomcat"
for app in plain tollgate no-headers tomcat; do (cd "$apps/$app" && jar xf "$war"); done
# plain: the filter and its mapping taken out of web.xml.
awk '/<filter>/,/<\/filter>/ { next } /<filter-mapping>/,/<\/filter-mapping>/ { next } { print }' \
  "$apps/tollgate/WEB-INF/web.xml" > "$apps/plain/WEB-INF/web.xml"
# tollgate: the example's configuration, its quotas out of reach (the endpoint rule's too).
sed -i -e 's:^limits=.*:limits=2000000000/1m, 2000000000/24h rolling:' \
  -e 's:^rules\.reports\.limits=.*:rules.reports.limits=1000000000/1m, 500h/1m time:' \
  "$apps/tollgate/WEB-INF/tollgate.properties"
sed -e 's:^headers\.dialects=.*:headers.dialects=none:' "$apps/tollgate/WEB-INF/tollgate.properties" \
  > "$apps/no-headers/WEB-INF/tollgate.properties"
# tomcat: Tomcat's RateLimitFilter in Tollgate's place, its quota out of reach.
sed -e 's:dev\.tollgate\.servlet\.TollgateFilter:org.apache.catalina.filters.RateLimitFilter:' \
  -e 's:<param-name>config</param-name>:<param-name>bucketRequests</param-name>:' \
  -e 's:<param-value>/WEB-INF/tollgate.properties</param-value>:<param-value>100000000</param-value>:' \
  "$apps/tollgate/WEB-INF/web.xml" > "$apps/tomcat/WEB-INF/web.xml"

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=18080
while ! port_free "$port"; do port=$((port + 1)); done

wait_for() { # url: up to 60 s for a 200
  for _ in $(seq 1 120); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Api-Key: $api_key" "$1")" = 200 ]; then return 0; fi
    sleep 0.5
  done
  echo "no 200 from $1" >&2
  return 1
}

# The server's CPU time so far (user + system, all its threads), in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }

# load <url> <seconds>: prints "<requests/s> <server CPU microseconds per request>"; fails on any
# non-2xx answer. CPU per request is what a variant costs whatever else runs on the machine: other
# tenants' load takes cores from the server (and so requests per second) but not CPU per request.
load() {
  local report rate requests errors before after
  before="$(cpu_ticks)"
  report="$(taskset -c 1 wrk -t2 -c16 -d"$2"s -H "X-Api-Key: $api_key" "$1")"
  after="$(cpu_ticks)"
  rate="$(echo "$report" | awk '/^Requests\/sec:/ { print $2 }')"
  requests="$(echo "$report" | awk '/ requests in / { print $1 }')"
  errors="$(echo "$report" | awk '/Non-2xx or 3xx responses:/ { print $5 }')"
  if [ -n "$errors" ] || [ -z "$rate" ] || [ -z "$requests" ]; then
    echo "$report" >&2; echo "wrk: errors on $1" >&2; return 1
  fi
  echo "$rate $(awk -v t=$((after - before)) -v n="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t * 1e6 / hz / n }')"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

raw="$work/raw.txt"
table="$work/table.md"
: > "$raw"
: > "$table"

# Column <n> (5: requests/s, 6: CPU us per request) of container <c>'s rounds of variant <v>.
column() { awk -v c="$1" -v v="$2" -v n="$3" '$1 == c && $2 == "round" && $4 == v { print $n }' "$raw"; }

# measure <container, no spaces> <variant>...: warm-up passes, then interleaved rounds; appends to
# the table.
measure() {
  local container="$1"; shift
  local variants=("$@") n=$# pass round i v result base_rate base_cpu rate cpu
  for v in "${variants[@]}"; do
    wait_for "http://127.0.0.1:$port/$v/api/assets?pageSize=20"
    curl -s -D "$work/headers" -o /dev/null -H "X-Api-Key: $api_key" "http://127.0.0.1:$port/$v/api/assets?pageSize=20"
    echo "# $container /$v: $(grep -ciE '^(x-)?rate-?limit' "$work/headers") rate-limit headers, $(grep -iE '^(x-)?rate-?limit' "$work/headers" | wc -c) bytes of them; the response's headers $(wc -c < "$work/headers") bytes" | tee -a "$raw"
  done
  for pass in $(seq 1 "$warmup_passes"); do
    for v in "${variants[@]}"; do
      result="$(load "http://127.0.0.1:$port/$v/api/assets?pageSize=20" "$warmup_seconds")"
      echo "$container warm-up $pass $v $result" | tee -a "$raw"
    done
  done
  for round in $(seq 1 "$rounds"); do
    for i in $(seq 0 $((n - 1))); do
      v="${variants[$(((i + round - 1) % n))]}"
      result="$(load "http://127.0.0.1:$port/$v/api/assets?pageSize=20" "$seconds")"
      echo "$container round $round $v $result" | tee -a "$raw"
    done
  done
  base_rate="$(column "$container" plain 5 | median)"
  base_cpu="$(column "$container" plain 6 | median)"
  for v in "${variants[@]}"; do
    rate="$(column "$container" "$v" 5 | median)"
    cpu="$(column "$container" "$v" 6 | median)"
    awk -v c="$container" -v v="$v" -v r="$rate" -v br="$base_rate" -v u="$cpu" -v bu="$base_cpu" \
      -v rl="$(column "$container" "$v" 5 | awk '{ printf "%s%.0f", sep, $1; sep = ", " }')" \
      -v ul="$(column "$container" "$v" 6 | awk '{ printf "%s%.1f", sep, $1; sep = ", " }')" 'BEGIN {
      name = v == "plain" ? "the example without Tollgate" : v == "tollgate" ? "with `TollgateFilter`" : v == "no-headers" ? "with `TollgateFilter`, `headers.dialects=none`" : "with Tomcat'"'"'s `RateLimitFilter`"
      lost = v == "plain" ? "-" : sprintf("%.1f%%", (1 - r / br) * 100)
      cost = v == "plain" ? "-" : sprintf("%+.1f%%", (u / bu - 1) * 100)
      sub("-", " ", c)
      printf "| %s | %s | %.0f | %s | %.1f | %s | %s | %s |\n", c, name, r, lost, u, cost, rl, ul }' >> "$table"
  done
}

stop_server() {
  kill "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

echo "== Tomcat $tomcat_version"
tar xzf "$tomcat_tgz" -C "$work"
catalina="$work/apache-tomcat-$tomcat_version"
rm -rf "$catalina/webapps/"*
cp -r "$apps/plain" "$apps/tollgate" "$apps/no-headers" "$apps/tomcat" "$catalina/webapps/"
sed -i "s:port=\"8080\":port=\"$port\":; s:port=\"8005\":port=\"-1\":" "$catalina/conf/server.xml"
CATALINA_HOME="$catalina" CATALINA_BASE="$catalina" taskset -c 0 "$catalina/bin/catalina.sh" run \
  > "$work/tomcat.log" 2>&1 &
server_pid=$!
measure "Tomcat-$tomcat_version" plain tollgate no-headers tomcat
stop_server

echo "== Jetty $jetty_version"
tar xzf "$jetty_tgz" -C "$work"
jetty_home="$work/jetty-home-$jetty_version"
jetty_base="$work/jetty-base"
mkdir -p "$jetty_base"
(cd "$jetty_base" && java -jar "$jetty_home/start.jar" --add-modules=http,ee10-deploy > "$work/jetty-setup.log" 2>&1)
cp -r "$apps/plain" "$apps/tollgate" "$apps/no-headers" "$jetty_base/webapps/"
(cd "$jetty_base" && exec taskset -c 0 java -jar "$jetty_home/start.jar" "jetty.http.port=$port") \
  > "$work/jetty.log" 2>&1 &
server_pid=$!
measure "Jetty-$jetty_version" plain tollgate no-headers
stop_server

{
  echo "# The servlet filter in standalone containers, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo '```'
  echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //') ($(nproc) cores available)"
  echo "load:    $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) (1/5/15 min, at the end)"
  echo "jdk:     $(java -version 2>&1 | head -2 | tr '\n' ' ')"
  echo "wrk:     $(wrk --version 2>&1 | head -1 || true)"
  echo "commit:  $commit"
  echo '```'
  echo
  echo "\`benchmarks/standalone.sh $rounds $seconds\`: the servlet example's WAR in the distributions of"
  echo "Tomcat $tomcat_version and Jetty $jetty_version (default settings, Tomcat's access log included), pinned"
  echo "to core 0 (\`taskset\`); wrk pinned to core 1, 2 threads, 16 connections, header \`X-Api-Key\`,"
  echo "\`GET /api/assets?pageSize=20\`. $warmup_passes warm-up passes of $warmup_seconds s over every variant, then"
  echo "$rounds interleaved rounds of $seconds s; each figure is the median over the rounds. Tollgate runs the"
  echo "example's \`tollgate.properties\` (API key else IP, two limits, the reports rule, page sizes, ietf and"
  echo "teos headers, plans) with quotas nobody reaches, so every request is admitted and gets its headers;"
  echo "\`headers.dialects=none\` the same without headers, which separates what the decision costs from what"
  echo "writing and sending the five headers costs (their bytes: the raw output's first lines). Server CPU per"
  echo "request: the container JVM's user and system time over each wrk run (\`/proc/<pid>/stat\`, all its"
  echo "threads) divided by the requests wrk completed. Other tenants of a shared machine take the core away"
  echo "from the server, which lowers requests per second in bursts, but they add no CPU time to it: the CPU"
  echo "column follows the code, the throughput column the code and the neighbours."
  echo
  echo "| container | variant | requests/s (median) | throughput lost | server CPU µs per request (median) | CPU per request against the plain example | requests/s by round | CPU µs by round |"
  echo "|---|---|---:|---:|---:|---:|---|---|"
  cat "$table"
  echo
  echo "## Raw output"
  echo
  echo '```'
  cat "$raw"
  echo '```'
} > "$out"
cat "$out"
echo "== wrote $out"
