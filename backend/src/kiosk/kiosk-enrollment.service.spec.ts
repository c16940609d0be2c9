import type { Request } from 'express';
import type { IdentityStoreRegistry } from '../directory/identity-store.registry';
import type { EnrollmentService } from '../enrollment/enrollment.service';
import type { EventStore } from '../event-store/event-store';
import type { KioskDevice } from './kiosk.service';
import { KIOSK_ENROLLMENT_LIMITS, KioskEnrollmentService } from './kiosk-enrollment.service';

const device: KioskDevice = { kioskId: 'k1', name: 'Lobby', storeId: 'ad', csrfToken: 'csrf' };
const req = { ip: '10.0.0.1', get: () => undefined } as unknown as Request;
const dave = { id: 'u-dave', storeId: 'ad', username: 'dave', displayName: 'Dave', dn: 'cn=dave', lock: {} };

type AuthResult = { result: string; account?: typeof dave };

function setUp(authenticate: (username: string) => Promise<AuthResult>) {
  const calls: string[] = [];
  const store = {
    capabilities: { canAuthenticate: true },
    authenticate: (username: string) => {
      calls.push(username);
      return authenticate(username);
    },
    findByUsername: async (username: string) => (username === 'dave' ? dave : undefined),
  };
  const stores = { get: () => store } as unknown as IdentityStoreRegistry;
  const enrollments = {
    view: async () => ({ types: [], securityQuestions: [] }),
  } as unknown as EnrollmentService;
  const events = { append: async () => ({}) } as unknown as EventStore;
  return { service: new KioskEnrollmentService(stores, enrollments, events), calls };
}

const outcome = (p: Promise<unknown>) =>
  p.then(
    () => ({ status: 200 }),
    (e: { getStatus(): number; getResponse(): unknown }) => ({ status: e.getStatus(), body: e.getResponse() }),
  );

describe('KioskEnrollmentService.signIn', () => {
  it('a locked account gets the same answer as an unknown username (the lock is reported whatever the password)', async () => {
    const { service } = setUp(async (u) => ({ result: u === 'dave' ? 'locked' : 'invalid-credentials' }));
    const locked = await outcome(service.signIn(device, req, 'dave', 'wrong-password'));
    const unknown = await outcome(service.signIn(device, req, 'nobody', 'wrong-password'));
    expect(locked.status).toBe(401);
    expect(locked).toEqual(unknown);
  });

  it('parallel attempts for one username cannot get past the per-username limit', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const { service, calls } = setUp(async () => {
      await gate;
      return { result: 'invalid-credentials' };
    });
    const attempts = Array.from({ length: 20 }, (_, i) => outcome(service.signIn(device, req, 'dave', `guess-${i}`)));
    await new Promise((r) => setImmediate(r));
    release();
    const results = await Promise.all(attempts);
    expect(calls).toHaveLength(KIOSK_ENROLLMENT_LIMITS.perUsername);
    expect(results.filter((r) => r.status === 429)).toHaveLength(20 - KIOSK_ENROLLMENT_LIMITS.perUsername);
  });

  it('a successful or unanswered sign-in does not count against the limits', async () => {
    let answer: AuthResult = { result: 'ok', account: dave };
    const { service } = setUp(async () => answer);
    for (let i = 0; i < KIOSK_ENROLLMENT_LIMITS.perUsername + 2; i++) {
      expect((await outcome(service.signIn(device, req, 'dave', 'DavePass1!'))).status).toBe(200);
    }
    answer = { result: 'unavailable' };
    for (let i = 0; i < KIOSK_ENROLLMENT_LIMITS.perUsername + 2; i++) {
      expect((await outcome(service.signIn(device, req, 'dave', 'DavePass1!'))).status).toBe(503);
    }
  });
});
