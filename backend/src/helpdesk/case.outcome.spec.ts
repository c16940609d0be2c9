import { describe, expect, it } from '@jest/globals';
import { fold } from '../shared/decider';
import { caseDecider, type ReconcileUnlocks, type RecordUnlockOutcome } from './case.decider';
import { type CaseEvent, REASONS } from './case.events';
import { pendingUnlocks } from './case.state';
import {
  alice,
  aliceLdap,
  authenticatedCase,
  iso,
  requested,
  spec,
  T0,
  tPlus,
  role as unlockRole,
} from './testing/case-fixtures';
import { reconcileUnlock, unlockOutcome } from './unlock-outcome';

const withIntents = [...authenticatedCase(), requested(), requested(aliceLdap, { linked: true })];
const at = tPlus(62);

const outcome = (overrides: Partial<RecordUnlockOutcome> = {}): RecordUnlockOutcome => ({
  type: 'RecordUnlockOutcome',
  account: { storeId: 'ad', userId: 'alice' },
  idempotencyKey: 'key-1',
  write: { ok: true },
  readBack: { lockState: 'notLocked', failedAttempts: 0 },
  now: at,
  ...overrides,
});
const unlocked = (
  account = alice,
  readBack: object = { lockState: 'notLocked', failedAttempts: 0 },
  extra = {},
): CaseEvent =>
  ({
    type: 'AccountUnlocked',
    data: {
      account,
      idempotencyKey: 'key-1',
      readBack,
      directoryMessage: null,
      reconciled: false,
      at: iso(at),
      ...extra,
    },
  }) as CaseEvent;
const failed = (reasonCode: keyof typeof REASONS, readBack: object | null, extra = {}, account = alice): CaseEvent =>
  ({
    type: 'UnlockFailed',
    data: {
      account,
      idempotencyKey: 'key-1',
      readBack,
      reasonCode,
      reason: REASONS[reasonCode],
      directoryMessage: null,
      reconciled: false,
      at: iso(at),
      ...extra,
    },
  }) as CaseEvent;

describe('RecordUnlockOutcome (after the directory write and read-back)', () => {
  it('records AccountUnlocked with the state read back', () => {
    spec.given(withIntents).when(outcome()).then([unlocked()]);
  });

  it('records UnlockFailed when the account still reads back as locked', () => {
    spec
      .given(withIntents)
      .when(outcome({ readBack: { lockState: 'locked', failedAttempts: 5 } }))
      .then([failed('unlock.stillLocked', { lockState: 'locked', failedAttempts: 5 })]);
  });

  it('records UnlockFailed with the directory’s message when the write failed', () => {
    spec
      .given(withIntents)
      .when(
        outcome({ write: { ok: false, message: '50 insufficientAccessRights' }, readBack: { lockState: 'locked' } }),
      )
      .then([
        failed('unlock.directoryError', { lockState: 'locked' }, { directoryMessage: '50 insufficientAccessRights' }),
      ]);
    spec
      .given(withIntents)
      .when(outcome({ write: { ok: false, message: 'connection reset' }, readBack: null }))
      .then([failed('unlock.directoryError', null, { directoryMessage: 'connection reset' })]);
  });

  it('reports what it found: a failed write on an account that reads back unlocked is AccountUnlocked', () => {
    spec
      .given(withIntents)
      .when(outcome({ write: { ok: false, message: 'timeout' }, readBack: { lockState: 'notLocked' } }))
      .then([unlocked(alice, { lockState: 'notLocked' }, { directoryMessage: 'timeout' })]);
  });

  it('needs a read-back after a successful write', () => {
    spec
      .given(withIntents)
      .when(outcome({ readBack: null }))
      .thenRefuses('unlock.readBackRequired');
  });

  it('refuses an outcome without intent; a second outcome for a settled intent records nothing', () => {
    spec.given(authenticatedCase()).when(outcome()).thenRefuses('unlock.noPendingIntent');
    spec
      .given([...withIntents, unlocked()])
      .when(outcome())
      .thenNothing();
  });

  it('is accepted after the case was closed (the outcome must not be lost)', () => {
    spec
      .given([...withIntents, { type: 'CaseClosed', data: { reason: 'agent closed the dialog', at: iso(tPlus(61)) } }])
      .when(outcome({ account: { storeId: 'ldap', userId: 'alice' } }))
      .then([unlocked(aliceLdap)]);
  });
});

describe('reconciliation (the process died between intent and outcome)', () => {
  const reconcile = (readings: ReconcileUnlocks['readings']): ReconcileUnlocks => ({
    type: 'ReconcileUnlocks',
    readings,
    now: at,
  });

  it('settles every pending intent from the directory’s current state', () => {
    const { state } = spec
      .given(withIntents)
      .when(
        reconcile([
          { account: { storeId: 'ad', userId: 'alice' }, state: { lockState: 'notLocked' } },
          { account: { storeId: 'ldap', userId: 'alice' }, state: { lockState: 'locked', failedAttempts: 3 } },
        ]),
      )
      .then([
        unlocked(alice, { lockState: 'notLocked' }, { reconciled: true }),
        failed('unlock.interrupted', { lockState: 'locked', failedAttempts: 3 }, { reconciled: true }, aliceLdap),
      ]);
    expect(pendingUnlocks(state)).toEqual([]);
  });

  it('records a vanished account and a permanent admin lock as failures', () => {
    spec
      .given(withIntents)
      .when(
        reconcile([
          { account: { storeId: 'ad', userId: 'alice' }, state: null },
          { account: { storeId: 'ldap', userId: 'alice' }, state: { lockState: 'permanentlyLocked' } },
        ]),
      )
      .then([
        failed('unlock.accountNotFound', null, { reconciled: true }),
        failed('unlock.permanentlyLocked', { lockState: 'permanentlyLocked' }, { reconciled: true }, aliceLdap),
      ]);
  });

  it('leaves intents without a reading pending, and does nothing when all are settled', () => {
    const { state } = spec
      .given(withIntents)
      .when(reconcile([{ account: { storeId: 'ad', userId: 'alice' }, state: { lockState: 'notLocked' } }]))
      .then([unlocked(alice, { lockState: 'notLocked' }, { reconciled: true })]);
    expect(pendingUnlocks(state).map((u) => u.account.storeId)).toEqual(['ldap']);
    spec
      .given([...authenticatedCase(), requested(), unlocked()])
      .when(reconcile([{ account: alice, state: { lockState: 'locked' } }]))
      .thenNothing();
  });

  it('the pure reconciler and the live outcome work on the pending entries of a folded case', () => {
    const [entry] = pendingUnlocks(fold(caseDecider, withIntents));
    if (!entry) throw new Error('expected a pending unlock');
    expect(reconcileUnlock(entry, { lockState: 'notLocked', disabled: undefined }, at)).toEqual(
      unlocked(alice, { lockState: 'notLocked' }, { reconciled: true }),
    );
    expect(unlockOutcome(entry, { ok: true }, { lockState: 'locked' }, at)).toEqual(
      failed('unlock.stillLocked', { lockState: 'locked' }),
    );
    expect(() => unlockOutcome(entry, { ok: true }, null, at)).toThrow(RangeError);
  });
});

describe('CloseCase', () => {
  it('closes an open case; closing again records nothing; a case never opened cannot be closed', () => {
    const { state } = spec
      .given(authenticatedCase())
      .when({ type: 'CloseCase', reason: 'unlocked', now: tPlus(70) })
      .then([{ type: 'CaseClosed', data: { reason: 'unlocked', at: iso(tPlus(70)) } }]);
    expect(state.status).toBe('closed');
    spec
      .given([...authenticatedCase(), { type: 'CaseClosed', data: { reason: 'x', at: iso(T0) } }])
      .when({ type: 'CloseCase', reason: 'again', now: T0 })
      .thenNothing();
    spec.given([]).when({ type: 'CloseCase', reason: 'x', now: T0 }).thenRefuses('case.notOpen');
  });
});

describe('display names in case events (optional, for history and audit)', () => {
  const aliceLdapNamed = { ...aliceLdap, displayName: 'Alice Smith' };

  it('the intent records the linked account with its display name, and so does its outcome', () => {
    const given = [...authenticatedCase()];
    const intent = requested(aliceLdapNamed, { linked: true });
    spec
      .given(given)
      .when({
        type: 'UnlockAccounts',
        idempotencyKey: 'key-1',
        role: unlockRole(),
        accounts: [{ ...aliceLdapNamed, state: { lockState: 'locked', failedAttempts: 5 } }],
        now: tPlus(60),
      })
      .then([intent]);
    spec
      .given([...given, intent])
      .when(outcome({ account: { storeId: 'ldap', userId: 'alice' } }))
      .then([unlocked(aliceLdapNamed)]);
  });

  it('an account without a display name is recorded as before (older events and Entra ID)', () => {
    spec
      .given(authenticatedCase())
      .when({
        type: 'UnlockAccounts',
        idempotencyKey: 'key-1',
        role: unlockRole(),
        accounts: [{ ...aliceLdap, displayName: '  ', state: { lockState: 'locked', failedAttempts: 5 } }],
        now: tPlus(60),
      })
      .then([requested(aliceLdap, { linked: true })]);
  });
});
