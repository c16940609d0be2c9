import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionStore } from './session-store';

const agent = { storeId: 'ad', userId: 'u1', dn: 'CN=A', username: 'hd.agent', displayName: 'Hanna', groups: ['G'] };

describe('SessionStore', () => {
  let now = 0;
  let store: SessionStore;
  beforeEach(() => {
    now = 1_000_000;
    store = new SessionStore(':memory:', { idleMs: 30 * 60_000, absoluteMs: 8 * 3600_000 }, () => now);
  });
  afterEach(() => store.close());

  it('returns the agent for the token it issued, and nothing for another token', () => {
    const { token, session } = store.create(agent);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(store.touch(token)?.agent).toEqual(agent);
    expect(store.touch(token)?.csrfToken).toBe(session.csrfToken);
    expect(store.touch(`${token}x`)).toBeUndefined();
  });

  it('ends a session after the idle timeout, and extends it on each use', () => {
    const { token } = store.create(agent);
    now += 29 * 60_000;
    expect(store.touch(token)).toBeDefined();
    now += 29 * 60_000;
    expect(store.touch(token)).toBeDefined();
    now += 31 * 60_000;
    expect(store.touch(token)).toBeUndefined();
  });

  it('refreshes the idle expiry at most every 30 s (the timeout is exact to within that)', () => {
    const { token, session } = store.create(agent);
    now += 10_000;
    expect(store.touch(token)?.expiresAt).toBe(session.expiresAt); // not written again yet
    now += 25_000;
    expect(store.touch(token)?.expiresAt).toBe(now + 30 * 60_000);
  });

  it('ends a busy session at the absolute timeout', () => {
    const { token } = store.create(agent);
    for (let i = 0; i < 16; i++) {
      now += 29 * 60_000;
      expect(store.touch(token)).toBeDefined();
    }
    now += 29 * 60_000; // 8 h 13 min after sign-in
    expect(store.touch(token)).toBeUndefined();
  });

  it('forgets revoked sessions and sweeps expired ones', () => {
    const a = store.create(agent).token;
    const b = store.create(agent).token;
    store.revoke(a);
    expect(store.touch(a)).toBeUndefined();
    now += 31 * 60_000;
    expect(store.sweep()).toBe(1);
    expect(store.touch(b)).toBeUndefined();
  });
  it('sessions served from memory after the first read still end on revoke, expiry, and across a reopen', () => {
    const { token } = store.create(agent);
    expect(store.touch(token)).toBeDefined(); // now remembered
    const copy = store.touch(token);
    if (copy) copy.expiresAt = 0; // a caller's copy cannot change the remembered session
    expect(store.touch(token)?.expiresAt).toBeGreaterThan(now);
    store.revoke(token);
    expect(store.touch(token)).toBeUndefined();

    const other = store.create(agent).token;
    expect(store.touch(other)).toBeDefined();
    now += 31 * 60_000;
    expect(store.touch(other)).toBeUndefined();
  });

  it('updates the agent of a remembered session in memory and in the database, and not of a revoked one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sessions-'));
    const file = join(dir, 'sessions.sqlite');
    const timeouts = { idleMs: 30 * 60_000, absoluteMs: 8 * 3600_000 };
    const first = new SessionStore(file, timeouts, () => now);
    const { token } = first.create(agent);
    expect(first.touch(token)?.agent.groups).toEqual(['G']); // now remembered
    first.updateAgent(token, { ...agent, groups: [] });
    expect(first.touch(token)?.agent.groups).toEqual([]);
    first.close();
    const reopened = new SessionStore(file, timeouts, () => now);
    expect(reopened.touch(token)?.agent.groups).toEqual([]);
    reopened.revoke(token);
    reopened.updateAgent(token, agent);
    expect(reopened.touch(token)).toBeUndefined();
    reopened.close();
    rmSync(dir, { recursive: true, force: true });
  });
  it('peek answers whether a session is live without extending it', () => {
    const { token, session } = store.create(agent);
    now += 29 * 60_000;
    expect(store.peek(token)?.agent).toEqual(agent);
    now += 2 * 60_000; // 31 min after sign-in: peeking did not extend it
    expect(store.peek(token)).toBeUndefined();
    expect(store.touch(token)).toBeUndefined();
    expect(session.expiresAt).toBeLessThan(now);
  });
});
