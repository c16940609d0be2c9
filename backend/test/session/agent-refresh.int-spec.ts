// Sessions follow the directory, end to end (AppModule against a real Samba AD DC): an agent removed from their
// helpdesk group loses the role on the next request, and an agent disabled in the directory loses the session. The
// groups are read again on every request here (groupsRefreshSeconds 0); the directory is changed by the lab's
// administrator with plain LDAP modifies, as an AD administrator would.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Attribute, Change } from 'ldapts';
import { GROUPS_REFRESH_MS } from '../../src/session/session.service';
import { type AppOnLabs, appOnLabs, HELPDESK_TEST_ROLES, type TestAgent } from '../labs/app-on-labs';
import { adStoreRaw, ldapStoreRaw } from '../labs/lab-config';
import { type Lab, labClient, startOpenLdap, startSambaAd } from '../labs/labs';

let ad: Lab;
let ldap: Lab;
let lab: AppOnLabs;

const get = (agent: TestAgent, url: string) => lab.as(agent).get(url);
const signIn = (username: string, password: string) => lab.signIn(username, password);
const events = () => lab.events();

/** Changes the lab directory as its administrator. */
async function asAdministrator(dn: string, change: Change): Promise<void> {
  const client = labClient(ad);
  try {
    await client.bind(ad.adminDn, ad.adminPw);
    await client.modify(dn, change);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

beforeAll(async () => {
  [ad, ldap] = await Promise.all([startSambaAd(), startOpenLdap()]);
  // The application as createApp builds it, but with the agent's groups read again on every request.
  lab = await appOnLabs(
    'refresh',
    (dataDir) => ({
      dataDir,
      identityStores: [adStoreRaw(ad, { name: 'Corp AD' }), ldapStoreRaw(ldap, { name: 'Corp OpenLDAP' })],
      roles: HELPDESK_TEST_ROLES,
    }),
    {
      env: { AD_BIND_PW: ad.helpdeskPw, LDAP_BIND_PW: ldap.helpdeskPw },
      overrides: [{ provide: GROUPS_REFRESH_MS, useValue: 0 }],
    },
  );
}, 180_000);

afterAll(async () => {
  await lab?.close();
  await Promise.all([ad?.stop(), ldap?.stop()]);
});

describe('an agent session follows the directory', () => {
  it('an agent removed from the helpdesk group loses the helpdesk role on the next request', async () => {
    const agent = await signIn('hd.agent', 'AgentPass1!');
    await get(agent, '/api/users?search=alice&storeId=ad').expect(200);

    await asAdministrator(
      `CN=Helpdesk Agents,OU=Groups,${ad.base}`,
      new Change({
        operation: 'delete',
        modification: new Attribute({ type: 'member', values: [`CN=Hanna Agent,OU=Helpdesk,${ad.base}`] }),
      }),
    );

    const refused = await get(agent, '/api/users?search=alice&storeId=ad').expect(403);
    expect(refused.body.reason).toBe('permission');
    const session = await get(agent, '/api/session').expect(200);
    expect(session.body.agent.groups).not.toContain('Helpdesk Agents');
  });

  it('an agent disabled in the directory loses the session (401 session-ended, AgentSessionEnded recorded)', async () => {
    const admin = await signIn('hd.admin', 'AdminPass1!');
    await get(admin, '/api/users?search=alice&storeId=ad').expect(200);

    await asAdministrator(
      `CN=Henry Admin,OU=Helpdesk,${ad.base}`,
      new Change({
        operation: 'replace',
        modification: new Attribute({ type: 'userAccountControl', values: ['514'] }),
      }),
    );

    const ended = await get(admin, '/api/users?search=alice&storeId=ad').expect(401);
    expect(ended.body).toMatchObject({
      reason: 'session-ended',
      message: 'Your directory account changed; sign in again.',
    });
    expect((await get(admin, '/api/session').expect(401)).body.reason).toBe('no-session');
    const fact = (await events()).find((e) => e.type === 'AgentSessionEnded');
    expect(fact).toMatchObject({
      streamId: 'agent-ad-hd.admin',
      data: { username: 'hd.admin', reason: 'disabled' },
      metadata: { actor: 'system' },
    });
  });
});
