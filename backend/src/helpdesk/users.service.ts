/**
 * The helpdesk's read side over the directory: user search (merged across stores, with enrolled types) and the
 * user profile the Unlock dialog is built on. "What may the agent do" is not re-implemented here: it is the case
 * decider run on the request's facts without recording anything (a preview of OpenCase and UnlockAccounts).
 */
import { Injectable } from '@nestjs/common';
import { DirectorySearchService, UnknownStoreError } from '../directory/directory-search.service';
import type { DirectoryAccount } from '../directory/identity-store';
import { IdentityStoreRegistry } from '../directory/identity-store.registry';
import { accountMapKey, EnrollmentService, type EnrollmentState } from '../enrollment/enrollment.service';
import { isInScope } from '../policy/effective-role';
import { refuse } from '../shared/decider';
import { accountKey, sameAccount } from '../shared/domain-types';
import { type CaseRole, caseDecider, type UnlockTarget } from './case.decider';
import type { CaseEvent } from './case.events';
import { CaseService } from './case.service';
import type { CaseState } from './case.state';
import { HelpdeskReadModel } from './helpdesk.read-model';
import type { HelpdeskContext } from './helpdesk-context';
import { HelpdeskDirectory, lockView, type ResolvedAccount } from './helpdesk-directory';

export type UserSearchQuery = {
  search?: string;
  storeIds?: string[];
  locked?: boolean;
  enrolled?: boolean;
  limit?: number;
};

/** Lockouts that repeat within this window point at a device still using an old password. */
export const REPEATED_LOCKOUT_DAYS = 7;
export const REPEATED_LOCKOUT_COUNT = 3;

export type Permit = { allowed: boolean; reasonCode: string | null; reason: string | null };
const allowed: Permit = { allowed: true, reasonCode: null, reason: null };
const denied = (reasonCode: string, reason: string): Permit => ({ allowed: false, reasonCode, reason });

@Injectable()
export class UsersService {
  constructor(
    private readonly registry: IdentityStoreRegistry,
    private readonly search: DirectorySearchService,
    private readonly enrollment: EnrollmentService,
    private readonly directory: HelpdeskDirectory,
    private readonly readModel: HelpdeskReadModel,
    private readonly cases: CaseService,
  ) {}

  async find(ctx: HelpdeskContext, q: UserSearchQuery) {
    let found: Awaited<ReturnType<DirectorySearchService['search']>>;
    try {
      found = await this.search.search({ text: q.search ?? '', stores: q.storeIds, locked: q.locked, limit: q.limit });
    } catch (err) {
      if (err instanceof UnknownStoreError)
        refuse('users.invalid', err.message, [{ field: 'storeId', message: err.message }]);
      throw err;
    }
    const types = await this.enrollment.enrolledTypes(
      found.results.map((a) => ({ storeId: a.storeId, userId: a.id, email: a.email, phone: a.phone })),
    );
    const role = await this.cases.role(ctx);
    const rows = found.results
      .map((a) => {
        const enrolledTypes = types.get(accountMapKey({ storeId: a.storeId, userId: a.id })) ?? [];
        return {
          ...accountRow(a),
          storeType: this.registry.get(a.storeId)?.type ?? null,
          enrolledTypes,
          enrolled: enrolledTypes.length > 0,
          inScope: role ? isInScope(role, a) : false,
        };
      })
      .filter((r) => q.enrolled === undefined || r.enrolled === q.enrolled);
    return { results: rows, errors: found.errors, skipped: found.skipped, truncated: found.truncated };
  }

  async profile(ctx: HelpdeskContext, storeId: string, userId: string) {
    const subject = await this.directory.resolve(storeId, userId);
    const store = subject.store;
    const now = new Date();
    const [{ state, view: enrollment }, linked, role, breakGlass] = await Promise.all([
      this.enrollment.stateAndView(storeId, subject.ref.userId, subject.account),
      this.directory.linked(subject),
      this.cases.role(ctx),
      this.readModel.openBreakGlass(ctx.agent, subject.ref, now),
    ]);
    const preview = await this.preview(ctx, subject, role, linked.accounts, now, state);
    const since = new Date(now.getTime() - REPEATED_LOCKOUT_DAYS * 86_400_000);
    const recent = this.readModel.recentUnlocks(subject.ref, since);
    const unlocksInWindow = recent.filter((u) => u.outcome === 'unlocked').length;
    const a = subject.account;
    return {
      account: a
        ? accountRow(a)
        : { storeId, id: subject.ref.userId, dn: subject.ref.dn, lock: lockView(subject.state) },
      store: { id: store.id, name: store.name, type: store.type, capabilities: store.capabilities },
      lock: lockView(subject.state),
      passwordLastChanged: a?.passwordLastChanged ?? null,
      insight: {
        lockedSince: a?.lock.state !== 'unlocked' ? (a?.lock.lockedAt ?? null) : null,
        lockExpiresAt: a?.lock.expiresAt ?? null,
        failedAttempts: a?.lock.failedAttempts ?? a?.insight.badPwdCount ?? a?.insight.pwdFailureCount ?? null,
        lastFailedAt: a?.insight.lastFailedAt ?? null,
        passwordMustChange: a?.insight.passwordMustChange ?? false,
        passwordExpired: a?.insight.passwordExpired ?? false,
        notes: a?.insight.notes ?? [],
        recentUnlocks: recent,
        unlocksLast7Days: unlocksInWindow,
        warning:
          unlocksInWindow >= REPEATED_LOCKOUT_COUNT
            ? `repeated lockouts: unlocked ${unlocksInWindow} times in ${REPEATED_LOCKOUT_DAYS} days; a device may be using an old password`
            : null,
      },
      enrollment: {
        types: enrollment.types,
        enrolled: enrollment.types.length > 0,
        securityQuestions: enrollment.securityQuestions,
        maskedEmail: enrollment.maskedEmail ?? null,
        maskedPhone: enrollment.maskedPhone ?? null,
        sources: enrollment.sources,
      },
      linkedAccounts: linked.accounts.map((l) => {
        const verdict = preview.accounts.get(accountKey(l.ref)) ?? denied('unknown', 'Not evaluated');
        return {
          ...(l.account ? accountRow(l.account) : { storeId: l.ref.storeId, id: l.ref.userId, dn: l.ref.dn }),
          storeType: l.ref.storeType,
          storeName: l.store.name,
          lock: lockView(l.state),
          linkedBy: l.linkedBy,
          canUnlock: verdict,
        };
      }),
      linkErrors: linked.errors,
      role: role ? { roleId: role.roleId, name: role.name, permissions: role.permissions, policy: role.policy } : null,
      actions: preview.actions,
      /** This agent's open two-person request for this user (its case carries the status), or null. */
      breakGlass,
    };
  }

  /**
   * The decider's verdicts on this request's facts, nothing recorded: may the agent open a case, unlock without
   * authenticating (skip the Authenticate page), unlock now; and per linked account whether it can be unlocked.
   */
  private async preview(
    ctx: HelpdeskContext,
    subject: ResolvedAccount,
    role: CaseRole | null,
    linked: ResolvedAccount[],
    now: Date,
    enrollment: EnrollmentState,
  ) {
    const open = await this.cases.openCommand(ctx, 'preview', subject, role, now, enrollment);
    const opened = caseDecider.decide(open, caseDecider.initialState());
    const refusal = opened.find((e) => e.type === 'CaseOpeningRefused');
    const accounts = new Map<string, Permit>();
    if (refusal && refusal.type === 'CaseOpeningRefused') {
      const no = denied(refusal.data.reasonCode, refusal.data.reason);
      for (const l of linked) accounts.set(accountKey(l.ref), no);
      return {
        actions: {
          openCase: no,
          skipAuthentication: no,
          unlock: no,
          authenticationRequired: null,
          policy: role?.policy ?? null,
        },
        accounts,
      };
    }
    const state: CaseState = opened.reduce(caseDecider.evolve, caseDecider.initialState());
    const verdicts = (targets: UnlockTarget[]) => {
      const events = caseDecider.decide(
        { type: 'UnlockAccounts', idempotencyKey: 'preview', role, accounts: targets, now },
        state,
      );
      return targets.map((_, i) => verdictOf(events[i]));
    };
    const asLocked = (r: ResolvedAccount): UnlockTarget => ({ ...r.ref, state: { lockState: 'locked' } });
    const live = (r: ResolvedAccount): UnlockTarget => ({ ...r.ref, state: r.state });
    const [skip] = verdicts([asLocked(subject)]);
    const [now_] = verdicts([live(subject)]);
    const others = linked.filter((l) => !sameAccount(l.ref, subject.ref));
    if (others.length) {
      // Linked accounts are judged as if authenticated: what stops them on their own (scope, Entra, admin lock, not locked).
      const authed = verdictsAuthenticated(state, role, [live(subject), ...others.map(live)], now);
      for (const [i, o] of others.entries()) accounts.set(accountKey(o.ref), authed[i + 1] as Permit);
    }
    return {
      actions: {
        openCase: allowed,
        skipAuthentication: skip as Permit,
        unlock: now_ as Permit,
        authenticationRequired: role?.policy.mode === 'restricted',
        policy: role?.policy ?? null,
      },
      accounts,
    };
  }
}

/** Per-account verdicts on a case that is (hypothetically) authenticated now. */
function verdictsAuthenticated(state: CaseState, role: CaseRole | null, targets: UnlockTarget[], now: Date): Permit[] {
  if (state.status !== 'open') return targets.map(() => denied('case.notOpen', 'No case'));
  const authed: CaseState = {
    ...state,
    verified: {
      questions: state.enrollment.securityQuestions.map((q) => q.questionId),
      authenticator: true,
      email: true,
      phone: true,
    },
    authenticatedAt: now.toISOString(),
    authenticationExpiresAt: new Date(now.getTime() + 60_000).toISOString(),
  };
  const events = caseDecider.decide(
    { type: 'UnlockAccounts', idempotencyKey: 'preview', role, accounts: targets, now },
    authed,
  );
  return targets.map((_, i) => verdictOf(events[i]));
}

function verdictOf(event: CaseEvent | undefined): Permit {
  if (event?.type === 'UnlockRefused') return denied(event.data.reasonCode, event.data.reason);
  if (event?.type === 'UnlockRequested') return allowed;
  return denied('unknown', 'Not evaluated');
}

/** An account as list rows and profiles show it (the directory's fields, without the raw insight). */
export function accountRow(a: DirectoryAccount) {
  return {
    storeId: a.storeId,
    id: a.id,
    dn: a.dn,
    username: a.username,
    displayName: a.displayName ?? null,
    email: a.email ?? null,
    phone: a.phone ?? null,
    employeeId: a.employeeId ?? null,
    lock: a.lock,
    disabled: a.disabled,
    passwordLastChanged: a.passwordLastChanged ?? null,
  };
}
