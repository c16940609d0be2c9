#!/usr/bin/env bash
# Throw-away Samba Active Directory DC on a loopback address, for Unlock Desk tests.
#
#   samba-ad.sh start DIR [IP]   start a fresh, seeded DC in DIR on IP (default 127.0.0.1; any 127.x.y.z)
#   samba-ad.sh stop DIR         stop the DC started in DIR (files are kept)
#   samba-ad.sh status DIR       exit 0 and print the env if running, exit 3 otherwise
#   samba-ad.sh template         only build (or find) the cached template; prints its path
#   samba-ad.sh reap             stop DCs started by this script whose DIR no longer exists
#   samba-ad.sh install          only install the apt packages
#
# start prints KEY=value lines on stdout (raw values, also in DIR/env; DIR/env.sh has them shell-quoted);
# everything else goes to stderr. Exit code 75 = the IP's LDAP ports are already in use.
#
# Env: UNLOCKDESK_LAB_CACHE (default /tmp/unlockdesk-labs) template + registry dir
#      LAB_EXTRA_USERS=N    also create user00001..userN in OU=Staff (password UserPass1!), cached per N
#      SAMBA_AD_NO_TEMPLATE=1  provision from scratch (template built in a temp dir, then discarded)
#      LAB_ALLOW_PLAIN_LDAP=1  allow simple binds on plain ldap://IP:389 (default: TLS/StartTLS required)
#      LAB_START_TIMEOUT=60 seconds to wait for the first authenticated LDAPS bind
# See backend/labs/README.md and /work/shared/notes/samba-ad-dc.md (gotchas referenced as "note #N").
set -euo pipefail

SELF="$(readlink -f "${BASH_SOURCE[0]}")"
LAB_CACHE="${UNLOCKDESK_LAB_CACHE:-/tmp/unlockdesk-labs}"
REALM=EXAMPLE.TEST
DNS_DOMAIN=example.test
BASE_DN='DC=example,DC=test'
ADMIN_PW='Passw0rd!Admin'
HELPDESK_DN="CN=svc-helpdesk,OU=Service Accounts,$BASE_DN"
HELPDESK_PW='HelpdeskSvc1!'
EXTRA_USERS="${LAB_EXTRA_USERS:-0}"
SAMBA_PKGS=(samba samba-ad-dc samba-ad-provision samba-dsdb-modules samba-vfs-modules python3-samba
            winbind ldb-tools ldap-utils openssl)
LDAP_PORTS=(389 636 3268 3269)
# ldap-utils: ignore /etc/ldap/ldap.conf and ~/.ldaprc (LDAPNOINIT=1 would also drop LDAPTLS_CACERT)
unset LDAPNOINIT
export LDAPCONF=/dev/null LDAPRC=.unlockdesk-labs-no-ldaprc

log() { printf '[samba-ad] %s\n' "$*" >&2; }
die() { printf '[samba-ad] ERROR: %s\n' "$1" >&2; exit "${2:-1}"; }
now_ms() { date +%s%3N; }

# ---------------------------------------------------------------- packages
# shellcheck source=packages.sh
source "$(dirname "${BASH_SOURCE[0]}")/packages.sh"

# ---------------------------------------------------------------- process helpers
# alive PID: true if PID exists, is not a zombie (note #12) and runs /usr/sbin/samba
samba_alive() {
  local pid="$1" st exe
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/stat ]] || return 1
  st="$(sed -E 's/^.*\) (.).*$/\1/' "/proc/$pid/stat" 2>/dev/null || true)"
  [[ -n "$st" && "$st" != Z && "$st" != X ]] || return 1
  exe="$(readlink "/proc/$pid/exe" 2>/dev/null || true)"
  [[ "${exe##*/}" == samba || "${exe##*/}" == "samba (deleted)" ]]
}

port_open() { # port_open IP PORT -> true if something accepts connections there
  timeout 1 bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" 2>/dev/null
}

ports_in_use() { local ip="$1" p used=""; for p in "${LDAP_PORTS[@]}"; do port_open "$ip" "$p" && used+="$p "; done; printf '%s' "$used"; }

kill_samba() { # kill_samba PID IP : TERM, wait (zombie = dead), KILL after 10 s, then wait for the ports
  local pid="$1" ip="${2:-}" i
  if samba_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 200; i++)); do samba_alive "$pid" || break; sleep 0.05; done
    if samba_alive "$pid"; then log "pid $pid ignored SIGTERM, sending SIGKILL"; kill -KILL "$pid" 2>/dev/null || true; fi
    for ((i = 0; i < 100; i++)); do samba_alive "$pid" || break; sleep 0.05; done
  fi
  if [[ -n "$ip" ]]; then
    for ((i = 0; i < 200; i++)); do [[ -z "$(ports_in_use "$ip")" ]] && return 0; sleep 0.05; done
    log "warning: ports on $ip still in use: $(ports_in_use "$ip")"
  fi
}

# Registry of running instances by IP, outside DIR, so an instance whose DIR was deleted can be found (note #12).
REG_DIR="$LAB_CACHE/run"
reg_file() { printf '%s/samba-%s' "$REG_DIR" "$1"; }

reap_orphan_on_ip() { # if IP is held by a DC of ours whose DIR is gone or reused, stop it
  local ip="$1" f pid dir
  f="$(reg_file "$ip")"; [[ -r "$f" ]] || return 0
  read -r pid dir < "$f" || true
  if samba_alive "$pid" && { [[ ! -r "$dir/lab.pid" ]] || [[ "$(cat "$dir/lab.pid" 2>/dev/null)" != "$pid" ]]; }; then
    log "stopping orphaned lab DC pid $pid on $ip (its DIR $dir is gone)"
    kill_samba "$pid" "$ip"
  fi
  samba_alive "$pid" || rm -f "$f"
}

# ---------------------------------------------------------------- quoting / env output
shq() { # quote a value for POSIX sh only when needed
  if [[ "$1" =~ ^[A-Za-z0-9_./:@,+=-]*$ ]]; then printf '%s' "$1"; else printf "'%s'" "${1//\'/\'\\\'\'}"; fi
}

# ---------------------------------------------------------------- template
template_key() {
  local ver; ver="$(dpkg-query -W -f='${Version}' samba 2>/dev/null || echo unknown)"
  { cat "$SELF"; printf 'samba=%s\n' "$ver"; } | sha256sum | cut -c1-16
}
template_path() {
  local p; p="$LAB_CACHE/samba-template-$(template_key)"
  [[ "$EXTRA_USERS" -gt 0 ]] && p+="-u$EXTRA_USERS"
  printf '%s' "$p"
}

write_seed_py() {
cat > "$1" <<'PY'
# Offline seed of a freshly provisioned sam.ldb: one process, one transaction.
import sys, time
import ldb
from samba.samdb import SamDB
from samba.param import LoadParm
from samba.auth import system_session
from samba.sd_utils import SDUtils
from samba.ndr import ndr_unpack
from samba.dcerpc import security
from samba import dsdb

smbconf, extra = sys.argv[1], int(sys.argv[2])
t0 = time.time()
lp = LoadParm(); lp.load(smbconf)
# batch_mode: no per-operation sub-transactions (which copy whole index lists and make bulk adds quadratic:
# 10,000 users take ~25 s instead of minutes); any failure aborts the whole transaction, which is what we want.
db = SamDB(url=lp.samdb_url(), session_info=system_session(), lp=lp, options=['batch_mode:1'])
base = str(db.domain_dn())
NEVER = str(-0x8000000000000000)
def pw(p): return ('"%s"' % p).encode('utf-16-le')
def replace(dn, attr, value):
    m = ldb.Message(); m.dn = ldb.Dn(db, dn)
    m[attr] = ldb.MessageElement(value, ldb.FLAG_MOD_REPLACE, attr)
    db.modify(m)

db.transaction_start()
try:
    # Same effect as: samba-tool domain passwordsettings set --complexity=off --min-pwd-length=1
    #   --history-length=0 --min-pwd-age=0 --max-pwd-age=0 --account-lockout-threshold=3
    #   --account-lockout-duration=0 --reset-account-lockout-after=0   (0 = NEVER: locked until admin unlock)
    m = ldb.Message(); m.dn = ldb.Dn(db, base)
    for k, v in (('pwdProperties', str(int(db.get_pwdProperties()) & ~1)), ('pwdHistoryLength', '0'),
                 ('minPwdLength', '1'), ('minPwdAge', '0'), ('maxPwdAge', NEVER), ('lockoutThreshold', '3'),
                 ('lockoutDuration', NEVER), ('lockOutObservationWindow', NEVER)):
        m[k] = ldb.MessageElement(v, ldb.FLAG_MOD_REPLACE, k)
    db.modify(m)
    for ou in ('Staff', 'Helpdesk', 'Groups', 'Service Accounts'):
        db.add({'dn': 'OU=%s,%s' % (ou, base), 'objectClass': 'organizationalUnit', 'ou': ou})

    def user(sam, given, sn, container, password, mail=None, emp=None, mobile=None, uac=512):
        cn = '%s %s' % (given, sn) if given else sam
        dn = 'CN=%s,%s,%s' % (cn, container, base)
        u = {'dn': dn, 'objectClass': 'user', 'sAMAccountName': sam, 'userPrincipalName': sam + '@example.test',
             'unicodePwd': pw(password), 'userAccountControl': str(uac)}
        if given: u.update(givenName=given, sn=sn, displayName=cn)
        if mail: u['mail'] = mail
        if emp: u['employeeID'] = emp
        if mobile: u['mobile'] = mobile
        db.add(u)
        return dn

    S, U, H, G, SA = 'OU=Staff', 'CN=Users', 'OU=Helpdesk', 'OU=Groups', 'OU=Service Accounts'
    user('alice', 'Alice', 'Anders', S, 'AlicePass1!', 'alice@example.test', 'E1001', '+15550101')
    user('carol', 'Carol', 'Clark', S, 'CarolPass1!', 'carol@example.test', 'E1003', '+15550103')
    user('dave', 'Dave', 'Dunn', S, 'DavePass1!', 'dave@example.test', 'E1004')
    user('erin', 'Erin', 'Evans', S, 'ErinPass1!', 'erin@example.test', 'E1005', uac=514)      # disabled
    frank = user('frank', 'Frank', 'Fisher', S, 'FrankPass1!', 'frank@example.test', 'E1006')
    replace(frank, 'pwdLastSet', '0')                                                        # must change password
    user('bob', 'Bob', 'Baker', U, 'BobPass1!', 'bob@example.test', 'E1002')                   # outside OU=Staff
    agent = user('hd.agent', 'Hanna', 'Agent', H, 'AgentPass1!', 'hd.agent@example.test')
    admin = user('hd.admin', 'Henry', 'Admin', H, 'AdminPass1!', 'hd.admin@example.test')
    auditor = user('hd.auditor', 'Ava', 'Auditor', H, 'AuditPass1!', 'hd.auditor@example.test')
    tier2 = user('hd.tier2', 'Tom', 'Tier2', H, 'Tier2Pass1!', 'hd.tier2@example.test')
    svc = user('svc-helpdesk', None, None, SA, 'HelpdeskSvc1!')

    def group(name, members):
        dn = 'CN=%s,%s,%s' % (name, G, base)
        db.add({'dn': dn, 'objectClass': 'group', 'sAMAccountName': name, 'member': members})
        return dn
    t2 = group('Helpdesk Tier2', [tier2])
    group('Helpdesk Agents', [agent, t2])          # hd.tier2 is a nested member
    group('Unlock Desk Admins', [admin])
    group('Auditors', [auditor])

    if extra > 0:
        # Hashing a password costs ~18 ms (Kerberos keys etc.), so hash it once and copy the NT hash
        # (all an LDAP simple bind checks) with the bypass-password-hash control: ~2 ms per user.
        # (Kerberos keys are not copied; no KDC runs in this lab.)
        first = user('user00001', 'User', '00001', S, 'UserPass1!', 'user00001@example.test', 'X00001', '+15559000001')
        r = db.search(base=first, scope=ldb.SCOPE_BASE, attrs=['unicodePwd', 'pwdLastSet'])[0]
        nt, pls = r['unicodePwd'][0], str(r['pwdLastSet'][0])
        ctl = ['local_oid:%s:0' % dsdb.DSDB_CONTROL_BYPASS_PASSWORD_HASH_OID]
        for i in range(2, extra + 1):
            sam = 'user%05d' % i
            db.add({'dn': 'CN=User %05d,%s,%s' % (i, S, base), 'objectClass': 'user', 'sAMAccountName': sam,
                    'userPrincipalName': sam + '@example.test', 'givenName': 'User', 'sn': '%05d' % i,
                    'displayName': 'User %05d' % i, 'mail': sam + '@example.test', 'employeeID': 'X%05d' % i,
                    'mobile': '+1555%07d' % (9000000 + i), 'userAccountControl': '512',
                    'unicodePwd': nt, 'pwdLastSet': pls}, controls=ctl)

    # Delegation (note section 2): read/write property lockoutTime (28630ebf-...) on user objects
    # (bf967aba-...) in OU=Staff and below, for svc-helpdesk only.
    sid = ndr_unpack(security.dom_sid, db.search(base=svc, scope=ldb.SCOPE_BASE, attrs=['objectSid'])[0]['objectSid'][0])
    SDUtils(db).dacl_add_ace('OU=Staff,' + base,
        '(OA;CIIO;RPWP;28630ebf-41d5-11d1-a9c1-0000f80367c1;bf967aba-0de6-11d0-a285-00aa003049e2;%s)' % sid)
except Exception:
    db.transaction_cancel()
    raise
db.transaction_commit()
print('[samba-ad] seeded (%d extra users) in %.2f s' % (extra, time.time() - t0), file=sys.stderr)
PY
}

# build_template OUT: provision + seed + CA/server key into OUT; smb.conf gets @@DIR@@/@@IP@@ placeholders.
# Only smb.conf embeds the target path or IP (checked with grep over the whole tree), so a copy is relocatable.
build_template() {
  local out="$1" t0 t1; t0=$(now_ms)
  rm -rf "$out"; mkdir -p "$out/etc" "$out/log" "$out/run" "$out/tls"
  printf '[global]\n' > "$out/etc/empty.conf"           # note #2: don't inherit /etc/samba/smb.conf
  if ! samba-tool domain provision -s "$out/etc/empty.conf" --targetdir="$out" \
      --realm="$REALM" --domain=EXAMPLE --server-role=dc --dns-backend=NONE \
      --adminpass="$ADMIN_PW" --host-name=dc1 --option="netbios name = DC1" \
      --option="interfaces = 127.0.0.1/8" --option="bind interfaces only = yes" \
      --option="server services = ldap" --option="pid directory = $out/run" \
      --option="log file = $out/log/log.%m" --option="panic action = " >"$out/log/provision.log" 2>&1; then
    tail -n 20 "$out/log/provision.log" >&2
    die "samba-tool domain provision failed (log: $out/log/provision.log)"
  fi
  t1=$(now_ms); log "provisioned in $(( t1 - t0 )) ms"
  write_seed_py "$out/etc/seed.py"
  /usr/bin/python3 "$out/etc/seed.py" "$out/etc/smb.conf" "$EXTRA_USERS" || die "seeding failed"
  # Lab CA + server key (EC P-256: instant, unlike Samba's auto-generated RSA 4096 cert, note #7).
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/CN=Unlock Desk Lab CA" -keyout "$out/tls/ca.key" -out "$out/tls/ca.pem" 2>/dev/null
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out "$out/tls/server.key" 2>/dev/null
  chmod 600 "$out/tls/ca.key" "$out/tls/server.key"
  # Turn smb.conf into a template: placeholders for paths and IP, TLS lines, strong auth (note #3, #4).
  local esc="${out//\\/\\\\}"; esc="${esc//|/\\|}"; esc="${esc//&/\\&}"
  sed -i -e "s|$esc|@@DIR@@|g" -e 's|^\(\s*interfaces = \).*$|\1@@IP@@/8|' "$out/etc/smb.conf"
  sed -i '/^\[global\]/a\
\ttls enabled = yes\
\ttls keyfile = @@DIR@@/tls/server.key\
\ttls certfile = @@DIR@@/tls/server.pem\
\ttls cafile = @@DIR@@/tls/ca.pem\
\tldap server require strong auth = @@STRONG@@' "$out/etc/smb.conf"
  if grep -rlaF -- "$out" "$out" | grep -v -e '/log/' -e '/etc/seed.py$' >&2; then
    die "template still embeds its build path in the files above"
  fi
  rm -f "$out/etc/empty.conf" "$out"/log/*
  printf 'built %s by samba-ad.sh (extra users: %s)\n' "$(date -Is)" "$EXTRA_USERS" > "$out/.template-complete"
  log "template built in $(( $(now_ms) - t0 )) ms"
}

ensure_template() { # prints the template path; builds it under a lock when missing
  local tmpl; tmpl="$(template_path)"
  if [[ ! -e "$tmpl/.template-complete" ]]; then
    mkdir -p "$LAB_CACHE"
    exec 6>"$tmpl.lock"
    flock -w 900 6 || die "timed out waiting for $tmpl.lock"
    if [[ ! -e "$tmpl/.template-complete" ]]; then
      log "building template $tmpl"
      local tmp="$tmpl.build.$$"
      trap 'rm -rf "$tmp"' EXIT      # this runs in a $(...) subshell: a failed build leaves nothing behind
      build_template "$tmp" >&2
      rm -rf "$tmpl"; mv "$tmp" "$tmpl"
      trap - EXIT
      # prune templates of other script/samba versions that have not been used for an hour
      find "$LAB_CACHE" -maxdepth 1 -name 'samba-template-*' ! -name "samba-template-$(template_key)*" \
        -mmin +60 -exec rm -rf {} + 2>/dev/null || true
    fi
    exec 6>&-
  fi
  touch "$tmpl"
  printf '%s' "$tmpl"
}

issue_server_cert() { # issue_server_cert DIR IP : server cert for IP + dc1.example.test, signed by the lab CA
  local dir="$1" ip="$2"
  openssl req -new -key "$dir/tls/server.key" -subj "/CN=dc1.$DNS_DOMAIN" 2>/dev/null |
    openssl x509 -req -CA "$dir/tls/ca.pem" -CAkey "$dir/tls/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
      -days 825 -out "$dir/tls/server.pem" -extfile <(printf '%s\n' \
        "subjectAltName=IP:$ip,DNS:dc1.$DNS_DOMAIN" "basicConstraints=CA:FALSE" \
        "keyUsage=digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth") 2>/dev/null ||
    die "could not issue the server certificate"
}

# ---------------------------------------------------------------- commands
validate_ip() {
  local ip="$1" a b c
  [[ "$ip" =~ ^127\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] || die "IP must be a loopback address 127.x.y.z (got '$ip')"
  a=$((10#${BASH_REMATCH[1]})); b=$((10#${BASH_REMATCH[2]})); c=$((10#${BASH_REMATCH[3]}))
  (( a <= 255 && b <= 255 && c <= 255 )) || die "invalid IP '$ip'"
  [[ "$a.$b.$c" != 0.0.0 && "$a.$b.$c" != 255.255.255 ]] || die "IP '$ip' is the network/broadcast address of 127/8"
  printf '127.%d.%d.%d' "$a" "$b" "$c"
}

abs_dir() {
  local d; d="$(readlink -m -- "$1")"
  [[ "$d" =~ ^/[A-Za-z0-9._/+@:,=-]*$ ]] || die "DIR '$1' contains characters this script does not support"
  [[ "$d" != / ]] || die "DIR must not be /"
  printf '%s' "$d"
}

cmd_start() {
  local dir ip t0 tmpl="" pid strong=yes own_tmpl=""
  [[ $# -ge 1 ]] || die "usage: samba-ad.sh start DIR [IP]"
  [[ "$EXTRA_USERS" =~ ^[0-9]+$ && "$EXTRA_USERS" -le 99999 ]] || die "LAB_EXTRA_USERS must be 0..99999"
  t0=$(now_ms)
  dir="$(abs_dir "$1")"; ip="$(validate_ip "${2:-127.0.0.1}")"
  [[ "${LAB_ALLOW_PLAIN_LDAP:-0}" == 1 ]] && strong=no

  # Re-running start on the same DIR restarts it from scratch; a foreign non-empty DIR is refused.
  if [[ -e "$dir/lab.pid" ]]; then
    local old; old="$(cat "$dir/lab.pid" 2>/dev/null || true)"
    if samba_alive "$old"; then log "stopping the previous DC in $dir (pid $old)"; kill_samba "$old" "$(cat "$dir/lab.ip" 2>/dev/null || true)"; fi
  fi
  if [[ -d "$dir" && -n "$(ls -A "$dir")" && ! -e "$dir/.unlockdesk-lab" ]]; then
    die "$dir is not empty and was not created by this script; refusing to wipe it"
  fi

  ensure_packages "${SAMBA_PKGS[@]}"
  mkdir -p "$LAB_CACHE" "$REG_DIR"

  # One start per IP at a time; the lock is held until our samba listens (or we fail).
  exec 9>"$REG_DIR/samba-$ip.lock"
  flock -w 120 9 || die "timed out waiting for $REG_DIR/samba-$ip.lock"
  reap_orphan_on_ip "$ip"
  local used; used="$(ports_in_use "$ip")"
  [[ -z "$used" ]] || die "port(s) ${used% } on $ip already in use; pick another 127.x.y.z (another DC, or a server on 0.0.0.0?)" 75

  if [[ "${SAMBA_AD_NO_TEMPLATE:-0}" == 1 ]]; then
    own_tmpl="$(mktemp -d "$LAB_CACHE/samba-notemplate.XXXXXX")"
    build_template "$own_tmpl" >&2
    tmpl="$own_tmpl"
  else
    tmpl="$(ensure_template)"
  fi

  rm -rf "$dir"; mkdir -p "$dir"
  cp -a "$tmpl/." "$dir/"
  [[ -n "$own_tmpl" ]] && rm -rf "$own_tmpl"
  rm -f "$dir/.template-complete"
  touch "$dir/.unlockdesk-lab"
  sed -i -e "s|@@DIR@@|$dir|g" -e "s|@@IP@@|$ip|g" -e "s|@@STRONG@@|$strong|g" "$dir/etc/smb.conf"
  issue_server_cert "$dir" "$ip"
  printf '%s\n' "$ip" > "$dir/lab.ip"

  # -F: no daemonizing, so $! is samba itself; -M single: one process (note section 2).
  # fds 6-9 (locks) are closed so samba does not keep them held.
  setsid samba -s "$dir/etc/smb.conf" -F -M single --debug-stdout -d 1 \
    </dev/null >"$dir/log/samba.stdout.log" 2>&1 6>&- 7>&- 8>&- 9>&- &
  pid=$!
  printf '%s\n' "$pid" > "$dir/lab.pid"
  printf '%s %s\n' "$pid" "$dir" > "$(reg_file "$ip")"

  # Ready = an authenticated LDAPS bind that verifies the certificate with our CA only.
  local deadline=$(( $(now_ms) + ${LAB_START_TIMEOUT:-60} * 1000 ))
  until LDAPTLS_CACERT="$dir/tls/ca.pem" ldapsearch -x -o nettimeout=2 -H "ldaps://$ip:636" \
        -D "Administrator@$DNS_DOMAIN" -w "$ADMIN_PW" -s base -b "$BASE_DN" dn >/dev/null 2>&1; do
    if ! samba_alive "$pid"; then
      tail -n 30 "$dir/log/samba.stdout.log" >&2
      die "samba exited during startup (log: $dir/log/samba.stdout.log)"
    fi
    if (( $(now_ms) > deadline )); then
      kill_samba "$pid" "$ip"
      die "samba did not accept an LDAPS bind within ${LAB_START_TIMEOUT:-60} s (log: $dir/log/samba.stdout.log)"
    fi
    sleep 0.05
  done
  exec 9>&-

  local -a env=(
    "LAB_KIND=samba-ad" "LAB_DIR=$dir" "LAB_PID=$pid" "LAB_IP=$ip" "LAB_EXTRA_USERS=$EXTRA_USERS"
    "LDAP_URL=ldaps://$ip:636" "LDAP_STARTTLS_URL=ldap://$ip:389" "LDAP_BASE=$BASE_DN"
    "LDAP_CA_FILE=$dir/tls/ca.pem" "LDAP_TLS_SERVERNAME=dc1.$DNS_DOMAIN" "LDAP_DOMAIN=$DNS_DOMAIN"
    "LDAP_ADMIN_DN=CN=Administrator,CN=Users,$BASE_DN" "LDAP_ADMIN_UPN=Administrator@$DNS_DOMAIN"
    "LDAP_ADMIN_PW=$ADMIN_PW" "LDAP_HELPDESK_DN=$HELPDESK_DN" "LDAP_HELPDESK_UPN=svc-helpdesk@$DNS_DOMAIN"
    "LDAP_HELPDESK_PW=$HELPDESK_PW"
  )
  local kv
  printf '%s\n' "${env[@]}" > "$dir/env"          # raw KEY=value (what tools parse)
  for kv in "${env[@]}"; do printf '%s=%s\n' "${kv%%=*}" "$(shq "${kv#*=}")"; done > "$dir/env.sh"   # for `. env.sh`
  cat "$dir/env"
  log "DC ready on ldaps://$ip:636 (pid $pid) in $(( $(now_ms) - t0 )) ms"
}

cmd_stop() {
  [[ $# -ge 1 ]] || die "usage: samba-ad.sh stop DIR"
  local dir pid ip; dir="$(abs_dir "$1")"
  pid="$(cat "$dir/lab.pid" 2>/dev/null || true)"
  ip="$(cat "$dir/lab.ip" 2>/dev/null || true)"
  if [[ -z "$pid" ]]; then log "no lab.pid in $dir; nothing to stop"; return 0; fi
  if samba_alive "$pid"; then
    kill_samba "$pid" "$ip"
    log "stopped pid $pid"
  else
    log "pid $pid is not running"
  fi
  if [[ -n "$ip" ]]; then
    local f; f="$(reg_file "$ip")"
    [[ -r "$f" && "$(cut -d' ' -f1 "$f")" == "$pid" ]] && rm -f "$f"
  fi
  return 0
}

cmd_status() {
  [[ $# -ge 1 ]] || die "usage: samba-ad.sh status DIR"
  local dir pid; dir="$(abs_dir "$1")"
  pid="$(cat "$dir/lab.pid" 2>/dev/null || true)"
  if samba_alive "$pid"; then
    log "running (pid $pid)"; cat "$dir/env" 2>/dev/null || true; return 0
  fi
  log "not running"; return 3
}

cmd_reap() {
  local f ip
  shopt -s nullglob
  for f in "$REG_DIR"/samba-127.*; do
    [[ "$f" == *.lock ]] && continue
    ip="${f##*/samba-}"; reap_orphan_on_ip "$ip"
  done
}

# Everything above only defines functions; the file is fully parsed before main runs, so editing the
# script while an instance is starting cannot make bash read a half-written file.
main() {
  case "${1:-}" in
    start) shift; cmd_start "$@" ;;
    stop) shift; cmd_stop "$@" ;;
    status) shift; cmd_status "$@" ;;
    template) ensure_packages "${SAMBA_PKGS[@]}"; ensure_template; echo ;;
    reap) cmd_reap ;;
    install) ensure_packages "${SAMBA_PKGS[@]}" ;;
    *) sed -n '2,20p' "$SELF" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
}

main "$@"; exit $?
