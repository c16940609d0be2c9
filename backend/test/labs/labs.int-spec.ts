// Proves the directory labs: real Samba AD DCs and a real OpenLDAP with ppolicy, locked with real failed binds.
import { Attribute, Change, Client } from 'ldapts';
import { isPortOpen, type Lab, labClient, lockWithFailedBinds, startOpenLdap, startSambaAd } from './labs';

const UF_LOCKOUT = 0x10;

async function one(client: Client, base: string, filter: string, attributes: string[]) {
  const { searchEntries } = await client.search(base, { scope: 'sub', filter, attributes });
  expect(searchEntries).toHaveLength(1);
  return searchEntries[0];
}

function replace(type: string, values: string[]) {
  return new Change({ operation: 'replace', modification: new Attribute({ type, values }) });
}

describe('directory labs', () => {
  let ad: Lab;
  let ad2: Lab;
  let ldap: Lab;

  beforeAll(async () => {
    // Cold CI machine: apt install + template build happen here (the scripts serialise apt and the template build).
    [ad, ad2, ldap] = await Promise.all([startSambaAd(), startSambaAd(), startOpenLdap()]);
  }, 300_000);

  afterAll(async () => {
    await Promise.all([ad?.stop(), ad2?.stop(), ldap?.stop()]);
  });

  it('runs two Samba AD DCs side by side on different loopback addresses', async () => {
    expect(ad.host).not.toBe(ad2.host);
    expect(ad.host).not.toBe('127.0.0.1');
    for (const lab of [ad, ad2]) {
      const client = labClient(lab);
      await client.bind(lab.adminDn, lab.adminPw);
      const root = await one(client, lab.base, '(sAMAccountName=alice)', ['employeeID']);
      expect(root.employeeID).toBe('E1001');
      await client.unbind();
    }
  });

  it('AD: three wrong passwords lock carol (UF_LOCKOUT in the computed UAC, data 775 on bind)', async () => {
    const errors = await lockWithFailedBinds(ad.url, 'carol@example.test', 3, ad.tlsOptions, 0);
    expect(errors.map((e) => e.code)).toEqual([49, 49, 49]);
    expect(errors[0].message).toMatch(/data 52e/);

    const good = labClient(ad);
    await expect(good.bind('carol@example.test', 'CarolPass1!')).rejects.toMatchObject({
      code: 49,
      message: expect.stringMatching(/data 775/),
    });
    await good.unbind();

    const admin = labClient(ad);
    await admin.bind(ad.adminDn, ad.adminPw);
    const carol = await one(admin, ad.base, '(sAMAccountName=carol)', [
      'lockoutTime',
      'badPwdCount',
      'msDS-User-Account-Control-Computed',
    ]);
    expect(Number(carol['msDS-User-Account-Control-Computed']) & UF_LOCKOUT).toBe(UF_LOCKOUT);
    expect(Number(carol.lockoutTime)).toBeGreaterThan(0);
    expect(carol.badPwdCount).toBe('3');
    await admin.unbind();
  });

  it('AD: svc-helpdesk reads the attributes it needs and may unlock in OU=Staff only (50 for bob in CN=Users)', async () => {
    const svc = labClient(ad);
    await svc.bind(ad.helpdeskDn, ad.helpdeskPw);

    const tier2 = await one(svc, ad.base, '(sAMAccountName=hd.tier2)', ['memberOf']);
    expect(tier2.memberOf).toBe('CN=Helpdesk Tier2,OU=Groups,DC=example,DC=test');
    const nested = await svc.search(ad.base, {
      scope: 'sub',
      filter: '(memberOf:1.2.840.113556.1.4.1941:=CN=Helpdesk Agents,OU=Groups,DC=example,DC=test)',
      attributes: ['sAMAccountName'],
    });
    expect(nested.searchEntries.map((e) => e.sAMAccountName).sort()).toEqual([
      'Helpdesk Tier2',
      'hd.agent',
      'hd.tier2',
    ]);

    const alice = await one(svc, ad.base, '(sAMAccountName=alice)', [
      'employeeID',
      'mobile',
      'mail',
      'pwdLastSet',
      'msDS-User-Account-Control-Computed',
    ]);
    expect(alice).toMatchObject({ employeeID: 'E1001', mobile: '+15550101', mail: 'alice@example.test' });
    expect(Number(alice.pwdLastSet)).toBeGreaterThan(0);
    expect(alice['msDS-User-Account-Control-Computed']).toBe('0');
    const frank = await one(svc, ad.base, '(sAMAccountName=frank)', ['pwdLastSet']);
    expect(frank.pwdLastSet).toBe('0');

    // Lock and unlock dave (OU=Staff) as the service account.
    await lockWithFailedBinds(ad.url, 'dave@example.test', 3, ad.tlsOptions, 0);
    const dave = await one(svc, ad.base, '(sAMAccountName=dave)', ['msDS-User-Account-Control-Computed']);
    expect(Number(dave['msDS-User-Account-Control-Computed']) & UF_LOCKOUT).toBe(UF_LOCKOUT);
    await svc.modify(dave.dn, replace('lockoutTime', ['0']));
    const daveAfter = await one(svc, ad.base, '(sAMAccountName=dave)', ['msDS-User-Account-Control-Computed']);
    expect(daveAfter['msDS-User-Account-Control-Computed']).toBe('0');
    const daveClient = labClient(ad);
    await daveClient.bind('dave@example.test', 'DavePass1!');
    await daveClient.unbind();

    const bob = await one(svc, ad.base, '(sAMAccountName=bob)', ['dn']);
    expect(bob.dn).toBe('CN=Bob Baker,CN=Users,DC=example,DC=test');
    await expect(svc.modify(bob.dn, replace('lockoutTime', ['0']))).rejects.toMatchObject({ code: 50 });
    await svc.unbind();
  });

  it('AD: StartTLS on 389 works with the lab CA (pass host: startTLS defaults the identity check to localhost)', async () => {
    const client = new Client({ url: ad.startTlsUrl ?? '' });
    await client.startTLS({ ...ad.tlsOptions, host: ad.host });
    await client.bind(ad.helpdeskDn, ad.helpdeskPw);
    await client.unbind();
  });

  it('OpenLDAP: three wrong passwords lock carol (pwdAccountLockedTime set)', async () => {
    const carolDn = `uid=carol,ou=people,${ldap.base}`;
    const errors = await lockWithFailedBinds(ldap.url, carolDn, 3); // waits 20 ms afterwards (note, gotcha 1)
    expect(errors.map((e) => e.code)).toEqual([49, 49, 49]);

    const good = labClient(ldap);
    await expect(good.bind(carolDn, 'Carol-Pass-1')).rejects.toMatchObject({ code: 49 });
    await good.unbind();

    const svc = labClient(ldap);
    await svc.bind(ldap.helpdeskDn, ldap.helpdeskPw);
    const carol = await one(svc, ldap.base, '(uid=carol)', [
      'pwdAccountLockedTime',
      'pwdFailureTime',
      'employeeNumber',
    ]);
    expect(carol.pwdAccountLockedTime).toMatch(/^\d{14}Z$/);
    expect(carol.pwdFailureTime).toHaveLength(3);
    expect(carol.employeeNumber).toBe('E1003');
    const mallory = await one(svc, ldap.base, '(uid=mallory)', ['pwdAccountLockedTime']);
    expect(mallory.pwdAccountLockedTime).toBe('000001010000Z');
    const agent = await one(svc, ldap.base, '(uid=lin.agent)', ['memberOf']);
    expect(agent.memberOf).toBe(`cn=helpdesk-agents,ou=groups,${ldap.base}`);
    await svc.unbind();
  });

  it('stop() stops every lab and frees its ports', async () => {
    await Promise.all([ad.stop(), ad2.stop(), ldap.stop()]);
    for (const [host, port] of [
      [ad.host, 389],
      [ad.host, 636],
      [ad2.host, 636],
      [ldap.host, ldap.port],
    ] as const) {
      expect(await isPortOpen(host, port)).toBe(false);
    }
  });
});
