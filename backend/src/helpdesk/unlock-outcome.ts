/**
 * The outcome event of an unlock intent, from what the directory said. Two situations:
 * - live: the handler wrote to the directory and read the account back (`unlockOutcome`);
 * - reconciliation: the process died between intent and outcome, so only the account's current state is known
 *   (`reconcileUnlock`). We cannot tell whether our write happened or the lockout ran out by itself; what matters
 *   to the agent and the auditor is the state actually found, so the event says `reconciled: true`.
 * The reported state is always the one read from the directory, never the one we hoped for.
 */
import type { DirectoryAccountState } from '../shared/domain-types';
import { type AccountUnlocked, REASONS, type ReasonCode, type UnlockFailed } from './case.events';
import type { UnlockEntry } from './case.state';

export type DirectoryWrite = { ok: true; message?: string } | { ok: false; message: string };

/** Copies only the defined fields, so the state survives the store's JSON unchanged. */
export function cleanAccountState(state: DirectoryAccountState): DirectoryAccountState {
  const clean: DirectoryAccountState = { lockState: state.lockState };
  if (state.disabled !== undefined) clean.disabled = state.disabled;
  if (state.lockedAt !== undefined) clean.lockedAt = state.lockedAt;
  if (state.failedAttempts !== undefined) clean.failedAttempts = state.failedAttempts;
  return clean;
}

const failed = (
  pending: UnlockEntry,
  reasonCode: ReasonCode,
  readBack: DirectoryAccountState | null,
  directoryMessage: string | null,
  reconciled: boolean,
  at: string,
): UnlockFailed => ({
  type: 'UnlockFailed',
  data: {
    account: pending.account,
    idempotencyKey: pending.idempotencyKey,
    readBack: readBack && cleanAccountState(readBack),
    reasonCode,
    reason: REASONS[reasonCode],
    directoryMessage,
    reconciled,
    at,
  },
});

const unlocked = (
  pending: UnlockEntry,
  readBack: DirectoryAccountState,
  directoryMessage: string | null,
  reconciled: boolean,
  at: string,
): AccountUnlocked => ({
  type: 'AccountUnlocked',
  data: {
    account: pending.account,
    idempotencyKey: pending.idempotencyKey,
    readBack: cleanAccountState(readBack),
    directoryMessage,
    reconciled,
    at,
  },
});

/**
 * Live outcome. A successful write needs a read-back (if the read-back itself failed, record nothing and leave
 * the intent to the reconciler). The account counts as unlocked only when it reads back as not locked.
 */
export function unlockOutcome(
  pending: UnlockEntry,
  write: DirectoryWrite,
  readBack: DirectoryAccountState | null,
  now: Date,
): AccountUnlocked | UnlockFailed {
  const at = now.toISOString();
  const message = write.message ?? null;
  if (readBack?.lockState === 'notLocked') return unlocked(pending, readBack, message, false, at);
  if (!write.ok) return failed(pending, 'unlock.directoryError', readBack, message, false, at);
  if (readBack === null) throw new RangeError('A successful directory write needs a read-back');
  return failed(pending, 'unlock.stillLocked', readBack, message, false, at);
}

/** Reconciler decision: an intent without outcome, and the account's current state (null: not found). */
export function reconcileUnlock(
  pending: UnlockEntry,
  current: DirectoryAccountState | null,
  now: Date,
): AccountUnlocked | UnlockFailed {
  const at = now.toISOString();
  if (current === null) return failed(pending, 'unlock.accountNotFound', null, null, true, at);
  switch (current.lockState) {
    case 'notLocked':
      return unlocked(pending, current, null, true, at);
    case 'locked':
      return failed(pending, 'unlock.interrupted', current, null, true, at);
    case 'permanentlyLocked':
      return failed(pending, 'unlock.permanentlyLocked', current, null, true, at);
  }
}
