/**
 * Roles & policy journey in real Chromium against the real backend and Samba AD (global-setup.ts): an administrator
 * edits the "Helpdesk agent" role in the admin app, and the agent's very next request and screen follow it: the
 * unlock verdicts the backend gives the agent change (with the backend's reason), the Audit page appears and
 * disappears from the agent's navigation, and a direct URL says why it is not allowed. The role is restored at the
 * end, so the other journeys see the configured policy.
 */
import { readFileSync } from 'node:fs';
import type { APIRequestContext, Browser, Page } from '@playwright/test';
import { type AgentApi, expect, openUnlockDialog, signInPage, test } from '../fixtures';

type Permit = { allowed: boolean; reason: string | null };
type Profile = { actions: { openCase: Permit; skipAuthentication: Permit; unlock: Permit } };
type RoleView = { roleId: string; revision: number; [key: string]: unknown };

async function carolActions(agent: AgentApi): Promise<Profile['actions']> {
  const found = await agent.api.get('/api/users?search=carol&storeId=corp-ad');
  expect(found.ok(), await found.text()).toBeTruthy();
  const { results } = (await found.json()) as { results: { storeId: string; id: string; username: string }[] };
  const carol = results.find((u) => u.username === 'carol' && u.storeId === 'corp-ad');
  expect(carol, 'carol in Corp AD').toBeTruthy();
  const res = await agent.api.get(`/api/users/corp-ad/${encodeURIComponent(carol?.id ?? '')}`);
  expect(res.ok(), await res.text()).toBeTruthy();
  return ((await res.json()) as Profile).actions;
}

async function getRole(api: APIRequestContext, roleId: string): Promise<RoleView> {
  const res = await api.get(`/api/roles/${roleId}`);
  expect(res.ok(), await res.text()).toBeTruthy();
  return (await res.json()) as RoleView;
}

async function putRole(admin: AgentApi, role: RoleView, change: Record<string, unknown> = {}) {
  const current = await getRole(admin.api, role.roleId);
  const { roleId: _id, revision: _rev, updatedAt: _at, ...definition } = { ...role, ...change };
  const res = await admin.api.put(`/api/roles/${role.roleId}`, {
    data: definition,
    headers: { 'X-CSRF-Token': admin.csrf, 'If-Match': `"${current.revision}"` },
  });
  expect(res.ok(), await res.text()).toBeTruthy();
}

async function agentPage(browser: Browser, baseURL: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  await signInPage(page, 'agent');
  return page;
}

// Every journey here at 1280×720 (the agent's second browser context too).
test.use({ viewport: { width: 1280, height: 720 } });

test('an administrator edits the Helpdesk agent role and the agent’s next request and screen follow it', async ({
  page,
  browser,
  env,
  signIn,
  agentApi,
  screens,
}) => {
  const admin = await agentApi('admin');
  const original = await getRole(admin.api, 'helpdesk-agent');
  const agent = await agentApi('agent');
  try {
    // Before: restricted policy, so the agent must authenticate carol first; no View Audit.
    const before = await carolActions(agent);
    expect(before.openCase.allowed).toBe(true);
    expect(before.skipAuthentication.allowed).toBe(false);
    expect(before.skipAuthentication.reason).toBeTruthy();
    const agentUi = await agentPage(browser, env.baseURL);
    const agentNav = agentUi.getByRole('navigation', { name: 'Main' });
    await expect(agentNav.getByRole('link', { name: 'Helpdesk' })).toBeVisible();
    await expect(agentNav.getByRole('link', { name: 'Audit' })).toHaveCount(0);
    await expect(agentNav.getByRole('link', { name: 'Roles & policy' })).toHaveCount(0);
    let unlock = await openUnlockDialog(agentUi, 'carol', 'Corp Active Directory');
    await expect(unlock.getByText(/verify 2 of the user's enrolled types/)).toBeVisible();
    await expect(unlock.getByRole('button', { name: 'Skip authentication' })).toHaveCount(0);
    await agentUi.keyboard.press('Escape');
    await expect(unlock).toBeHidden();

    // The administrator makes the role unrestricted, with Unlock Any Account and View Audit.
    await signIn('admin');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Roles & policy' }).click();
    const row = page.getByRole('table', { name: 'Roles' }).getByRole('row').filter({ hasText: 'Helpdesk agent' });
    await expect(row).toContainText('Restricted');
    await expect(row).toContainText('Authenticate first: 2 types verified');
    await screens.save('roles-01-list');
    await row.getByRole('button', { name: 'Edit Helpdesk agent' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit role: Helpdesk agent' });
    await expect(dialog.getByRole('textbox', { name: 'Name', exact: true })).toBeFocused();
    await expect(dialog.getByLabel('Required authentication types')).toHaveValue('2');
    await dialog.getByRole('radio', { name: 'Unrestricted' }).check();
    await expect(dialog.getByLabel('Required authentication types')).toHaveCount(0);
    await dialog.getByRole('checkbox', { name: 'Unlock Any Account' }).check();
    await dialog.getByRole('checkbox', { name: 'View Audit' }).check();
    await screens.save('roles-02-edit-unrestricted');
    await dialog.getByRole('button', { name: 'Save role' }).click();
    await expect(dialog).toBeHidden();
    await expect(row).toContainText('Unrestricted');
    await expect(row).toContainText('Unlock Any Account');
    await expect(row).toContainText('View Audit');

    // The agent's next request: authentication may now be skipped; no new sign-in needed.
    const after = await carolActions(agent);
    expect(after.skipAuthentication.allowed).toBe(true);
    await agentUi.reload();
    unlock = await openUnlockDialog(agentUi, 'carol', 'Corp Active Directory');
    await expect(unlock.getByRole('button', { name: 'Skip authentication' })).toBeEnabled();
    await agentUi.keyboard.press('Escape');
    await expect(unlock).toBeHidden();
    await agentNav.getByRole('link', { name: 'Audit' }).click();
    const events = agentUi.getByRole('table', { name: 'Audit events' });
    await expect(events).toContainText('role.changed');
    await expect(events.getByRole('row').filter({ hasText: 'role.changed' }).first()).toContainText('Henry Admin');
    await screens.save('roles-03-agent-audit', agentUi);

    // The administrator takes Unlock Account (and View Audit) away again.
    await row.getByRole('button', { name: 'Edit Helpdesk agent' }).click();
    await dialog.getByRole('checkbox', { name: 'Unlock Any Account' }).uncheck();
    await dialog.getByRole('checkbox', { name: 'Unlock Account', exact: true }).uncheck();
    await dialog.getByRole('checkbox', { name: 'View Audit' }).uncheck();
    await dialog.getByRole('button', { name: 'Save role' }).click();
    await expect(dialog).toBeHidden();
    await expect(row).not.toContainText('Unlock Account');

    const removed = await carolActions(agent);
    expect(removed.openCase.allowed).toBe(false);
    expect(removed.openCase.reason).toMatch(/Unlock Account/);
    await agentUi.goto('/helpdesk');
    unlock = await openUnlockDialog(agentUi, 'carol', 'Corp Active Directory');
    await expect(unlock).toContainText(removed.openCase.reason as string);
    await screens.save('roles-04a-agent-unlock-refused', agentUi);
    await agentUi.keyboard.press('Escape');
    // A bookmarked URL to a page the role no longer allows says why.
    await agentUi.goto('/audit');
    const notAllowed = agentUi.getByRole('alert').filter({ hasText: 'Not allowed' });
    await expect(notAllowed).toContainText('Your role (Helpdesk agent) lacks View Audit');
    await expect(agentNav.getByRole('link', { name: 'Audit' })).toHaveCount(0);
    await screens.save('roles-04-agent-not-allowed', agentUi);
    await agentUi.context().close();
  } finally {
    await putRole(admin, original);
  }
});

test('a stale edit (someone else saved first) is not applied: the form reloads their version and says so', async ({
  page,
  signIn,
  agentApi,
  screens,
}) => {
  const admin = await agentApi('admin');
  const original = await getRole(admin.api, 'auditor');
  try {
    await signIn('admin');
    await page.goto('/roles');
    await page.getByRole('button', { name: 'Edit Auditor' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit role: Auditor' });
    await dialog.getByLabel('Priority').fill('7');

    await putRole(admin, original, { priority: 6 }); // someone else, meanwhile

    await dialog.getByRole('button', { name: 'Save role' }).click();
    await expect(dialog.getByRole('alert')).toContainText('Someone else changed this role');
    await expect(dialog.getByLabel('Priority')).toHaveValue('6');
    await screens.save('roles-05-stale-edit');

    // The backend's rules come back on the field they concern.
    await dialog.getByRole('checkbox', { name: 'Unlock Any Account' }).check();
    await dialog.getByRole('button', { name: 'Save role' }).click();
    await expect(dialog.getByText('Unlock Any Account requires Unlock Account')).toBeVisible();
    await expect(dialog.getByRole('alert')).toContainText('The role was not saved');
    await screens.save('roles-06-field-error');
    await dialog.getByRole('checkbox', { name: 'Unlock Any Account' }).uncheck();
    await dialog.getByLabel('Priority').fill('7');
    await dialog.getByRole('button', { name: 'Save role' }).click();
    await expect(dialog).toBeHidden();
    expect((await getRole(admin.api, 'auditor')).priority).toBe(7);
  } finally {
    await putRole(admin, original);
  }
});

test('an auditor filters the audit log, exports exactly the filtered events and verifies the hash chain', async ({
  page,
  signIn,
  screens,
}) => {
  await signIn('auditor');
  const nav = page.getByRole('navigation', { name: 'Main' });
  await expect(nav.getByRole('link', { name: 'Roles & policy' })).toHaveCount(0);
  await nav.getByRole('link', { name: 'Audit' }).click();
  const events = page.getByRole('table', { name: 'Audit events' });
  await expect(events).toContainText('agent.signedIn');

  const filters = page.getByRole('form', { name: 'Audit filters' });
  await filters.getByLabel('Action').fill('role.created');
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/[?&]action=role\.created/);
  const rows = events.getByRole('row');
  await expect(rows).toHaveCount(4); // header + the three bootstrap roles
  await expect(events).not.toContainText('agent.signedIn');

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export CSV' }).click();
  const csv = readFileSync((await (await download).path()) as string, 'utf8');
  const lines = csv.trim().split(/\r?\n/);
  expect(lines).toHaveLength(4); // header + three events, nothing else
  expect(lines.slice(1).every((l) => l.includes('role.created'))).toBe(true);

  await page.getByRole('button', { name: 'Verify chain' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Hash chain intact' })).toContainText('events checked');
  await rows
    .nth(1)
    .getByRole('button', { name: /^Details of event/ })
    .click();
  const details = page.getByRole('dialog', { name: 'Event details' });
  await expect(details).toContainText('Previous hash');
  await screens.save('audit-01-filtered-verified-details');
  await details.getByRole('button', { name: 'Close' }).click();
  await screens.save('audit-02-filtered-verified');
});
