/**
 * What the Unlock Account dialog shows, derived from what the backend said (the profile's `actions` verdicts, the
 * case's `authenticated` and `progress`, the linked accounts' `canUnlock`). Nothing here decides a rule: every
 * "may" comes from a backend field, and every "why not" is the backend's reason.
 */
import type { BreakGlass, CaseView, LinkedAccount, Permit, UserProfile } from './api';
import { lockLabel } from './labels';

export type DialogPage = 'authenticate' | 'unlock';

/** Enrolled users: Authenticate then Unlock. Unenrolled users: only Unlock. */
export function dialogPages(profile: UserProfile): DialogPage[] {
  return profile.enrollment.enrolled ? ['authenticate', 'unlock'] : ['unlock'];
}

export type Gate = { allowed: boolean; reason: string | null };

const gate = (p: Permit | undefined | null, fallback: string): Gate =>
  p ? { allowed: p.allowed, reason: p.allowed ? null : (p.reason ?? fallback) } : { allowed: false, reason: fallback };

/** Reasons that belong to the request as a whole (who the agent is, whether the caller is authenticated). */
const REQUEST_REASONS = new Set([
  'unlock.notAuthenticated',
  'unlock.authenticationExpired',
  'unlock.unenrolledNotAllowed',
  'helpdesk.noRole',
  'helpdesk.permissionDenied',
]);

/** Next: once the backend says the case is authenticated (in unrestricted mode, Skip is the other way on). */
export function nextGate(profile: UserProfile, c: CaseView | undefined): Gate {
  if (!profile.actions.openCase.allowed) return gate(profile.actions.openCase, 'You cannot open a case for this user');
  if (c?.authenticated) return { allowed: true, reason: null };
  if (c?.authenticationExpired)
    return { allowed: false, reason: 'The authentication has expired; close the dialog and authenticate again' };
  const skip = profile.actions.authenticationRequired === false ? ', or skip authentication' : '';
  return {
    allowed: false,
    reason: c
      ? `Verify ${c.progress.required} of the user's enrolled types to continue (${c.progress.verifiedTypes.length} verified)${skip}`
      : 'Opening the case…',
  };
}

/** Unrestricted mode: the Authenticate page can be skipped when the backend allows unlocking without it. */
export function skipGate(profile: UserProfile, c: CaseView | undefined): Gate & { offered: boolean } {
  const offered = profile.actions.authenticationRequired === false && !c?.authenticated;
  return { offered, ...gate(profile.actions.skipAuthentication, 'Authentication cannot be skipped') };
}

/**
 * May the Unlock button be used (as far as the request goes; each account has its own verdict)? For an unenrolled
 * user refused as such, the case's approved break-glass request is what the backend accepts instead.
 */
export function unlockGate(profile: UserProfile, c: CaseView | undefined, breakGlass?: BreakGlass | null): Gate {
  if (!profile.enrollment.enrolled) {
    const u = profile.actions.unlock;
    const approved = breakGlass?.status === 'approved' && u.reasonCode === 'unlock.unenrolledNotAllowed';
    // "Not locked" and other account reasons are shown per account; request reasons block the button.
    if (!approved && !u.allowed && u.reasonCode && REQUEST_REASONS.has(u.reasonCode))
      return gate(u, 'Unlock is not allowed');
    if (!profile.actions.openCase.allowed) return gate(profile.actions.openCase, 'Unlock is not allowed');
    return { allowed: true, reason: null };
  }
  if (!profile.actions.openCase.allowed) return gate(profile.actions.openCase, 'Unlock is not allowed');
  if (c?.authenticated) return { allowed: true, reason: null };
  if (profile.actions.authenticationRequired === false)
    return gate(profile.actions.skipAuthentication, 'Unlock is not allowed');
  if (c?.authenticationExpired)
    return { allowed: false, reason: 'The authentication has expired; close the dialog and authenticate again' };
  return gate(profile.actions.unlock, "Authenticate the user to your role's policy first");
}

export type UnlockCandidate = {
  key: string;
  storeId: string;
  userId: string;
  storeName: string;
  storeType: string;
  username: string;
  displayName: string;
  lockLabel: string;
  lockedAt?: string;
  failedAttempts?: number;
  linked: boolean;
  selectable: boolean;
  reason: string | null;
};

export const accountKey = (a: { storeId: string; userId: string }) => `${a.storeId}/${a.userId}`;

/**
 * The accounts the Unlock page lists: the user's own account, and every linked account that is locked (or whose
 * state cannot be read, as in Entra ID), each selectable only when the backend's verdict allows it.
 */
export function unlockCandidates(profile: UserProfile): UnlockCandidate[] {
  const a = profile.account;
  const own = profile.actions.unlock;
  const ownReason =
    profile.lock.state === 'locked'
      ? null
      : !own.allowed && own.reasonCode && !REQUEST_REASONS.has(own.reasonCode)
        ? own.reason
        : lockLabel[profile.lock.state];
  const subject: UnlockCandidate = {
    key: accountKey({ storeId: a.storeId, userId: a.id }),
    storeId: a.storeId,
    userId: a.id,
    storeName: profile.store.name,
    storeType: profile.store.type,
    username: a.username ?? a.id,
    displayName: a.displayName ?? a.username ?? a.id,
    lockLabel: lockLabel[profile.lock.state],
    lockedAt: profile.lock.lockedAt,
    failedAttempts: profile.lock.failedAttempts,
    linked: false,
    selectable: profile.lock.state === 'locked',
    reason: ownReason,
  };
  const linked = profile.linkedAccounts
    .filter((l) => accountKey({ storeId: l.storeId, userId: l.id }) !== subject.key)
    .filter((l) => l.lock.state !== 'unlocked' || l.storeType === 'entra-id')
    .map(
      (l: LinkedAccount): UnlockCandidate => ({
        key: accountKey({ storeId: l.storeId, userId: l.id }),
        storeId: l.storeId,
        userId: l.id,
        storeName: l.storeName,
        storeType: l.storeType,
        username: l.username ?? l.id,
        displayName: l.displayName ?? l.username ?? l.id,
        lockLabel: l.storeType === 'entra-id' ? 'Unknown (Entra ID)' : lockLabel[l.lock.state],
        lockedAt: l.lock.lockedAt,
        failedAttempts: l.lock.failedAttempts,
        linked: true,
        selectable: l.canUnlock.allowed,
        reason: l.canUnlock.allowed ? null : (l.canUnlock.reason ?? 'Cannot be unlocked here'),
      }),
    );
  return [subject, ...linked];
}

/** "Carol Clark (carol) in Corp OpenLDAP": the user's own account or one of the linked accounts. */
export function accountLabel(profile: UserProfile, r: { storeId: string; userId: string; dn: string }): string {
  const a = profile.account;
  if (a.storeId === r.storeId && a.id === r.userId)
    return `${a.displayName ?? a.username} (${a.username ?? a.id}) in ${profile.store.name}`;
  const l = profile.linkedAccounts.find((x) => x.storeId === r.storeId && x.id === r.userId);
  return l ? `${l.displayName ?? l.username} (${l.username ?? l.id}) in ${l.storeName}` : `${r.dn} in ${r.storeId}`;
}

/** Unlocked linked accounts the page mentions (so the agent knows they were found and need nothing). */
export function unlockedLinkedCount(profile: UserProfile): number {
  return profile.linkedAccounts.filter((l) => l.lock.state === 'unlocked' && l.storeType !== 'entra-id').length;
}

/** A random Idempotency-Key (crypto.getRandomValues also works outside secure contexts, unlike randomUUID). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `unlock-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
