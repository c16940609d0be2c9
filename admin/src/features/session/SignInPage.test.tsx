import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, expect, it, vi } from 'vitest';
import { App } from '../../app/App';
import { createQueryClient, Providers } from '../../app/providers';

type Reply = { status: number; body?: unknown };
function stubApi(routes: Record<string, Reply | ((init: RequestInit) => Reply)>) {
  const calls: { key: string; init: RequestInit }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit = {}) => {
      const key = `${init.method ?? 'GET'} ${url}`;
      calls.push({ key, init });
      const route = routes[key];
      const reply =
        typeof route === 'function' ? route(init) : (route ?? { status: 404, body: { message: 'no route' } });
      return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), { status: reply.status });
    }),
  );
  return calls;
}
const renderApp = () =>
  render(
    <Providers client={createQueryClient()}>
      <App />
    </Providers>,
  );
afterEach(() => vi.unstubAllGlobals());

const stores = {
  status: 200,
  body: [
    { id: 'corp-ad', name: 'Corp AD', isDefault: true },
    { id: 'corp-ldap', name: 'Corp LDAP', isDefault: false },
  ],
};
const agent = {
  storeId: 'corp-ad',
  userId: 'g',
  dn: 'CN=H',
  username: 'hd.agent',
  displayName: 'Hanna Agent',
  groups: [],
};

it('shows the directory reason when sign-in fails, and signs in to the chosen store', async () => {
  const user = userEvent.setup();
  const calls = stubApi({
    'GET /api/session': { status: 401, body: { reason: 'no-session', message: 'Sign in to continue.' } },
    'GET /api/session/stores': stores,
    'POST /api/session': (init) =>
      JSON.parse(String(init.body)).password === 'right'
        ? { status: 200, body: { agent, csrfToken: 'csrf-1', expiresAt: '2030-01-01T00:00:00Z' } }
        : { status: 401, body: { reason: 'locked', message: 'Your account is locked in the directory.' } },
  });
  renderApp();
  await user.type(await screen.findByLabelText('Username'), 'hd.agent');
  await user.type(screen.getByLabelText('Password'), 'wrong');
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  expect(await screen.findByRole('alert')).toHaveTextContent('Account locked');
  expect(screen.getByRole('alert')).toHaveTextContent('Your account is locked in the directory.');

  await user.clear(screen.getByLabelText('Password'));
  await user.type(screen.getByLabelText('Password'), 'right');
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  expect(await screen.findByText('Hanna Agent (hd.agent)')).toBeInTheDocument();
  const posts = calls.filter((c) => c.key === 'POST /api/session').map((c) => JSON.parse(String(c.init.body)));
  expect(posts.at(-1)).toEqual({ storeId: 'corp-ad', username: 'hd.agent', password: 'right' });
});

it('validates the form before calling the backend', async () => {
  const user = userEvent.setup();
  const calls = stubApi({
    'GET /api/session': { status: 401, body: { reason: 'no-session' } },
    'GET /api/session/stores': stores,
  });
  renderApp();
  await user.click(await screen.findByRole('button', { name: 'Sign in' }));
  expect(await screen.findByText('Enter your username')).toBeInTheDocument();
  expect(screen.getByText('Enter your password')).toBeInTheDocument();
  expect(calls.some((c) => c.key === 'POST /api/session')).toBe(false);
});

it('sends the CSRF token when signing out', async () => {
  const user = userEvent.setup();
  let signedIn = true;
  const calls = stubApi({
    'GET /api/session': () =>
      signedIn
        ? { status: 200, body: { agent, csrfToken: 'csrf-9', expiresAt: '2030-01-01T00:00:00Z' } }
        : { status: 401, body: { reason: 'no-session' } },
    'GET /api/session/stores': stores,
    'DELETE /api/session': () => {
      signedIn = false;
      return { status: 204 };
    },
  });
  renderApp();
  await user.click(await screen.findByRole('button', { name: 'Sign out' }));
  expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
  const del = calls.find((c) => c.key === 'DELETE /api/session');
  expect(del?.init.headers).toMatchObject({ 'X-CSRF-Token': 'csrf-9' });
});

it('shows why the directory ended the session on the sign-in page', async () => {
  let ended = false;
  stubApi({
    'GET /api/session': () =>
      ended
        ? {
            status: 401,
            body: { reason: 'session-ended', message: 'Your directory account changed; sign in again.' },
          }
        : { status: 200, body: { agent, csrfToken: 'csrf-9', expiresAt: '2030-01-01T00:00:00Z' } },
    'GET /api/session/stores': stores,
    'GET /api/session/access': () => {
      ended = true;
      return {
        status: 401,
        body: { reason: 'session-ended', message: 'Your directory account changed; sign in again.' },
      };
    },
  });
  renderApp();
  expect(await screen.findByRole('status')).toHaveTextContent('Your directory account changed; sign in again.');
  expect(screen.getByRole('button', { name: 'Sign in' })).toBeInTheDocument();
});
