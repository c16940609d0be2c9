import { render, screen } from '@testing-library/react';
import { afterEach, expect, it, vi } from 'vitest';
import { App } from './App';

afterEach(() => vi.unstubAllGlobals());

it('shows the backend status once the health check answers', async () => {
  vi.stubGlobal(
    'fetch',
    vi.fn(async () => new Response(JSON.stringify({ status: 'ok', node: '24' }))),
  );
  render(<App />);
  expect(screen.getByRole('heading', { name: 'Unlock Desk — Admin' })).toBeTruthy();
  expect(await screen.findByText('Backend: ok')).toBeTruthy();
});
