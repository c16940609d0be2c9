// Two-person break-glass end to end (createApp: AppModule, global pipes and filters) against a real Samba AD, a real
// OpenLDAP and the embedded event store: a restricted agent without Unlock Any Account cannot unlock an unenrolled
// user; with a second agent's approval they can; the history says who asked and who approved. Accounts are locked
// with real failed binds; dave has no enrollment (none is imported).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IdentityStoreRegistry } from '../../src/directory/identity-store.registry';
import type { RecordedEvent } from '../../src/event-store/event-store';
import { caseStreamId } from '../../src/helpdesk/case.events';
import { type AppOnLabs, appOnLabs, HELPDESK_TEST_ROLES, type TestAgent } from '../labs/app-on-labs';
import { adStoreRaw, ldapStoreRaw } from '../labs/lab-config';
import { type Lab, lockWithFailedBinds, startOpenLdap, startSambaAd } from '../labs/labs';

let ad: Lab;
let ldap: Lab;
let lab: AppOnLabs;

const http = () => lab.http();
type Agent = TestAgent;
const UA = 'break-glass-int-spec/1.0';
const as = (agent: Agent) => lab.as(agent);

async function caseEvents(caseId: string): Promise<RecordedEvent[]> {
  return (await lab.events()).filter((e) => e.streamId === caseStreamId(caseId));
}

let admin: Agent;
let tier2: Agent;
let agent: Agent;
type Row = { storeId: string; id: string; dn: string; username: string; displayName: string | null };
let dave: Row;

async function lockDave(): Promise<void> {
  await lockWithFailedBinds(ad.url, dave.dn, 3, ad.tlsOptions);
  expect(await lockStateOf(dave.id)).toBe('locked');
}

async function lockStateOf(id: string): Promise<string | undefined> {
  return (await lab.app.get(IdentityStoreRegistry).get('ad')?.getAccount(id))?.lock.state;
}

async function openCase(who: Agent): Promise<string> {
  const res = await as(who).post(`/api/users/ad/${dave.id}/cases`).expect(201);
  expect(res.body.enrollment.types).toEqual([]);
  return res.body.caseId as string;
}

const REASON = 'Caller has no enrolled method; identity confirmed by line manager on a call-back';

beforeAll(async () => {
  [ad, ldap] = await Promise.all([startSambaAd(), startOpenLdap()]);
  lab = await appOnLabs(
    'break-glass',
    (dataDir) => ({
      dataDir,
      identityStores: [adStoreRaw(ad, { name: 'Corp AD' }), ldapStoreRaw(ldap, { name: 'Corp OpenLDAP' })],
      roles: HELPDESK_TEST_ROLES,
      helpdesk: {
        enrollFromDirectory: { email: false, phone: false },
        notifyUserOnUnlock: false,
        breakGlass: { requestMinutes: 30, approvalMinutes: 15 },
      },
    }),
    { env: { AD_BIND_PW: ad.helpdeskPw, LDAP_BIND_PW: ldap.helpdeskPw } },
  );
  admin = await lab.signIn('hd.admin', 'AdminPass1!');
  tier2 = await lab.signIn('hd.tier2', 'Tier2Pass1!');
  agent = await lab.signIn('hd.agent', 'AgentPass1!');
  const found = await as(admin).get('/api/users?search=dave&storeId=ad').expect(200);
  dave = (found.body.results as Row[]).find((r) => r.username === 'dave') as Row;
  expect(dave).toBeDefined();
}, 180_000);

afterAll(async () => {
  await lab?.close();
  await Promise.all([ad?.stop(), ldap?.stop()]);
});

describe('two-person break-glass for an unenrolled user', () => {
  it('refused alone; asked, own approval and a role without Unlock Any Account refused; approved by a second agent; unlocked and read back; history names both', async () => {
    await lockDave();
    const caseId = await openCase(agent);

    const alone = await as(agent)
      .post(`/api/users/ad/${dave.id}/unlock`, { caseId }, { 'Idempotency-Key': 'bg-alone' })
      .expect(200);
    expect(alone.body.results).toEqual([
      expect.objectContaining({ outcome: 'refused', reasonCode: 'unlock.unenrolledNotAllowed', breakGlass: null }),
    ]);

    // Bad input: 400 naming the field, nothing recorded.
    const before = (await caseEvents(caseId)).length;
    const bad = await as(agent).post(`/api/cases/${caseId}/break-glass`, { reason: 'short' }).expect(400);
    expect(JSON.stringify(bad.body)).toContain('reason');
    await as(agent)
      .post(`/api/cases/${caseId}/break-glass`, { reason: REASON, ticket: 'x'.repeat(101) })
      .expect(400)
      .expect((r) => expect(JSON.stringify(r.body)).toContain('ticket'));
    expect((await caseEvents(caseId)).length).toBe(before);
    // Only the case's own agent may ask; the CSRF header is required.
    await as(tier2)
      .post(`/api/cases/${caseId}/break-glass`, { reason: REASON })
      .expect(403)
      .expect((r) => expect(r.body.reason).toBe('case.notYours'));
    await http()
      .post(`/api/cases/${caseId}/break-glass`)
      .set('Cookie', agent.cookie)
      .send({ reason: REASON })
      .expect(403);

    const asked = await as(agent)
      .post(`/api/cases/${caseId}/break-glass`, { reason: REASON, ticket: 'INC-1' })
      .expect(201);
    expect(asked.body).toEqual({
      caseId,
      breakGlass: expect.objectContaining({
        status: 'pending',
        reason: REASON,
        ticket: 'INC-1',
        requestedBy: expect.objectContaining({ userId: agent.userId }),
        expiresAt: expect.any(String),
      }),
    });
    expect(Date.parse(asked.body.breakGlass.expiresAt) - Date.parse(asked.body.breakGlass.requestedAt)).toBe(
      30 * 60_000,
    );
    await as(agent)
      .post(`/api/cases/${caseId}/break-glass`, { reason: REASON })
      .expect(409)
      .expect((r) => expect(r.body.reason).toBe('breakGlass.alreadyRequested'));
    // The profile points the asking agent (and only them) back to the case, e.g. after the dialog was closed.
    expect((await as(agent).get(`/api/users/ad/${dave.id}`).expect(200)).body.breakGlass).toEqual({
      caseId,
      status: 'pending',
    });
    expect((await as(admin).get(`/api/users/ad/${dave.id}`).expect(200)).body.breakGlass).toBeNull();

    // Two persons: the requester cannot approve their own request (recorded).
    const own = await as(agent).post(`/api/break-glass/${caseId}/approve`, {}).expect(403);
    expect(own.body.reason).toBe('breakGlass.samePerson');
    // A role without Unlock Any Account cannot approve (recorded).
    const t2 = await as(tier2).post(`/api/break-glass/${caseId}/approve`, { comment: 'fine by me' }).expect(403);
    expect(t2.body.reason).toBe('breakGlass.permissionDenied');
    await as(tier2)
      .post(`/api/break-glass/${caseId}/approve`, { comment: 'x'.repeat(1001) })
      .expect(400)
      .expect((r) => expect(JSON.stringify(r.body)).toContain('comment'));

    // The list: pending requests for any agent with Unlock Account, whether each may decide.
    const listed = await as(admin).get('/api/break-glass').expect(200);
    const mine = (listed.body.requests as { caseId: string }[]).filter((r) => r.caseId === caseId);
    expect(mine).toEqual([
      expect.objectContaining({
        caseId,
        requestId: asked.body.breakGlass.requestId,
        subject: { storeId: 'ad', userId: dave.id, displayName: dave.displayName ?? dave.id },
        requestedBy: expect.objectContaining({ userId: agent.userId }),
        reason: REASON,
        ticket: 'INC-1',
        canDecide: true,
      }),
    ]);
    expect(mine[0]).not.toHaveProperty('whyNot');
    const forAgent = (await as(agent).get('/api/break-glass').expect(200)).body.requests.find(
      (r: { caseId: string }) => r.caseId === caseId,
    );
    expect(forAgent).toMatchObject({
      canDecide: false,
      whyNotCode: 'breakGlass.samePerson',
      whyNot: expect.any(String),
    });
    const forTier2 = (await as(tier2).get('/api/break-glass').expect(200)).body.requests.find(
      (r: { caseId: string }) => r.caseId === caseId,
    );
    expect(forTier2).toMatchObject({ canDecide: false, whyNotCode: 'breakGlass.permissionDenied' });

    const ok = await as(admin).post(`/api/break-glass/${caseId}/approve`, { comment: 'manager confirmed' }).expect(200);
    expect(ok.body.breakGlass).toMatchObject({
      status: 'approved',
      decidedBy: expect.objectContaining({ userId: admin.userId }),
      comment: 'manager confirmed',
      validUntil: expect.any(String),
    });
    expect(Date.parse(ok.body.breakGlass.validUntil) - Date.parse(ok.body.breakGlass.decidedAt)).toBe(15 * 60_000);
    await as(admin)
      .post(`/api/break-glass/${caseId}/approve`, {})
      .expect(409)
      .expect((r) => expect(r.body.reason).toBe('breakGlass.notPending'));
    const list2 = await as(admin).get('/api/break-glass').expect(200);
    expect((list2.body.requests as { caseId: string }[]).some((r) => r.caseId === caseId)).toBe(false);
    const view = await as(agent).get(`/api/cases/${caseId}`).expect(200);
    expect(view.body.breakGlass).toMatchObject({ status: 'approved', decidedBy: { userId: admin.userId } });
    expect((await as(agent).get(`/api/users/ad/${dave.id}`).expect(200)).body.breakGlass).toEqual({
      caseId,
      status: 'approved',
    });

    const unlocked = await as(agent)
      .post(`/api/users/ad/${dave.id}/unlock`, { caseId, ticket: 'INC-1' }, { 'Idempotency-Key': 'bg-ok' })
      .expect(200);
    expect(unlocked.body.results).toEqual([
      expect.objectContaining({
        outcome: 'unlocked',
        lock: expect.objectContaining({ state: 'unlocked' }),
        breakGlass: {
          requestId: asked.body.breakGlass.requestId,
          approvedBy: expect.objectContaining({ userId: admin.userId }),
        },
      }),
    ]);
    expect(await lockStateOf(dave.id)).toBe('unlocked');
    // Used: the profile no longer points back to the case (a new dialog starts afresh).
    expect((await as(agent).get(`/api/users/ad/${dave.id}`).expect(200)).body.breakGlass).toBeNull();

    const recorded = await caseEvents(caseId);
    expect(recorded.map((e) => e.type)).toEqual([
      'CaseOpened',
      'UnlockRefused',
      'BreakGlassRequested',
      'BreakGlassRequestRefused',
      'BreakGlassDecisionRefused',
      'BreakGlassDecisionRefused',
      'BreakGlassApproved',
      'BreakGlassDecisionRefused',
      'UnlockRequested',
      'AccountUnlocked',
    ]);
    // The approver's events are on the case stream with the approver as actor.
    const approval = recorded.find((e) => e.type === 'BreakGlassApproved') as RecordedEvent;
    expect(approval.metadata).toMatchObject({ actor: `ad:${admin.userId}`, userAgent: UA, schemaVersion: 1 });
    const refusedOwn = recorded.filter((e) => e.type === 'BreakGlassDecisionRefused')[0] as RecordedEvent;
    expect(refusedOwn.metadata.actor).toBe(`ad:${agent.userId}`);
    const intent = recorded.find((e) => e.type === 'UnlockRequested') as RecordedEvent;
    expect(intent.metadata).toMatchObject({ actor: `ad:${agent.userId}`, schemaVersion: 2 });

    // History of dave: request, approval and the unlock naming the approver.
    const history = await waitForHistory(5, (s) => s.some((x) => x.includes('unlocked') && x.includes('break-glass')));
    const name = dave.displayName ?? dave.username;
    expect(history).toEqual(
      expect.arrayContaining([
        `${agent.displayName} asked for a second agent's approval to unlock ${name} (ticket INC-1): ${REASON}`,
        `${agent.displayName}'s approval of the break-glass unlock of ${name} requested by ${agent.displayName} was refused: A break-glass request must be approved by a second agent, not by the one who asked`,
        `${admin.displayName} approved the break-glass unlock of ${name} requested by ${agent.displayName}`,
        `${agent.displayName} requested an unlock of ${name} in Corp AD (break-glass approved by ${admin.displayName})`,
        `${agent.displayName} unlocked ${name} in Corp AD (read back: not locked) (break-glass approved by ${admin.displayName})`,
      ]),
    );
  });

  it('a denied request blocks the unlock; the agent may ask again', async () => {
    await lockDave();
    const caseId = await openCase(agent);
    await as(agent).post(`/api/cases/${caseId}/break-glass`, { reason: REASON }).expect(201);
    const denied = await as(admin)
      .post(`/api/break-glass/${caseId}/deny`, { comment: 'Call back via the service desk' })
      .expect(200);
    expect(denied.body.breakGlass).toMatchObject({
      status: 'denied',
      decidedBy: expect.objectContaining({ userId: admin.userId }),
      comment: 'Call back via the service desk',
    });
    expect(denied.body.breakGlass).not.toHaveProperty('validUntil');
    const blocked = await as(agent)
      .post(`/api/users/ad/${dave.id}/unlock`, { caseId }, { 'Idempotency-Key': 'bg-denied' })
      .expect(200);
    expect(blocked.body.results).toEqual([
      expect.objectContaining({ outcome: 'refused', reasonCode: 'unlock.unenrolledNotAllowed' }),
    ]);
    expect(await lockStateOf(dave.id)).toBe('locked');
    await as(admin)
      .post(`/api/break-glass/${caseId}/approve`, {})
      .expect(409)
      .expect((r) => expect(r.body.reason).toBe('breakGlass.notPending'));
    const again = await as(agent).post(`/api/cases/${caseId}/break-glass`, { reason: REASON }).expect(201);
    expect(again.body.breakGlass.status).toBe('pending');
    // A decision names the request it was read from: the denied one is not turned into an approval of the new one.
    await as(admin)
      .post(`/api/break-glass/${caseId}/approve`, { requestId: denied.body.breakGlass.requestId })
      .expect(409)
      .expect((r) => expect(r.body.reason).toBe('breakGlass.notPending'));
    await as(admin)
      .post(`/api/break-glass/${caseId}/approve`, { requestId: 'x'.repeat(65) })
      .expect(400)
      .expect((r) => expect(JSON.stringify(r.body)).toContain('requestId'));
    const view = await as(agent).get(`/api/cases/${caseId}`).expect(200);
    expect(view.body.breakGlass).toMatchObject({ requestId: again.body.breakGlass.requestId, status: 'pending' });
    // Not needed: tier2 may not unlock unenrolled users either, but the admin's own role may (recorded refusal).
    const adminCase = await openCase(admin);
    await as(admin)
      .post(`/api/cases/${adminCase}/break-glass`, { reason: REASON })
      .expect(409)
      .expect((r) => expect(r.body.reason).toBe('breakGlass.notNeeded'));
    // Unknown case: 404; a case an agent did not open can still be decided only through the approve/deny routes.
    await as(admin).post('/api/break-glass/nope/approve', {}).expect(404);
    // Leave dave unlocked for other suites sharing nothing: the admin unlocks with their own role.
    await as(admin).post(`/api/users/ad/${dave.id}/unlock`, { caseId: adminCase }).expect(200);
    expect(await lockStateOf(dave.id)).toBe('unlocked');
  });
});

async function waitForHistory(minEntries: number, done: (sentences: string[]) => boolean): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await as(admin).get(`/api/users/ad/${dave.id}/history?limit=100`).expect(200);
    const sentences = (res.body.items as { summary: string }[]).map((i) => i.summary);
    if ((sentences.length >= minEntries && done(sentences)) || Date.now() > deadline) return sentences;
    await new Promise((r) => setTimeout(r, 100));
  }
}
