/**
 * Starts the real parts for the journeys (fresh instances each run) and returns the teardown that stops them:
 * Samba AD DC + OpenLDAP (backend/labs via backend/test/labs/labs.ts), the SMTP mailbox, and the built backend
 * (`backend/dist/main.js`) on a free port with a fresh data directory. Enrollments are imported as the administrator.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from '@playwright/test';
import { adStoreRaw, LAB_ROLES, ldapStoreRaw } from '../backend/test/labs/lab-config';
import { type Lab, startOpenLdap, startSambaAd } from '../backend/test/labs/labs';
import { type Mailbox, startMailbox } from '../backend/test/labs/mailbox';
import { AGENTS, ENROLLMENTS, type LabEnv, STATE_VAR } from './lab-env';

const ROOT = resolve(__dirname, '..');
/** The built backend; E2E_BACKEND_MAIN runs another build (e.g. of a clean checkout) against this repo's web apps. */
const BACKEND = process.env.E2E_BACKEND_MAIN ?? join(ROOT, 'backend', 'dist', 'main.js');

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => done(port));
    });
  });
}

/** The product's configuration for the labs (like backend/scripts/demo-config.mjs), as JSON. */
function config(dir: string, ad: Lab, ldap: Lab, mailbox: Mailbox) {
  return {
    identityStores: [
      adStoreRaw(ad, {
        id: 'corp-ad',
        name: 'Corp Active Directory',
        bind: { dn: ad.helpdeskDn, password: { file: join(dir, 'corp-ad.password') } },
      }),
      ldapStoreRaw(ldap, {
        id: 'corp-ldap',
        name: 'Corp OpenLDAP',
        bind: { dn: ldap.helpdeskDn, password: { file: join(dir, 'corp-ldap.password') } },
      }),
      {
        id: 'cloud-entra',
        name: 'Contoso Entra ID',
        type: 'entra-id',
        tenantId: '00000000-0000-0000-0000-000000000000',
        clientId: '00000000-0000-0000-0000-000000000000',
      },
    ],
    links: { rules: [{ stores: ['corp-ad', 'corp-ldap'], attribute: 'employeeId' }] },
    roles: LAB_ROLES,
    helpdesk: {
      authenticationTtlMinutes: 15,
      notifyUserOnUnlock: true,
      // Only imported enrollments count: users without one are unenrolled, whatever their directory entry holds.
      enrollFromDirectory: { email: false, phone: false },
    },
    notifications: {
      securityContact: 'security@example.test',
      mail: {
        type: 'smtp',
        smtp: {
          host: '127.0.0.1',
          port: mailbox.smtpPort,
          tls: 'none',
          from: '"Unlock Desk" <unlockdesk@example.test>',
        },
      },
    },
  };
}

async function waitForHealth(url: string, backend: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (backend.exitCode !== null) throw new Error(`the backend exited during start-up:\n${log()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`the backend did not become healthy within 60 s:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export default async function globalSetup() {
  const t0 = Date.now();
  const dir = await mkdtemp(join(tmpdir(), 'unlockdesk-e2e-'));
  const stops: (() => Promise<unknown>)[] = [];
  const teardown = async () => {
    for (const stop of stops.reverse()) await stop().catch((e) => console.error(`e2e teardown: ${e}`));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const [ad, ldap, mailbox] = await Promise.all([startSambaAd(), startOpenLdap(), startMailbox()]);
    stops.push(
      () => ad.stop(),
      () => ldap.stop(),
      () => mailbox.stop(),
    );
    await writeFile(join(dir, 'corp-ad.password'), ad.helpdeskPw, { mode: 0o600 });
    await writeFile(join(dir, 'corp-ldap.password'), ldap.helpdeskPw, { mode: 0o600 });
    const configFile = join(dir, 'unlockdesk.json');
    await writeFile(configFile, JSON.stringify(config(dir, ad, ldap, mailbox), null, 2));

    const port = await freePort();
    const baseURL = `http://127.0.0.1:${port}`;
    const dataDir = join(dir, 'data');
    let output = '';
    const backend = spawn(process.execPath, [BACKEND], {
      env: {
        ...process.env,
        UNLOCKDESK_CONFIG: configFile,
        UNLOCKDESK_DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        UNLOCKDESK_ADMIN_DIST: join(ROOT, 'admin', 'dist'),
        UNLOCKDESK_KIOSK_DIST: join(ROOT, 'kiosk', 'dist'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const keep = (s: Buffer) => {
      output = (output + s.toString()).slice(-20_000);
    };
    backend.stdout?.on('data', keep);
    backend.stderr?.on('data', keep);
    const exited = new Promise<void>((done) => backend.once('exit', () => done()));
    stops.push(async () => {
      if (backend.exitCode === null && backend.signalCode === null) {
        backend.kill('SIGTERM');
        const timer = setTimeout(() => backend.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      if (process.env.E2E_BACKEND_LOG) await writeFile(process.env.E2E_BACKEND_LOG, output);
    });
    await waitForHealth(`${baseURL}/api/health`, backend, () => output);

    // Enrollments, imported through the API as the administrator.
    const api = await request.newContext({ baseURL });
    const { storeId, username, password } = AGENTS.admin;
    const session = await api.post('/api/session', { data: { storeId, username, password } });
    if (!session.ok()) throw new Error(`admin sign-in for the enrollment import: ${await session.text()}`);
    const csrf = ((await session.json()) as { csrfToken: string }).csrfToken;
    const imported = await api.post('/api/enrollments/import', {
      data: ENROLLMENTS,
      headers: { 'X-CSRF-Token': csrf },
    });
    const summary = (await imported.json()) as { imported: number };
    if (!imported.ok() || summary.imported !== ENROLLMENTS.length)
      throw new Error(`enrollment import: ${imported.status()} ${JSON.stringify(summary)}`);
    await api.delete('/api/session', { headers: { 'X-CSRF-Token': csrf } });
    await api.dispose();

    const state: LabEnv = {
      baseURL,
      dataDir,
      mailboxUrl: mailbox.httpUrl,
      ad: { url: ad.url, caFile: ad.caFile as string, base: ad.base },
      ldap: { url: ldap.url, base: ldap.base },
    };
    const stateFile = join(dir, 'state.json');
    await writeFile(stateFile, JSON.stringify(state, null, 2));
    process.env[STATE_VAR] = stateFile;
    console.log(`e2e: labs, mailbox and backend ready at ${baseURL} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } catch (err) {
    await teardown();
    throw err;
  }
  return teardown;
}
