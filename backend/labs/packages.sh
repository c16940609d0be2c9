# shellcheck shell=bash
# Sourced by the lab scripts: installs the Debian packages a lab needs when missing (as root, non-interactive,
# without letting their postinst start services or create a default slapd instance). Needs log, die, now_ms and
# LAB_CACHE from the sourcing script. Parallel starts serialise on one apt lock file in LAB_CACHE.

missing_pkgs() { # prints the packages (of "$@") that are not installed
  local p; declare -A ok=()
  while read -r p; do ok[$p]=1; done < <(dpkg-query -W -f='${db:Status-Status} ${Package}\n' "$@" 2>/dev/null |
                                          awk '$1 == "installed" { print $2 }' || true)
  for p in "$@"; do [[ -n "${ok[$p]:-}" ]] || printf '%s ' "$p"; done
}

ensure_packages() { # ensure_packages PKG...
  local missing
  missing="$(missing_pkgs "$@")"
  [[ -z "$missing" ]] && return 0
  [[ $EUID -eq 0 ]] || die "packages missing ($missing) and not running as root"
  mkdir -p "$LAB_CACHE"
  exec 7>"$LAB_CACHE/.apt.lock"
  flock -w 900 7 || die "timed out waiting for $LAB_CACHE/.apt.lock"
  missing="$(missing_pkgs "$@")"
  if [[ -n "$missing" ]]; then
    local made_policy=0 t0; t0=$(now_ms)
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then   # keep package postinsts from starting services
      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
      chmod 755 /usr/sbin/policy-rc.d
      made_policy=1
    fi
    # slapd: no default instance (no dc=nodomain database, nothing on port 389).
    echo "slapd slapd/no_configuration boolean true" | debconf-set-selections
    log "installing packages: $missing"
    export DEBIAN_FRONTEND=noninteractive
    # shellcheck disable=SC2086
    if ! { apt-get -o DPkg::Lock::Timeout=300 update -qq >&2 &&
           apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends $missing >&2; }; then
      [[ $made_policy -eq 1 ]] && rm -f /usr/sbin/policy-rc.d
      die "apt-get failed"
    fi
    [[ $made_policy -eq 1 ]] && rm -f /usr/sbin/policy-rc.d
    missing="$(missing_pkgs "$@")"
    [[ -z "$missing" ]] || die "still missing after apt-get install: $missing"
    log "packages installed in $(( $(now_ms) - t0 )) ms"
  fi
  exec 7>&-
}
