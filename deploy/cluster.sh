#!/usr/bin/env bash
# A three-node TicketSync cluster on this machine, without containers: PostgreSQL from Debian's
# packages (a private cluster in DIR/pg), three `ticketsyncd serve` nodes on loopback ports
# sharing it, and HAProxy in front passing TLS through, with health checks on /health/ready.
#
#   deploy/cluster.sh start [DIR]    start everything (DIR default ./ticketsync-cluster)
#   deploy/cluster.sh status [DIR]   what runs, and each node's readiness
#   deploy/cluster.sh stop [DIR]     stop everything (data stays in DIR; remove DIR to forget it)
#
# Environment: TICKETSYNCD (the binary; default .build/debug/ticketsyncd, then PATH),
# PGPORT (55432), LB_PORT (7443: what stations connect to), NODE_PORT (7501: first node; 7502,
# 7503 follow), HAPROXY_STATS (7580: HAProxy's stats page, loopback).
set -euo pipefail

# The daemons started below must hold nothing of the caller's but what they are given: close
# every descriptor inherited beyond stdin, stdout and stderr (a caller that waits for a pipe or
# a process-exit descriptor to close would otherwise wait for as long as the cluster runs).
for fd in $(ls /proc/$$/fd 2>/dev/null); do
  if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
done

command=${1:-}
dir=${2:-./ticketsync-cluster}
pg_port=${PGPORT:-55432}
lb_port=${LB_PORT:-7443}
node_port=${NODE_PORT:-7501}
stats_port=${HAPROXY_STATS:-7580}

die() { echo "cluster.sh: $*" >&2; exit 1; }

ticketsyncd=${TICKETSYNCD:-}
if [ -z "$ticketsyncd" ]; then
  if [ -x .build/debug/ticketsyncd ]; then ticketsyncd=.build/debug/ticketsyncd
  elif [ -x .build/release/ticketsyncd ]; then ticketsyncd=.build/release/ticketsyncd
  else ticketsyncd=$(command -v ticketsyncd || true)
  fi
fi

pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$bin" ] && [ -x "$bin/postgres" ] || bin=$(pg_config --bindir 2>/dev/null || true)
  [ -n "$bin" ] && [ -x "$bin/postgres" ] || die "PostgreSQL is not installed: apt-get install postgresql"
  echo "$bin"
}

# PostgreSQL refuses to run as root: run its programs as the postgres user then.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

url() { echo "postgres://postgres@127.0.0.1:$pg_port/ticketsync?sslmode=disable"; }

wait_ready() { # PORT: wait (at most 60 s) until the node answers /health/ready
  for _ in $(seq 1 120); do
    curl -fsk "https://127.0.0.1:$1/health/ready" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  return 1
}

start() {
  [ -n "$ticketsyncd" ] && [ -x "$ticketsyncd" ] || die "no ticketsyncd binary: swift build, or set TICKETSYNCD"
  command -v haproxy >/dev/null || die "HAProxy is not installed: apt-get install haproxy"
  command -v curl >/dev/null || die "curl is not installed: apt-get install curl"
  local bin; bin=$(pg_bin)
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  ticketsyncd=$(cd "$(dirname "$ticketsyncd")" && pwd)/$(basename "$ticketsyncd")

  # PostgreSQL: a private cluster, loopback only, socket in DIR/pg.
  if [ ! -d "$dir/pg/data" ]; then
    mkdir -p "$dir/pg"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir/pg"
    as_pg "$bin/initdb" -D "$dir/pg/data" -U postgres -A trust -E UTF8 --locale=C >"$dir/pg/initdb.log"
  fi
  if ! as_pg "$bin/pg_ctl" -D "$dir/pg/data" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/postgres.log" -w -t 60 \
      -o "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
  fi
  "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -Atc \
    "SELECT 1 FROM pg_database WHERE datname = 'ticketsync'" | grep -q 1 ||
    "$bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres ticketsync
  "$ticketsyncd" migrate --database "$(url)"

  # Node 1 makes the development certificate (valid for localhost); the others serve the same
  # one, so a station trusting it may be passed to any node by the load balancer.
  for n in 1 2 3; do
    local port=$((node_port + n - 1)) nd="$dir/node$n"
    mkdir -p "$nd"
    if [ -f "$nd/pid" ] && kill -0 "$(cat "$nd/pid")" 2>/dev/null; then continue; fi
    local tls=()
    [ "$n" = 1 ] || tls=(--certificate "$dir/node1/server.pem" --key "$dir/node1/server-key.pem")
    nohup "$ticketsyncd" serve --data-dir "$nd" --database "$(url)" --listen "127.0.0.1:$port" "${tls[@]}" \
      >"$nd/ticketsyncd.log" 2>&1 </dev/null &
    echo $! >"$nd/pid"
    wait_ready "$port" || die "node $n did not become ready; see $nd/ticketsyncd.log"
  done

  cat >"$dir/haproxy.cfg" <<CFG
global
    maxconn 8000
defaults
    mode tcp
    timeout connect 5s
    timeout client 1h
    timeout server 1h
    timeout check 2s
frontend stations
    bind 127.0.0.1:$lb_port
    default_backend nodes
backend nodes
    balance leastconn
    option httpchk
    http-check send meth GET uri /health/ready ver HTTP/1.1 hdr Host localhost
    http-check expect status 200
    default-server check check-ssl verify none inter 1s fall 2 rise 2 on-marked-down shutdown-sessions
    server node1 127.0.0.1:$node_port
    server node2 127.0.0.1:$((node_port + 1))
    server node3 127.0.0.1:$((node_port + 2))
frontend stats
    mode http
    bind 127.0.0.1:$stats_port
    stats enable
    stats uri /
CFG
  haproxy -c -q -f "$dir/haproxy.cfg" || die "HAProxy refused $dir/haproxy.cfg"
  if ! { [ -f "$dir/haproxy.pid" ] && kill -0 "$(cat "$dir/haproxy.pid")" 2>/dev/null; }; then
    haproxy -D -f "$dir/haproxy.cfg" -p "$dir/haproxy.pid"
  fi
  echo "cluster up: stations connect to wss://localhost:$lb_port/v1/sync (CA: $dir/node1/dev-ca.pem)"
  echo "database:   $(url)"
  echo "add a station: $ticketsyncd station add NAME --scope all --database '$(url)'"
  echo "HAProxy stats: http://127.0.0.1:$stats_port/"
}

stop_pid() { # FILE: SIGTERM the process, wait up to 15 s, then SIGKILL
  [ -f "$1" ] || return 0
  local pid; pid=$(cat "$1")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$1"
}

stop() {
  [ -d "$dir" ] || { echo "nothing in $dir"; return 0; }
  stop_pid "$dir/haproxy.pid"
  for n in 1 2 3; do stop_pid "$dir/node$n/pid"; done
  if [ -d "$dir/pg/data" ]; then
    local bin; bin=$(pg_bin)
    as_pg "$bin/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  echo "cluster stopped (data kept in $dir)"
}

status() {
  for n in 1 2 3; do
    local port=$((node_port + n - 1)) state=down
    [ -f "$dir/node$n/pid" ] && kill -0 "$(cat "$dir/node$n/pid")" 2>/dev/null && state=running
    curl -fsk "https://127.0.0.1:$port/health/ready" >/dev/null 2>&1 && state="$state, ready"
    echo "node$n 127.0.0.1:$port $state"
  done
  if [ -f "$dir/haproxy.pid" ] && kill -0 "$(cat "$dir/haproxy.pid")" 2>/dev/null; then
    echo "haproxy 127.0.0.1:$lb_port running"
  else
    echo "haproxy down"
  fi
}

case "$command" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: deploy/cluster.sh start|status|stop [DIR]" >&2; exit 64 ;;
esac
