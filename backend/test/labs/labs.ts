// Test helpers that start real directories from backend/labs: a Samba AD DC (samba-ad.sh) on a free loopback IP and
// an OpenLDAP slapd with ppolicy (openldap.sh) on a free port. Each call gets a fresh, seeded instance in its own
// temp dir; stop() stops it and removes the dir. The seed users and passwords are listed in backend/labs/README.md.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { Client } from 'ldapts';

export const LABS_DIR = resolve(__dirname, '..', '..', 'labs');

export type LabKind = 'samba-ad' | 'openldap';

export interface Lab {
  kind: LabKind;
  /** Every KEY=value line the script printed (LDAP_URL, LDAP_BASE, LAB_PID, ...). */
  env: Record<string, string>;
  /** ldaps://127.0.X.Y:636 for Samba AD, ldap://127.0.0.1:PORT for OpenLDAP. */
  url: string;
  /** Samba AD only: ldap://127.0.X.Y:389 (StartTLS required before a simple bind). */
  startTlsUrl?: string;
  base: string;
  /** Samba AD only: PEM file of the lab CA that issued the DC's certificate (SAN = the IP and dc1.example.test). */
  caFile?: string;
  /** TLS options that verify the DC with the lab CA (Samba AD); undefined for OpenLDAP (plain LDAP on loopback). */
  tlsOptions?: ConnectionOptions;
  adminDn: string;
  adminPw: string;
  helpdeskDn: string;
  helpdeskPw: string;
  /** Loopback address the server listens on. */
  host: string;
  port: number;
  dir: string;
  pid: number;
  /** Stops the server, waits until its ports are free and removes its dir. Safe to call twice. */
  stop(): Promise<void>;
}

export interface LabOptions {
  /** LAB_EXTRA_USERS: also create user00001..userN (password UserPass1!) in OU=Staff / ou=people. */
  extraUsers?: number;
  /** Samba AD: listen address (default: a free random 127.0.X.Y, never 127.0.0.1). */
  ip?: string;
  /** OpenLDAP: port (default: the script picks a free one). */
  port?: number;
  /** Keep the temp dir after stop() (for debugging). */
  keepDir?: boolean;
  /** Extra environment for the script (e.g. { SAMBA_AD_NO_TEMPLATE: '1' }). */
  scriptEnv?: Record<string, string>;
}

const EXIT_PORT_IN_USE = 75;
const running = new Map<number, LabKind>();

// Last resort if a test file forgets stop() or the worker exits early: don't leave servers behind.
process.once('exit', () => {
  for (const pid of running.keys()) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {}
  }
});

/** Parses the KEY=value lines printed by the lab scripts (values are raw, never quoted). */
export function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2];
  }
  return env;
}

class LabScriptError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
  ) {
    super(message);
  }
}

function runScript(script: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      'bash',
      [join(LABS_DIR, script), ...args],
      { env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024, timeout: 15 * 60_000 },
      (error, stdout, stderr) => {
        if (!error) return resolvePromise(stdout);
        const code = typeof error.code === 'number' ? error.code : null;
        const tail = stderr.trim().split('\n').slice(-15).join('\n');
        reject(new LabScriptError(`${script} ${args.join(' ')} failed (exit ${code}):\n${tail}`, code));
      },
    );
  });
}

/** True if something accepts TCP connections on host:port. */
export function isPortOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect({ host, port });
    const done = (open: boolean) => {
      socket.destroy();
      resolvePromise(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A random 127.0.X.Y whose LDAP ports look free; X depends on the jest worker to keep workers apart. */
export async function pickLoopbackIp(): Promise<string> {
  const worker = Number(process.env.JEST_WORKER_ID ?? '1') || 1;
  for (let i = 0; i < 20; i++) {
    const x = 20 + ((worker * 7 + Math.floor(Math.random() * 7)) % 200);
    const y = 2 + Math.floor(Math.random() * 252);
    const ip = `127.0.${x}.${y}`;
    if (!(await isPortOpen(ip, 636, 300)) && !(await isPortOpen(ip, 389, 300))) return ip;
  }
  throw new Error('no free loopback address found for a Samba AD lab');
}

function makeStop(kind: LabKind, dir: string, pid: number, host: string, ports: number[], keepDir: boolean) {
  let stopped: Promise<void> | undefined;
  return () => {
    stopped ??= (async () => {
      try {
        await runScript(kind === 'samba-ad' ? 'samba-ad.sh' : 'openldap.sh', ['stop', dir]);
      } finally {
        running.delete(pid);
      }
      for (const port of ports) {
        if (await isPortOpen(host, port, 300)) throw new Error(`${kind} lab stopped but ${host}:${port} is still open`);
      }
      if (!keepDir) await rm(dir, { recursive: true, force: true });
    })();
    return stopped;
  };
}

/** Starts a fresh, seeded Samba AD DC (about 1 s from the cached template; first run builds it, about 5-7 s). */
export async function startSambaAd(opts: LabOptions = {}): Promise<Lab> {
  const dir = await mkdtemp(join(tmpdir(), 'unlockdesk-ad-'));
  const scriptEnv = { ...opts.scriptEnv, LAB_EXTRA_USERS: String(opts.extraUsers ?? 0) };
  let stdout: string | undefined;
  for (let attempt = 0; stdout === undefined; attempt++) {
    const ip = opts.ip ?? (await pickLoopbackIp());
    try {
      stdout = await runScript('samba-ad.sh', ['start', dir, ip], scriptEnv);
    } catch (e) {
      // Another process took the address between our check and the script's: try another one.
      if (e instanceof LabScriptError && e.exitCode === EXIT_PORT_IN_USE && !opts.ip && attempt < 5) continue;
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
  }
  const env = parseEnv(stdout);
  const host = env.LAB_IP;
  const pid = Number(env.LAB_PID);
  running.set(pid, 'samba-ad');
  const caFile = env.LDAP_CA_FILE;
  return {
    kind: 'samba-ad',
    env,
    url: env.LDAP_URL,
    startTlsUrl: env.LDAP_STARTTLS_URL,
    base: env.LDAP_BASE,
    caFile,
    tlsOptions: { ca: [readFileSync(caFile)] },
    adminDn: env.LDAP_ADMIN_DN,
    adminPw: env.LDAP_ADMIN_PW,
    helpdeskDn: env.LDAP_HELPDESK_DN,
    helpdeskPw: env.LDAP_HELPDESK_PW,
    host,
    port: 636,
    dir,
    pid,
    stop: makeStop('samba-ad', dir, pid, host, [389, 636], opts.keepDir ?? false),
  };
}

/** Starts a fresh, seeded OpenLDAP with ppolicy on ldap://127.0.0.1:PORT (about 0.3 s once slapd is installed). */
export async function startOpenLdap(opts: LabOptions = {}): Promise<Lab> {
  const dir = await mkdtemp(join(tmpdir(), 'unlockdesk-ldap-'));
  let stdout: string;
  try {
    const args = opts.port ? ['start', dir, String(opts.port)] : ['start', dir];
    stdout = await runScript('openldap.sh', args, {
      ...opts.scriptEnv,
      LAB_EXTRA_USERS: String(opts.extraUsers ?? 0),
    });
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const env = parseEnv(stdout);
  const pid = Number(env.LAB_PID);
  const port = Number(env.LDAP_PORT);
  const host = new URL(env.LDAP_URL).hostname;
  running.set(pid, 'openldap');
  return {
    kind: 'openldap',
    env,
    url: env.LDAP_URL,
    base: env.LDAP_BASE,
    adminDn: env.LDAP_ADMIN_DN,
    adminPw: env.LDAP_ADMIN_PW,
    helpdeskDn: env.LDAP_HELPDESK_DN,
    helpdeskPw: env.LDAP_HELPDESK_PW,
    host,
    port,
    dir,
    pid,
    stop: makeStop('openldap', dir, pid, host, [port], opts.keepDir ?? false),
  };
}

/** An ldapts client for the lab's main URL (LDAPS verified with the lab CA for Samba AD). */
export function labClient(lab: Lab): Client {
  return new Client({ url: lab.url, tlsOptions: lab.tlsOptions, timeout: 10_000, connectTimeout: 5_000 });
}

export interface FailedBind {
  code: number | undefined;
  message: string;
}

/**
 * Makes `tries` simple binds with a wrong password, each on a new connection, and returns the errors.
 * With the seeded policies 3 tries lock the account (AD: lockoutTime set, data 775 afterwards;
 * OpenLDAP: pwdAccountLockedTime set). Waits `settleMs` afterwards: slapd stamps the lock with a finer clock than it
 * checks it with, so a bind in the same few ms can still succeed (openldap-ppolicy note, gotcha 1).
 */
export async function lockWithFailedBinds(
  url: string,
  bindDn: string,
  tries = 3,
  tlsOptions?: ConnectionOptions,
  settleMs = 20,
): Promise<FailedBind[]> {
  const errors: FailedBind[] = [];
  for (let i = 0; i < tries; i++) {
    const client = new Client({ url, tlsOptions, timeout: 10_000, connectTimeout: 5_000 });
    try {
      await client.bind(bindDn, `wrong-password-${i}-${Date.now()}`);
      throw new Error(`bind as ${bindDn} with a wrong password succeeded`);
    } catch (e) {
      const err = e as { code?: unknown; message?: unknown };
      if (typeof err.code !== 'number') throw e;
      errors.push({ code: err.code, message: String(err.message ?? '') });
    } finally {
      await client.unbind().catch(() => undefined);
    }
  }
  if (settleMs > 0) await new Promise((r) => setTimeout(r, settleMs));
  return errors;
}
