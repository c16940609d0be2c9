/**
 * Reusable fixtures for the end-to-end journeys. Import `test` and `expect` from here instead of @playwright/test:
 *
 *   import { expect, test } from '../fixtures';
 *   test('…', async ({ page, signIn, directory, mailbox }) => { … });
 *
 * - `baseURL`: the backend started by global-setup.ts (relative page.goto('/helpdesk') works).
 * - `env`: where the labs, the mailbox and the backend are (LabEnv).
 * - `signIn(agent)`: signs the page in through the sign-in form as a seed agent (AGENTS) and waits for the shell.
 * - `signOut()`: signs out through the header button.
 * - `directory`: locks seed users with real failed binds (`lockAd('carol')`, `lockLdap('carol')`).
 * - `mailbox`: the SMTP mailbox's HTTP API (`waitForCode(to)`, `messages(to)`, `clear()`).
 * - `agentApi(agent)`: an APIRequestContext signed in as the agent, with `csrf` for state-changing calls.
 * - `screens.save(name, page?)`: a full-page PNG of the test's page (or another one, such as a second agent's) in
 *   test-results/screens/<name>.png (kept after the run, for reviews).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type APIRequestContext, test as base, expect, type Page, request } from '@playwright/test';
import { Client } from 'ldapts';
import { lockWithFailedBinds } from '../backend/test/labs/labs';
import { AGENTS, type AgentName, type LabEnv, labEnv } from './lab-env';

export { AGENTS, ENROLLMENTS, QUESTIONS } from './lab-env';
export { expect };

export type MailboxMessage = {
  id: string;
  receivedAt: string;
  to: { address: string; name: string }[];
  subject: string;
  text: string;
};

export type MailboxApi = {
  messages(to?: string): Promise<MailboxMessage[]>;
  /** Polls for a message to `to` received after `since` (ISO time) that matches `predicate`. */
  waitFor(to: string, predicate?: (m: MailboxMessage) => boolean, timeoutMs?: number): Promise<MailboxMessage>;
  /** The one-time code of the newest verification e-mail to `to` received after `since`. */
  waitForCode(to: string, since?: string): Promise<string>;
  clear(): Promise<void>;
};

export type DirectoryApi = {
  /** Three wrong passwords on the Samba AD DC (LDAPS, the lab CA): the account is locked. */
  lockAd(username: string): Promise<void>;
  /** Three wrong passwords on OpenLDAP (ppolicy): the account is locked. */
  lockLdap(uid: string): Promise<void>;
  /** Does a bind with this password succeed now (AD: username@example.test)? Locked accounts cannot bind. */
  canBindAd(username: string, password: string): Promise<boolean>;
  canBindLdap(uid: string, password: string): Promise<boolean>;
};

async function canBind(url: string, dn: string, password: string, tlsOptions?: { ca: Buffer[] }): Promise<boolean> {
  const client = new Client({ url, tlsOptions, timeout: 10_000, connectTimeout: 5_000 });
  try {
    await client.bind(dn, password);
    return true;
  } catch (e) {
    if (typeof (e as { code?: unknown }).code === 'number') return false;
    throw e;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

export type AgentApi = { api: APIRequestContext; csrf: string };

type Fixtures = {
  env: LabEnv;
  signIn: (agent?: AgentName) => Promise<void>;
  signOut: () => Promise<void>;
  directory: DirectoryApi;
  mailbox: MailboxApi;
  agentApi: (agent: AgentName) => Promise<AgentApi>;
  screens: { save(name: string, of?: Page): Promise<void> };
};

export function mailboxApi(url: string): MailboxApi {
  const get = async <T>(path: string, init?: RequestInit) => {
    const res = await fetch(`${url}${path}`, init);
    if (!res.ok) throw new Error(`mailbox ${path}: ${res.status}`);
    return (await res.json()) as T;
  };
  const self: MailboxApi = {
    messages: (to) => get<MailboxMessage[]>(`/messages${to ? `?to=${encodeURIComponent(to)}` : ''}`),
    async waitFor(to, predicate = () => true, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = (await self.messages(to)).find(predicate);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`mailbox: no matching message to ${to} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async waitForCode(to, since = new Date(0).toISOString()) {
      const m = await self.waitFor(to, (x) => x.receivedAt >= since && /verification code is \d{6,10}/.test(x.text));
      return /verification code is (\d{6,10})/.exec(m.text)?.[1] as string;
    },
    async clear() {
      await get('/messages', { method: 'DELETE' });
    },
  };
  return self;
}

export async function signInPage(page: Page, agent: AgentName = 'agent'): Promise<void> {
  const a = AGENTS[agent];
  await page.goto('/helpdesk');
  // The e2e configuration has two sign-in stores (corp-ad, corp-ldap), so the store picker is always shown.
  const store = page.getByRole('combobox', { name: 'Identity store' });
  const storeName = a.storeId === 'corp-ad' ? 'Corp Active Directory' : 'Corp OpenLDAP';
  await expect(store).toBeVisible();
  if ((await store.inputValue()) !== storeName) {
    await store.click();
    await page.getByRole('option', { name: storeName }).click();
  }
  await page.getByRole('textbox', { name: 'Username' }).fill(a.username);
  await page.getByRole('textbox', { name: 'Password' }).fill(a.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Helpdesk Operations' })).toBeVisible();
}

export const test = base.extend<Fixtures>({
  // biome-ignore lint/correctness/noEmptyPattern: Playwright fixtures take their dependencies as the first argument
  env: async ({}, use) => use(labEnv()),
  baseURL: async ({ env }, use) => use(env.baseURL),
  signIn: async ({ page }, use) => use((agent) => signInPage(page, agent)),
  signOut: async ({ page }, use) =>
    use(async () => {
      await page.getByRole('button', { name: 'Sign out' }).click();
      await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
    }),
  directory: async ({ env }, use) => {
    const tlsOptions = { ca: [readFileSync(env.ad.caFile)] };
    await use({
      async lockAd(username) {
        await lockWithFailedBinds(env.ad.url, `${username}@example.test`, 3, tlsOptions);
      },
      async lockLdap(uid) {
        await lockWithFailedBinds(env.ldap.url, `uid=${uid},ou=people,${env.ldap.base}`, 3);
      },
      canBindAd: (username, password) => canBind(env.ad.url, `${username}@example.test`, password, tlsOptions),
      canBindLdap: (uid, password) => canBind(env.ldap.url, `uid=${uid},ou=people,${env.ldap.base}`, password),
    });
  },
  mailbox: async ({ env }, use) => use(mailboxApi(env.mailboxUrl)),
  agentApi: async ({ env }, use) => {
    const opened: APIRequestContext[] = [];
    await use(async (agent) => {
      const api = await request.newContext({ baseURL: env.baseURL });
      opened.push(api);
      const { storeId, username, password } = AGENTS[agent];
      const res = await api.post('/api/session', { data: { storeId, username, password } });
      expect(res.ok(), await res.text()).toBeTruthy();
      return { api, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
    });
    for (const api of opened) await api.dispose();
  },
  screens: async ({ page }, use, testInfo) => {
    const dir = join(testInfo.project.outputDir, 'screens');
    mkdirSync(dir, { recursive: true });
    await use({
      async save(name, of = page) {
        await of.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
      },
    });
  },
});

/** Types into the helpdesk search and returns the result row of the user (by name and identity store). */
export async function findUser(page: Page, search: string, row: RegExp | string) {
  const box = page.getByLabel('Search users');
  await box.fill(search);
  const r = page.getByRole('table', { name: 'Users' }).getByRole('row').filter({ hasText: row });
  await expect(r.first()).toBeVisible();
  return r.first();
}

/** Opens the Unlock Account dialog of a user from the row's menu. */
export async function openUnlockDialog(page: Page, search: string, row: RegExp | string) {
  const r = await findUser(page, search, row);
  await r.getByRole('button', { name: /^Actions for / }).click();
  await page.getByRole('menuitem', { name: 'Unlock Account' }).click();
  const dialog = page.getByRole('dialog', { name: /Unlock Account/ });
  await expect(dialog).toBeVisible();
  return dialog;
}
