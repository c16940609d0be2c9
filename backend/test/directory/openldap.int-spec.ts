// OpenLDAP ppolicy adapter against a real slapd with the ppolicy overlay (fresh instance for this file).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DirectoryAccount } from '../../src/directory/identity-store';
import { ADMIN_LOCK_REFUSAL, OpenLdapStore } from '../../src/directory/openldap.store';
import { type Lab, labClient, lockWithFailedBinds, startOpenLdap } from '../labs/labs';
import { ldapStore, sleep, TcpRelay } from './support';

let lab: Lab;
let store: OpenLdapStore;
const person = (uid: string) => `uid=${uid},ou=people,${lab.base}`;

beforeAll(async () => {
  lab = await startOpenLdap();
  store = new OpenLdapStore(ldapStore(lab));
}, 120_000);

afterAll(async () => {
  await store?.close();
  await lab?.stop();
});

async function account(username: string): Promise<DirectoryAccount> {
  const a = await store.findByUsername(username);
  if (!a) throw new Error(`${username} not found`);
  return a;
}

describe('OpenLDAP ppolicy store', () => {
  it('searches and maps attributes; id is the entryUUID', async () => {
    const names = async (q: Parameters<typeof store.search>[0]) =>
      (await store.search(q)).map((a) => a.username).sort();
    expect(await names({ text: 'Carol' })).toEqual(['carol']);
    expect(await names({ text: 'E1002', fields: ['employeeId'], match: 'exact' })).toEqual(['bob']);
    expect(await names({ text: 'example.test', fields: ['email'], match: 'contains' })).toContain('gina');
    const alice = await account('alice');
    expect(alice).toMatchObject({
      storeId: 'ldap',
      dn: person('alice'),
      displayName: 'Alice Anders',
      email: 'alice@example.test',
      employeeId: 'E1001',
      passwordLastChanged: '2025-01-01T00:00:00.000Z',
      disabled: false,
      lock: { state: 'unlocked', failedAttempts: 0 },
      insight: { passwordPolicyDn: `cn=default,ou=policies,${lab.base}` },
    });
    expect(alice.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect((await store.getAccount(alice.id))?.username).toBe('alice');
  });

  it('lock with real failed binds → found locked → unlock (Relax) → read back unlocked → right password binds', async () => {
    await lockWithFailedBinds(lab.url, person('alice'), 3);
    const locked = await store.search({ text: '', locked: true });
    expect(locked.map((a) => `${a.username}:${a.lock.state}`).sort()).toEqual(['alice:locked', 'mallory:admin-locked']);
    const alice = locked.find((a) => a.username === 'alice') as DirectoryAccount;
    expect(alice.lock.failedAttempts).toBe(3);
    expect(Math.abs(Date.now() - Date.parse(alice.lock.lockedAt ?? ''))).toBeLessThan(120_000);
    expect(await store.authenticate('alice', 'Alice-Pass-1')).toMatchObject({ result: 'locked' });

    const result = await store.unlock(alice.id);
    expect(result).toMatchObject({ outcome: 'unlocked', previousLock: 'locked' });
    expect(result.account?.lock).toEqual({ state: 'unlocked', failedAttempts: 0 });
    expect(result.account?.insight.pwdFailureCount).toBe(0);

    // pwdFailureTime was cleared too: one more wrong password must not re-lock at once.
    await lockWithFailedBinds(lab.url, person('alice'), 1);
    expect((await account('alice')).lock.state).toBe('unlocked');
    const signIn = await store.authenticate('alice', 'Alice-Pass-1');
    expect(signIn.result).toBe('ok');
  });

  it("unlock takes the caller's fresh read as the state before the write (no read of its own)", async () => {
    // The read is what the caller decided on; with no write host the store does not read the account again. Shown
    // here with a read taken BEFORE the lock (so its use is visible in previousLock), never what the product does.
    const before = await account('carol');
    await lockWithFailedBinds(lab.url, person('carol'), 3);
    const used = await store.unlock(before.id, before);
    expect(used).toMatchObject({ outcome: 'unlocked', previousLock: 'unlocked' });
    expect(used.account?.lock.state).toBe('unlocked');
  });

  it('a permanent administrative lock is shown as such and refused', async () => {
    const mallory = await account('mallory');
    expect(mallory.lock.state).toBe('admin-locked');
    const result = await store.unlock(mallory.id);
    expect(result).toMatchObject({ outcome: 'refused', reason: ADMIN_LOCK_REFUSAL, previousLock: 'admin-locked' });
    expect((await account('mallory')).lock.state).toBe('admin-locked');
    // and it was really left alone in the directory
    const admin = labClient(lab);
    await admin.bind(lab.adminDn, lab.adminPw);
    const { searchEntries } = await admin.search(person('mallory'), {
      scope: 'base',
      attributes: ['pwdAccountLockedTime'],
    });
    await admin.unbind();
    expect(searchEntries[0].pwdAccountLockedTime).toBe('000001010000Z');
    expect(await store.authenticate('mallory', 'Mallory-Pass-1')).toMatchObject({ result: 'locked' });
  });

  it('agent sign-in: ok with groupOfNames groups, invalid, locked', async () => {
    const agent = await store.authenticate('lin.agent', 'Lin-Agent-1');
    if (agent.result !== 'ok') throw new Error(JSON.stringify(agent));
    expect(agent.groups).toEqual([{ dn: `cn=helpdesk-agents,ou=groups,${lab.base}`, name: 'helpdesk-agents' }]);
    const admin = await store.authenticate('lin.admin', 'Lin-Admin-1');
    expect(admin.result === 'ok' && admin.groups.map((g) => g.name)).toEqual(['unlockdesk-admins']);
    expect((await store.authenticate('lin.agent', 'wrong')).result).toBe('invalid-credentials');
    expect((await store.authenticate('ghost', 'x')).result).toBe('invalid-credentials');

    await lockWithFailedBinds(lab.url, person('gina'), 3);
    expect(await store.authenticate('gina', 'Gina-Pass-1')).toMatchObject({
      result: 'locked',
      detail: /accountLocked/,
    });
  });

  it('filter injection finds nothing it should not', async () => {
    expect((await store.search({ text: 'bob', fields: ['username'], match: 'exact' })).length).toBe(1);
    for (const text of ['*', '*)(uid=*', ')(', '\\00', '\0', '*)(|(objectClass=*', 'bob)(|(uid=*'])
      for (const match of ['exact', 'prefix', 'contains'] as const)
        expect({ text, match, found: (await store.search({ text, match })).length }).toEqual({ text, match, found: 0 });
    expect(await store.getAccount('*')).toBeUndefined();
    expect((await store.unlock('*)(entryUUID=*')).outcome).toBe('not-found');
    expect((await store.authenticate('*', 'Alice-Pass-1')).result).toBe('invalid-credentials');
  });

  it('reuses pooled connections and rebinds after the connection drops', async () => {
    const relay = await new TcpRelay('127.0.0.1', lab.port).start();
    const pooled = new OpenLdapStore(ldapStore(lab, { urls: [`ldap://127.0.0.1:${relay.port}`], poolSize: 2 }));
    try {
      for (let i = 0; i < 5; i++) expect((await pooled.search({ text: 'carol' })).length).toBe(1);
      expect(pooled.openConnections).toBe(1);
      expect(relay.connections).toBe(1);
      await Promise.all([1, 2, 3, 4].map(() => pooled.search({ text: 'bob' })));
      expect(pooled.openConnections).toBeLessThanOrEqual(2);

      relay.cut(); // every connection to the directory is dropped
      await sleep(20);
      expect((await pooled.search({ text: 'carol' })).map((a) => a.username)).toEqual(['carol']);
      expect((await pooled.findByUsername('bob'))?.username).toBe('bob');
    } finally {
      await pooled.close();
      await relay.stop();
    }
  });
});
