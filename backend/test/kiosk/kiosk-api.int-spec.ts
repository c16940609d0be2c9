// The walk-up kiosk end to end (createApp: AppModule, global pipes and filters) on a real Samba AD, OpenLDAP, a real
// SMTP mailbox and the embedded event store: an administrator registers a kiosk, the device activates, the person types
// their username, an agent claims the session with the code, the person answers at the kiosk (through the same case
// steps as the admin console, recorded with client 'kiosk'), the agent sends an e-mail code and unlocks, the kiosk shows
// the result, history and audit read it. Plus revocation, rate limits and the claim/verification refusals.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type request from 'supertest';
import { IdentityStoreRegistry } from '../../src/directory/identity-store.registry';
import { caseStreamId } from '../../src/helpdesk/case.events';
import { base32Decode, generateTotp } from '../../src/shared/crypto/totp';
import { type AppOnLabs, appOnLabs, HELPDESK_TEST_ROLES, type TestAgent } from '../labs/app-on-labs';
import { adStoreRaw, ldapStoreRaw } from '../labs/lab-config';
import { type Lab, lockWithFailedBinds, startOpenLdap, startSambaAd } from '../labs/labs';
import { type Mailbox, startMailbox } from '../labs/mailbox';

const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const UA = 'kiosk-int-spec/1.0';

let ad: Lab;
let ldap: Lab;
let mailbox: Mailbox;
let lab: AppOnLabs;
let admin: TestAgent;
let agent: TestAgent;
let tier2: TestAgent;

/** The test roles, the administrator also managing kiosks. */
const ROLES = HELPDESK_TEST_ROLES.map((r) =>
  r.roleId === 'administrator' ? { ...r, permissions: [...r.permissions, 'ManageKiosks'] } : r,
);

type Device = { cookie: string; csrf: string; kioskId: string };

/** Requests as a kiosk device: its cookie, the X-Kiosk-CSRF header on changes. */
const kiosk = (d: Device) => ({
  get: (url: string) => lab.http().get(url).set('Cookie', d.cookie).set('User-Agent', UA),
  post: (url: string, body: object = {}): request.Test =>
    lab.http().post(url).set('Cookie', d.cookie).set('X-Kiosk-CSRF', d.csrf).set('User-Agent', UA).send(body),
});

async function register(name: string): Promise<{ kioskId: string; code: string }> {
  const res = await lab.as(admin).post('/api/kiosks', { name, location: 'Building A', storeId: 'ad' }).expect(201);
  expect(res.body).toEqual({
    kiosk: expect.objectContaining({ name, location: 'Building A', storeId: 'ad', status: 'awaiting-activation' }),
    activationCode: expect.stringMatching(/^[2-9A-HJKMNP-Z]{8}$/),
    activationExpiresAt: expect.any(String),
  });
  return { kioskId: res.body.kiosk.kioskId, code: res.body.activationCode };
}

async function activate(code: string): Promise<Device> {
  const res = await lab.http().post('/api/kiosk/activate').set('User-Agent', UA).send({ code }).expect(200);
  const setCookie = (res.headers['set-cookie'] as unknown as string[])[0] as string;
  expect(setCookie).toMatch(/^ud_kiosk=/);
  expect(setCookie).toMatch(/HttpOnly/i);
  expect(setCookie).toMatch(/SameSite=Strict/i);
  expect(setCookie).toMatch(/Path=\/api\/kiosk/);
  return { cookie: setCookie.split(';')[0] as string, csrf: res.body.csrfToken, kioskId: res.body.kiosk.kioskId };
}

async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What events record (data and metadata), as text. */
const recorded = (events: { data: unknown; metadata: unknown }[]) =>
  JSON.stringify(events.map((e) => ({ data: e.data, metadata: e.metadata })));

let lobby: Device;
let side: Device;
let aliceId: string;

beforeAll(async () => {
  [ad, ldap, mailbox] = await Promise.all([startSambaAd(), startOpenLdap(), startMailbox()]);
  lab = await appOnLabs(
    'kiosk',
    (dataDir) => ({
      dataDir,
      identityStores: [adStoreRaw(ad, { name: 'Corp AD' }), ldapStoreRaw(ldap, { name: 'Corp OpenLDAP' })],
      roles: ROLES,
      helpdesk: { enrollFromDirectory: { email: false, phone: false }, notifyUserOnUnlock: false },
      kiosk: { sessionWaitMinutes: 10, activationHours: 24 },
      notifications: {
        mail: {
          type: 'smtp',
          smtp: { host: '127.0.0.1', port: mailbox.smtpPort, tls: 'none', from: 'desk@example.test' },
        },
      },
    }),
    { env: { AD_BIND_PW: ad.helpdeskPw, LDAP_BIND_PW: ldap.helpdeskPw } },
  );
  admin = await lab.signIn('hd.admin', 'AdminPass1!');
  agent = await lab.signIn('hd.agent', 'AgentPass1!');
  tier2 = await lab.signIn('hd.tier2', 'Tier2Pass1!');
  await lab
    .as(admin)
    .post('/api/enrollments/import', [
      {
        storeId: 'ad',
        username: 'alice',
        securityQuestions: [
          { question: 'First pet?', answer: 'Rex the Dog' },
          { question: 'Birth city?', answer: 'Lyon' },
        ],
        email: 'alice@example.test',
        authenticatorSecret: TOTP_SECRET,
      },
    ])
    .expect((r) => {
      if (r.status >= 300) throw new Error(`import: ${r.status} ${JSON.stringify(r.body)}`);
    });
  const found = await lab.as(admin).get('/api/users?search=alice&storeId=ad').expect(200);
  const alice = (found.body.results as { username: string; id: string; dn: string }[]).find(
    (r) => r.username === 'alice',
  );
  if (!alice) throw new Error('no alice');
  aliceId = alice.id;
  await lockWithFailedBinds(ad.url, alice.dn, 3, ad.tlsOptions);
}, 180_000);

afterAll(async () => {
  await lab?.close();
  await Promise.all([ad?.stop(), ldap?.stop(), mailbox?.stop()]);
});

describe('walk-up kiosk', () => {
  it('registered, activated once; the admin lists it; Manage Kiosks is needed; bad input names the field', async () => {
    await lab.as(agent).post('/api/kiosks', { name: 'X', storeId: 'ad' }).expect(403);
    await lab
      .as(admin)
      .post('/api/kiosks', { name: '', storeId: 'ad' })
      .expect(400)
      .expect((r) => expect(JSON.stringify(r.body)).toContain('name'));
    await lab
      .as(admin)
      .post('/api/kiosks', { name: 'Nowhere', storeId: 'nope' })
      .expect(400)
      .expect((r) => expect(JSON.stringify(r.body)).toContain('storeId'));

    const registered = await register('Lobby');
    await lab
      .http()
      .post('/api/kiosk/activate')
      .send({ code: 'x' })
      .expect(400)
      .expect((r) => expect(JSON.stringify(r.body)).toContain('code'));
    await lab
      .http()
      .post('/api/kiosk/activate')
      .send({ code: 'ZZZZZZZZ' })
      .expect(401)
      .expect((r) => expect(r.body.reason).toBe('kiosk.activationRefused'));
    lobby = await activate(registered.code.toLowerCase());
    expect(lobby.kioskId).toBe(registered.kioskId);
    // Used: refused like any wrong code (and recorded on the kiosk's stream).
    await lab
      .http()
      .post('/api/kiosk/activate')
      .send({ code: registered.code })
      .expect(401)
      .expect((r) => expect(r.body.reason).toBe('kiosk.activationRefused'));
    const device = await kiosk(lobby).get('/api/kiosk/device').expect(200);
    expect(device.body).toEqual({ kiosk: { kioskId: lobby.kioskId, name: 'Lobby' }, csrfToken: lobby.csrf });
    await lab
      .http()
      .get('/api/kiosk/device')
      .expect(401)
      .expect((r) => expect(r.body.reason).toBe('kiosk.notActivated'));
    // State changes need the X-Kiosk-CSRF header.
    await lab.http().post('/api/kiosk/sessions').set('Cookie', lobby.cookie).send({ username: 'alice' }).expect(403);

    side = await activate((await register('Side entrance')).code);
    const list = await lab.as(admin).get('/api/kiosks').expect(200);
    expect(list.body.kiosks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kioskId: lobby.kioskId, status: 'active', activatedAt: expect.any(String) }),
        expect.objectContaining({ kioskId: side.kioskId, status: 'active' }),
      ]),
    );
    const stream = (await lab.events()).filter((e) => e.streamId === `kiosk-${lobby.kioskId}`);
    expect(stream.map((e) => e.type)).toEqual(['KioskRegistered', 'KioskActivated', 'KioskActivationRefused']);
    expect(recorded(stream)).not.toContain(registered.code);
    expect(recorded(stream)).not.toContain(lobby.cookie.slice('ud_kiosk='.length));
  });

  it('the person types alice, an agent claims with the code, answers, the e-mail and authenticator codes at the kiosk; unlocked; history and audit read it', async () => {
    const started = await kiosk(lobby).post('/api/kiosk/sessions', { username: 'alice' }).expect(201);
    expect(started.body).toEqual({
      sessionId: expect.any(String),
      code: expect.stringMatching(/^[2-9A-HJKMNP-Z]{6}$/),
      expiresAt: expect.any(String),
    });
    const { sessionId, code } = started.body as { sessionId: string; code: string };
    // An unknown username gets the same shape (at another kiosk: one session per kiosk).
    const unknown = await kiosk(side).post('/api/kiosk/sessions', { username: 'no-such-person' }).expect(201);
    expect(Object.keys(unknown.body).sort()).toEqual(Object.keys(started.body).sort());

    const waiting = await lab.as(agent).get('/api/kiosk-sessions').expect(200);
    const row = (waiting.body.sessions as { sessionId: string }[]).find((s) => s.sessionId === sessionId);
    expect(row).toEqual({
      sessionId,
      kioskId: lobby.kioskId,
      kioskName: 'Lobby',
      usernameTyped: 'alice',
      startedAt: expect.any(String),
      expiresAt: started.body.expiresAt,
    });
    expect(JSON.stringify(waiting.body)).not.toContain(code);
    const before = await kiosk(lobby).get(`/api/kiosk/sessions/${sessionId}`).expect(200);
    expect(before.body).toMatchObject({ status: 'waiting', code, agentName: null, verification: null, result: null });

    // Verification before a claim: 409; another kiosk cannot see it.
    await kiosk(lobby)
      .post(`/api/kiosk/sessions/${sessionId}/answers`, { questionId: 'q', answer: 'x' })
      .expect(409)
      .expect((r) => expect(r.body.reason).toBe('kiosk.sessionNotClaimed'));
    await kiosk(side).get(`/api/kiosk/sessions/${sessionId}`).expect(404);

    const claimed = await lab.as(agent).post('/api/kiosk-sessions/claim', { code: code.toLowerCase() }).expect(200);
    expect(claimed.body).toEqual({
      sessionId,
      caseId: expect.any(String),
      subject: { storeId: 'ad', userId: aliceId, displayName: expect.any(String) },
    });
    const caseId = claimed.body.caseId as string;
    await lab
      .as(tier2)
      .post('/api/kiosk-sessions/claim', { code })
      .expect(404)
      .expect((r) => expect(r.body.reason).toBe('kiosk.codeUnknown'));
    const adminCase = await lab.as(agent).get(`/api/cases/${caseId}`).expect(200);
    expect(adminCase.body.kiosk).toEqual({ sessionId, kioskId: lobby.kioskId, kioskName: 'Lobby' });

    const view = await kiosk(lobby).get(`/api/kiosk/sessions/${sessionId}`).expect(200);
    expect(view.body).toMatchObject({
      status: 'claimed',
      agentName: agent.displayName.split(' ')[0],
      verification: {
        questions: [
          { questionId: expect.any(String), text: 'First pet?', verified: false },
          { questionId: expect.any(String), text: 'Birth city?', verified: false },
        ],
        codes: { email: { maskedDestination: 'a***@example.test', pending: false, verified: false }, sms: null },
        authenticator: { enrolled: true, verified: false },
        locked: false,
        progress: { met: false },
      },
      result: null,
    });
    expect(view.body.code).toBeUndefined();
    const [q1, q2] = view.body.verification.questions as { questionId: string }[];

    const wrong = await kiosk(lobby)
      .post(`/api/kiosk/sessions/${sessionId}/answers`, { questionId: q1?.questionId, answer: 'cat' })
      .expect(200);
    expect(wrong.body).toMatchObject({ outcome: 'rejected', reason: 'mismatch' });
    expect(wrong.body.case).toBeUndefined();
    await kiosk(lobby)
      .post(`/api/kiosk/sessions/${sessionId}/answers`, { questionId: q1?.questionId, answer: ' rex the DOG ' })
      .expect(200)
      .expect((r) => expect(r.body.outcome).toBe('verified'));
    await kiosk(lobby)
      .post(`/api/kiosk/sessions/${sessionId}/answers`, { questionId: q2?.questionId, answer: 'lyon' })
      .expect(200)
      .expect((r) => expect(r.body.verification.questions.every((q: { verified: boolean }) => q.verified)).toBe(true));

    // The agent sends the e-mail code; the kiosk shows the field and the person types the code they got.
    await mailbox.clear();
    await lab.as(agent).post(`/api/cases/${caseId}/codes`, { channel: 'email' }).expect(200);
    const pending = await kiosk(lobby).get(`/api/kiosk/sessions/${sessionId}`).expect(200);
    expect(pending.body.verification.codes.email).toEqual({
      maskedDestination: 'a***@example.test',
      pending: true,
      verified: false,
    });
    const mail = await mailbox.waitForMessage('alice@example.test', (m) => /verification code/i.test(m.text), 5000);
    const emailCode = /\b(\d{6})\b/.exec(mail.text)?.[1] as string;
    await kiosk(lobby)
      .post(`/api/kiosk/sessions/${sessionId}/codes/verify`, { channel: 'email', code: emailCode })
      .expect(200)
      .expect((r) => expect(r.body.outcome).toBe('verified'));
    const totp = generateTotp(base32Decode(TOTP_SECRET), Date.now());
    const authed = await kiosk(lobby)
      .post(`/api/kiosk/sessions/${sessionId}/authenticator`, { code: totp })
      .expect(200);
    expect(authed.body).toMatchObject({ outcome: 'verified', verification: { progress: { met: true } } });

    // The agent sees the answers verified, each recorded with client 'kiosk' and the kiosk's id.
    const afterSteps = await lab.as(agent).get(`/api/cases/${caseId}`).expect(200);
    expect(afterSteps.body).toMatchObject({ authenticated: true, verified: { email: true, authenticator: true } });
    expect(afterSteps.body.enrollment.securityQuestions.every((q: { verified: boolean }) => q.verified)).toBe(true);
    const caseEvents = (await lab.events()).filter((e) => e.streamId === caseStreamId(caseId));
    const fromKiosk = caseEvents.filter((e) =>
      [
        'SecurityAnswerRejected',
        'SecurityAnswerVerified',
        'VerificationCodeVerified',
        'AuthenticatorCodeVerified',
      ].includes(e.type),
    );
    expect(fromKiosk).toHaveLength(5);
    for (const e of fromKiosk) {
      expect(e.metadata).toMatchObject({ client: 'kiosk', kioskId: lobby.kioskId, actor: `kiosk:${lobby.kioskId}` });
    }
    expect(caseEvents.find((e) => e.type === 'CaseOpened')?.metadata).toMatchObject({ client: 'admin' });
    expect(caseEvents.find((e) => e.type === 'VerificationCodeSent')?.metadata).toMatchObject({ client: 'admin' });
    expect(recorded(await lab.events())).not.toMatch(/Rex the Dog|rex the DOG|lyon/i);

    await lab
      .as(agent)
      .post(`/api/users/ad/${aliceId}/unlock`, { caseId }, { 'Idempotency-Key': 'kiosk-1' })
      .expect(200);
    expect((await lab.app.get(IdentityStoreRegistry).get('ad')?.getAccount(aliceId))?.lock.state).toBe('unlocked');
    const done = await kiosk(lobby).get(`/api/kiosk/sessions/${sessionId}`).expect(200);
    expect(done.body).toMatchObject({
      status: 'unlocked',
      result: { outcome: 'unlocked', message: expect.any(String) },
    });
    await kiosk(lobby).post(`/api/kiosk/sessions/${sessionId}/end`).expect(200);
    // Over: the kiosk no longer gets the person's question texts or masked contact details.
    const over = await kiosk(lobby).get(`/api/kiosk/sessions/${sessionId}`).expect(200);
    expect(over.body).toMatchObject({ status: 'ended', verification: null });
    expect(JSON.stringify(over.body)).not.toMatch(/First pet|a\*\*\*@/);
    await kiosk(lobby)
      .post(`/api/kiosk/sessions/${sessionId}/answers`, { questionId: q1?.questionId, answer: 'x' })
      .expect(410)
      .expect((r) => expect(r.body.reason).toBe('kiosk.sessionOver'));

    const history = await waitFor(
      async () =>
        (
          (await lab.as(admin).get(`/api/users/ad/${aliceId}/history?limit=100`).expect(200)).body.items as {
            summary: string;
          }[]
        ).map((i) => i.summary),
      (s) => s.some((x) => x.includes('ended')),
    );
    const name = claimed.body.subject.displayName as string;
    expect(history).toEqual(
      expect.arrayContaining([
        `${name} asked for help at kiosk Lobby`,
        `${agent.displayName} took ${name}'s kiosk session at Lobby`,
        `${name} answered security question "First pet?" wrongly`,
        `${name} answered security question "First pet?" correctly`,
        `${name} confirmed the e-mail code`,
        `The kiosk session of ${name} at Lobby ended (ended at the kiosk)`,
      ]),
    );
    const audit = await lab.as(admin).get('/api/audit/events?action=kiosk.registered&limit=10').expect(200);
    expect((audit.body.items as { summary: string }[]).map((i) => i.summary)).toEqual(
      expect.arrayContaining([`${admin.displayName} registered kiosk Lobby (Building A) for Corp AD`]),
    );
  });

  it('claim refusals: unknown code 404 (not recorded), unknown username 409 kiosk.noSuchUser (recorded)', async () => {
    await lab
      .as(agent)
      .post('/api/kiosk-sessions/claim', { code: '222222' })
      .expect(404)
      .expect((r) => expect(r.body.reason).toBe('kiosk.codeUnknown'));
    const unknown = await kiosk(side).post('/api/kiosk/sessions', { username: 'nobody-at-all' }).expect(201);
    await lab
      .as(agent)
      .post('/api/kiosk-sessions/claim', { code: unknown.body.code })
      .expect(409)
      .expect((r) => expect(r.body.reason).toBe('kiosk.noSuchUser'));
    const stream = (await lab.events()).filter((e) => e.streamId === `kiosk-session-${unknown.body.sessionId}`);
    expect(stream.map((e) => e.type)).toEqual(['KioskSessionStarted', 'KioskSessionClaimRefused']);
    // Only the first character and the length of a name that matches no account (it may be a mistyped password).
    expect(stream[0]?.data).toMatchObject({ subject: null, usernameTyped: 'n… (13 characters)' });
    expect(JSON.stringify(stream.map((e) => [e.data, e.metadata]))).not.toContain('nobody-at-all');
  });

  it('rate limit per typed username: the sixth session in 10 minutes is 429 with retryAfterSeconds', async () => {
    for (let i = 0; i < 5; i++) await kiosk(side).post('/api/kiosk/sessions', { username: 'Bob' }).expect(201);
    const limited = await kiosk(side).post('/api/kiosk/sessions', { username: ' bob ' }).expect(429);
    expect(limited.body).toMatchObject({ reason: 'kiosk.rateLimited', retryAfterSeconds: expect.any(Number) });
  });

  it('revoked: the device is refused (401 kiosk.revoked) and its waiting sessions end', async () => {
    const waiting = await kiosk(lobby).post('/api/kiosk/sessions', { username: 'carol' }).expect(201);
    const revoked = await lab
      .as(admin)
      .post(`/api/kiosks/${lobby.kioskId}/revoke`, { reason: 'Moved to building B' })
      .expect(200);
    expect(revoked.body.kiosk).toMatchObject({
      kioskId: lobby.kioskId,
      status: 'revoked',
      revokedAt: expect.any(String),
    });
    await kiosk(lobby)
      .get('/api/kiosk/device')
      .expect(401)
      .expect((r) => expect(r.body.reason).toBe('kiosk.revoked'));
    await kiosk(lobby).post('/api/kiosk/sessions', { username: 'alice' }).expect(401);
    const list = await lab.as(agent).get('/api/kiosk-sessions').expect(200);
    expect((list.body.sessions as { sessionId: string }[]).map((s) => s.sessionId)).not.toContain(
      waiting.body.sessionId,
    );
    const ended = (await lab.events()).filter(
      (e) => e.streamId === `kiosk-session-${waiting.body.sessionId}` && e.type === 'KioskSessionEnded',
    );
    expect(ended.map((e) => e.data)).toEqual([expect.objectContaining({ by: 'agent' })]);
  });
});
