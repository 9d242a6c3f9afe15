#!/usr/bin/env bash
# Builds the solution and runs every test project (domain, components + integration, browser).
# The domain and integration suites run twice: on SQLite (the embedded default) and on PostgreSQL. The PostgreSQL and
# Redis servers they need are started on free loopback ports for this run and stopped at the end (tests/engines.sh);
# Debian's postgresql, redis-server and chromium packages are installed when missing and we are root.
# Ends with one line: "N passed, N failed, N skipped" — the totals across all test projects.
set -uo pipefail
cd "$(dirname "$0")"

chromium="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Chromium for the browser tests (apt-get install chromium)..."
    (apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq chromium >/dev/null 2>&1; }) \
      || { echo "Could not install chromium. Install it with: sudo apt-get install -y chromium"; echo "0 passed, 1 failed"; exit 1; }
  else
    echo "The browser tests need Chromium at $chromium. Install it with: sudo apt-get install -y chromium (or set CHROMIUM_PATH)."
    echo "0 passed, 1 failed"
    exit 1
  fi
fi

source tests/engines.sh
trap engines_stop EXIT
if ! engines_start; then
  echo "The PostgreSQL and Redis servers the tests need could not be started; no tests ran."
  echo "0 passed, 1 failed"
  exit 1
fi

results="TestResults"
rm -rf "$results"
if ! dotnet build MultiLine.Blazor.sln -c Release -nologo -clp:ErrorsOnly; then
  echo "The build failed; no tests ran."
  echo "0 passed, 1 failed"
  exit 1
fi

passed=0; failed=0; skipped=0
# run NAME PROJECT ENGINE [FILTER]: one test project on one database engine, its totals added to the run's.
run() {
  local name=$1 project=$2 engine=$3 filter=${4:-}
  echo "== $name ($engine)"
  MULTILINE_TEST_DATABASE=$engine dotnet test "$project" -c Release --no-build -nologo ${filter:+--filter "$filter"} \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" --results-directory "$results"
  local trx="$results/$name.trx"
  if [ ! -f "$trx" ]; then
    echo "$name produced no results: counting it as one failure."
    failed=$((failed + 1))
    return
  fi
  local counters
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  count() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(count passed)))
  failed=$((failed + $(count failed) + $(count error) + $(count timeout) + $(count aborted)))
  skipped=$((skipped + $(count notExecuted)))
}

run MultiLine.Core.Tests tests/MultiLine.Core.Tests Sqlite
run MultiLine.Web.Tests tests/MultiLine.Web.Tests Sqlite
# Run once, not per engine: tests about SQLite itself (its write lock, its pragmas) carry the trait Engine=Sqlite;
# tests that choose their servers themselves (the relay transports, several instances) carry Engine=Own.
run MultiLine.Core.Tests.PostgreSQL tests/MultiLine.Core.Tests PostgreSQL "Engine!=Sqlite&Engine!=Own"
run MultiLine.Web.Tests.PostgreSQL tests/MultiLine.Web.Tests PostgreSQL "Engine!=Sqlite&Engine!=Own"
run MultiLine.Browser.Tests tests/MultiLine.Browser.Tests Sqlite

# The tenant-isolation suite prints how many requests it tried.
grep -ho "Tenant isolation[^<&]*" "$results"/*.trx 2>/dev/null | sort -u
# The multi-instance test prints what it counted (rows, takeover, emails sent twice).
grep -ho "Several instances:[^<&]*" "$results"/*.trx 2>/dev/null | sort -u

engines_stop
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
