#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs a sipp call scenario through sipservlet-proxy to sipp user agents
# registered with it.
#
#   run-proxy-scenario.sh [-d DOMAIN] [-u USER] [-a 'UAC SIPP ARGS']
#       [-l LISTEN] [-c CLIENT_IP] [-s UAS_IP] [-D CALLED_DOMAIN] [--http]
#       PROXY_BINARY 'PROXY ARGS' UAC_SCENARIO CALLS RATE [UAS_SPEC ...]
#
# CALLED_DOMAIN is the [domain] of the UAC scenario when it is not the
# DOMAIN registered in (a call to sip:callee@HOST:PORT for a registration
# of sip:callee@HOST). "@PROXY_PORT@" in DOMAIN, CALLED_DOMAIN and the UAC
# SIPP ARGS becomes the proxy's port once it is known.
# LISTEN is the proxy's --listen (default 127.0.0.1:0; 0.0.0.0:0 or [::]:0
# for every address); CLIENT_IP the address the UAC and the REGISTERs use
# and send to (default 127.0.0.1; ::1 for IPv6); UAS_IP the address the
# UAS sipps listen on and register (default CLIENT_IP).
#
# --http: the proxy also gets --http 127.0.0.1:0, and its /metrics,
# scraped once the calls are over, must count at least CALLS INVITEs
# received and CALLS proxy call set-ups (for scenarios whose calls are all
# answered).
#
# UAS_SPEC is SCENARIO[,OPTION...]: a sipp scenario for one user-agent
# server (or "none": a contact is registered, nobody listens there), with
# options:
#   q=Q             register the contact with this q (for sequential q groups)
#   user=NAME       register it for NAME@DOMAIN instead of USER@DOMAIN
#   unregister      register it, then remove it (Expires: 0)
#   noregister      do not register it (a target reached another way, e.g.
#                   a 3xx Contact)
#   pause=MS        the scenario's <pause/> lasts MS milliseconds (sipp -d)
#   path=M          register it with Path: <sip:127.0.0.1:UASMPORT;lr> (and
#                   Supported: path), so that requests for it go through
#                   UAS M first (RFC 3327)
#
# Steps: start PROXY_BINARY --listen 127.0.0.1:0 PROXY ARGS (wrapped by
# $SIPSERVLET_SERVER_WRAPPER when set, e.g. a valgrind command line) and
# wait for its "ready 127.0.0.1:PORT" line; start one sipp per UAS_SPEC on
# its own free port with -m CALLS (each UAS takes part in every call, so it
# must end by itself with every call successful); REGISTER the contact
# <sip:USER@127.0.0.1:UASPORT;uas=N> (N = 1, 2... in UAS_SPEC order) for
# USER@DOMAIN through the proxy (python3, raw UDP); run the UAC sipp
# against the proxy; then require exit status 0 from the UAC and from every
# UAS sipp, and from the proxy after SIGTERM.
#
# The scenarios get these keywords: [domain] (DOMAIN, default example.com),
# [callee] (USER, default callee), [service] (USER for the UAC, the user a
# UAS registered for), [uas] (N, UAS scenarios only) and [uas1_port],
# [uas2_port]... (every scenario), so a UAC can address a UAS directly (a
# foreign-domain request) and a UAS can redirect to another one.
#
# A UAS that never gets all its calls (say the proxy lost or misrouted
# some) is still running 30 s after the UAC ended: it is stopped and the
# test fails. "none" UAS are only registered: nobody answers there.
#
# Under $SIPSERVLET_SERVER_WRAPPER the load shrinks to at most 100 calls at
# 20 calls/s. Set SIPP_PROXY_TRACE=1 to keep sipp message traces
# (-trace_msg) of every sipp in the work directory, then kept; it is also
# kept on failure.
#
# Exit status: 0 pass, 1 fail, 77 skip (sipp or python3 missing), 99 bad usage.
set -u

# tests/support/ports.py: free loopback ports, and whether sipp listens yet.
support=$(cd "$(dirname "$0")/../support" && pwd)
# shellcheck source=tests/sipp/driver-lib.sh
. "$(dirname "$0")/driver-lib.sh"

me=${0##*/}
ready_deadline=60        # seconds to wait for "ready" (valgrind is slow)
stop_deadline=60         # seconds to wait for the proxy to exit on SIGTERM
uas_deadline=30          # seconds a UAS may take to end after the UAC ended
sipp_global_timeout=${SIPP_GLOBAL_TIMEOUT:-120}  # seconds, sipp -timeout (long calls raise it)

die () { printf '%s: FAIL: %s\n' "$me" "$*" >&2; exit 1; }
usage () {
  printf 'usage: %s [-d DOMAIN] [-u USER] [-a "UAC SIPP ARGS"] PROXY_BINARY "PROXY ARGS" UAC_SCENARIO CALLS RATE [UAS_SPEC ...]\n' "$me" >&2
  exit 99
}

domain=example.com
user=callee
uac_args=()
listen=127.0.0.1:0
client_ip=127.0.0.1
uas_ip=
called_domain=
http=0
while getopts d:u:a:l:c:s:D:-: opt; do
  case $opt in
    d) domain=$OPTARG ;;
    u) user=$OPTARG ;;
    a) read -r -a uac_args <<< "$OPTARG" ;;
    l) listen=$OPTARG ;;
    c) client_ip=$OPTARG ;;
    s) uas_ip=$OPTARG ;;
    D) called_domain=$OPTARG ;;
    -) [ "$OPTARG" = http ] || usage; http=1 ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 5 ] || usage
[ -n "$uas_ip" ] || uas_ip=$client_ip
# in_uri IP: the address as a URI host (IPv6 in brackets)
in_uri () { case $1 in *:*) printf '[%s]' "$1" ;; *) printf '%s' "$1" ;; esac; }
client_host=$(in_uri "$client_ip")
uas_host=$(in_uri "$uas_ip")
case $client_ip$uas_ip in
  *:*)
    if ! python3 -c 'import socket; socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).bind(("::1", 0))' \
         2>/dev/null; then
      printf '%s: SKIP: this host has no IPv6 loopback\n' "$me"
      exit 77
    fi ;;
esac

for tool in sipp python3; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    printf '%s: SKIP: %s is not installed\n' "$me" "$tool"
    exit 77
  fi
done

proxy=$1
read -r -a proxy_args <<< "$2"
[ "$http" = 1 ] && proxy_args+=(--http 127.0.0.1:0)
uac_scenario=$3
calls=$4
rate=$5
shift 5
uas_specs=("$@")
[ -x "$proxy" ] || die "proxy binary '$proxy' is not executable"
[ -r "$uac_scenario" ] || die "scenario '$uac_scenario' is not readable"
case $calls$rate in *[!0-9]*) die "CALLS and RATE must be numbers, got '$calls' and '$rate'" ;; esac
use_wrapper

# ---- parse the UAS specs ---------------------------------------------------
n_uas=${#uas_specs[@]}
uas_scenario=()
uas_q=()
uas_user=()
uas_reg=()        # register, unregister or none
uas_path=()       # index of the UAS its Path names, or empty
uas_pause=()      # sipp -d, or empty
for ((i = 0; i < n_uas; i++)); do
  IFS=, read -r -a fields <<< "${uas_specs[i]}"
  uas_scenario[i]=${fields[0]}
  uas_q[i]=
  uas_user[i]=$user
  uas_reg[i]=register
  uas_path[i]=
  uas_pause[i]=
  for field in "${fields[@]:1}"; do
    case $field in
      q=*) uas_q[i]=${field#q=} ;;
      user=*) uas_user[i]=${field#user=} ;;
      unregister) uas_reg[i]=unregister ;;
      noregister) uas_reg[i]=none ;;
      path=[1-9]*) uas_path[i]=${field#path=} ;;
      pause=[0-9]*) uas_pause[i]=${field#pause=} ;;
      *) die "unknown UAS option '$field' in '${uas_specs[i]}'" ;;
    esac
  done
  case ${uas_path[i]} in
    ''|*[!0-9]*) [ -z "${uas_path[i]}" ] || die "bad path= in '${uas_specs[i]}'" ;;
    *) [ "${uas_path[i]}" -le "$n_uas" ] || die "path=${uas_path[i]}: there is no UAS ${uas_path[i]}" ;;
  esac
  if [ "${uas_scenario[i]}" != none ] && [ ! -r "${uas_scenario[i]}" ]; then
    die "UAS scenario '${uas_scenario[i]}' is not readable"
  fi
done

workdir=$(mktemp -d "${TMPDIR:-/tmp}/sipp-proxy-$(basename "$uac_scenario" .xml).XXXXXX") \
  || die "cannot create a work directory"
proxy_out=$workdir/proxy.out
proxy_err=$workdir/proxy.err
proxy_pid=
uac_pid=
uas_pid=()
keep_workdir=0
[ "${SIPP_PROXY_TRACE:-0}" = 1 ] && keep_workdir=1

# Invoked by the EXIT trap.
# shellcheck disable=SC2317
cleanup () {
  local pid
  for pid in $uac_pid "${uas_pid[@]}"; do
    stop_pid "$pid"
  done
  kill_now "$proxy_pid"
  end_workdir
}
set_traps

fail () {
  local i
  keep_workdir=1
  printf '%s: FAIL: %s\n' "$me" "$*" >&2
  show_tail "$workdir/uac-errors.log" "UAC sipp error log" 40
  show_tail "$workdir/uac-screen.log" "UAC sipp statistics" 60
  for ((i = 1; i <= n_uas; i++)); do
    show_tail "$workdir/uas$i-errors.log" "UAS $i sipp error log" 30
  done
  show_tail "$proxy_err" "proxy stderr" 60
  show_tail "$proxy_out" "proxy stdout (--verbose logs here)" 40
  exit 1
}

# ---- free ports: one for the UAC, one per UAS --------------------------------
read -r -a ports <<< "$(python3 "$support/ports.py" free "$((n_uas + 1))")"
[ ${#ports[@]} -eq $((n_uas + 1)) ] || die "cannot find $((n_uas + 1)) free ports"
uac_port=${ports[0]}

trace_args () {  # NAME: sipp tracing options for one sipp
  if [ "${SIPP_PROXY_TRACE:-0}" = 1 ]; then
    printf '%s\n' -trace_msg -message_file "$workdir/$1-messages.log"
  fi
}

# ---- start the proxy --------------------------------------------------------
start=$SECONDS
# exec: $! must be the proxy itself (or valgrind running it), never a
# shell in between, since it gets the SIGTERM.
(exec "${wrapper[@]}" "$proxy" --listen "$listen" "${proxy_args[@]}" \
  < /dev/null > "$proxy_out" 2> "$proxy_err") &
proxy_pid=$!

wait_ready proxy "$proxy_pid" "$proxy_out" "$ready_deadline"
proxy_port=$ready_port
domain=${domain//@PROXY_PORT@/$proxy_port}
called_domain=${called_domain:-$domain}
called_domain=${called_domain//@PROXY_PORT@/$proxy_port}
keys=(-key callee "$user")
for ((i = 1; i <= n_uas; i++)); do
  keys+=(-key "uas${i}_port" "${ports[i]}")
done
for ((i = 0; i < ${#uac_args[@]}; i++)); do
  uac_args[i]=${uac_args[i]//@PROXY_PORT@/$proxy_port}
done
printf '%s: proxy %s (pid %s) ready on %s (port %s) after %ss\n' \
  "$me" "$(basename "$proxy")" "$proxy_pid" "$listen" "$proxy_port" $((SECONDS - start))

# ---- start the user-agent servers --------------------------------------------
for ((i = 1; i <= n_uas; i++)); do
  uas_pid[i]=
  [ "${uas_scenario[i - 1]}" = none ] && continue
  mapfile -t trace < <(trace_args "uas$i")
  timeout --kill-after=10 $((sipp_global_timeout + 60)) \
    sipp -sf "${uas_scenario[i - 1]}" -i "$uas_ip" -p "${ports[i]}" -m "$calls" -nostdin \
      -timeout "$((sipp_global_timeout + 30))s" -timeout_error \
      -trace_err -error_file "$workdir/uas$i-errors.log" \
      -trace_screen -screen_file "$workdir/uas$i-screen.log" \
      -buff_size 4194304 "${keys[@]}" -key domain "$domain" -key uas "$i" \
      -s "${uas_user[i - 1]}" ${uas_pause[i - 1]:+-d "${uas_pause[i - 1]}"} "${trace[@]}" \
      < /dev/null > "$workdir/uas$i.out" 2>&1 &
  uas_pid[i]=$!
done

# Waits until every UAS sipp listens on its UDP port.
for ((i = 1; i <= n_uas; i++)); do
  [ -n "${uas_pid[i]}" ] || continue
  waited=0
  until python3 "$support/ports.py" bound "${ports[i]}"
  do
    kill -0 "${uas_pid[i]}" 2>/dev/null || fail "UAS $i sipp exited at start: $(head -c 400 "$workdir/uas$i.out")"
    waited=$((waited + 1))
    [ "$waited" -lt 200 ] || fail "UAS $i sipp does not listen on port ${ports[i]}"
    sleep 0.05
  done
done

# ---- register the contacts ---------------------------------------------------
for ((i = 1; i <= n_uas; i++)); do
  aor="${uas_user[i - 1]}@$domain"
  if [ "${uas_reg[i - 1]}" = none ]; then
    printf '%s: UAS %s: %s on %s:%s, not registered\n' "$me" "$i" "$uas_host" \
      "$(basename "${uas_scenario[i - 1]}")" "${ports[i]}"
    continue
  fi
  contact="sip:${uas_user[i - 1]}@$uas_host:${ports[i]};uas=$i"
  path=
  [ -n "${uas_path[i - 1]}" ] && path="<sip:$uas_host:${ports[uas_path[i - 1]]};lr>"
  reg_args=()
  [ -n "${uas_q[i - 1]}" ] && reg_args+=(--q "${uas_q[i - 1]}")
  [ -n "$path" ] && reg_args+=(--path "$path")
  [ "${uas_reg[i - 1]}" = unregister ] && reg_args+=(--unregister)
  if ! out=$(python3 "$support/register.py" --host "$client_ip" "$proxy_port" "$aor" \
               "$contact" "${reg_args[@]}" 2>&1); then
    fail "cannot register UAS $i: $out"
  fi
  printf '%s: UAS %s: %s on %s:%s, %s %s%s\n' "$me" "$i" \
    "$(basename "${uas_scenario[i - 1]}")" "$uas_host" "${ports[i]}" "${uas_reg[i - 1]}ed" "$aor" \
    "${uas_q[i - 1]:+ (q=${uas_q[i - 1]})}${path:+ with Path $path}"
done

# ---- run the UAC -------------------------------------------------------------
sipp_start=$SECONDS
mapfile -t trace < <(trace_args uac)
timeout --kill-after=10 $((sipp_global_timeout + 30)) \
  sipp -sf "$uac_scenario" "$client_host:$proxy_port" -m "$calls" -r "$rate" \
    -i "$client_ip" -p "$uac_port" -nostdin \
    -timeout "${sipp_global_timeout}s" -timeout_error \
    -trace_err -error_file "$workdir/uac-errors.log" \
    -trace_screen -screen_file "$workdir/uac-screen.log" \
    -buff_size 4194304 "${keys[@]}" -key domain "$called_domain" -s "$user" "${trace[@]}" \
    "${uac_args[@]}" \
    < /dev/null > "$workdir/uac.out" 2>&1 &
uac_pid=$!
wait "$uac_pid"
uac_status=$?
uac_pid=
printf '%s: UAC sipp: %s in %ss (%s calls at %s/s, %s)\n' "$me" \
  "$(sipp_status_text "$uac_status")" $((SECONDS - sipp_start)) "$calls" "$rate" \
  "$(basename "$uac_scenario")"

# ---- judge the user-agent servers ---------------------------------------------
# Each one ends by itself once it has seen CALLS calls; one still running
# after the deadline missed some and is stopped.
failures=()
[ "$uac_status" = 0 ] || failures+=("UAC sipp: $(sipp_status_text "$uac_status")")
for ((i = 1; i <= n_uas; i++)); do
  [ -n "${uas_pid[i]}" ] || continue
  wait_ended "UAS $i sipp ($(basename "${uas_scenario[i - 1]}"))" "${uas_pid[i]}" "$uas_deadline"
  uas_pid[i]=
done

# ---- its /metrics (--http) -------------------------------------------------------
# metric NAME{LABELS}: its value in the scrape, or "missing".
metric () {
  awk -v s="$1" '$1 == s { print $2; found = 1; exit } END { if (!found) print "missing" }' \
    "$workdir/metrics.txt"
}
if [ "$http" = 1 ]; then
  url=$(sed -n 's/^http \([^ ]*\).*/\1/p' "$proxy_out")
  if [ -z "$url" ]; then
    failures+=("no 'http URL' line from the proxy")
  elif ! python3 -c 'import sys, urllib.request
sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1], timeout=60).read())' \
         "${url}metrics" > "$workdir/metrics.txt" 2> "$workdir/metrics.err"; then
    failures+=("GET ${url}metrics: $(tail -n 1 "$workdir/metrics.err")")
  else
    invites=$(metric 'sipservlet_sip_requests_received_total{method="INVITE"}')
    setups=$(metric 'sipservlet_call_setup_seconds_count{role="proxy"}')
    printf '%s: /metrics: %s INVITEs received, %s proxy call set-ups, for %s calls\n' \
      "$me" "$invites" "$setups" "$calls"
    case $invites$setups in
      *[!0-9]*) failures+=("/metrics: INVITEs '$invites', set-ups '$setups'") ;;
      *) [ "$invites" -ge "$calls" ] || failures+=("/metrics: $invites INVITEs for $calls calls")
         [ "$setups" -ge "$calls" ] || failures+=("/metrics: $setups set-ups for $calls calls") ;;
    esac
  fi
fi

# ---- stop the proxy ------------------------------------------------------------
stop_server proxy "$proxy_pid" "$proxy_err" "$stop_deadline"
proxy_pid=
fail_on_failures
printf '%s: PASS: %s calls through the proxy to %s UAS, proxy stopped cleanly, %ss in all\n' \
  "$me" "$calls" "$n_uas" $((SECONDS - start))
exit 0
