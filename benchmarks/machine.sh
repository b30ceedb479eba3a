# Sourced by run.sh and standalone.sh: the lines that describe the machine in a results file.
machine_lines() {
  echo "cpu:     $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2- | sed 's/^ //') ($(nproc) cores available)"
  echo "memory:  $(free -h 2>/dev/null | awk '/^Mem:/ {print $2}') total"
  echo "os:      $(uname -srm)"
  echo "load:    $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) (1/5/15 min, at the end)"
  echo "jdk:     $(java -version 2>&1 | head -2 | tr '\n' ' ')"
}
