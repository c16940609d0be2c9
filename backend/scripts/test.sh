#!/usr/bin/env bash
# `npm test`: every test of the project. Installs what is missing (Node 24, npm packages, Debian packages for the
# directory labs and Chromium), then runs lint, type checks, unit tests, integration tests against real Samba AD and
# OpenLDAP instances (each test file starts its own), component tests, and browser end-to-end tests in Chromium.
# Exits non-zero when any step fails; the last line sums the tests of every runner.
source "$(dirname "$0")/lib.sh"
ensure_node
apt_ensure "${LAB_PACKAGES[@]}" "${BROWSER_PACKAGES[@]}"
ensure_deps
cd "$ROOT"

RESULTS="$ROOT/test-results/summary"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
failed_steps=()
step() { # name, command...
  local name="$1"; shift
  log "── $name"
  local t0=$SECONDS
  if "$@"; then log "   $name ok ($((SECONDS - t0)) s)"; else log "   $name FAILED ($((SECONDS - t0)) s)"; failed_steps+=("$name"); fi
}

step lint npx biome check .
step typecheck npm run typecheck --workspaces --if-present
step backend npm exec --workspace backend -- jest --ci --json --outputFile="$RESULTS/backend.json"
step admin npm exec --workspace admin -- vitest run --reporter=default --reporter=json --outputFile="$RESULTS/admin.json"
step kiosk npm exec --workspace kiosk -- vitest run --reporter=default --reporter=json --outputFile="$RESULTS/kiosk.json"
step build npm run build:all
step budget npm run budget --workspace admin
if [[ ! " ${failed_steps[*]} " =~ " build " ]]; then
  export PLAYWRIGHT_JSON_OUTPUT_NAME="$RESULTS/e2e.json"
  step e2e npm exec --workspace e2e -- playwright test --reporter=list,json
fi

node "$ROOT/backend/scripts/test-summary.mjs" "$RESULTS" || failed_steps+=("summary")
if [ "${#failed_steps[@]}" -gt 0 ]; then log "failed steps: ${failed_steps[*]}"; exit 1; fi
log "all steps passed in ${SECONDS} s"
