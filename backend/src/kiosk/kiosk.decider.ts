/**
 * The kiosk registry (stream `kiosk-<kioskId>`), pure: an administrator registers a kiosk and gets a one-time
 * activation code (the handler generates it and brings only its keyed hash); the device activates with it once, within
 * its lifetime, and from then on is known by a device token (only its hash is recorded); an administrator revokes it.
 *
 * Recorded refusals (KioskActivationRefused): a wrong, expired or used code, or a revoked kiosk. Not recorded (thrown):
 * bad input (`kiosk.invalid`), an unknown kiosk (`kiosk.notFound`), registering twice (`kiosk.alreadyExists`).
 * Revoking a revoked kiosk changes nothing.
 */
import { timingSafeEqual } from 'node:crypto';
import { type Decider, type FieldProblem, refuse } from '../shared/decider';
import { type ActivationRefusal, KIOSK_REASONS, type KioskAgent, type KioskEvent } from './kiosk.events';

export type KioskStatus = 'awaiting-activation' | 'active' | 'revoked';

export type Kiosk = {
  kioskId: string;
  name: string;
  location: string | null;
  storeId: string;
  activationCodeHash: string;
  activationExpiresAt: string;
  registeredBy: KioskAgent;
  registeredAt: string;
  deviceTokenHash: string | null;
  activatedAt: string | null;
  revokedAt: string | null;
  revokedBy: KioskAgent | null;
  revokeReason: string | null;
};

export type KioskState = { status: 'new' } | ({ status: KioskStatus } & Kiosk);

export type RegisterKiosk = {
  type: 'RegisterKiosk';
  kioskId: string;
  name: string;
  location: string | null;
  storeId: string;
  activationCodeHash: string;
  /** How long the activation code is good for (configuration `kiosk.activationHours`). */
  activationHours: number;
  by: KioskAgent;
  now: Date;
};
export type ActivateKiosk = {
  type: 'ActivateKiosk';
  /** The keyed hash of the code the device sent. */
  activationCodeHash: string;
  /** The hash of the fresh device token the handler will set as the device's cookie. */
  deviceTokenHash: string;
  now: Date;
};
export type RevokeKiosk = { type: 'RevokeKiosk'; by: KioskAgent; reason: string | null; now: Date };

export type KioskCommand = RegisterKiosk | ActivateKiosk | RevokeKiosk;

export const MAX_KIOSK_NAME = 80;
export const MAX_KIOSK_LOCATION = 120;
export const MAX_REVOKE_REASON = 200;

const sameHash = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function requireKiosk(state: KioskState): { status: KioskStatus } & Kiosk {
  if (state.status === 'new') refuse('kiosk.notFound', 'There is no kiosk with this id');
  return state;
}

/** Why an activation with this code hash is refused now (undefined: it is accepted). */
export function activationRefusal(k: Kiosk & { status: KioskStatus }, codeHash: string, now: Date) {
  if (k.status === 'revoked') return 'kiosk.revoked' as const;
  if (!sameHash(k.activationCodeHash, codeHash)) return 'kiosk.activationWrong' as const;
  if (k.status === 'active') return 'kiosk.activationUsed' as const;
  if (now.getTime() >= Date.parse(k.activationExpiresAt)) return 'kiosk.activationExpired' as const;
  return undefined;
}

function register(c: RegisterKiosk, state: KioskState): KioskEvent[] {
  if (state.status !== 'new') refuse('kiosk.alreadyExists', `The kiosk ${c.kioskId} already exists`);
  const problems: FieldProblem[] = [];
  const name = typeof c.name === 'string' ? c.name.trim() : '';
  if (name.length < 1 || name.length > MAX_KIOSK_NAME)
    problems.push({ field: 'name', message: 'must be 1-80 characters' });
  const location = typeof c.location === 'string' && c.location.trim() !== '' ? c.location.trim() : null;
  if (location && location.length > MAX_KIOSK_LOCATION)
    problems.push({ field: 'location', message: 'must be at most 120 characters' });
  if (typeof c.storeId !== 'string' || c.storeId === '') problems.push({ field: 'storeId', message: 'is required' });
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(c.kioskId)) problems.push({ field: 'kioskId', message: 'must be an id' });
  if (!Number.isInteger(c.activationHours) || c.activationHours < 1)
    problems.push({ field: 'activationHours', message: 'must be a positive integer' });
  if (problems.length) refuse('kiosk.invalid', problems.map((p) => `${p.field} ${p.message}`).join('; '), problems);
  return [
    {
      type: 'KioskRegistered',
      data: {
        kioskId: c.kioskId,
        name,
        location,
        storeId: c.storeId,
        activationCodeHash: c.activationCodeHash,
        activationExpiresAt: new Date(c.now.getTime() + c.activationHours * 3600_000).toISOString(),
        by: c.by,
        at: c.now.toISOString(),
      },
    },
  ];
}

function activate(c: ActivateKiosk, state: KioskState): KioskEvent[] {
  const k = requireKiosk(state);
  const at = c.now.toISOString();
  const why: ActivationRefusal | undefined = activationRefusal(k, c.activationCodeHash, c.now);
  if (why) return [{ type: 'KioskActivationRefused', data: { reasonCode: why, reason: KIOSK_REASONS[why], at } }];
  return [{ type: 'KioskActivated', data: { deviceTokenHash: c.deviceTokenHash, at } }];
}

function revoke(c: RevokeKiosk, state: KioskState): KioskEvent[] {
  const k = requireKiosk(state);
  if (k.status === 'revoked') return [];
  const reason = typeof c.reason === 'string' && c.reason.trim() !== '' ? c.reason.trim() : null;
  if (reason && reason.length > MAX_REVOKE_REASON)
    refuse('kiosk.invalid', 'reason must be at most 200 characters', [
      { field: 'reason', message: 'must be at most 200 characters' },
    ]);
  return [{ type: 'KioskRevoked', data: { by: c.by, reason, at: c.now.toISOString() } }];
}

export const kioskDecider: Decider<KioskCommand, KioskEvent, KioskState> = {
  initialState: () => ({ status: 'new' }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'KioskRegistered': {
        const d = event.data;
        return {
          status: 'awaiting-activation',
          kioskId: d.kioskId,
          name: d.name,
          location: d.location,
          storeId: d.storeId,
          activationCodeHash: d.activationCodeHash,
          activationExpiresAt: d.activationExpiresAt,
          registeredBy: d.by,
          registeredAt: d.at,
          deviceTokenHash: null,
          activatedAt: null,
          revokedAt: null,
          revokedBy: null,
          revokeReason: null,
        };
      }
      case 'KioskActivated':
        return state.status === 'new'
          ? state
          : { ...state, status: 'active', deviceTokenHash: event.data.deviceTokenHash, activatedAt: event.data.at };
      case 'KioskActivationRefused':
        return state;
      case 'KioskRevoked':
        return state.status === 'new'
          ? state
          : {
              ...state,
              status: 'revoked',
              revokedAt: event.data.at,
              revokedBy: event.data.by,
              revokeReason: event.data.reason,
            };
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'RegisterKiosk':
        return register(command, state);
      case 'ActivateKiosk':
        return activate(command, state);
      case 'RevokeKiosk':
        return revoke(command, state);
    }
  },
};
