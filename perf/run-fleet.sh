#!/usr/bin/env bash
# Starts P mallard processes on one fresh data directory (each with its own IMAP and LMTP ports; one process
# may hold only as many connections as its open-file limit allows), runs mallard-bench against all of them,
# prints its report and stops the servers. For the README's reference figures and for operators who want the
# same run on their machine.
#
#   perf/run-fleet.sh [-p PROCESSES] [-b BUILD_DIR] [-t] [-k] -- [mallard-bench options]
#
#   -p  server processes (default 6: 100,000 connections need six under a 20,000 open-file limit)
#   -b  the build directory (default ./build)
#   -t  implicit TLS: the bench connects to the IMAPS listeners (--tls)
#   -k  keep the work directory (config, logs, data) instead of removing it
# Everything after -- goes to mallard-bench (e.g. --sessions 100000 --users 1000 --watchers 1000).
#
# Logins: the bench's users get argon2id with 64 KiB and one pass (auth.argon2_* below) so that 100,000
# logins take minutes, not the hour the default 19 MiB x 2 passes would on two cores. That changes the cost
# of a login, not what an idle session holds, which is what the run measures.
set -euo pipefail

processes=6
build=build
tls=0
keep=0
while getopts "p:b:tk" opt; do
    case "$opt" in
        p) processes=$OPTARG ;;
        b) build=$OPTARG ;;
        t) tls=1 ;;
        k) keep=1 ;;
        *) sed -n '2,16p' "$0"; exit 1 ;;
    esac
done
shift $((OPTIND - 1))
[[ "${1:-}" == "--" ]] && shift

server=$build/tools/mallard/mallard
ctl=$build/tools/mallardctl/mallardctl
bench=$build/perf/mallard-bench
for binary in "$server" "$ctl" "$bench"; do
    [[ -x "$binary" ]] || { echo "run-fleet: $binary is missing: build first" >&2; exit 1; }
done

work=$(mktemp -d /tmp/mallard-fleet.XXXXXX)
pids=()
stop_servers() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [[ $keep == 0 ]]; then rm -rf "$work"; else echo "run-fleet: kept $work"; fi
}
trap stop_servers EXIT

# Ports: a free-looking block above 20000 per process (imap, imaps, lmtp).
base=$((20000 + RANDOM % 20000))
config() {  # config <index>
    local i=$1 imap=$((base + 10 * $1))
    cat <<TOML
[server]
data_dir = "$work/data"
hostname = "fleet.test"
workers = 1
[log]
level = "info"
[auth]
argon2_memory = "64K"
argon2_time_cost = 1
max_failures_per_address = 0
[imap]
max_connections_per_user = 0
max_connections_per_address = 0
[imap.plain]
host = "127.0.0.1"
port = $imap
[imap.secure]
host = "127.0.0.1"
port = $((imap + 1))
[lmtp.listen]
host = "127.0.0.1"
port = $((imap + 2))
[pop3.plain]
enabled = false
[pop3.secure]
enabled = false
[http.listen]
enabled = false
TOML
}

ports=()
for ((i = 0; i < processes; i++)); do
    config "$i" >"$work/mallard-$i.toml"
    "$server" --config "$work/mallard-$i.toml" >"$work/mallard-$i.log" 2>&1 &
    pids+=($!)
    if [[ $tls == 1 ]]; then ports+=($((base + 10 * i + 1))); else ports+=($((base + 10 * i))); fi
    # The first process creates the store; let it finish before the others open it.
    for _ in $(seq 100); do grep -q "mallard ready" "$work/mallard-$i.log" && break; sleep 0.1; done
    grep -q "mallard ready" "$work/mallard-$i.log" || { cat "$work/mallard-$i.log" >&2; exit 1; }
done

join() { local IFS=,; echo "$*"; }
extra=()
[[ $tls == 1 ]] && extra+=(--tls)
"$bench" --imap-ports "$(join "${ports[@]}")" --lmtp-port $((base + 2)) --server-pid "$(join "${pids[@]}")" \
    --create-users "$ctl" --ctl-config "$work/mallard-0.toml" "${extra[@]}" "$@"
