// "Set up how we can verify you" at the walk-up kiosk, end to end on a real Samba AD and the embedded event store: an
// administrator registers a kiosk and the device activates; dave (unenrolled) proves himself with his directory
// password, sets three security questions and an authenticator app (confirmed with a code from the new seed); an
// agent's profile of dave then shows both, the events carry client 'kiosk' and no clear answer or seed, history reads
// "Dave … enrolled … at kiosk …". A wrong password and an unknown username get the identical 401 body.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type request from 'supertest';
import { base32Decode, generateTotp } from '../../src/shared/crypto/totp';
import { type AppOnLabs, appOnLabs, HELPDESK_TEST_ROLES, type TestAgent } from '../labs/app-on-labs';
import { adStoreRaw } from '../labs/lab-config';
import { type Lab, startSambaAd } from '../labs/labs';

const UA = 'kiosk-enrollment-int-spec/1.0';

let ad: Lab;
let lab: AppOnLabs;
let admin: TestAgent;
let agent: TestAgent;

/** The test roles on the AD store only, the administrator also managing kiosks. */
const ROLES = HELPDESK_TEST_ROLES.map((r) => ({
  ...r,
  scope: { storeIds: r.scope.storeIds.filter((s) => s !== 'ldap') },
  permissions: r.roleId === 'administrator' ? [...r.permissions, 'ManageKiosks'] : r.permissions,
}));

type Device = { cookie: string; csrf: string; kioskId: string };

const kiosk = (d: Device) => ({
  post: (url: string, body: object = {}): request.Test =>
    lab.http().post(url).set('Cookie', d.cookie).set('X-Kiosk-CSRF', d.csrf).set('User-Agent', UA).send(body),
  put: (url: string, body: object = {}): request.Test =>
    lab.http().put(url).set('Cookie', d.cookie).set('X-Kiosk-CSRF', d.csrf).set('User-Agent', UA).send(body),
});

async function registerAndActivate(name: string): Promise<Device> {
  const reg = await lab.as(admin).post('/api/kiosks', { name, location: 'Building A', storeId: 'ad' }).expect(201);
  const res = await lab
    .http()
    .post('/api/kiosk/activate')
    .set('User-Agent', UA)
    .send({ code: reg.body.activationCode })
    .expect(200);
  const setCookie = (res.headers['set-cookie'] as unknown as string[])[0] as string;
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

let lobby: Device;

beforeAll(async () => {
  ad = await startSambaAd();
  lab = await appOnLabs(
    'kiosk-enrollment',
    (dataDir) => ({
      dataDir,
      identityStores: [adStoreRaw(ad, { name: 'Corp AD' })],
      roles: ROLES,
      helpdesk: { enrollFromDirectory: { email: false, phone: false }, notifyUserOnUnlock: false },
      kiosk: { sessionWaitMinutes: 10, activationHours: 24 },
    }),
    { env: { AD_BIND_PW: ad.helpdeskPw } },
  );
  admin = await lab.signIn('hd.admin', 'AdminPass1!');
  agent = await lab.signIn('hd.tier2', 'Tier2Pass1!');
  lobby = await registerAndActivate('Lobby');
}, 180_000);

afterAll(async () => {
  await lab?.close();
  await ad?.stop();
});

describe('enrollment at the kiosk', () => {
  it('a wrong password and an unknown username get the identical 401; the CSRF header is needed', async () => {
    const wrong = await kiosk(lobby)
      .post('/api/kiosk/enrollment/sign-in', { username: 'dave', password: 'NotHisPassword1!' })
      .expect(401);
    const unknown = await kiosk(lobby)
      .post('/api/kiosk/enrollment/sign-in', { username: 'no-such-person', password: 'Whatever1!' })
      .expect(401);
    expect(wrong.body).toEqual({
      statusCode: 401,
      reason: 'kiosk.signInRefused',
      message: 'That username and password did not work',
    });
    expect(unknown.body).toEqual(wrong.body);
    // Both attempts are recorded; the unknown name only as its first character and length.
    const attempts = (await lab.events()).filter((e) => e.type === 'KioskUserSignInFailed');
    expect(attempts.map((e) => e.data)).toEqual([
      expect.objectContaining({ username: 'dave', reason: 'invalid-credentials', subject: expect.any(Object) }),
      expect.objectContaining({ username: 'n… (14 characters)', reason: 'invalid-credentials', subject: null }),
    ]);
    expect(attempts[0]?.metadata).toMatchObject({ client: 'kiosk' });
    expect(JSON.stringify(attempts.map((e) => e.data))).not.toMatch(/NotHisPassword|Whatever|no-such-person/);
    await lab
      .http()
      .post('/api/kiosk/enrollment/sign-in')
      .set('Cookie', lobby.cookie)
      .send({ username: 'dave', password: 'DavePass1!' })
      .expect(403);
    await lab.http().post('/api/kiosk/enrollment/sign-in').send({ username: 'dave', password: 'x' }).expect(401);
  });

  it('dave signs in, sets three questions and an authenticator; the agent sees them; events carry client kiosk', async () => {
    const signedIn = await kiosk(lobby)
      .post('/api/kiosk/enrollment/sign-in', { username: 'dave', password: 'DavePass1!' })
      .expect(200);
    expect(signedIn.body).toEqual({
      enrollmentId: expect.any(String),
      displayName: expect.any(String),
      enrolled: { types: [], securityQuestions: [], maskedEmail: null, maskedPhone: null },
      questionChoices: expect.any(Array),
    });
    const { enrollmentId, questionChoices } = signedIn.body as { enrollmentId: string; questionChoices: string[] };
    expect(questionChoices.length).toBeGreaterThanOrEqual(6);
    const base = `/api/kiosk/enrollment/${enrollmentId}`;

    // The same question twice, a short answer, a question not offered: 400, nothing recorded.
    const [a, b, c] = questionChoices as [string, string, string];
    await kiosk(lobby)
      .put(`${base}/security-questions`, {
        questions: [
          { question: a, answer: 'Rex the dog' },
          { question: a, answer: 'Lyon' },
          { question: c, answer: 'Blue car' },
        ],
      })
      .expect(400);
    await kiosk(lobby)
      .put(`${base}/security-questions`, {
        questions: [
          { question: a, answer: 'Rex' },
          { question: b, answer: '  a  ' },
          { question: c, answer: 'Blue car' },
        ],
      })
      .expect(400);
    await kiosk(lobby)
      .put(`${base}/security-questions`, {
        questions: [
          { question: a, answer: 'Rex' },
          { question: 'Favourite colour?', answer: 'Lyon' },
          { question: c, answer: 'Blue car' },
        ],
      })
      .expect(400);

    const set = await kiosk(lobby)
      .put(`${base}/security-questions`, {
        questions: [
          { question: a, answer: 'Rex the Dog' },
          { question: b, answer: 'Lyon' },
          { question: c, answer: 'Blue Car' },
        ],
      })
      .expect(200);
    expect(set.body.enrolled).toEqual({
      types: ['securityQuestions'],
      securityQuestions: [
        { questionId: 'q1', text: a },
        { questionId: 'q2', text: b },
        { questionId: 'q3', text: c },
      ],
      maskedEmail: null,
      maskedPhone: null,
    });

    // Confirming before starting: 409. Then a new seed; a wrong code 400; the right one enrolls it.
    await kiosk(lobby)
      .post(`${base}/authenticator/confirm`, { code: '123456' })
      .expect(409)
      .expect((r) => expect(r.body.reason).toBe('kiosk.noAuthenticatorPending'));
    const started = await kiosk(lobby).post(`${base}/authenticator`).expect(200);
    expect(started.body).toEqual({
      secret: expect.stringMatching(/^[A-Z2-7]{32}$/),
      otpauthUrl: expect.stringMatching(/^otpauth:\/\/totp\//),
    });
    const secret = started.body.secret as string;
    expect(started.body.otpauthUrl).toContain(`secret=${secret}`);
    const code = generateTotp(base32Decode(secret), Date.now());
    const wrongCode = code === '000000' ? '111111' : '000000';
    await kiosk(lobby)
      .post(`${base}/authenticator/confirm`, { code: wrongCode })
      .expect(400)
      .expect((r) => expect(r.body.reason).toBe('kiosk.wrongCode'));
    const confirmed = await kiosk(lobby).post(`${base}/authenticator/confirm`, { code }).expect(200);
    expect(confirmed.body.enrolled.types).toEqual(['securityQuestions', 'authenticator']);

    // Done: the grant is gone.
    await kiosk(lobby).post(`${base}/end`).expect(200);
    await kiosk(lobby)
      .post(`${base}/authenticator`)
      .expect(410)
      .expect((r) => expect(r.body.reason).toBe('kiosk.enrollmentOver'));

    // The agent's profile of dave.
    const found = await lab.as(agent).get('/api/users?search=dave&storeId=ad').expect(200);
    const dave = (found.body.results as { username: string; id: string }[]).find((r) => r.username === 'dave');
    if (!dave) throw new Error('no dave');
    const profile = await lab.as(agent).get(`/api/users/ad/${dave.id}`).expect(200);
    expect(profile.body.enrollment).toMatchObject({
      types: ['securityQuestions', 'authenticator'],
      enrolled: true,
      securityQuestions: [
        { questionId: 'q1', question: a },
        { questionId: 'q2', question: b },
        { questionId: 'q3', question: c },
      ],
      sources: { securityQuestions: 'kiosk', authenticator: 'kiosk' },
    });
    expect(JSON.stringify(profile.body)).not.toMatch(/Rex the Dog|Lyon|Blue Car/i);
    expect(JSON.stringify(profile.body)).not.toContain(secret);

    // The events: source kiosk, client kiosk, this kiosk; no clear answer, seed or password.
    const events = (await lab.events()).filter((e) => e.streamId === `enrollment-ad-${dave.id}`);
    expect(events.map((e) => e.type)).toEqual(['AuthenticationTypeEnrolled', 'AuthenticationTypeEnrolled']);
    for (const e of events) {
      expect(e.data).toMatchObject({ source: 'kiosk', storeId: 'ad', userId: dave.id });
      expect(e.metadata).toMatchObject({ client: 'kiosk', kioskId: lobby.kioskId, actor: `kiosk:${lobby.kioskId}` });
    }
    const all = JSON.stringify((await lab.events()).map((e) => ({ data: e.data, metadata: e.metadata })));
    expect(all).not.toMatch(/Rex the Dog|rex the dog|DavePass1!/);
    expect(all).not.toContain(secret);

    // History reads it as dave's own doing at the kiosk.
    const name = signedIn.body.displayName as string;
    const history = await waitFor(
      async () =>
        (
          (await lab.as(admin).get(`/api/users/ad/${dave.id}/history?limit=50`).expect(200)).body.items as {
            summary: string;
          }[]
        ).map((i) => i.summary),
      (s) => s.length >= 2,
    );
    expect(history).toEqual(
      expect.arrayContaining([
        `${name} enrolled in security questions at kiosk Lobby`,
        `${name} enrolled in authenticator at kiosk Lobby`,
      ]),
    );
  });
});
