import { render, screen, within } from '@testing-library/react';
import { afterEach, expect, it, vi } from 'vitest';
import { App } from '../../app/App';
import { createQueryClient, Providers } from '../../app/providers';
import { on, stubFetch } from '../../testing/stubFetch';
import type { SessionAccess } from './api';

const session = {
  agent: {
    storeId: 'corp-ad',
    userId: 'hanna',
    dn: 'CN=Hanna,DC=corp',
    username: 'hanna',
    displayName: 'Hanna Agent',
    groups: [],
  },
  csrfToken: 't',
  expiresAt: '2099-01-01T00:00:00Z',
};
const role = {
  roleId: 'helpdesk-agent',
  name: 'Helpdesk agent',
  priority: 10,
  scope: { storeIds: ['*'] },
  policy: { mode: 'restricted' as const, requiredTypes: 1, minSecurityQuestions: 0 },
  revision: 0,
};
const agent: SessionAccess = {
  role,
  permissions: ['UnlockAccount', 'ViewHistory'],
  notPermitted: {
    UnlockAnyAccount: 'Your role (Helpdesk agent) lacks Unlock Any Account',
    ViewAudit: 'Your role (Helpdesk agent) lacks View Audit',
    ManageRoles: 'Your role (Helpdesk agent) lacks Manage Roles',
    ManageKiosks: 'Your role (Helpdesk agent) lacks Manage Kiosks',
  },
};
const administrator: SessionAccess = {
  role: { ...role, roleId: 'administrator', name: 'Administrator' },
  permissions: ['UnlockAccount', 'UnlockAnyAccount', 'ViewHistory', 'ViewAudit', 'ManageRoles', 'ManageKiosks'],
  notPermitted: {},
};

function start(access: SessionAccess, path: string) {
  window.history.replaceState(null, '', path);
  stubFetch(
    on('GET', '/api/session', () => Response.json(session)),
    on('GET', '/api/session/access', () => Response.json(access)),
    on('GET', '/api/directory/stores', () => Response.json([])),
    on('GET', '/api/roles', () => Response.json([])),
    on('GET', '/api/kiosks', () => Response.json({ kiosks: [] })),
    on('GET', /^\/api\/audit\/events/, () => Response.json({ items: [], nextCursor: null })),
  );
  render(
    <Providers client={createQueryClient()}>
      <App />
    </Providers>,
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
  window.history.replaceState(null, '', '/');
});

it('shows Roles and Audit in the navigation only with Manage Roles / View Audit', async () => {
  start(administrator, '/helpdesk');
  const nav = await screen.findByRole('navigation', { name: 'Main' });
  expect(await within(nav).findByRole('link', { name: 'Roles & policy' })).toBeInTheDocument();
  expect(within(nav).getByRole('link', { name: 'Audit' })).toBeInTheDocument();
  expect(within(nav).getByRole('link', { name: 'Helpdesk' })).toBeInTheDocument();
});

it('hides them from an agent without the permissions', async () => {
  start(agent, '/helpdesk');
  const nav = await screen.findByRole('navigation', { name: 'Main' });
  expect(within(nav).getByRole('link', { name: 'Helpdesk' })).toBeInTheDocument();
  await screen.findByRole('heading', { name: 'Helpdesk Operations' });
  expect(within(nav).queryByRole('link', { name: 'Roles & policy' })).not.toBeInTheDocument();
  expect(within(nav).queryByRole('link', { name: 'Audit' })).not.toBeInTheDocument();
});

it("answers a direct URL the agent may not use with 'not allowed' and the backend's reason", async () => {
  start(agent, '/roles');
  const alert = await screen.findByRole('alert');
  expect(alert).toHaveTextContent('Not allowed');
  expect(alert).toHaveTextContent('This page needs the Manage Roles permission.');
  expect(alert).toHaveTextContent('Your role (Helpdesk agent) lacks Manage Roles');
});

it('opens the lazily loaded pages for an administrator', async () => {
  start(administrator, '/audit');
  expect(await screen.findByRole('heading', { name: 'Audit' })).toBeInTheDocument();
});

it('shows Kiosks in the navigation only with Manage Kiosks, and opens its lazily loaded page', async () => {
  start(administrator, '/kiosks');
  const nav = await screen.findByRole('navigation', { name: 'Main' });
  expect(await within(nav).findByRole('link', { name: 'Kiosks' })).toBeInTheDocument();
  expect(await screen.findByRole('heading', { name: 'Kiosks' })).toBeInTheDocument();
});

it('hides Kiosks from an agent without Manage Kiosks, and a direct URL says why', async () => {
  start(agent, '/kiosks');
  const nav = await screen.findByRole('navigation', { name: 'Main' });
  const alert = await screen.findByRole('alert');
  expect(alert).toHaveTextContent('This page needs the Manage Kiosks permission.');
  expect(alert).toHaveTextContent('Your role (Helpdesk agent) lacks Manage Kiosks');
  expect(within(nav).queryByRole('link', { name: 'Kiosks' })).not.toBeInTheDocument();
});
