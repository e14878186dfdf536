#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# bench/timeline.sh - CPU of one server, second by second, during and after a
# short call load: shows the work that happens after the calls (transaction
# timers), which a measurement that stops with the load does not see.
#
#   bench/timeline.sh [ours|kam] [RATE] [SECONDS]    (default: ours 1000 10)
#
# Prints one line per second for SECONDS + 40 s: server CPU ticks used in
# that second (100 = one core), minor page faults, RSS. Same pinning as
# run.sh (server on CPU 1, sipp on CPU 0). Logs in a temporary directory.
set -u -o pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
WHO=${1:-ours}
RATE=${2:-1000}
SECS=${3:-10}
WATCH=$((SECS + 40))
LOG=$(mktemp -d /tmp/sipservlet-timeline.XXXXXX)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; echo "logs: $LOG" >&2' EXIT

port() { echo $((30000 + RANDOM % 20000)); }
SPORT=$(port); UASPORT=$((SPORT + 1)); UACPORT=$((SPORT + 2))
case $WHO in
  ours) taskset -c 1 "$BENCH/../build-bench/examples/proxy/sipservlet-proxy" \
          --listen "127.0.0.1:$SPORT" --foreign allow --record-route on >"$LOG/server.log" 2>&1 & ;;
  kam)  taskset -c 1 kamailio -f "$BENCH/kamailio-proxy.cfg" -D -E -x tlsf -X tlsf -m 4096 -M 64 \
          -w "$LOG" -l "udp:127.0.0.1:$SPORT" >"$LOG/server.log" 2>&1 & ;;
  *) echo "usage: $0 [ours|kam] [RATE] [SECONDS]" >&2; exit 2 ;;
esac
SERVER=$!
PIDS+=("$SERVER")
sleep 2
kill -0 "$SERVER" 2>/dev/null || { echo "server did not start:"; cat "$LOG/server.log"; exit 1; }
mapfile -t ALL < <(echo "$SERVER"; ps -o pid= --ppid "$SERVER" | tr -d ' ')

sample() {   # ticks minflt rss_kB summed over the server's processes
  local p t=0 f=0 r=0 stat rest
  local -a a
  for p in "${ALL[@]}"; do
    stat=$(cat "/proc/$p/stat" 2>/dev/null) || continue
    rest=${stat##*) }
    read -r -a a <<<"$rest"
    t=$((t + a[11] + a[12])); f=$((f + a[7]))
    r=$((r + $(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status")))
  done
  echo "$t $f $r"
}

timeout $((WATCH + 20)) taskset -c 0 sipp -sf "$BENCH/uas.xml" -i 127.0.0.1 -p "$UASPORT" -bind_local \
  -buff_size 4194304 -nostdin -timeout "$((WATCH + 10))s" >"$LOG/uas.out" 2>&1 &
PIDS+=("$!")
sleep 0.5
timeout $((WATCH + 20)) taskset -c 0 sipp -sf "$BENCH/uac.xml" -i 127.0.0.1 -p "$UACPORT" -bind_local \
  -buff_size 4194304 -nostdin -key uas_port "$UASPORT" -r "$RATE" -m $((RATE * SECS)) \
  -timeout "$((SECS + 30))s" "127.0.0.1:$SPORT" >"$LOG/uac.out" 2>&1 &
PIDS+=("$!")

echo "$WHO: $RATE calls/s for $SECS s, then idle; per second:"
read -r t0 f0 _ < <(sample)
for ((i = 1; i <= WATCH; i++)); do
  sleep 1
  read -r t1 f1 r1 < <(sample)
  printf 't=%3ds  cpu=%3d ticks  minflt=%6d  rss=%5d MiB%s\n' "$i" $((t1 - t0)) $((f1 - f0)) $((r1 / 1024)) \
    "$( ((i <= SECS)) && echo '  (load)')"
  t0=$t1; f0=$f1
done
