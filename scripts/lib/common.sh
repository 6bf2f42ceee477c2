# Shared by scripts/run, scripts/test and scripts/bench: dependencies, build, the private PostgreSQL
# cluster under var/pg, and the development consortium under var/dev. Source it; do not run it.

RXL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RXL_VAR="$RXL_ROOT/var"
RXL_BUILD="${RXL_BUILD:-$RXL_ROOT/build/release}"
RXL_PG_BIN="/usr/lib/postgresql/15/bin"
RXL_PG_DIR="$RXL_VAR/pg"
RXL_PG_PORT="${RXL_PG_PORT:-5433}"
RXL_NODE_PORT="${RXL_NODE_PORT:-8443}"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Debian packages the project builds and runs with. Installs only what is missing, quietly.
RXL_PACKAGES=(build-essential cmake ninja-build pkg-config git openssl curl ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-program-options1.81-dev
  libssl-dev libpqxx-dev libfmt-dev doctest-dev postgresql-15 postgresql-client-15)
# What the consortium tests add: etcd members, and PyYAML for the docker-compose.yml check.
RXL_TEST_PACKAGES=(etcd-server python3-yaml)

install_dependencies() {
    local missing=()
    for package in "${RXL_PACKAGES[@]}" "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# What the browser test (tests/browser, ctest label "browser") needs besides the build: Debian's chromium
# and Node.js with npm, and playwright-core from tests/browser/package-lock.json. npm ships inside some
# nodejs packages (NodeSource's) and is a package of its own in Debian's, so it is installed only when the
# command is missing. `npm ci` runs when node_modules is missing or older than the lock file.
install_browser_test_tools() {
    install_dependencies chromium nodejs
    command -v npm >/dev/null 2>&1 || install_dependencies npm
    local dir="$RXL_ROOT/tests/browser"
    if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
        say "installing the browser test's npm packages (npm ci in tests/browser)"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in $dir"
    fi
}

# Configures and builds into $RXL_BUILD. Extra arguments go to cmake's configure step, which runs on a
# new build folder and whenever arguments are given (so ./scripts/test turns tests on in a folder that
# ./scripts/run configured without them); cmake keeps what it can of the earlier configuration.
build_project() {
    local jobs="${RXL_JOBS:-2}"
    mkdir -p "$RXL_VAR"
    if [ ! -f "$RXL_BUILD/build.ninja" ] || [ "$#" -gt 0 ]; then
        say "configuring $RXL_BUILD"
        cmake -S "$RXL_ROOT" -B "$RXL_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
    fi
    say "building (-j$jobs)"
    local status=0
    ninja -C "$RXL_BUILD" -j"$jobs" "${RXL_BUILD_TARGETS[@]}" > "$RXL_VAR/build.log" 2>&1 || status=$?
    grep -vE '^\[[0-9]+/[0-9]+\] ' "$RXL_VAR/build.log" >&2 || true
    [ "$status" -eq 0 ] || die "the build failed (log: $RXL_VAR/build.log)"
}

# Builds the unit tests (only they and what they link: the rxl_unit_tests target) with AddressSanitizer and
# UndefinedBehaviorSanitizer (-DRXL_SANITIZE=ON) in build/sanitize, and runs them: ctest -L unit. Unoptimised
# (Debug), which compiles fastest; warnings are the release build's to gate on. A sanitizer finding fails
# the test it happens in, with its report in ctest's output.
run_sanitized_unit_tests() {
    local build="$RXL_ROOT/build/sanitize" jobs="${RXL_JOBS:-2}"
    say "unit tests built with -DRXL_SANITIZE=ON (AddressSanitizer + UndefinedBehaviorSanitizer) in $build"
    mkdir -p "$RXL_VAR"
    if [ ! -f "$build/build.ninja" ]; then
        cmake -S "$RXL_ROOT" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DRXL_SANITIZE=ON -DRXL_TESTS=ON \
            -DRXL_WERROR=OFF >/dev/null
    fi
    local status=0
    ninja -C "$build" -j"$jobs" rxl_unit_tests > "$RXL_VAR/build-sanitize.log" 2>&1 || status=$?
    grep -vE '^\[[0-9]+/[0-9]+\] ' "$RXL_VAR/build-sanitize.log" >&2 || true
    [ "$status" -eq 0 ] || die "the sanitizer build failed (log: $RXL_VAR/build-sanitize.log)"
    # Leaks are findings too; UBSan stops at the first report (-fno-sanitize-recover) and says where.
    (cd "$build" && ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1" \
        UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
        ctest --output-on-failure --no-tests=error --timeout 600 -L unit)
}

# PostgreSQL refuses to run as root, so a root user runs it as `postgres`.
pg_as_owner() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Initialises (once) and starts the private cluster on 127.0.0.1:$RXL_PG_PORT with a database and role
# `rxledger`. Local trust authentication: the cluster listens on loopback only and is for development.
# RXL_PG_OPTIONS, when set, adds server options (scripts/bench sizes its own cluster's memory with it).
pg_start() {
    mkdir -p "$RXL_VAR"
    if [ ! -f "$RXL_PG_DIR/PG_VERSION" ]; then
        say "initialising PostgreSQL 15 in $RXL_PG_DIR"
        mkdir -p "$RXL_PG_DIR"
        [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$RXL_PG_DIR"
        pg_as_owner "$RXL_PG_BIN/initdb" -D "$RXL_PG_DIR" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    if ! pg_as_owner "$RXL_PG_BIN/pg_ctl" -D "$RXL_PG_DIR" status >/dev/null 2>&1; then
        say "starting PostgreSQL on 127.0.0.1:$RXL_PG_PORT"
        pg_as_owner "$RXL_PG_BIN/pg_ctl" -D "$RXL_PG_DIR" -w -l "$RXL_PG_DIR/server.log" \
            -o "-c listen_addresses=127.0.0.1 -p $RXL_PG_PORT -k $RXL_PG_DIR -c max_connections=200 ${RXL_PG_OPTIONS:-}" start >/dev/null \
            || die "PostgreSQL did not start; see $RXL_PG_DIR/server.log"
    fi
    psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'rxledger'" | grep -q 1 \
        || psql_admin -qc "CREATE ROLE rxledger LOGIN CREATEDB"
    psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = 'rxledger'" | grep -q 1 \
        || psql_admin -qc "CREATE DATABASE rxledger OWNER rxledger"
}

pg_stop() {
    [ -f "$RXL_PG_DIR/PG_VERSION" ] || return 0
    pg_as_owner "$RXL_PG_BIN/pg_ctl" -D "$RXL_PG_DIR" -m fast stop >/dev/null 2>&1 || true
}

psql_admin() { psql -X -h 127.0.0.1 -p "$RXL_PG_PORT" -U postgres -d postgres "$@"; }

# The development consortium (genesis, participant keys, read tokens, node key, a consortium CA with one
# client certificate per participant) and a TLS certificate for localhost, under var/dev. Generated once;
# every key here is a development key.
dev_consortium() {
    local dir="$RXL_VAR/dev"
    "$RXL_BUILD/server/rxledger" dev-consortium --dir "$dir" --node-url "https://localhost:$RXL_NODE_PORT" >&2
    if [ ! -f "$dir/tls/cert.pem" ]; then
        say "making a self-signed TLS certificate for localhost"
        mkdir -p "$dir/tls"
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
            -keyout "$dir/tls/key.pem" -out "$dir/tls/cert.pem" -subj "/CN=localhost" \
            -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null
        chmod 600 "$dir/tls/key.pem"
    fi
    cat > "$dir/node.json" <<JSON
{
  "listen_address": "127.0.0.1",
  "port": $RXL_NODE_PORT,
  "tls_certificate": "$dir/tls/cert.pem",
  "tls_private_key": "$dir/tls/key.pem",
  "database": "host=127.0.0.1 port=$RXL_PG_PORT dbname=rxledger user=rxledger",
  "genesis": "$dir/consortium.json",
  "tls_client_ca": "$dir/client-ca/ca.crt",
  "tokens": "$dir/token-hashes.json",
  "node_id": "node-1",
  "node_key": "$dir/keys/node-1.pem",
  "access_log": "$RXL_VAR/log/access.jsonl"
}
JSON
    mkdir -p "$RXL_VAR/log"
}

# Waits until the node at https://127.0.0.1:$1 answers /readyz (it takes writes), or its process $2
# exits, for at most $3 seconds (10).
wait_ready() {
    local port="$1" pid="$2" seconds="${3:-10}"
    for _ in $(seq 1 $(( seconds * 10 ))); do
        kill -0 "$pid" 2>/dev/null || return 1
        curl -ksf "https://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}
