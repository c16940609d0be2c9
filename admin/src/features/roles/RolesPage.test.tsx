import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, it, vi } from 'vitest';
import { createQueryClient, Providers } from '../../app/providers';
import { on, stubFetch } from '../../testing/stubFetch';
import type { RoleView } from './api';
import RolesPage from './RolesPage';

const agentRole: RoleView = {
  roleId: 'helpdesk-agent',
  name: 'Helpdesk agent',
  priority: 10,
  permissions: ['UnlockAccount', 'ViewHistory'],
  policy: { mode: 'restricted', requiredTypes: 2, minSecurityQuestions: 2 },
  scope: { storeIds: ['corp-ad'], baseDns: ['OU=Staff,DC=corp,DC=example'] },
  mappedGroups: [{ storeId: 'corp-ad', group: 'Helpdesk' }],
  revision: 3,
  updatedAt: '2026-01-01T10:00:00Z',
};
const admin: RoleView = {
  ...agentRole,
  roleId: 'administrator',
  name: 'Administrator',
  priority: 100,
  permissions: ['UnlockAccount', 'UnlockAnyAccount', 'ViewHistory', 'ViewAudit', 'ManageRoles', 'ManageKiosks'],
  policy: { mode: 'unrestricted', requiredTypes: 1, minSecurityQuestions: 0 },
  scope: { storeIds: ['*'] },
  mappedGroups: [{ storeId: 'corp-ldap', group: 'cn=admins,ou=groups,dc=corp,dc=example' }],
  revision: 0,
};
const stores = on('GET', '/api/directory/stores', () =>
  Response.json([
    { id: 'corp-ad', name: 'Corp AD', type: 'active-directory' },
    { id: 'corp-ldap', name: 'Corp LDAP', type: 'ldap' },
  ]),
);
const list = (roles: RoleView[]) => on('GET', '/api/roles', () => Response.json(roles));

afterEach(() => vi.unstubAllGlobals());

const renderPage = () =>
  render(
    <Providers client={createQueryClient()}>
      <RolesPage />
    </Providers>,
  );

it('lists roles with priority, mode, permissions, scope and mapped groups', async () => {
  stubFetch(stores, list([admin, agentRole]));
  renderPage();
  const table = await screen.findByRole('table', { name: 'Roles' });
  const [, first, second] = within(table).getAllByRole('row');
  expect(first).toHaveTextContent('Administrator');
  expect(first).toHaveTextContent('Unrestricted');
  expect(first).toHaveTextContent('Unlock Any Account');
  expect(first).toHaveTextContent('All identity stores');
  expect(second).toHaveTextContent('Helpdesk agent');
  expect(second).toHaveTextContent('Restricted');
  expect(second).toHaveTextContent('Authenticate first: 2 types verified');
  expect(second).toHaveTextContent('Unlock Account, View History');
  await waitFor(() => expect(second).toHaveTextContent('Corp AD — under OU=Staff,DC=corp,DC=example'));
  expect(second).toHaveTextContent('Helpdesk (Corp AD)');
});

it("shows the backend's validation messages on the fields they name", async () => {
  const user = userEvent.setup();
  const calls = stubFetch(
    stores,
    list([]),
    on('POST', '/api/roles', () =>
      Response.json(
        {
          statusCode: 400,
          reason: 'role.invalid',
          message: 'The role is invalid: …',
          fields: [
            { field: 'policy.requiredTypes', message: 'must be between 1 and 4 in restricted mode' },
            { field: 'permissions', message: 'UnlockAnyAccount requires UnlockAccount' },
            { field: 'mappedGroups[0].group', message: 'must be a non-empty string' },
          ],
        },
        { status: 400 },
      ),
    ),
  );
  renderPage();
  await user.click(await screen.findByRole('button', { name: 'New role' }));
  const dialog = await screen.findByRole('dialog', { name: 'New role' });
  await user.type(within(dialog).getByLabelText(/^Name/), 'Night shift');
  await user.click(within(dialog).getByRole('button', { name: 'Add group' }));
  await user.click(within(dialog).getByRole('button', { name: 'Create role' }));

  const types = await within(dialog).findByLabelText('Required authentication types');
  expect(types).toHaveAttribute('aria-invalid', 'true');
  expect(types).toHaveAccessibleDescription(expect.stringContaining('Must be between 1 and 4 in restricted mode'));
  expect(within(dialog).getByLabelText('Group 1 (name or DN)')).toHaveAccessibleDescription(
    'Must be a non-empty string',
  );
  expect(within(dialog).getByText('Unlock Any Account requires Unlock Account')).toBeInTheDocument();
  expect(within(dialog).getByRole('alert')).toHaveTextContent('The role was not saved');

  const post = calls.find((c) => c.method === 'POST');
  expect(post?.body).toEqual({
    name: 'Night shift',
    priority: 10,
    permissions: ['UnlockAccount', 'ViewHistory'],
    policy: { mode: 'restricted', requiredTypes: 1, minSecurityQuestions: 0 },
    scope: { storeIds: ['*'] },
    mappedGroups: [{ storeId: 'corp-ad', group: '' }],
  });
});

it('maps request-validation messages (field path first) too', async () => {
  const user = userEvent.setup();
  stubFetch(
    stores,
    list([]),
    on('POST', '/api/roles', () =>
      Response.json(
        { statusCode: 400, error: 'Bad Request', message: ['priority must not be greater than 1000000', 'foo bar'] },
        { status: 400 },
      ),
    ),
  );
  renderPage();
  await user.click(await screen.findByRole('button', { name: 'New role' }));
  const dialog = await screen.findByRole('dialog');
  await user.click(within(dialog).getByRole('button', { name: 'Create role' }));
  await waitFor(() =>
    expect(within(dialog).getByLabelText(/^Priority/)).toHaveAccessibleDescription(
      expect.stringContaining('Must not be greater than 1000000'),
    ),
  );
  expect(within(dialog).getByRole('alert')).toHaveTextContent('Foo bar');
});

it('sends If-Match on save; on 412 reloads the role, shows it and says someone else changed it', async () => {
  const user = userEvent.setup();
  const theirs: RoleView = { ...agentRole, policy: { ...agentRole.policy, mode: 'unrestricted' }, revision: 4 };
  let puts = 0;
  const calls = stubFetch(
    stores,
    list([agentRole]),
    on('GET', '/api/roles/helpdesk-agent', () => Response.json(theirs, { headers: { ETag: '"4"' } })),
    on('PUT', '/api/roles/helpdesk-agent', () =>
      ++puts === 1
        ? Response.json(
            { statusCode: 412, reason: 'precondition-failed', message: 'The role changed' },
            { status: 412 },
          )
        : Response.json({ ...theirs, revision: 5 }),
    ),
  );
  renderPage();
  await user.click(await screen.findByRole('button', { name: 'Edit Helpdesk agent' }));
  const dialog = await screen.findByRole('dialog', { name: 'Edit role: Helpdesk agent' });
  await user.click(within(dialog).getByLabelText(/^View Audit/));
  await user.click(within(dialog).getByRole('button', { name: 'Save role' }));

  expect(await within(dialog).findByRole('alert')).toHaveTextContent('Someone else changed this role');
  expect(within(dialog).getByLabelText(/^Unrestricted/)).toBeChecked(); // their version is shown
  expect(within(dialog).getByLabelText(/^View Audit/)).not.toBeChecked();
  const firstPut = calls.find((c) => c.method === 'PUT');
  expect(firstPut?.headers['If-Match']).toBe('"3"');
  expect(firstPut?.body).toMatchObject({ permissions: ['UnlockAccount', 'ViewHistory', 'ViewAudit'] });

  await user.click(within(dialog).getByRole('button', { name: 'Save role' }));
  await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  expect(calls.filter((c) => c.method === 'PUT')[1]?.headers['If-Match']).toBe('"4"');
});

it('hides the required types and questions in unrestricted mode and explains both modes', async () => {
  const user = userEvent.setup();
  stubFetch(stores, list([]));
  renderPage();
  await user.click(await screen.findByRole('button', { name: 'New role' }));
  const dialog = await screen.findByRole('dialog');
  expect(within(dialog).getByLabelText('Required authentication types')).toBeInTheDocument();
  expect(within(dialog).getByText(/the agent cannot unlock until the caller has been authenticated/)).toBeVisible();
  await user.click(within(dialog).getByLabelText(/^Unrestricted/));
  expect(within(dialog).queryByLabelText('Required authentication types')).not.toBeInTheDocument();
  expect(within(dialog).queryByLabelText('Minimum security questions')).not.toBeInTheDocument();
});

it('deletes after confirmation with the revision in If-Match', async () => {
  const user = userEvent.setup();
  const calls = stubFetch(
    stores,
    list([agentRole]),
    on('DELETE', '/api/roles/helpdesk-agent', () => new Response(null, { status: 204 })),
  );
  renderPage();
  await user.click(await screen.findByRole('button', { name: 'Delete Helpdesk agent' }));
  const dialog = await screen.findByRole('dialog', { name: /Delete role “Helpdesk agent”/ });
  expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
  await user.click(within(dialog).getByRole('button', { name: 'Delete role' }));
  await waitFor(() => expect(calls.find((c) => c.method === 'DELETE')?.headers['If-Match']).toBe('"3"'));
});
