#!/usr/bin/env bash
# `npm start`: the whole product on embedded defaults, on this machine.
# Installs what is missing (Node.js 24, npm packages, Debian packages), builds the backend and both web apps,
# starts a demo Active Directory (Samba AD DC) and a demo OpenLDAP with ppolicy, seeded with users, helpdesk agents
# and a lockout policy, then runs the backend (embedded event store under .data/) serving the admin and kiosk apps.
# Ctrl-C stops everything. Environment: PORT (default 8080), UNLOCKDESK_DEMO_AD_IP (default 127.0.10.1),
# UNLOCKDESK_DEMO_LDAP_PORT (default 13389), UNLOCKDESK_DATA_DIR (default .data).
source "$(dirname "$0")/lib.sh"
t0=$(date +%s.%N)
ensure_node
apt_ensure "${LAB_PACKAGES[@]}"
ensure_deps
cd "$ROOT"

PORT="${PORT:-8080}"
DATA="${UNLOCKDESK_DATA_DIR:-$ROOT/.data}"
DEMO="$DATA/demo"
mkdir -p "$DEMO"

log "building the backend and the web apps"
npm run build:all >"$DEMO/build.log" 2>&1 || { cat "$DEMO/build.log" >&2; exit 1; }

backend=""
stop_all() {
  trap '' INT TERM HUP # finish stopping everything even if more signals arrive (npm forwards them too)
  if [ -n "$backend" ] && kill -0 "$backend" 2>/dev/null; then kill -TERM "$backend" 2>/dev/null; wait "$backend" 2>/dev/null || true; fi
  stop_labs
}
stop_labs() {
  if [ -f "$DEMO/mailbox.pid" ]; then kill "$(cat "$DEMO/mailbox.pid")" 2>/dev/null || true; rm -f "$DEMO/mailbox.pid"; fi
  bash "$ROOT/backend/labs/openldap.sh" stop "$DEMO/ldap" >/dev/null 2>&1 || true
  bash "$ROOT/backend/labs/samba-ad.sh" stop "$DEMO/ad" >/dev/null 2>&1 || true
}
trap stop_all EXIT
trap 'exit 130' INT TERM HUP

log "starting the demo directories"
stop_labs
bash "$ROOT/backend/labs/samba-ad.sh" start "$DEMO/ad" "${UNLOCKDESK_DEMO_AD_IP:-127.0.10.1}" >"$DEMO/ad.env"
bash "$ROOT/backend/labs/openldap.sh" start "$DEMO/ldap" "${UNLOCKDESK_DEMO_LDAP_PORT:-13389}" >"$DEMO/ldap.env"

MAILBOX_HTTP_PORT="${UNLOCKDESK_DEMO_MAILBOX_PORT:-8025}"
node "$ROOT/backend/labs/mailbox/mailbox.mjs" --dir "$DEMO/mailbox" --smtp-port "${UNLOCKDESK_DEMO_SMTP_PORT:-2525}" \
  --http-port "$MAILBOX_HTTP_PORT" >"$DEMO/mailbox.json" 2>"$DEMO/mailbox.log" &
echo $! >"$DEMO/mailbox.pid"
for _ in $(seq 1 100); do [ -s "$DEMO/mailbox.json" ] && break; sleep 0.05; done
[ -s "$DEMO/mailbox.json" ] || { cat "$DEMO/mailbox.log" >&2; log "the demo mailbox did not start"; exit 1; }

node "$ROOT/backend/scripts/demo-config.mjs" "$DEMO/ad.env" "$DEMO/ldap.env" "$DEMO/mailbox.json" >"$DEMO/unlockdesk.yaml"

export UNLOCKDESK_CONFIG="$DEMO/unlockdesk.yaml" UNLOCKDESK_DATA_DIR="$DATA" PORT HOST="${HOST:-127.0.0.1}"
node backend/dist/main.js &
backend=$!
for _ in $(seq 1 300); do
  curl -fs "http://127.0.0.1:$PORT/api/health" >/dev/null 2>&1 && break
  kill -0 "$backend" 2>/dev/null || { log "the backend exited during start-up"; exit 1; }
  sleep 0.1
done
ready=$(node -e "console.log((Date.now()/1000 - $t0).toFixed(1))")
kiosk=$(node "$ROOT/backend/scripts/demo-seed.mjs" "http://127.0.0.1:$PORT") || log "the demo was not seeded (see above)"
cat >&2 <<MSG

  Unlock Desk is running (ready ${ready} s after the start command)
    Admin console  http://127.0.0.1:$PORT/
    Kiosk          http://127.0.0.1:$PORT/kiosk/   ${kiosk:-}
    API health     http://127.0.0.1:$PORT/api/health   (OpenAPI: /api/docs)
    Demo mailbox   http://127.0.0.1:$MAILBOX_HTTP_PORT/   (codes and unlock notices sent by the helpdesk)

  Demo sign-ins (admin console)
    Active Directory (Samba)  hd.agent / AgentPass1!     helpdesk agent
                              hd.admin / AdminPass1!     administrator (Manage Roles, Kiosks)
                              hd.auditor / AuditPass1!   auditor
    OpenLDAP                  lin.agent / Lin-Agent-1    helpdesk agent
  Demo users to lock out: alice, carol, dave (AD OU=Staff; alice and carol are also in OpenLDAP).
  Lock one with three wrong passwords:  npm run demo:lock -- alice   (or: npm run demo:lock -- alice corp-ldap)
  Enrolled: alice (security questions + email), carol (security questions + authenticator JBSWY3DPEHPK3PXP);
  answers: first pet Biscuit, born in Lisbon, favourite colour Teal. dave is not enrolled.
  Press Ctrl-C to stop the backend and the demo directories.

MSG
wait "$backend"
