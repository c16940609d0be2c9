# shellcheck shell=bash
# Shared helpers for the project's commands (sourced, not run).
# Brings Node.js 24 LTS when the machine's node is older, installs npm packages when the lockfile
# changed, and installs Debian packages that the labs and the browser tests need.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NODE_MIN_MAJOR=24
NODE_MIN_MINOR=15
NODE_PREFIX="$ROOT/.tools/node"

log() { printf '\033[36m[unlockdesk]\033[0m %s\n' "$*" >&2; }

node_ok() { # $1 = node binary
  local v
  v="$("$1" -p 'process.versions.node' 2>/dev/null)" || return 1
  local major="${v%%.*}" rest="${v#*.}"; local minor="${rest%%.*}"
  [ "$major" -gt "$NODE_MIN_MAJOR" ] || { [ "$major" -eq "$NODE_MIN_MAJOR" ] && [ "$minor" -ge "$NODE_MIN_MINOR" ]; }
}

ensure_node() {
  if command -v node >/dev/null 2>&1 && node_ok "$(command -v node)"; then return 0; fi
  if [ -x "$NODE_PREFIX/bin/node" ] && node_ok "$NODE_PREFIX/bin/node"; then
    export PATH="$NODE_PREFIX/bin:$PATH"; return 0
  fi
  command -v npm >/dev/null 2>&1 || { log "npm is required to fetch Node.js 24 (apt-get install npm)"; exit 1; }
  log "node on PATH is $(node --version 2>/dev/null || echo missing); installing Node.js 24 LTS into .tools/node"
  (cd / && npm install -g --prefix "$NODE_PREFIX" --no-fund --no-audit node@24 >&2)
  export PATH="$NODE_PREFIX/bin:$PATH"
  node_ok "$(command -v node)" || { log "Node.js 24 install failed"; exit 1; }
}

ensure_deps() {
  local stamp="$ROOT/node_modules/.package-lock.json"
  if [ ! -f "$stamp" ] || [ "$ROOT/package-lock.json" -nt "$stamp" ]; then
    log "installing npm packages (npm ci)"
    (cd "$ROOT" && npm ci --no-fund --no-audit >&2)
  fi
}

# Debian packages: the labs' installer (missing ones only; no services started by postinst; one apt lock).
die() { log "ERROR: $1"; exit "${2:-1}"; }
now_ms() { date +%s%3N; }
LAB_CACHE="${UNLOCKDESK_LAB_CACHE:-/tmp/unlockdesk-labs}"
# shellcheck source=../labs/packages.sh
source "$ROOT/backend/labs/packages.sh"
apt_ensure() { ensure_packages "$@"; }

LAB_PACKAGES=(samba samba-ad-dc samba-ad-provision samba-dsdb-modules samba-vfs-modules winbind ldb-tools ldap-utils openssl slapd)
BROWSER_PACKAGES=(chromium fonts-liberation)
