// Active Directory adapter against a real Samba AD DC (fresh instance for this file).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ActiveDirectoryStore } from '../../src/directory/active-directory.store';
import type { DirectoryAccount } from '../../src/directory/identity-store';
import { type Lab, lockWithFailedBinds, startSambaAd } from '../labs/labs';
import { adStore } from './support';

let lab: Lab;
let store: ActiveDirectoryStore;
const staff = (cn: string) => `CN=${cn},OU=Staff,${lab.base}`;

beforeAll(async () => {
  lab = await startSambaAd();
  store = new ActiveDirectoryStore(adStore(lab));
}, 180_000);

afterAll(async () => {
  await store?.close();
  await lab?.stop();
});

async function account(username: string): Promise<DirectoryAccount> {
  const a = await store.findByUsername(username);
  if (!a) throw new Error(`${username} not found`);
  return a;
}

describe('Active Directory store (Samba AD DC)', () => {
  it('searches by name, username, email and employee id; prefix and contains', async () => {
    const names = async (q: Parameters<typeof store.search>[0]) =>
      (await store.search(q)).map((a) => a.username).sort();
    expect(await names({ text: 'Alice' })).toEqual(['alice']);
    expect(await names({ text: 'ali', fields: ['username'] })).toEqual(['alice']);
    expect(await names({ text: 'carol@example.test', fields: ['email'], match: 'exact' })).toEqual(['carol']);
    expect(await names({ text: 'E1004', fields: ['employeeId'] })).toEqual(['dave']);
    expect(await names({ text: 'nders', match: 'contains' })).toEqual(['alice']);
    expect(await names({ text: 'nders', match: 'prefix' })).toEqual([]);
    expect(await names({ text: 'hd.', fields: ['username'] })).toEqual([
      'hd.admin',
      'hd.agent',
      'hd.auditor',
      'hd.tier2',
    ]);
  });

  it('maps attributes; id is the objectGUID as a GUID string and looks the account up again', async () => {
    const alice = await account('alice');
    expect(alice).toMatchObject({
      storeId: 'ad',
      dn: staff('Alice Anders'),
      displayName: 'Alice Anders',
      email: 'alice@example.test',
      phone: '+15550101',
      employeeId: 'E1001',
      disabled: false,
      lock: { state: 'unlocked' },
    });
    expect(alice.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(Date.parse(alice.passwordLastChanged ?? '')).toBeGreaterThan(Date.parse('2020-01-01'));
    expect((await store.getAccount(alice.id))?.username).toBe('alice');
    expect((await store.getAccount(alice.id.toUpperCase()))?.username).toBe('alice');
    expect(await store.getAccount('00000000-0000-0000-0000-000000000000')).toBeUndefined();
    expect((await account('erin')).disabled).toBe(true);
    expect((await account('frank')).insight.passwordMustChange).toBe(true);
    expect((await account('frank')).passwordLastChanged).toBeUndefined();
  });

  it('lock with real failed binds → found locked → unlock → read back unlocked → right password binds', async () => {
    const errors = await lockWithFailedBinds(lab.url, staff('Alice Anders'), 3, lab.tlsOptions);
    expect(errors.map((e) => e.code)).toEqual([49, 49, 49]);

    const locked = await store.search({ text: '', locked: true });
    expect(locked.map((a) => a.username)).toEqual(['alice']);
    const alice = locked[0];
    expect(alice.lock.state).toBe('locked');
    expect(alice.lock.failedAttempts).toBe(3);
    expect(Date.now() - Date.parse(alice.lock.lockedAt ?? '')).toBeLessThan(120_000);
    expect((await store.search({ text: 'alice', locked: false })).length).toBe(0);
    expect((await store.authenticate('alice', 'AlicePass1!')).result).toBe('locked');

    const result = await store.unlock(alice.id);
    expect(result.outcome).toBe('unlocked');
    expect(result.previousLock).toBe('locked');
    expect(result.account?.lock.state).toBe('unlocked');
    expect(result.account?.insight.badPwdCount).toBe(0);
    expect((await store.getAccount(alice.id))?.lock.state).toBe('unlocked');

    const signIn = await store.authenticate('alice', 'AlicePass1!');
    expect(signIn.result).toBe('ok');
  });

  it('with a write host (the PDC emulator) the state before the write is read there, not taken from the caller', async () => {
    const withWriteHost = new ActiveDirectoryStore(adStore(lab, { writeUrl: lab.url }));
    try {
      const stale = await account('carol'); // read before the lock: were it used, previousLock would say unlocked
      await lockWithFailedBinds(lab.url, staff('Carol Clark'), 3, lab.tlsOptions);
      const result = await withWriteHost.unlock(stale.id, stale);
      expect(result).toMatchObject({ outcome: 'unlocked', previousLock: 'locked' });
    } finally {
      await withWriteHost.close();
    }
  });

  it('the delegated service account is refused outside its OU, with the directory’s text', async () => {
    await lockWithFailedBinds(lab.url, `CN=Bob Baker,CN=Users,${lab.base}`, 3, lab.tlsOptions);
    const bob = await account('bob');
    expect(bob.lock.state).toBe('locked');
    const result = await store.unlock(bob.id);
    expect(result.outcome).toBe('access-denied');
    expect(result.directoryMessage).toMatch(
      /^00002098: .*CN=Bob Baker,CN=Users,DC=example,DC=test has no write property access/,
    );
    expect(result.account?.lock.state).toBe('locked');
  });

  it('unlock of an unknown or malformed id is not-found', async () => {
    expect((await store.unlock('00000000-0000-0000-0000-000000000000')).outcome).toBe('not-found');
    expect((await store.unlock('*)(objectClass=*')).outcome).toBe('not-found');
  });

  it('agent sign-in: ok with groups (nested for hd.tier2), invalid, locked, disabled, must change', async () => {
    const agent = await store.authenticate('hd.agent', 'AgentPass1!');
    expect(agent.result).toBe('ok');
    if (agent.result !== 'ok') throw new Error('unreachable');
    expect(agent.account.username).toBe('hd.agent');
    expect(agent.groups.map((g) => g.name)).toEqual(['Helpdesk Agents']);
    expect(agent.groups[0].dn).toBe(`CN=Helpdesk Agents,OU=Groups,${lab.base}`);

    const tier2 = await store.authenticate('hd.tier2', 'Tier2Pass1!');
    if (tier2.result !== 'ok') throw new Error(`hd.tier2: ${JSON.stringify(tier2)}`);
    expect(tier2.groups.map((g) => g.name)).toEqual(['Helpdesk Agents', 'Helpdesk Tier2']);

    const admin = await store.authenticate('hd.admin', 'AdminPass1!');
    expect(admin.result === 'ok' && admin.groups.map((g) => g.name)).toEqual(['Unlock Desk Admins']);

    const wrong = await store.authenticate('hd.agent', 'nope');
    expect(wrong).toMatchObject({ result: 'invalid-credentials', directoryMessage: expect.stringMatching(/data 52e/) });
    expect((await store.authenticate('nobody', 'x')).result).toBe('invalid-credentials');
    expect((await store.authenticate('hd.agent', '')).result).toBe('invalid-credentials');

    await lockWithFailedBinds(lab.url, staff('Dave Dunn'), 3, lab.tlsOptions);
    expect(await store.authenticate('dave', 'DavePass1!')).toMatchObject({
      result: 'locked',
      directoryMessage: expect.stringMatching(/data 775/),
    });
    expect(await store.authenticate('erin', 'ErinPass1!')).toMatchObject({
      result: 'disabled',
      directoryMessage: expect.stringMatching(/data 533/),
    });
    expect(await store.authenticate('frank', 'FrankPass1!')).toMatchObject({
      result: 'password-must-change',
      directoryMessage: expect.stringMatching(/data 773/),
    });
  });

  it('filter injection finds nothing it should not', async () => {
    const control = await store.search({ text: 'a', fields: ['username'] });
    expect(control.map((a) => a.username).sort()).toEqual(['Administrator', 'alice']);
    for (const text of ['*', '*)(sAMAccountName=*', ')(', '\\00', '\0', '*)(|(objectClass=*', 'alice)(|(cn=*'])
      for (const match of ['exact', 'prefix', 'contains'] as const)
        expect({ text, match, found: (await store.search({ text, match })).length }).toEqual({ text, match, found: 0 });
    expect(await store.findByUsername('*')).toBeUndefined();
    expect((await store.authenticate('*', 'AlicePass1!')).result).toBe('invalid-credentials');
  });

  it('fails over to the next URL when the first cannot be reached', async () => {
    const failover = new ActiveDirectoryStore(adStore(lab, { urls: ['ldaps://127.0.0.1:1', lab.url] }));
    try {
      expect((await failover.search({ text: 'carol' })).map((a) => a.username)).toEqual(['carol']);
    } finally {
      await failover.close();
    }
  });

  it('reports an unreachable store as unavailable', async () => {
    const dead = new ActiveDirectoryStore(adStore(lab, { urls: ['ldaps://127.0.0.1:1'] }));
    await expect(dead.search({ text: 'carol' })).rejects.toThrow(
      /cannot reach the directory \(ldaps:\/\/127\.0\.0\.1:1: /,
    );
    expect((await dead.authenticate('alice', 'x')).result).toBe('unavailable');
    expect((await dead.unlock('00000000-0000-0000-0000-000000000000')).outcome).toBe('error');
    await dead.close();
  });
});
