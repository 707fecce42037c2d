#!/usr/bin/env bash
# Benchmarks OpenPEP on SQLite and PostgreSQL and writes the report:
#   1. makes the data sets with the demo generator (once; kept for reuse):
#      the national one (BENCH_AUTHORITIES authorities, BENCH_CHILDREN
#      children, BENCH_YEARS earlier years of PEPs) and the same first
#      authority stored alone;
#   2. serves each (release build) and times the first authority's
#      dashboard and learner list on both, with the dashboard's query plans;
#   3. drives BENCH_VUS virtual users on the national data set: journeys,
#      then each page at full pace against the floor route, sampling the
#      server's resident memory;
#   4. on a fresh authority of BENCH_BATCH_CHILDREN children, times the
#      delegation of the next term and the worker making as many PEP PDFs;
#   5. writes report.md, report.json and chart.svg to BENCH_OUT.
#
#   BENCH_AUTHORITIES (150)  BENCH_CHILDREN (100000)  BENCH_YEARS (4)
#   BENCH_VUS (200)  BENCH_JOURNEY_SECS (120)  BENCH_SATURATE_SECS (15)
#   BENCH_BATCH_CHILDREN (2000)
#   BENCH_BACKENDS ("sqlite postgres")  BENCH_DATA (/var/tmp/openpep-bench)
#   BENCH_OUT (docs/bench)  BENCH_DATA_ONLY=1: make the data sets and stop
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

authorities=${BENCH_AUTHORITIES:-150}
children=${BENCH_CHILDREN:-100000}
years=${BENCH_YEARS:-4}
vus=${BENCH_VUS:-200}
journey_secs=${BENCH_JOURNEY_SECS:-120}
saturate_secs=${BENCH_SATURATE_SECS:-15}
batch_children=${BENCH_BATCH_CHILDREN:-2000}
backends=${BENCH_BACKENDS:-sqlite postgres}
data=${BENCH_DATA:-/var/tmp/openpep-bench}
out=${BENCH_OUT:-$root/docs/bench}
# The first authority's share of the children, stored alone for the
# scale comparison (the generator gives the first ones the remainder).
first_children=$(( (children + authorities - 1) / authorities ))

say() { printf '\n==> %s\n' "$*"; }

say "Building (release)"
cargo build --release --locked -p openpep -p openpep-bench
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
openpep="$target_dir/release/openpep"
bench="$target_dir/release/openpep-bench"
mkdir -p "$data" "$out"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# PostgreSQL: a cluster of our own in the data folder, kept between runs.
pg_port=
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
start_postgres() {
  local bin=$pg_bin
  [ -n "$bin" ] || { echo "PostgreSQL server binaries are needed (apt-get install postgresql)" >&2; exit 1; }
  if [ ! -d "$data/pg" ]; then
    say "Making a PostgreSQL cluster in $data/pg"
    mkdir -p "$data/pg"
    chown postgres "$data/pg" 2>/dev/null || true
    runuser -u postgres -- "$bin/initdb" -D "$data/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  pg_port=$(free_port)
  # Settings a national service would give a server of this size.
  runuser -u postgres -- "$bin/pg_ctl" -D "$data/pg" -w -l "$data/pg/server.log" \
    -o "-p $pg_port -k /tmp -c listen_addresses=127.0.0.1 -c shared_buffers=1GB -c max_connections=200 -c work_mem=16MB" start >/dev/null
  for db in one many batch; do
    "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 ||
      "$bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -c "CREATE DATABASE $db" >/dev/null
  done
}
stop_postgres() {
  if [ -n "$pg_port" ]; then
    runuser -u postgres -- "$pg_bin/pg_ctl" -D "$data/pg" -w stop -m fast >/dev/null || true
    pg_port=
  fi
}

server=
stop_server() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=; fi
}
cleanup() { stop_server; stop_postgres; }
trap cleanup EXIT

# database_url BACKEND SET
database_url() {
  case $1 in
    sqlite) echo "sqlite://$data/sqlite-$2/openpep.db" ;;
    postgres) echo "postgres://postgres@127.0.0.1:$pg_port/$2" ;;
  esac
}

# make_data BACKEND SET AUTHORITIES CHILDREN [YEARS]: once, then reused (a
# run cut short leaves no mark and is made again from nothing).
make_data() {
  local dir="$data/$1-$2" set_years=${5:-$years}
  if [ -s "$dir/made" ]; then
    echo "reusing $dir ($(cat "$dir/made"))"
    return
  fi
  say "Making the $2 data set on $1: $3 authorities, $4 children, $set_years earlier years"
  rm -rf "$dir" && mkdir -p "$dir"
  if [ "$1" = postgres ]; then
    "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -qc "DROP DATABASE IF EXISTS $2" -c "CREATE DATABASE $2"
  fi
  OPENPEP_DATA_DIR="$dir" OPENPEP_DATABASE_URL=$(database_url "$1" "$2") OPENPEP_LOG=warn \
    "$openpep" demo --no-serve --authorities "$3" --children "$4" --years "$set_years" | grep '^Made' >"$dir/made.part"
  mv "$dir/made.part" "$dir/made"
  cat "$dir/made"
}

# serve BACKEND SET CACHE_SECONDS: the server in the background, once it
# is ready (the scale runs time the dashboard's queries: no cache there).
serve() {
  local port
  port=$(free_port)
  url="http://127.0.0.1:$port"
  OPENPEP_DATA_DIR="$data/$1-$2" OPENPEP_DATABASE_URL=$(database_url "$1" "$2") \
    OPENPEP_DASHBOARD_CACHE_SECONDS="$3" \
    OPENPEP_LISTEN="127.0.0.1:$port" OPENPEP_LOG=warn "$openpep" demo >"$data/$1-$2.log" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do
    curl -fs "$url/readyz" >/dev/null 2>&1 && return
    sleep 1
  done
  echo "the server did not start: $data/$1-$2.log" >&2
  exit 1
}

for backend in $backends; do
  [ "$backend" = postgres ] && start_postgres
  make_data "$backend" one 1 "$first_children"
  make_data "$backend" many "$authorities" "$children"
  if [ "${BENCH_DATA_ONLY:-}" = 1 ]; then
    [ "$backend" = postgres ] && stop_postgres
    continue
  fi
  # This backend's earlier figures give way; another's stay for the report.
  rm -f "$out/load-$backend.json" "$out"/scale-"$backend"-*.json "$out/batch-$backend.json"
  for set in one many; do
    say "$backend, $set: the first authority's dashboard and learner list"
    serve "$backend" "$set" 0
    "$bench" scale --url "$url" --database-url "$(database_url "$backend" "$set")" --label "$backend" --out "$out"
    stop_server
    if [ "$set" = many ]; then
      say "$backend: $vus virtual users"
      serve "$backend" "$set" 60
      "$bench" load --url "$url" --database-url "$(database_url "$backend" "$set")" --label "$backend" \
        --vus "$vus" --journey-secs "$journey_secs" --saturate-secs "$saturate_secs" \
        --server-pid "$server" --out "$out"
    fi
    stop_server
  done
  # Delegation changes the data: a fresh authority every run.
  say "$backend: the next term's delegation and PEP PDFs for $batch_children children"
  rm -f "$data/$backend-batch/made"
  make_data "$backend" batch 1 "$batch_children" 0
  serve "$backend" batch 60
  "$bench" batch --url "$url" --database-url "$(database_url "$backend" batch)" --label "$backend" \
    --pdfs "$batch_children" --out "$out"
  stop_server
  [ "$backend" = postgres ] && stop_postgres
done

[ "${BENCH_DATA_ONLY:-}" = 1 ] && exit 0
say "Report"
"$bench" report "$out" >/dev/null
echo "Written: $out/report.md, $out/report.json, $out/chart.svg"
