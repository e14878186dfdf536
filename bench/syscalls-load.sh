#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/syscalls-load.sh - system calls per proxied call at load, ours
# against Kamailio, counted by perf on the server's processes only
# (tracepoint raw_syscalls:sys_enter, all threads and children), while
# sipp runs the call load of run.sh for 10 s at each RATE.
#
#   bench/syscalls-load.sh [RATE...]       (default: 500 2000 4000)
#
# run.sh counts them with strace -c at 25 calls/s, where every message
# arrives alone; strace slows a loaded server too much to say what
# batching does at load, perf does not. The timer work after the calls
# (transactions freed 32 s later) is not counted. Same pinning as run.sh;
# needs the release build (run.sh builds build-bench/), kamailio, sipp,
# perf with tracepoints (perf_event_paranoid <= 2 as root). Logs in a
# temporary directory, printed at the end.
set -u -o pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OURS="$BENCH/../build-bench/examples/proxy/sipservlet-proxy"
RATES=("$@")
[[ $# -eq 0 ]] && RATES=(500 2000 4000)
LOG=$(mktemp -d /tmp/sipservlet-syscalls.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; echo "logs: $LOG" >&2' EXIT

for tool in perf sipp kamailio taskset python3; do
  command -v "$tool" >/dev/null || { echo "syscalls-load.sh: $tool is missing" >&2; exit 1; }
done
[[ -x $OURS ]] || { echo "syscalls-load.sh: build $OURS first (bench/run.sh does)" >&2; exit 1; }

# A free UDP port on loopback (the kernel's choice, then released).
port() {
  python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

run() {
  local who=$1 rate=$2 n=$(($2 * 10)) sport uasport uacport server pids uas perf count ok
  local tag="$LOG/$who-$rate"
  sport=$(port); uasport=$(port); uacport=$(port)
  if [[ $who == ours ]]; then
    taskset -c 1 "$OURS" --listen "127.0.0.1:$sport" --foreign allow --record-route on \
      >"$tag.server.log" 2>&1 &
    server=$!; PIDS+=("$server"); sleep 1
    pids=$server
  else
    mkdir -p "$tag.kamailio-wd"
    taskset -c 1 kamailio -f "$BENCH/kamailio-proxy.cfg" -D -E -x tlsf -X tlsf -m 4096 -M 64 \
      -w "$tag.kamailio-wd" -l "udp:127.0.0.1:$sport" >"$tag.server.log" 2>&1 &
    server=$!; PIDS+=("$server"); sleep 2
    # Kamailio's workers are the children of its main process.
    pids=$(echo "$server" $(pgrep -P "$server") | tr ' ' ,)
  fi
  timeout 60 taskset -c 0 sipp -sf "$BENCH/uas.xml" -p "$uasport" -i 127.0.0.1 -bind_local \
    -nostdin -buff_size 4194304 >"$tag.uas.out" 2>&1 &
  uas=$!; PIDS+=("$uas"); sleep 0.5
  perf stat -e raw_syscalls:sys_enter -p "$pids" -o "$tag.perf.txt" &
  perf=$!; PIDS+=("$perf"); sleep 0.2
  timeout 60 taskset -c 0 sipp -sf "$BENCH/uac.xml" -p "$uacport" -i 127.0.0.1 -bind_local \
    -nostdin -buff_size 4194304 -key uas_port "$uasport" -r "$rate" -m "$n" -l $((rate * 2)) \
    -trace_stat -stf "$tag.uac.csv" "127.0.0.1:$sport" >"$tag.uac.out" 2>&1
  sleep 1
  kill -INT "$perf"; wait "$perf"
  kill "$uas" "$server" 2>/dev/null; wait "$uas" "$server" 2>/dev/null
  count=$(awk '/raw_syscalls:sys_enter/ {gsub(",", "", $1); print $1}' "$tag.perf.txt")
  ok=$(tail -n 1 "$tag.uac.csv" | awk -F';' '{print $16}')    # SuccessfulCall(C)
  awk -v who="$who" -v rate="$rate" -v n="$n" -v c="${count:-0}" -v ok="${ok:-0}" \
    'BEGIN { printf "%-4s %5d calls/s x %6d: %7d ok, %8d system calls, %.2f per call\n",
             who, rate, n, ok, c, c / n }'
}

for rate in "${RATES[@]}"; do
  run ours "$rate"
  run kam "$rate"
done
