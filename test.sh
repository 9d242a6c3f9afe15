#!/usr/bin/env bash
# Builds the solution and runs every test project (domain, components + integration, browser).
# Installs Debian's Chromium for the browser tests when it is missing and we are root.
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

results="TestResults"
rm -rf "$results"
if ! dotnet build MultiLine.Blazor.sln -c Release -nologo -clp:ErrorsOnly; then
  echo "The build failed; no tests ran."
  echo "0 passed, 1 failed"
  exit 1
fi

passed=0; failed=0; skipped=0
for project in tests/MultiLine.Core.Tests tests/MultiLine.Web.Tests tests/MultiLine.Browser.Tests; do
  name=$(basename "$project")
  dotnet test "$project" -c Release --no-build -nologo --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" --results-directory "$results"
  trx="$results/$name.trx"
  if [ ! -f "$trx" ]; then
    echo "$name produced no results: counting it as one failure."
    failed=$((failed + 1))
    continue
  fi
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  count() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(count passed)))
  failed=$((failed + $(count failed) + $(count error) + $(count timeout) + $(count aborted)))
  skipped=$((skipped + $(count notExecuted)))
done

# The tenant-isolation suite prints how many requests it tried.
grep -ho "Tenant isolation[^<&]*" "$results"/*.trx 2>/dev/null | sort -u

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
