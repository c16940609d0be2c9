import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, it, vi } from 'vitest';
import { createQueryClient, Providers } from '../../app/providers';
import { on, stubFetch } from '../../testing/stubFetch';
import type { UserRow } from './api';
import { HelpdeskPage } from './HelpdeskPage';

const carol: UserRow = {
  storeId: 'corp-ad',
  id: 'g-carol',
  dn: 'CN=Carol Clark,OU=Staff,DC=example,DC=test',
  username: 'carol',
  displayName: 'Carol Clark',
  email: 'carol@example.test',
  lock: { state: 'locked', failedAttempts: 3 },
  disabled: false,
  passwordLastChanged: '2026-01-01T10:00:00Z',
  enrolledTypes: ['securityQuestions', 'email'],
};
const gina: UserRow = {
  ...carol,
  storeId: 'corp-ldap',
  id: 'u-gina',
  username: 'gina',
  displayName: 'Gina Gray',
  lock: { state: 'unlocked' },
  enrolledTypes: [],
};

const stores = on('GET', '/api/directory/stores', () =>
  Response.json([
    { id: 'corp-ad', name: 'Corp AD', type: 'active-directory', capabilities: { canUnlock: true, canSearch: true } },
    { id: 'corp-ldap', name: 'Corp LDAP', type: 'ldap', capabilities: { canUnlock: true, canSearch: true } },
  ]),
);
const stub = (results: UserRow[], errors: { storeId: string; message: string }[] = []) =>
  stubFetch(
    stores,
    on('GET', /^\/api\/users\?/, () => Response.json({ results, errors })),
  );
afterEach(() => vi.unstubAllGlobals());

const renderPage = (onAction = vi.fn()) =>
  render(
    <Providers client={createQueryClient()}>
      <HelpdeskPage onAction={onAction} />
    </Providers>,
  );

it('searches as the agent types (debounced) and shows users with lock state, store and enrollment', async () => {
  const user = userEvent.setup();
  const calls = stub([carol, gina]);
  renderPage();
  expect(screen.getByText(/Type a name, username/)).toBeInTheDocument();
  await user.type(screen.getByLabelText(/Search users/), 'car');
  const table = await screen.findByRole('table', { name: 'Users' });
  const [, first, second] = within(table).getAllByRole('row');
  expect(first).toHaveTextContent('Carol Clark');
  expect(first).toHaveTextContent('Corp AD');
  expect(first).toHaveTextContent('Locked');
  expect(first).toHaveTextContent('Security questions, Email');
  expect(second).toHaveTextContent('Not enrolled');
  expect(second).toHaveTextContent('Corp LDAP');
  const searches = calls.map((c) => c.url).filter((u) => u.startsWith('/api/users'));
  expect(searches).toEqual(['/api/users?search=car']); // one request for three keystrokes
});

it('names the store that did not answer above partial results', async () => {
  const user = userEvent.setup();
  stub([carol], [{ storeId: 'corp-ldap', message: 'cannot reach the directory' }]);
  renderPage();
  await user.click(screen.getByLabelText('Locked only'));
  expect(await screen.findByText('Partial results')).toBeInTheDocument();
  expect(screen.getByText(/Corp LDAP did not answer: cannot reach the directory/)).toBeInTheDocument();
});

it('offers Unlock Account and History from the row menu, by keyboard too', async () => {
  const user = userEvent.setup();
  const calls = stub([carol]);
  const onAction = vi.fn();
  renderPage(onAction);
  // The approvals and kiosk sections ask once and hide themselves (no stub: 404); let the page settle first, so that
  // nothing mounts or unmounts between focusing the menu button and pressing Enter.
  await waitFor(() => {
    expect(calls.map((c) => c.url)).toEqual(expect.arrayContaining(['/api/break-glass', '/api/kiosk-sessions']));
    expect(screen.queryByRole('form', { name: 'Claim a kiosk session' })).not.toBeInTheDocument();
  });
  await user.type(screen.getByLabelText(/Search users/), 'carol');
  const menu = await screen.findByRole('button', { name: 'Actions for Carol Clark' });
  menu.focus();
  expect(menu).toHaveFocus();
  await user.keyboard('{Enter}');
  // The menu opens with a transition; allow for a busy machine.
  await user.click(await screen.findByRole('menuitem', { name: 'Unlock Account' }, { timeout: 15_000 }));
  expect(onAction).toHaveBeenCalledWith({ kind: 'unlock', user: carol });
});

it('says so when nothing matches', async () => {
  const user = userEvent.setup();
  stub([]);
  renderPage();
  await user.type(screen.getByLabelText(/Search users/), 'zzz');
  expect(await screen.findByText('No users match.')).toBeInTheDocument();
});
