#!/usr/bin/env bash
# Runs every test: the Rust suites on SQLite and PostgreSQL, then the
# browser journeys in headless Chromium against a freshly made demo.
# Installs what the tests need when it is missing (PostgreSQL server
# binaries, Chromium, the e2e npm packages).
#
#   OPENPEP_REQUIRE_POSTGRES=1  fail instead of skipping the PostgreSQL tests
#   OPENPEP_REQUIRE_BROWSER=1   fail instead of skipping the browser tests
#   OPENPEP_TEST_DATABASE_URL   use this PostgreSQL server, not a throwaway one
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

say() { printf '\n==> %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

apt_updated=
apt_install() {
  if [ -z "$apt_updated" ]; then
    as_root apt-get update -qq || return 1
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# 1. What the tests need.
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ -z "${OPENPEP_TEST_DATABASE_URL:-}" ]; then
  say "Installing PostgreSQL server binaries"
  apt_install postgresql || echo "could not install PostgreSQL: its tests will be skipped (or fail if required)"
fi
if [ ! -x /usr/bin/chromium ]; then
  say "Installing Chromium"
  apt_install chromium || echo "could not install Chromium: browser tests will be skipped (or fail if required)"
fi
# The children's pages use emoji as pictures: phones and desktops have a
# colour emoji font; a bare server's Chromium needs one for the screenshots.
if [ ! -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; then
  say "Installing an emoji font"
  apt_install fonts-noto-color-emoji || echo "could not install an emoji font: screenshots will show boxes"
fi
# The PEP's archival PDF is turned into pictures to be looked at.
if ! command -v pdftoppm >/dev/null; then
  say "Installing poppler-utils"
  apt_install poppler-utils || echo "could not install poppler-utils: the PDF will not be turned into pictures"
fi
if ! command -v node >/dev/null; then
  say "Installing Node.js"
  apt_install nodejs npm || true
fi
if command -v npm >/dev/null && { [ ! -d e2e/node_modules ] || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; }; then
  say "Installing the browser-test packages"
  npm ci --prefix e2e --no-audit --no-fund --loglevel=error
fi

# 2. The Rust tests, on both databases.
say "Rust tests (SQLite and PostgreSQL)"
cargo test --workspace --locked

# 3. The browser journeys against a fresh demo authority.
say "Browser journeys (headless Chromium, axe)"
cargo build --locked -p openpep
target_dir=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
data_dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
log="$data_dir/server.log"
# The journeys name terms and dates (autumn 2026/27): the demo stands on
# the day they were written for, whatever the machine's clock says.
# The API check below makes calls as fast as it can: no per-minute limit.
OPENPEP_TODAY=2026-11-23 OPENPEP_DATA_DIR="$data_dir" OPENPEP_LISTEN="127.0.0.1:$port" \
  OPENPEP_API_CALLS_PER_MINUTE=1000000 \
  "$target_dir/debug/openpep" demo >"$log" 2>&1 &
server=$!
cleanup() { kill "$server" 2>/dev/null || true; rm -rf "$data_dir"; }
trap cleanup EXIT
ready=
for _ in $(seq 1 150); do
  if curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then ready=1; break; fi
  kill -0 "$server" 2>/dev/null || break
  sleep 0.2
done
[ -n "$ready" ] || { cat "$log"; echo "the demo server did not become ready"; exit 1; }
account() { awk -v role="$1" 'index($0, role) { for (i = 1; i <= NF; i++) if ($i ~ /@/) { print $i; exit } }' "$data_dir/demo-accounts.txt"; }
dt_email=$(account "Designated teacher")
vs_email=$(account "Virtual School administrator")
vso_email=$(account "Virtual School officer")
sw_email=$(account "Social worker")
yp_email=$(account "Young person")
password=$(sed -n 's/.*password is: //p' "$data_dir/demo-accounts.txt")
OPENPEP_BASE_URL="http://127.0.0.1:$port" OPENPEP_DT_EMAIL="$dt_email" OPENPEP_VS_EMAIL="$vs_email" OPENPEP_VSO_EMAIL="$vso_email" OPENPEP_SW_EMAIL="$sw_email" OPENPEP_YP_EMAIL="$yp_email" \
  OPENPEP_PASSWORD="$password" \
  OPENPEP_SCREENSHOT_DIR="$root/e2e/screenshots" \
  node --test --test-reporter=spec e2e/journey.test.mjs

# 4. The JSON API against its own OpenAPI document: the document is
# validated, then schemathesis calls every operation with generated
# requests (valid and not) and checks each answer against the document.
# Business rules the schema cannot say (a UPN's check letter, sessions
# that add up) are refused with 422, so "valid data accepted" is not asked.
say "JSON API against its OpenAPI document (openapi-spec-validator, schemathesis)"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/openpep/api-check-venv"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv" 2>/dev/null || { apt_install python3-venv && python3 -m venv "$venv"; }
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==4.32.5" "openapi-spec-validator==0.9.0"
fi
token=$(OPENPEP_DATA_DIR="$data_dir" "$target_dir/debug/openpep" api-token --la 990 --as "$vs_email" \
  --name "API check" --write 2>/dev/null | tail -1)
curl -fs "http://127.0.0.1:$port/api/v1/openapi.json" >"$data_dir/openapi.json"
"$venv/bin/openapi-spec-validator" "$data_dir/openapi.json"
"$venv/bin/schemathesis" run "http://127.0.0.1:$port/api/v1/openapi.json" \
  -H "Authorization: Bearer $token" --checks all --exclude-checks positive_data_acceptance \
  --max-examples "${OPENPEP_API_EXAMPLES:-25}" --seed 1 --no-color

# 5. SIGTERM: the server finishes what it is doing and exits cleanly.
kill -TERM "$server"
for _ in $(seq 1 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.2; done
if kill -0 "$server" 2>/dev/null; then echo "the server did not stop on SIGTERM"; exit 1; fi
wait "$server" || { echo "the server exited with an error on SIGTERM"; cat "$log"; exit 1; }
grep -q "in-flight requests finished" "$log" || { cat "$log"; echo "no graceful shutdown logged"; exit 1; }
say "All tests passed; screenshots are in e2e/screenshots/"
