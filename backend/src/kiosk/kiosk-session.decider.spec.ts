// "I'm locked out" sessions: started at a kiosk for a typed username (the same answer whether it exists), waiting to be
// claimed with the code, claimed once by an agent (linking the case), ended by the kiosk, the claiming agent, expiry or
// the kiosk's revocation. Claim refusals about the session are recorded; a code that no longer waits is not.
import { describe, expect, it } from '@jest/globals';
import { DomainRefusal } from '../shared/decider';
import { deciderSpec } from '../shared/testing/decider-spec';
import { KIOSK_REASONS, KIOSK_SESSION_EVENT_SCHEMA_VERSIONS, type KioskSessionEvent } from './kiosk.events';
import {
  claimRefusal,
  type KioskSessionState,
  kioskSessionDecider,
  kioskSessionStatus,
  kioskStepGate,
  type StartKioskSession,
} from './kiosk-session.decider';

const spec = deciderSpec(kioskSessionDecider, { schemaVersions: KIOSK_SESSION_EVENT_SCHEMA_VERSIONS });
const T0 = new Date('2030-01-01T09:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const alice = { storeId: 'ad', userId: 'a1', displayName: 'Alice Smith' };
const helen = { storeId: 'ad', userId: 'helen', displayName: 'Helen Desk' };
const bob = { storeId: 'ad', userId: 'bob', displayName: 'Bob Other' };

const start = (overrides: Partial<StartKioskSession> = {}): StartKioskSession => ({
  type: 'StartKioskSession',
  sessionId: 's1',
  kioskId: 'k1',
  code: 'K7M2QX',
  usernameTyped: 'alice',
  subject: alice,
  waitMinutes: 10,
  now: T0,
  ...overrides,
});
const started = (subject: typeof alice | null = alice, usernameTyped = 'alice'): KioskSessionEvent => ({
  type: 'KioskSessionStarted',
  data: {
    sessionId: 's1',
    kioskId: 'k1',
    code: 'K7M2QX',
    usernameTyped,
    subject,
    expiresAt: at(600).toISOString(),
    at: T0.toISOString(),
  },
});
const claimed: KioskSessionEvent = {
  type: 'KioskSessionClaimed',
  data: { agent: helen, caseId: 'c1', at: at(60).toISOString() },
};
const ended = (by: 'kiosk' | 'agent' | 'expiry', when = at(120)): KioskSessionEvent => ({
  type: 'KioskSessionEnded',
  data: { by, at: when.toISOString() },
});
const claim = (now = at(60), agent = helen) => ({ type: 'ClaimKioskSession' as const, agent, caseId: 'c1', now });
const claimRefused = (code: 'kiosk.noSuchUser' | 'kiosk.alreadyClaimed', agent = helen): KioskSessionEvent => ({
  type: 'KioskSessionClaimRefused',
  data: { agent, reasonCode: code, reason: KIOSK_REASONS[code], at: at(60).toISOString() },
});
const stateOf = (events: KioskSessionEvent[]) =>
  events.reduce(kioskSessionDecider.evolve, kioskSessionDecider.initialState()) as KioskSessionState;
const refusalCode = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainRefusal) return e.code;
    throw e;
  }
  return undefined;
};

describe('StartKioskSession', () => {
  it('starts a session for a known account that waits waitMinutes', () => {
    const { state } = spec.given([]).when(start()).then([started()]);
    expect(state.status === 'started' && kioskSessionStatus(state, at(599))).toBe('waiting');
  });
  it('starts the same kind of session for a username that matched no account (subject null)', () => {
    spec
      .given([])
      .when(start({ subject: null, usernameTyped: ' nobody ' }))
      .then([started(null, 'nobody')]);
  });
  it('refuses bad input naming the fields', () => {
    spec
      .given([])
      .when(start({ usernameTyped: ' ', code: 'K7M2Q0' }))
      .thenRefuses('kiosk.invalid', ['username', 'code']);
    spec
      .given([])
      .when(start({ usernameTyped: 'x'.repeat(257) }))
      .thenRefuses('kiosk.invalid', ['username']);
  });
  it('refuses starting the same session twice', () => {
    spec.given([started()]).when(start()).thenRefuses('kiosk.sessionExists');
  });
});

describe('ClaimKioskSession', () => {
  it('claims a waiting session, linking the case', () => {
    const { state } = spec.given([started()]).when(claim()).then([claimed]);
    expect(state.status === 'started' && kioskSessionStatus(state, at(60))).toBe('claimed');
  });
  it('records kiosk.noSuchUser when the typed username matched no account', () => {
    spec
      .given([started(null, 'nobody')])
      .when(claim())
      .then([claimRefused('kiosk.noSuchUser')]);
  });
  it('records kiosk.alreadyClaimed for a second claim', () => {
    spec
      .given([started(), claimed])
      .when(claim(at(60), bob))
      .then([claimRefused('kiosk.alreadyClaimed', bob)]);
  });
  it('an expired or ended session, or none, no longer has a code: kiosk.codeUnknown, nothing recorded', () => {
    spec
      .given([started()])
      .when(claim(at(600)))
      .thenRefuses('kiosk.codeUnknown');
    spec
      .given([started(), ended('kiosk')])
      .when(claim())
      .thenRefuses('kiosk.codeUnknown');
    spec.given([]).when(claim()).thenRefuses('kiosk.codeUnknown');
  });
  it('claimRefusal tells the handler beforehand what the decider will do', () => {
    expect(claimRefusal(stateOf([started()]), at(1))).toBeUndefined();
    expect(claimRefusal(stateOf([started(null)]), at(1))).toBe('kiosk.noSuchUser');
  });
});

describe('EndKioskSession', () => {
  it('the kiosk ends its own session', () => {
    spec
      .given([started()])
      .when({ type: 'EndKioskSession', by: 'kiosk', kioskId: 'k1', now: at(120) })
      .then([ended('kiosk')]);
  });
  it('another kiosk cannot end it (kiosk.sessionNotFound)', () => {
    spec
      .given([started()])
      .when({ type: 'EndKioskSession', by: 'kiosk', kioskId: 'k2', now: at(120) })
      .thenRefuses('kiosk.sessionNotFound');
  });
  it('the claiming agent ends it; another agent may not; nobody before a claim', () => {
    spec
      .given([started(), claimed])
      .when({ type: 'EndKioskSession', by: 'agent', agent: helen, now: at(120) })
      .then([ended('agent')]);
    spec
      .given([started(), claimed])
      .when({ type: 'EndKioskSession', by: 'agent', agent: bob, now: at(120) })
      .thenRefuses('kiosk.notYours');
    spec
      .given([started()])
      .when({ type: 'EndKioskSession', by: 'agent', agent: helen, now: at(120) })
      .thenRefuses('kiosk.sessionNotClaimed');
  });
  it('a waiting session past its expiry ends by expiry, whoever ends it', () => {
    const { state } = spec
      .given([started()])
      .when({ type: 'EndKioskSession', by: 'kiosk', kioskId: 'k1', now: at(700) })
      .then([ended('expiry', at(700))]);
    expect(state.status === 'started' && kioskSessionStatus(state, at(700))).toBe('expired');
  });
  it("the kiosk's revocation ends a waiting session (by an agent)", () => {
    spec
      .given([started()])
      .when({ type: 'EndKioskSession', by: 'revocation', now: at(120) })
      .then([ended('agent')]);
  });
  it('ending an ended session changes nothing; an unknown one is refused', () => {
    spec
      .given([started(), ended('kiosk')])
      .when({ type: 'EndKioskSession', by: 'kiosk', kioskId: 'k1', now: at(200) })
      .thenNothing();
    spec
      .given([])
      .when({ type: 'EndKioskSession', by: 'revocation', now: at(1) })
      .thenRefuses('kiosk.sessionNotFound');
  });
});

describe('kioskStepGate (verification typed at the kiosk)', () => {
  it('lets a claimed session of this kiosk through, with its claim', () => {
    expect(kioskStepGate(stateOf([started(), claimed]), 'k1', at(900))).toMatchObject({ caseId: 'c1' });
  });
  it('refuses before a claim (409), after the end or expiry (410), and for another kiosk', () => {
    expect(refusalCode(() => kioskStepGate(stateOf([started()]), 'k1', at(60)))).toBe('kiosk.sessionNotClaimed');
    expect(refusalCode(() => kioskStepGate(stateOf([started(), claimed, ended('kiosk')]), 'k1', at(200)))).toBe(
      'kiosk.sessionOver',
    );
    expect(refusalCode(() => kioskStepGate(stateOf([started()]), 'k1', at(700)))).toBe('kiosk.sessionOver');
    expect(refusalCode(() => kioskStepGate(stateOf([started(), claimed]), 'k2', at(60)))).toBe('kiosk.sessionNotFound');
    expect(refusalCode(() => kioskStepGate(stateOf([]), 'k1', at(60)))).toBe('kiosk.sessionNotFound');
  });
});
