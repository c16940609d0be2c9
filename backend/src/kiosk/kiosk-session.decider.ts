/**
 * "I'm locked out" sessions (stream `kiosk-session-<sessionId>`), pure. The kiosk starts one for the username the
 * person typed (the handler resolves it: `subject` is null when it matched no account — the kiosk answers the same
 * either way); it waits `waitMinutes` to be claimed by an agent with its code; the claim links the case the agent
 * opened; the kiosk, the claiming agent or the kiosk's revocation ends it.
 *
 * Recorded refusals (KioskSessionClaimRefused): `kiosk.noSuchUser`, `kiosk.alreadyClaimed`. Not recorded: claiming a
 * session that is not waiting any more (ended, expired: `kiosk.codeUnknown`, as for a code nobody has), ending
 * someone else's (`kiosk.notYours`), an unclaimed one by an agent (`kiosk.sessionNotClaimed`).
 */
import { type Decider, type FieldProblem, refuse } from '../shared/decider';
import { sameAccount } from '../shared/domain-types';
import {
  type ClaimRefusal,
  KIOSK_REASONS,
  type KioskAgent,
  type KioskSessionEndedBy,
  type KioskSessionEvent,
  type KioskSubject,
} from './kiosk.events';

export type KioskSession = {
  sessionId: string;
  kioskId: string;
  code: string;
  usernameTyped: string;
  subject: KioskSubject | null;
  startedAt: string;
  expiresAt: string;
  claim: { agent: KioskAgent; caseId: string; at: string } | null;
  ended: { by: KioskSessionEndedBy; at: string } | null;
};

export type KioskSessionState = { status: 'new' } | ({ status: 'started' } & KioskSession);

/** The session code alphabet: no 0/O, 1/I/L look-alikes. */
export const SESSION_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
export const SESSION_CODE_LENGTH = 6;
export const MAX_USERNAME_TYPED = 256;

export type StartKioskSession = {
  type: 'StartKioskSession';
  sessionId: string;
  kioskId: string;
  code: string;
  usernameTyped: string;
  subject: KioskSubject | null;
  /** Configuration `kiosk.sessionWaitMinutes`. */
  waitMinutes: number;
  now: Date;
};
export type ClaimKioskSession = { type: 'ClaimKioskSession'; agent: KioskAgent; caseId: string; now: Date };
export type EndKioskSession =
  | { type: 'EndKioskSession'; by: 'kiosk'; kioskId: string; now: Date }
  | { type: 'EndKioskSession'; by: 'agent'; agent: KioskAgent; now: Date }
  | { type: 'EndKioskSession'; by: 'revocation'; now: Date };

export type KioskSessionCommand = StartKioskSession | ClaimKioskSession | EndKioskSession;

export type KioskSessionStatus = 'waiting' | 'claimed' | 'ended' | 'expired';

/** Where the session is now: claimed and ended are recorded, `expired` is a waiting session past its expiry. */
export function kioskSessionStatus(s: KioskSession, now: Date): KioskSessionStatus {
  if (s.ended) return s.ended.by === 'expiry' ? 'expired' : 'ended';
  if (s.claim) return 'claimed';
  return now.getTime() >= Date.parse(s.expiresAt) ? 'expired' : 'waiting';
}

function requireSession(state: KioskSessionState): KioskSession {
  if (state.status === 'new') refuse('kiosk.sessionNotFound', 'There is no kiosk session with this id');
  return state;
}

/** Why a claim of this session is refused now and recorded (undefined: it may be claimed). Not waiting: thrown. */
export function claimRefusal(state: KioskSessionState, now: Date): ClaimRefusal | undefined {
  if (state.status === 'new') refuse('kiosk.codeUnknown', 'No kiosk session is waiting with this code');
  const status = kioskSessionStatus(state, now);
  if (status === 'claimed') return 'kiosk.alreadyClaimed';
  if (status !== 'waiting') refuse('kiosk.codeUnknown', 'No kiosk session is waiting with this code');
  if (!state.subject) return 'kiosk.noSuchUser';
  return undefined;
}

/**
 * A verification step typed at kiosk `kioskId` for this session: the session must be this kiosk's
 * (`kiosk.sessionNotFound`), claimed (`kiosk.sessionNotClaimed`) and not over (`kiosk.sessionOver`). The claim.
 */
export function kioskStepGate(state: KioskSessionState, kioskId: string, now: Date): KioskSession['claim'] & {} {
  const s = requireSession(state);
  if (s.kioskId !== kioskId) refuse('kiosk.sessionNotFound', 'There is no kiosk session with this id');
  const status = kioskSessionStatus(s, now);
  if (status === 'ended' || status === 'expired') refuse('kiosk.sessionOver', 'The kiosk session is over');
  if (!s.claim) refuse('kiosk.sessionNotClaimed', 'No agent has taken this kiosk session yet');
  return s.claim;
}

function start(c: StartKioskSession, state: KioskSessionState): KioskSessionEvent[] {
  if (state.status !== 'new') refuse('kiosk.sessionExists', `The kiosk session ${c.sessionId} already exists`);
  const problems: FieldProblem[] = [];
  const typed = typeof c.usernameTyped === 'string' ? c.usernameTyped.trim() : '';
  if (typed.length < 1 || typed.length > MAX_USERNAME_TYPED)
    problems.push({ field: 'username', message: 'must be 1-256 characters' });
  if (
    typeof c.code !== 'string' ||
    c.code.length !== SESSION_CODE_LENGTH ||
    ![...c.code].every((ch) => SESSION_CODE_ALPHABET.includes(ch))
  )
    problems.push({ field: 'code', message: 'must be 6 characters of the session code alphabet' });
  if (!Number.isInteger(c.waitMinutes) || c.waitMinutes < 1)
    problems.push({ field: 'waitMinutes', message: 'must be a positive integer' });
  if (problems.length) refuse('kiosk.invalid', problems.map((p) => `${p.field} ${p.message}`).join('; '), problems);
  return [
    {
      type: 'KioskSessionStarted',
      data: {
        sessionId: c.sessionId,
        kioskId: c.kioskId,
        code: c.code,
        usernameTyped: typed,
        subject: c.subject ? { ...c.subject } : null,
        expiresAt: new Date(c.now.getTime() + c.waitMinutes * 60_000).toISOString(),
        at: c.now.toISOString(),
      },
    },
  ];
}

function claim(c: ClaimKioskSession, state: KioskSessionState): KioskSessionEvent[] {
  const at = c.now.toISOString();
  const why = claimRefusal(state, c.now);
  if (why) {
    return [
      { type: 'KioskSessionClaimRefused', data: { agent: c.agent, reasonCode: why, reason: KIOSK_REASONS[why], at } },
    ];
  }
  return [{ type: 'KioskSessionClaimed', data: { agent: c.agent, caseId: c.caseId, at } }];
}

function end(c: EndKioskSession, state: KioskSessionState): KioskSessionEvent[] {
  const s = requireSession(state);
  if (c.by === 'kiosk' && s.kioskId !== c.kioskId)
    refuse('kiosk.sessionNotFound', 'There is no kiosk session with this id');
  if (c.by === 'agent') {
    if (!s.claim) refuse('kiosk.sessionNotClaimed', 'No agent has taken this kiosk session');
    if (!sameAccount(s.claim.agent, c.agent)) refuse('kiosk.notYours', 'Another agent took this kiosk session');
  }
  if (s.ended) return [];
  const by: KioskSessionEndedBy =
    kioskSessionStatus(s, c.now) === 'expired' ? 'expiry' : c.by === 'kiosk' ? 'kiosk' : 'agent';
  return [{ type: 'KioskSessionEnded', data: { by, at: c.now.toISOString() } }];
}

export const kioskSessionDecider: Decider<KioskSessionCommand, KioskSessionEvent, KioskSessionState> = {
  initialState: () => ({ status: 'new' }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'KioskSessionStarted': {
        const d = event.data;
        return {
          status: 'started',
          sessionId: d.sessionId,
          kioskId: d.kioskId,
          code: d.code,
          usernameTyped: d.usernameTyped,
          subject: d.subject,
          startedAt: d.at,
          expiresAt: d.expiresAt,
          claim: null,
          ended: null,
        };
      }
      case 'KioskSessionClaimed':
        return state.status === 'new'
          ? state
          : { ...state, claim: { agent: event.data.agent, caseId: event.data.caseId, at: event.data.at } };
      case 'KioskSessionClaimRefused':
        return state;
      case 'KioskSessionEnded':
        return state.status === 'new' ? state : { ...state, ended: { by: event.data.by, at: event.data.at } };
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'StartKioskSession':
        return start(command, state);
      case 'ClaimKioskSession':
        return claim(command, state);
      case 'EndKioskSession':
        return end(command, state);
    }
  },
};
