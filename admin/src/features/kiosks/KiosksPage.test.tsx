import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, it, vi } from 'vitest';
import { createQueryClient, Providers } from '../../app/providers';
import { on, stubFetch } from '../../testing/stubFetch';
import type { KioskView } from './api';
import KiosksPage from './KiosksPage';

const lobby: KioskView = {
  kioskId: 'k-1',
  name: 'Lobby kiosk',
  location: 'Building A, lobby',
  storeId: 'corp-ad',
  status: 'active',
  registeredAt: '2026-01-02T09:00:00Z',
  activatedAt: '2026-01-02T09:05:00Z',
  revokedAt: null,
  lastSeenAt: '2026-01-03T10:00:00Z',
};
const library: KioskView = {
  ...lobby,
  kioskId: 'k-2',
  name: 'Library kiosk',
  location: null,
  storeId: 'corp-ldap',
  status: 'awaiting-activation',
  activatedAt: null,
  lastSeenAt: null,
};
const stores = on('GET', '/api/directory/stores', () =>
  Response.json([
    { id: 'corp-ad', name: 'Corp AD', type: 'active-directory', capabilities: { canUnlock: true, canSearch: true } },
    { id: 'corp-ldap', name: 'Corp LDAP', type: 'ldap', capabilities: { canUnlock: true, canSearch: true } },
  ]),
);

afterEach(() => vi.unstubAllGlobals());

const renderPage = () =>
  render(
    <Providers client={createQueryClient()}>
      <KiosksPage />
    </Providers>,
  );

it('lists the kiosks with store name, status and times', async () => {
  stubFetch(
    stores,
    on('GET', '/api/kiosks', () => Response.json({ kiosks: [lobby, library] })),
  );
  renderPage();
  const table = await screen.findByRole('table', { name: 'Kiosks' });
  await waitFor(() => expect(table).toHaveTextContent('Corp AD'));
  const [, first, second] = within(table).getAllByRole('row');
  expect(first).toHaveTextContent('Lobby kiosk');
  expect(first).toHaveTextContent('Building A, lobby');
  expect(first).toHaveTextContent('Active');
  expect(within(first).getByRole('button', { name: 'Revoke Lobby kiosk' })).toBeInTheDocument();
  expect(second).toHaveTextContent('Library kiosk');
  expect(second).toHaveTextContent('Corp LDAP');
  expect(second).toHaveTextContent('Awaiting activation');
});

it('registers a kiosk and shows its activation code once, with copy and expiry', async () => {
  const user = userEvent.setup();
  const registered = { ...library, kioskId: 'k-3', name: 'Front desk', location: 'Floor 2', storeId: 'corp-ad' };
  let list = [lobby];
  const calls = stubFetch(
    stores,
    on('GET', '/api/kiosks', () => Response.json({ kiosks: list })),
    on('POST', '/api/kiosks', () => {
      list = [lobby, registered];
      return Response.json(
        { kiosk: registered, activationCode: 'ABCD2345', activationExpiresAt: '2026-01-04T09:00:00Z' },
        { status: 201 },
      );
    }),
  );
  renderPage();
  await screen.findByRole('table', { name: 'Kiosks' });

  await user.click(screen.getByRole('button', { name: 'Register kiosk' }));
  expect(screen.getByText('Give the kiosk a name')).toBeInTheDocument();
  expect(calls.some((c) => c.method === 'POST')).toBe(false);

  await user.type(screen.getByRole('textbox', { name: /Name/ }), 'Front desk');
  await user.type(screen.getByRole('textbox', { name: /Location/ }), 'Floor 2');
  await user.click(screen.getByLabelText(/Identity store/, { selector: 'input' }));
  await user.click(await screen.findByRole('option', { name: 'Corp AD', hidden: true }));
  await user.click(screen.getByRole('button', { name: 'Register kiosk' }));

  const box = await screen.findByRole('region', { name: 'Activation code' });
  expect(box).toHaveTextContent('ABCD2345');
  expect(box).toHaveTextContent('Type this code on the kiosk to activate it; it is shown only now');
  expect(box).toHaveTextContent('Valid until');
  expect(calls.find((c) => c.method === 'POST')?.body).toEqual({
    name: 'Front desk',
    location: 'Floor 2',
    storeId: 'corp-ad',
  });
  await user.click(within(box).getByRole('button', { name: 'Copy the activation code' }));
  expect(await navigator.clipboard.readText()).toBe('ABCD2345');
  expect(await within(screen.getByRole('table', { name: 'Kiosks' })).findByText('Front desk')).toBeInTheDocument();

  await user.click(within(box).getByRole('button', { name: /Done/ }));
  expect(screen.queryByRole('region', { name: 'Activation code' })).not.toBeInTheDocument();
  expect(screen.queryByText('ABCD2345')).not.toBeInTheDocument();
  expect(screen.getByRole('textbox', { name: /Name/ })).toHaveValue('');
});

it('revokes after a confirmation in the page, with the optional reason', async () => {
  const user = userEvent.setup();
  let list = [lobby, library];
  const calls = stubFetch(
    stores,
    on('GET', '/api/kiosks', () => Response.json({ kiosks: list })),
    on('POST', '/api/kiosks/k-1/revoke', () => {
      const revoked = { ...lobby, status: 'revoked' as const, revokedAt: '2026-01-04T09:00:00Z' };
      list = [revoked, library];
      return Response.json({ kiosk: revoked });
    }),
  );
  renderPage();
  const table = await screen.findByRole('table', { name: 'Kiosks' });
  await user.click(within(table).getByRole('button', { name: 'Revoke Lobby kiosk' }));
  const dialog = await screen.findByRole('dialog', { name: 'Revoke kiosk “Lobby kiosk”?' });
  expect(calls.some((c) => c.method === 'POST')).toBe(false);

  await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
  await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  expect(calls.some((c) => c.method === 'POST')).toBe(false);

  await user.click(within(table).getByRole('button', { name: 'Revoke Lobby kiosk' }));
  const again = await screen.findByRole('dialog', { name: 'Revoke kiosk “Lobby kiosk”?' });
  await user.type(within(again).getByRole('textbox', { name: /Reason/ }), 'Stolen');
  await user.click(within(again).getByRole('button', { name: 'Revoke kiosk' }));

  await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  expect(calls.find((c) => c.method === 'POST')).toMatchObject({
    url: '/api/kiosks/k-1/revoke',
    body: { reason: 'Stolen' },
  });
  await waitFor(() => expect(within(table).getAllByRole('row')[1]).toHaveTextContent('Revoked'));
  expect(within(table).queryByRole('button', { name: 'Revoke Lobby kiosk' })).not.toBeInTheDocument();
});

it('shows the backend’s refusal of a revocation', async () => {
  const user = userEvent.setup();
  stubFetch(
    stores,
    on('GET', '/api/kiosks', () => Response.json({ kiosks: [lobby] })),
    on('POST', '/api/kiosks/k-1/revoke', () =>
      Response.json({ reason: 'kiosk.alreadyRevoked', message: 'The kiosk is already revoked' }, { status: 409 }),
    ),
  );
  renderPage();
  await user.click(await screen.findByRole('button', { name: 'Revoke Lobby kiosk' }));
  const dialog = await screen.findByRole('dialog');
  await user.click(within(dialog).getByRole('button', { name: 'Revoke kiosk' }));
  expect(await within(dialog).findByRole('alert')).toHaveTextContent('The kiosk is already revoked');
});
