#!/usr/bin/env bash
# What the servlet filter and the JAX-RS provider cost in the containers users deploy to: the
# servlet and Jersey examples' WARs in a standalone Tomcat 11 and a standalone Jetty 12 (their
# distributions as downloaded, default settings), loaded by wrk. Writes
# benchmarks/results/<date>-standalone.md.
#
# Usage: benchmarks/standalone.sh [rounds] [seconds per round]   (default: 7 rounds of 5 s)
#   env JVMS=n: n sets of fresh containers per group, one after another, rounds pooled (default 1)
#   env WARMUP_SECONDS=s: seconds per warm-up pass (default 10)
#
# The servlet example's WAR, unpacked several ways, each in a container of its own (one JVM per
# variant, all pinned to the same core, the idle ones costing nothing once compiled): variants that shared one
# container moved one another's cost by up to 8 points, through the compiled code they shared.
#   /plain     the example without Tollgate (web.xml without its filter)
#   /tollgate  the example as shipped (web.xml, tollgate.properties and its plans), with quotas
#              nobody reaches, so that every request is admitted and gets its five headers
#   /no-headers  as /tollgate with headers.dialects=none: the decision without the headers' cost
#   /headers-only  not Tollgate: the example behind ConstantHeadersFilter (this module's), which
#              sets five headers of the same names and lengths as constants: what the container
#              pays to write and send those bytes, apart from what Tollgate does to produce them
#   /tomcat    Tomcat only: the example behind Tomcat's own RateLimitFilter instead (the peer)
# and the Jersey example's WAR three ways, measured as a second group:
#   /jersey-plain       its resources without TollgateFeature (Jersey's provider.classnames)
#   /jersey             the example as shipped, quotas out of reach as above
#   /jersey-no-headers  as /jersey with headers.dialects=none
# wrk (2 threads, 16 connections, an X-Api-Key header) loads GET /api/assets?pageSize=20 of each:
# warm-up passes over every variant (until a pass's total is within 5% of the best pass before
# it), then interleaved rounds (each round starts with the next variant). Each variant's cost is
# taken against the example without Tollgate in the same round (at most about 20 s apart) and the
# median over the rounds reported: this host's speed shifts by half for minutes at a time, which a
# ratio of medians would charge to a variant. Two costs: requests per second lost, and the
# server's CPU time per request (/proc/<pid>/stat over each wrk run). The container is pinned to
# core 0 and wrk to core 1 (taskset), so that what a variant adds per request shows.
#
# Needs: JDK 17+, Maven (downloads both distributions from Maven Central once), wrk, taskset, curl.
set -euo pipefail

rounds="${1:-7}"
seconds="${2:-5}"
warmup_seconds="${WARMUP_SECONDS:-10}"
# At least this many warm-up passes over a group's variants, more (up to max_warmup_passes) until a
# pass's total throughput is within 5% of the best pass before it: Jersey's path takes its JIT far
# longer on one core than a servlet's, and a host that slows down must not end the warm-up.
warmup_passes=2
# Jersey's groups at least this many: at 00:59 on 2026-12-05 Tomcat's Jersey containers passed the
# 5% rule at their fourth pass while still at a third of their warm speed (the JIT of three JVMs
# on one core can pause for passes at a time, which no rule on totals tells from being done).
jersey_warmup_passes=6
max_warmup_passes=8
# Sets of JVMs per group, one after another: each container's own compilation moves a variant's
# cost by several points from one JVM to the next (Jetty's JAX-RS provider +15.4% at 00:59 and +3.4%
# at 02:50 on 2026-12-05, for code that differed by ~50 ns a request), which more rounds in the same
# JVMs cannot average out. The rounds of every set are pooled.
jvms="${JVMS:-1}"
# The newest Tomcat 11 and the project's Jetty 12, as Maven Central serves their distributions.
tomcat_version=11.0.24
jetty_version="$(sed -n 's:.*<jetty.version>\(.*\)</jetty.version>.*:\1:p' "$(dirname "$0")/../pom.xml")"
api_key=demo-key-1

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
. "$here/machine.sh"
for tool in wrk taskset curl; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (apt-get install $tool)" >&2; exit 2; }
done
commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet 2>/dev/null || echo ' (with uncommitted changes)')"
stamp="$(date -u +%Y-%m-%d-%H%M)"
started="$(date -u +%H:%M)"
out="$here/results/$stamp-standalone.md"
work="$(mktemp -d)"
# The running containers: variant -> process id (the JVM), and variant -> port.
declare -A pid_of port_of
stop_containers() {
  local v
  for v in "${!pid_of[@]}"; do kill "${pid_of[$v]}" 2>/dev/null || true; done
  for v in "${!pid_of[@]}"; do wait "${pid_of[$v]}" 2>/dev/null || true; done
  pid_of=()
  port_of=()
}
cleanup() {
  stop_containers
  rm -rf "$work"
}
trap cleanup EXIT

echo "== building the examples' WARs"
mvn -B -q -f "$root/pom.xml" -pl examples/servlet-example,examples/jersey-example -am -DskipTests -DskipPit install
war="$root/examples/servlet-example/target/servlet-example.war"
jersey_war="$root/examples/jersey-example/target/jersey-example.war"

dist="$here/target/distributions"
mkdir -p "$dist"
fetch() { # groupId:artifactId:version:type -> the file in $dist
  local file="$dist/$(echo "$1" | cut -d: -f2)-$(echo "$1" | cut -d: -f3).$(echo "$1" | cut -d: -f4)"
  if [ ! -f "$file" ]; then
    # From $dist: run from the project, the plugin would run once per module.
    (cd "$dist" && mvn -B -q dependency:copy -Dartifact="$1" -DoutputDirectory="$dist" >&2)
  fi
  echo "$file"
}
tomcat_tgz="$(fetch "org.apache.tomcat:tomcat:$tomcat_version:tar.gz")"
jetty_tgz="$(fetch "org.eclipse.jetty:jetty-home:$jetty_version:tar.gz")"

# The servlet example's webapps.
apps="$work/apps"
mkdir -p "$apps/plain" "$apps/tollgate" "$apps/no-headers" "$apps/headers-only" "$apps/tomcat"
for app in plain tollgate no-headers headers-only tomcat; do (cd "$apps/$app" && jar xf "$war"); done
# plain: the filter and its mapping taken out of web.xml.
awk '/<filter>/,/<\/filter>/ { next } /<filter-mapping>/,/<\/filter-mapping>/ { next } { print }' \
  "$apps/tollgate/WEB-INF/web.xml" > "$apps/plain/WEB-INF/web.xml"
# Each edit must have found its line: a changed example would otherwise be measured unchanged.
expect() { grep -q "$1" "$2" || { echo "$2: no line $1 (has the example changed?)" >&2; exit 1; }; }
# out_of_reach <tollgate.properties>: the example's quotas (an endpoint rule's too) raised so far
# that every request is admitted.
out_of_reach() {
  sed -i -e 's:^limits=.*:limits=2000000000/1m, 2000000000/24h rolling:' \
    -e 's:^rules\.reports\.limits=.*:rules.reports.limits=1000000000/1m, 500h/1m time:' "$1"
  expect '^limits=2000000000/1m' "$1"
}
# without_headers <tollgate.properties> <copy>: the same configuration with headers.dialects=none.
without_headers() {
  sed -e 's:^headers\.dialects=.*:headers.dialects=none:' "$1" > "$2"
  expect '^headers.dialects=none' "$2"
}
# tollgate: the example's configuration, its quotas out of reach.
out_of_reach "$apps/tollgate/WEB-INF/tollgate.properties"
expect '^rules.reports.limits=1000000000/1m' "$apps/tollgate/WEB-INF/tollgate.properties"
without_headers "$apps/tollgate/WEB-INF/tollgate.properties" "$apps/no-headers/WEB-INF/tollgate.properties"
# tomcat: Tomcat's RateLimitFilter in Tollgate's place, its quota out of reach.
sed -e 's:dev\.tollgate\.servlet\.TollgateFilter:org.apache.catalina.filters.RateLimitFilter:' \
  -e 's:<param-name>config</param-name>:<param-name>bucketRequests</param-name>:' \
  -e 's:<param-value>/WEB-INF/tollgate.properties</param-value>:<param-value>100000000</param-value>:' \
  "$apps/tollgate/WEB-INF/web.xml" > "$apps/tomcat/WEB-INF/web.xml"
expect '<param-value>100000000</param-value>' "$apps/tomcat/WEB-INF/web.xml"

# The Jersey example's webapps.
mkdir -p "$apps/jersey-plain" "$apps/jersey" "$apps/jersey-no-headers"
for app in jersey-plain jersey jersey-no-headers; do (cd "$apps/$app" && jar xf "$jersey_war"); done
jersey_config=WEB-INF/classes/tollgate.properties
out_of_reach "$apps/jersey/$jersey_config"
without_headers "$apps/jersey/$jersey_config" "$apps/jersey-no-headers/$jersey_config"
sed -e 's:<param-name>jakarta\.ws\.rs\.Application</param-name>:<param-name>jersey.config.server.provider.classnames</param-name>:' \
  -e 's:<param-value>dev\.tollgate\.example\.jersey\.ExampleApplication</param-value>:<param-value>dev.tollgate.example.jersey.AssetsResource,dev.tollgate.example.jersey.ReportsResource</param-value>:' \
  "$apps/jersey/WEB-INF/web.xml" > "$apps/jersey-plain/WEB-INF/web.xml"
expect provider.classnames "$apps/jersey-plain/WEB-INF/web.xml"

# headers-only: the constant headers' filter in Tollgate's place, compiled against Tomcat's Servlet API.
tar xzf "$tomcat_tgz" -C "$work"
catalina="$work/apache-tomcat-$tomcat_version"
sed -e 's:dev\.tollgate\.servlet\.TollgateFilter:dev.tollgate.benchmarks.ConstantHeadersFilter:' \
  "$apps/tollgate/WEB-INF/web.xml" > "$apps/headers-only/WEB-INF/web.xml"
expect ConstantHeadersFilter "$apps/headers-only/WEB-INF/web.xml"
javac --release 17 -d "$apps/headers-only/WEB-INF/classes" -cp "$catalina/lib/servlet-api.jar" \
  "$here/src/main/java/dev/tollgate/benchmarks/ConstantHeadersFilter.java"

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
next_port=18080
free_port() { # sets port (the caller's local) to the next free port from next_port on
  while ! port_free "$next_port"; do next_port=$((next_port + 1)); done
  port="$next_port"
  next_port=$((next_port + 1))
}

wait_for() { # url: up to 120 s for a 200 (several containers start at once on one core)
  for _ in $(seq 1 240); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Api-Key: $api_key" "$1")" = 200 ]; then return 0; fi
    sleep 0.5
  done
  echo "no 200 from $1" >&2
  return 1
}

# The CPU time of process <pid> so far (user + system, all its threads), in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# load <url> <seconds> <server pid>: prints "<requests/s> <server CPU microseconds per request>"; fails on any
# non-2xx answer, notes socket errors in the raw output. Other tenants lower requests per second
# more than CPU per request, but a host running slower raises both: hence the pairing by round.
load() {
  local report rate requests errors before after
  before="$(cpu_ticks "$3")"
  report="$(taskset -c 1 wrk -t2 -c16 -d"$2"s -H "X-Api-Key: $api_key" "$1")"
  after="$(cpu_ticks "$3")"
  rate="$(echo "$report" | awk '/^Requests\/sec:/ { print $2 }')"
  requests="$(echo "$report" | awk '/ requests in / { print $1 }')"
  errors="$(echo "$report" | awk '/Non-2xx or 3xx responses:/ { print $5 }')"
  if echo "$report" | grep -q 'Socket errors:'; then
    echo "# $1: wrk $(echo "$report" | grep 'Socket errors:' | sed 's/^ *//')" >> "$raw"
  fi
  if [ -n "$errors" ] || [ -z "$rate" ] || [ -z "$requests" ]; then
    echo "$report" >&2; echo "wrk: errors on $1" >&2; return 1
  fi
  echo "$rate $(awk -v t=$((after - before)) -v n="$requests" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t * 1e6 / hz / n }')"
}

raw="$work/raw.txt"
table="$work/table.md"
: > "$raw"
: > "$table"

url() { echo "http://127.0.0.1:${port_of[$1]}/$1/api/assets?pageSize=20"; }

# measure <container, no spaces> <first round> <variant>...: the variants' containers are running;
# warm-up passes, then interleaved rounds numbered from <first round>.
measure() {
  local container="$1" first="$2"; shift 2
  local variants=("$@") n=$# pass round i v result
  for v in "${variants[@]}"; do
    wait_for "$(url "$v")"
  done
  for v in "${variants[@]}"; do
    curl -s -D "$work/headers" -o /dev/null -H "X-Api-Key: $api_key" "$(url "$v")"
    echo "# $container /$v: $(grep -ciE '^(x-)?rate-?limit' "$work/headers") rate-limit headers, $(grep -iE '^(x-)?rate-?limit' "$work/headers" | wc -c) bytes of them; the response's headers $(wc -c < "$work/headers") bytes" | tee -a "$raw"
  done
  local total best=0 min_passes="$warmup_passes"
  if [[ "${variants[0]}" == jersey* ]]; then
    min_passes="$jersey_warmup_passes"
  fi
  for pass in $(seq 1 "$max_warmup_passes"); do
    total=0
    for v in "${variants[@]}"; do
      result="$(load "$(url "$v")" "$warmup_seconds" "${pid_of[$v]}")"
      echo "$container warm-up $pass $v $result" | tee -a "$raw"
      total="$(awk -v t="$total" -v r="${result%% *}" 'BEGIN { print t + r }')"
    done
    # Warm once a pass is within 5% of the best before it: neither still climbing nor slowed down.
    if [ "$pass" -ge "$min_passes" ] \
      && awk -v t="$total" -v b="$best" 'BEGIN { exit !(t >= b * 0.95 && t <= b * 1.05) }'; then
      break
    fi
    if [ "$pass" -eq "$max_warmup_passes" ]; then
      echo "# $container: warm-up stopped at its limit of $max_warmup_passes passes, not settled" | tee -a "$raw"
    fi
    best="$(awk -v t="$total" -v b="$best" 'BEGIN { print (t > b) ? t : b }')"
  done
  for round in $(seq "$first" $((first + rounds - 1))); do
    for i in $(seq 0 $((n - 1))); do
      v="${variants[$(((i + round - 1) % n))]}"
      result="$(load "$(url "$v")" "$seconds" "${pid_of[$v]}")"
      echo "$container round $round $v $result" | tee -a "$raw"
    done
  done
}

# report <container, no spaces> <variant>...: appends the group's rows to the table. The first
# variant is the group's base (the example without Tollgate); costs against it are paired by round,
# and the medians are taken over every round of every set of JVMs.
report() {
  local container="$1"; shift
  local variants=("$@") v
  for v in "${variants[@]}"; do
    awk -v c="$container" -v base="${variants[0]}" -v v="$v" '
      $1 == c && $2 == "round" && $4 == base { br[$3] = $5; bu[$3] = $6 }
      $1 == c && $2 == "round" && $4 == v { r[$3] = $5; u[$3] = $6; n++ }
      function median(a, k,   i, j, t) { # sorts a[1..k]
        for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
        return (k % 2) ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
      }
      END {
        for (i = 1; i <= n; i++) { rates[i] = r[i]; cpus[i] = u[i]; lost[i] = 1 - r[i] / br[i]; cost[i] = u[i] / bu[i] - 1
          rl = rl sep sprintf("%.0f", r[i]); ul = ul sep sprintf("%.1f", u[i]); sep = ", " }
        names["plain"] = "servlet example without Tollgate"
        names["tollgate"] = "servlet example with `TollgateFilter`"
        names["no-headers"] = "servlet example with `TollgateFilter`, `headers.dialects=none`"
        names["headers-only"] = "servlet example with five constant headers of the same size, no limiter"
        names["tomcat"] = "servlet example with Tomcat'"'"'s `RateLimitFilter`"
        names["jersey-plain"] = "Jersey example without Tollgate"
        names["jersey"] = "Jersey example with `TollgateFeature`"
        names["jersey-no-headers"] = "Jersey example with `TollgateFeature`, `headers.dialects=none`"
        sub("-", " ", c)
        printf "| %s | %s | %.0f | %s | %.1f | %s | %s | %s |\n", c, names[v], median(rates, n),
          v == base ? "-" : sprintf("%.1f%%", 100 * median(lost, n)), median(cpus, n),
          v == base ? "-" : sprintf("%+.1f%%", 100 * median(cost, n)), rl, ul
      }' "$raw" >> "$table"
  done
}

# start_tomcat <variant>: a Tomcat of its own (a CATALINA_BASE per variant) serving that webapp.
start_tomcat() {
  local base="$work/tomcat-$1" port
  free_port
  mkdir -p "$base/logs" "$base/temp" "$base/webapps" "$base/work"
  cp -r "$catalina/conf" "$base/"
  cp -r "$apps/$1" "$base/webapps/"
  sed -i "s:port=\"8080\":port=\"$port\" address=\"127.0.0.1\":; s:port=\"8005\":port=\"-1\":" "$base/conf/server.xml"
  CATALINA_HOME="$catalina" CATALINA_BASE="$base" taskset -c 0 "$catalina/bin/catalina.sh" run \
    > "$base/logs/console.log" 2>&1 &
  pid_of[$1]=$!
  port_of[$1]=$port
}

# start_jetty <variant>: a Jetty of its own (a jetty.base per variant) serving that webapp.
start_jetty() {
  local base="$work/jetty-$1" port
  free_port
  cp -r "$work/jetty-base" "$base"
  cp -r "$apps/$1" "$base/webapps/"
  (cd "$base" && exec taskset -c 0 java -jar "$jetty_home/start.jar" "jetty.http.port=$port" \
    jetty.http.host=127.0.0.1) > "$base/console.log" 2>&1 &
  pid_of[$1]=$!
  port_of[$1]=$port
}

# group <container> <start function> <variant>...: starts a container per variant, measures, stops;
# as many times as there are sets of JVMs; then reports.
group() {
  local container="$1" start="$2" v set
  shift 2
  for set in $(seq 1 "$jvms"); do
    for v in "$@"; do "$start" "$v"; done
    measure "$container" $(((set - 1) * rounds + 1)) "$@"
    stop_containers
  done
  report "$container" "$@"
}

echo "== Tomcat $tomcat_version"
group "Tomcat-$tomcat_version" start_tomcat plain tollgate no-headers headers-only tomcat
group "Tomcat-$tomcat_version" start_tomcat jersey-plain jersey jersey-no-headers

echo "== Jetty $jetty_version"
tar xzf "$jetty_tgz" -C "$work"
jetty_home="$work/jetty-home-$jetty_version"
mkdir -p "$work/jetty-base"
(cd "$work/jetty-base" && java -jar "$jetty_home/start.jar" --add-modules=http,ee10-deploy > "$work/jetty-setup.log" 2>&1)
group "Jetty-$jetty_version" start_jetty plain tollgate no-headers headers-only
group "Jetty-$jetty_version" start_jetty jersey-plain jersey jersey-no-headers

{
  echo "# The servlet filter and the JAX-RS provider in standalone containers, $(date -u '+%Y-%m-%d'), started $started, finished $(date -u '+%H:%M UTC')"
  echo
  echo '```'
  machine_lines
  echo "wrk:     $(wrk --version 2>&1 | head -1 || true)"
  echo "commit:  $commit"
  echo '```'
  echo
  echo "\`benchmarks/standalone.sh $rounds $seconds\`: the servlet and Jersey examples' WARs in the distributions of"
  echo "Tomcat $tomcat_version and Jetty $jetty_version (default settings, Tomcat's access log included), one"
  echo "container per variant, all pinned to core 0 (\`taskset\`); wrk pinned to core 1, 2 threads, 16 connections, header \`X-Api-Key\`,"
  echo "\`GET /api/assets?pageSize=20\`. Warm-up passes of $warmup_seconds s over every variant of a group ($warmup_passes at least, $jersey_warmup_passes for Jersey's, more until a"
  echo "pass's total throughput is within 5% of the best pass before it, at most $max_warmup_passes), then"
  echo "$rounds interleaved rounds of $seconds s, in each of $jvms set(s) of fresh containers (warmed up anew; the rounds of all sets pooled). A variant's costs are taken against the example without Tollgate"
  echo "in the same round (at most about 20 s apart), and the median over the rounds is given: this"
  echo "host's speed shifts by as much as half for minutes at a time, which medians of raw figures would"
  echo "mistake for a variant's cost. A round's pair still varies by about 5 points either way (see the"
  echo "rounds): read the medians at that resolution. Tollgate runs the"
  echo "example's \`tollgate.properties\` (API key else IP, two limits, the reports rule, page sizes, ietf and"
  echo "teos headers, plans) with quotas nobody reaches, so every request is admitted and gets its headers;"
  echo "\`headers.dialects=none\` the same without headers, which separates what the decision costs from what"
  echo "writing and sending the five headers costs (their bytes: the raw output's first lines). Server CPU per"
  echo "request: the container JVM's user and system time over each wrk run (\`/proc/<pid>/stat\`, all its"
  echo "threads) divided by the requests wrk completed. Other tenants of a shared machine take the core away"
  echo "from the server, which lowers requests per second but adds no CPU time to it; a host running slower"
  echo "moves both. \`headers-only\`: not a limiter, the example behind a filter that sets five headers of"
  echo "the same names and lengths as Tollgate's, as constants: what writing and sending those bytes costs"
  echo "the container, apart from what Tollgate does to produce them."
  echo
  echo "| container | variant | requests/s (median) | throughput lost (median of rounds) | server CPU µs per request (median) | server CPU per request, more than without Tollgate (median of rounds) | requests/s by round | CPU µs by round |"
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
