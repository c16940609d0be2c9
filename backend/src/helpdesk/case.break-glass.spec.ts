// Two-person break-glass for unenrolled users: the case's agent asks, a second agent with Unlock Any Account approves
// or denies, and an approved, unexpired request lets the unlock through without the authentication an unenrolled
// user cannot give. Every rule refusal is recorded; bad input is refused without recording.
import { describe, expect, it } from '@jest/globals';
import type { DecideBreakGlass, RequestBreakGlass } from './case.decider';
import { type CaseAgent, type CaseEvent, REASONS, upcastCaseEvent } from './case.events';
import { breakGlassStatus, type OpenCase } from './case.state';
import {
  adminAccount,
  agent,
  alice,
  aliceLdap,
  iso,
  locked,
  noEnrollment,
  opened,
  refused,
  requested,
  restrictedPolicy,
  role,
  spec,
  T0,
  tPlus,
  unlock,
  unrestrictedPolicy,
} from './testing/case-fixtures';

const R = REASONS;

/** hd.agent-like: restricted, Unlock Account only. */
const agentRole = role(restrictedPolicy, ['UnlockAccount', 'ViewHistory']);
/** hd.admin-like: Unlock Any Account, unrestricted. */
const approverRole = role(unrestrictedPolicy, ['UnlockAccount', 'UnlockAnyAccount']);
const ada: CaseAgent = { storeId: 'ad', userId: 'ada', displayName: 'Ada Admin' };

const unenrolledCase = opened(restrictedPolicy, noEnrollment);
const REQUESTED_AT = tPlus(30);
const DECIDED_AT = tPlus(40);

const request = (overrides: Partial<RequestBreakGlass> = {}): RequestBreakGlass => ({
  type: 'RequestBreakGlass',
  requestId: 'bg-1',
  reason: 'Caller has no enrolled method; identity confirmed by line manager',
  ticket: 'INC-1',
  role: agentRole,
  now: REQUESTED_AT,
  ...overrides,
});

const decide = (overrides: Partial<DecideBreakGlass> = {}): DecideBreakGlass => ({
  type: 'DecideBreakGlass',
  decision: 'approve',
  approver: ada,
  approverRole,
  now: DECIDED_AT,
  ...overrides,
});

const bgRequested = (
  overrides: Partial<Extract<CaseEvent, { type: 'BreakGlassRequested' }>['data']> = {},
): CaseEvent => ({
  type: 'BreakGlassRequested',
  data: {
    requestId: 'bg-1',
    subject: alice,
    reason: 'Caller has no enrolled method; identity confirmed by line manager',
    ticket: 'INC-1',
    requestedBy: agent,
    expiresAt: iso(tPlus(30 * 60, REQUESTED_AT)),
    at: iso(REQUESTED_AT),
    ...overrides,
  },
});

const approved = (overrides: Partial<Extract<CaseEvent, { type: 'BreakGlassApproved' }>['data']> = {}): CaseEvent => ({
  type: 'BreakGlassApproved',
  data: {
    requestId: 'bg-1',
    approver: ada,
    comment: null,
    validUntil: iso(tPlus(15 * 60, DECIDED_AT)),
    at: iso(DECIDED_AT),
    ...overrides,
  },
});

const denied = (): CaseEvent => ({
  type: 'BreakGlassDenied',
  data: { requestId: 'bg-1', approver: ada, comment: 'Call back via the service desk', at: iso(DECIDED_AT) },
});

const requestRefused = (code: keyof typeof R, at = REQUESTED_AT, ticket: string | null = 'INC-1'): CaseEvent => ({
  type: 'BreakGlassRequestRefused',
  data: { requestedBy: agent, reasonCode: code, reason: R[code], ticket, at: iso(at) },
});

const decisionRefused = (
  code: keyof typeof R,
  overrides: Partial<Extract<CaseEvent, { type: 'BreakGlassDecisionRefused' }>['data']> = {},
): CaseEvent => ({
  type: 'BreakGlassDecisionRefused',
  data: {
    requestId: 'bg-1',
    decision: 'approve',
    approver: ada,
    reasonCode: code,
    reason: R[code],
    at: iso(DECIDED_AT),
    ...overrides,
  },
});

const open = (state: unknown) => state as OpenCase;

describe('RequestBreakGlass', () => {
  it('records the request when the role alone would refuse the unenrolled subject', () => {
    const { state } = spec.given([unenrolledCase]).when(request()).then([bgRequested()]);
    expect(open(state).breakGlass).toMatchObject({ requestId: 'bg-1', status: 'pending', requestedBy: agent });
  });

  it('is allowed for an unrestricted role without Unlock Any Account and a restricted one with it', () => {
    spec
      .given([opened(unrestrictedPolicy, noEnrollment)])
      .when(request({ role: role(unrestrictedPolicy, ['UnlockAccount']) }))
      .then([bgRequested()]);
    spec
      .given([unenrolledCase])
      .when(request({ role: role(restrictedPolicy, ['UnlockAccount', 'UnlockAnyAccount']) }))
      .then([bgRequested()]);
  });

  it('trims the reason and ticket, and lives requestMinutes', () => {
    spec
      .given([unenrolledCase])
      .when(request({ reason: '   no enrolled method at all   ', ticket: '  ', requestMinutes: 5 }))
      .then([
        bgRequested({
          reason: 'no enrolled method at all',
          ticket: null,
          expiresAt: iso(tPlus(5 * 60, REQUESTED_AT)),
        }),
      ]);
  });

  it('refuses bad input without recording, naming the fields', () => {
    spec
      .given([unenrolledCase])
      .when(request({ reason: '   too short  ', ticket: 'x'.repeat(101) }))
      .thenRefuses('breakGlass.invalid', ['reason', 'ticket']);
    spec
      .given([unenrolledCase])
      .when(request({ reason: 'x'.repeat(1001) }))
      .thenRefuses('breakGlass.invalid', ['reason']);
    spec
      .given([unenrolledCase])
      .when(request({ reason: undefined as unknown as string, requestMinutes: 0 }))
      .thenRefuses('breakGlass.invalid', ['reason', 'requestMinutes']);
  });

  it('needs an open case', () => {
    spec.given([]).when(request()).thenRefuses('case.notOpen');
    spec
      .given([unenrolledCase, { type: 'CaseClosed', data: { reason: 'done', at: iso(T0) } }])
      .when(request())
      .thenRefuses('case.closed');
  });

  it('records breakGlass.notNeeded for an enrolled subject or a role that may unlock unenrolled users', () => {
    spec
      .given([opened()])
      .when(request())
      .then([requestRefused('breakGlass.notNeeded')]);
    spec
      .given([unenrolledCase])
      .when(request({ role: approverRole }))
      .then([requestRefused('breakGlass.notNeeded')]);
  });

  it('records helpdesk.permissionDenied / noRole / outOfScope about the requesting agent', () => {
    spec
      .given([unenrolledCase])
      .when(request({ role: role(restrictedPolicy, ['ViewHistory']) }))
      .then([requestRefused('helpdesk.permissionDenied')]);
    spec
      .given([unenrolledCase])
      .when(request({ role: null }))
      .then([requestRefused('helpdesk.noRole')]);
    spec
      .given([unenrolledCase])
      .when(request({ role: role(restrictedPolicy, ['UnlockAccount'], { storeIds: ['ldap'] }) }))
      .then([requestRefused('helpdesk.outOfScope')]);
  });

  it('records breakGlass.alreadyRequested while a request is pending or approved and unexpired', () => {
    const later = tPlus(60, REQUESTED_AT);
    spec
      .given([unenrolledCase, bgRequested()])
      .when(request({ requestId: 'bg-2', now: later }))
      .then([requestRefused('breakGlass.alreadyRequested', later)]);
    spec
      .given([unenrolledCase, bgRequested(), approved()])
      .when(request({ requestId: 'bg-2', now: later }))
      .then([requestRefused('breakGlass.alreadyRequested', later)]);
  });

  it('allows a new request after a denial or once the previous one expired', () => {
    const afterDenial = tPlus(60, DECIDED_AT);
    spec
      .given([unenrolledCase, bgRequested(), denied()])
      .when(request({ requestId: 'bg-2', now: afterDenial }))
      .then([
        bgRequested({
          requestId: 'bg-2',
          at: iso(afterDenial),
          expiresAt: iso(tPlus(30 * 60, afterDenial)),
        }),
      ]);
    const pendingExpired = tPlus(30 * 60, REQUESTED_AT);
    spec
      .given([unenrolledCase, bgRequested()])
      .when(request({ requestId: 'bg-2', now: pendingExpired }))
      .thenEvents((events) => expect(events.map((e) => e.type)).toEqual(['BreakGlassRequested']));
    const approvalExpired = tPlus(15 * 60, DECIDED_AT);
    const { state } = spec
      .given([unenrolledCase, bgRequested(), approved()])
      .when(request({ requestId: 'bg-3', now: approvalExpired }))
      .thenEvents((events) => expect(events.map((e) => e.type)).toEqual(['BreakGlassRequested']));
    expect(open(state).breakGlass).toMatchObject({ requestId: 'bg-3', status: 'pending', decidedBy: null });
  });
});

describe('DecideBreakGlass', () => {
  const pending = [unenrolledCase, bgRequested()];

  it('approves: valid approvalMinutes from the decision', () => {
    const { state } = spec.given(pending).when(decide()).then([approved()]);
    const b = open(state).breakGlass;
    expect(b).toMatchObject({ status: 'approved', decidedBy: ada, validUntil: iso(tPlus(15 * 60, DECIDED_AT)) });
    expect(b && breakGlassStatus(b, tPlus(15 * 60 - 1, DECIDED_AT))).toBe('approved');
    expect(b && breakGlassStatus(b, tPlus(15 * 60, DECIDED_AT))).toBe('expired');
    spec
      .given(pending)
      .when(decide({ approvalMinutes: 5, comment: '  checked with the manager ' }))
      .then([approved({ validUntil: iso(tPlus(5 * 60, DECIDED_AT)), comment: 'checked with the manager' })]);
  });

  it('denies, with the comment', () => {
    const { state } = spec
      .given(pending)
      .when(decide({ decision: 'deny', comment: 'Call back via the service desk' }))
      .then([denied()]);
    expect(open(state).breakGlass?.status).toBe('denied');
    expect(breakGlassStatus(open(state).breakGlass as NonNullable<OpenCase['breakGlass']>, tPlus(3600))).toBe('denied');
  });

  it('records breakGlass.samePerson: the requester cannot decide their own request (two persons)', () => {
    spec
      .given(pending)
      .when(decide({ approver: agent, approverRole }))
      .then([decisionRefused('breakGlass.samePerson', { approver: agent })]);
    spec
      .given(pending)
      .when(decide({ decision: 'deny', approver: { ...agent, userId: 'HELPDESK1' } }))
      .then([
        decisionRefused('breakGlass.samePerson', { decision: 'deny', approver: { ...agent, userId: 'HELPDESK1' } }),
      ]);
  });

  it('records breakGlass.permissionDenied without Unlock Any Account (or without a role)', () => {
    spec
      .given(pending)
      .when(decide({ approverRole: role(unrestrictedPolicy, ['UnlockAccount']) }))
      .then([decisionRefused('breakGlass.permissionDenied')]);
    spec
      .given(pending)
      .when(decide({ approverRole: null }))
      .then([decisionRefused('breakGlass.permissionDenied')]);
  });

  it('records helpdesk.outOfScope when the subject is outside the approver’s scope', () => {
    spec
      .given(pending)
      .when(decide({ approverRole: role(unrestrictedPolicy, ['UnlockAnyAccount'], { storeIds: ['ldap'] }) }))
      .then([decisionRefused('helpdesk.outOfScope')]);
    spec
      .given(pending)
      .when(
        decide({
          approverRole: role(unrestrictedPolicy, ['UnlockAnyAccount'], {
            storeIds: ['*'],
            baseDns: ['OU=Admins,DC=corp,DC=test'],
          }),
        }),
      )
      .then([decisionRefused('helpdesk.outOfScope')]);
  });

  it('records helpdesk.selfService when the approver is the subject', () => {
    const self: CaseAgent = { storeId: alice.storeId, userId: alice.userId, displayName: 'Alice Smith' };
    spec
      .given(pending)
      .when(decide({ approver: self }))
      .then([decisionRefused('helpdesk.selfService', { approver: self })]);
  });

  it('records breakGlass.notPending: no request, already denied, already approved', () => {
    spec
      .given([unenrolledCase])
      .when(decide())
      .then([decisionRefused('breakGlass.notPending', { requestId: null })]);
    spec
      .given([...pending, denied()])
      .when(decide())
      .then([decisionRefused('breakGlass.notPending')]);
    spec
      .given([...pending, approved()])
      .when(decide({ decision: 'deny' }))
      .then([decisionRefused('breakGlass.notPending', { decision: 'deny' })]);
  });

  it('records breakGlass.expired once the request outlived requestMinutes', () => {
    const late = tPlus(30 * 60, REQUESTED_AT);
    spec
      .given(pending)
      .when(decide({ now: late }))
      .then([decisionRefused('breakGlass.expired', { at: iso(late) })]);
  });

  it('decides only the request the approver named: a newer request that replaced it is not approved unread', () => {
    // The approver read bg-1 (reason, ticket) in the list; meanwhile it expired and the agent asked again (bg-2).
    const asked = tPlus(30 * 60, REQUESTED_AT);
    const replaced = [
      unenrolledCase,
      bgRequested(),
      bgRequested({
        requestId: 'bg-2',
        reason: 'A different story',
        at: iso(asked),
        expiresAt: iso(tPlus(1800, asked)),
      }),
    ];
    const now = tPlus(60, asked);
    spec
      .given(replaced)
      .when(decide({ requestId: 'bg-1', now }))
      .then([decisionRefused('breakGlass.notPending', { requestId: 'bg-1', at: iso(now) })]);
    spec
      .given(replaced)
      .when(decide({ requestId: 'bg-2', now }))
      .then([approved({ requestId: 'bg-2', at: iso(now), validUntil: iso(tPlus(15 * 60, now)) })]);
    spec
      .given(pending)
      .when(decide({ requestId: 'x'.repeat(65) }))
      .thenRefuses('breakGlass.invalid', ['requestId']);
  });

  it('refuses bad input without recording', () => {
    spec
      .given(pending)
      .when(decide({ decision: 'maybe' as 'approve', comment: 'x'.repeat(1001) }))
      .thenRefuses('breakGlass.invalid', ['decision', 'comment']);
    spec
      .given(pending)
      .when(decide({ approver: { storeId: '', userId: '', displayName: '' } }))
      .thenRefuses('breakGlass.invalid', ['approver']);
    spec
      .given([...pending, { type: 'CaseClosed', data: { reason: 'done', at: iso(T0) } }])
      .when(decide())
      .thenRefuses('case.closed');
  });
});

describe('UnlockAccounts with break-glass', () => {
  const grant = { requestId: 'bg-1', approvedBy: ada };
  const glassed = [unenrolledCase, bgRequested(), approved()];
  const noAuth = { authenticationTypes: [] };

  it('unlocks the unenrolled subject with an approved, unexpired break-glass, recording who approved', () => {
    spec
      .given(glassed)
      .when(unlock({ role: agentRole }))
      .then([requested(alice, { ...noAuth, breakGlass: grant })]);
    // An unrestricted role without Unlock Any Account as well.
    spec
      .given([opened(unrestrictedPolicy, noEnrollment), bgRequested(), approved()])
      .when(unlock({ role: role(unrestrictedPolicy, ['UnlockAccount']) }))
      .then([requested(alice, { ...noAuth, breakGlass: grant })]);
  });

  it('is refused unenrolledNotAllowed while pending, after a denial, and once the approval expired', () => {
    const refusedUnenrolled = (at: Date) =>
      refused('unlock.unenrolledNotAllowed', R['unlock.unenrolledNotAllowed'], alice, { at: iso(at) });
    spec
      .given([unenrolledCase, bgRequested()])
      .when(unlock({ role: agentRole }))
      .then([refusedUnenrolled(tPlus(60))]);
    spec
      .given([unenrolledCase, bgRequested(), denied()])
      .when(unlock({ role: agentRole }))
      .then([refusedUnenrolled(tPlus(60))]);
    const late = tPlus(15 * 60, DECIDED_AT);
    spec
      .given(glassed)
      .when(unlock({ role: agentRole, now: late }))
      .then([refusedUnenrolled(late)]);
    spec
      .given(glassed)
      .when(unlock({ role: agentRole, now: tPlus(15 * 60 - 1, DECIDED_AT) }))
      .thenEvents((events) => expect(events.map((e) => e.type)).toEqual(['UnlockRequested']));
  });

  it('covers the subject only: a linked account is still refused unenrolledNotAllowed', () => {
    spec
      .given(glassed)
      .when(unlock({ role: agentRole, accounts: [locked(), locked(aliceLdap)] }))
      .then([
        requested(alice, { ...noAuth, breakGlass: grant }),
        refused('unlock.unenrolledNotAllowed', R['unlock.unenrolledNotAllowed'], aliceLdap, { linked: true }),
      ]);
  });

  it('keeps every other rule: Unlock Account, scope, not locked, admin lock, Entra', () => {
    spec
      .given(glassed)
      .when(unlock({ role: role(restrictedPolicy, ['ViewHistory']) }))
      .then([refused('helpdesk.permissionDenied', R['helpdesk.permissionDenied'])]);
    spec
      .given(glassed)
      .when(unlock({ role: role(restrictedPolicy, ['UnlockAccount'], { storeIds: ['ldap'] }) }))
      .then([refused('helpdesk.outOfScope', R['helpdesk.outOfScope'])]);
    spec
      .given(glassed)
      .when(unlock({ role: agentRole, accounts: [{ ...alice, state: { lockState: 'notLocked' } }] }))
      .then([refused('unlock.notLocked', R['unlock.notLocked'])]);
    spec
      .given(glassed)
      .when(unlock({ role: agentRole, accounts: [{ ...alice, state: { lockState: 'permanentlyLocked' } }] }))
      .then([refused('unlock.permanentlyLocked', R['unlock.permanentlyLocked'])]);
    spec
      .given(glassed)
      .when(unlock({ role: null }))
      .then([refused('helpdesk.noRole', R['helpdesk.noRole'])]);
  });

  it('is not consulted when the role may unlock the unenrolled user on its own (breakGlass: null)', () => {
    spec
      .given([opened(unrestrictedPolicy, noEnrollment), bgRequested(), approved()])
      .when(unlock({ role: approverRole }))
      .then([requested(alice, noAuth)]);
  });

  it('does not let an out-of-scope account in through a linked one', () => {
    spec
      .given(glassed)
      .when(unlock({ role: agentRole, accounts: [locked(), locked(adminAccount)] }))
      .thenEvents((events) =>
        expect(events.map((e) => [e.type, 'reasonCode' in e.data ? e.data.reasonCode : null])).toEqual([
          ['UnlockRequested', null],
          ['UnlockRefused', 'unlock.unenrolledNotAllowed'],
        ]),
      );
  });
});

describe('UnlockRequested schema versions', () => {
  it('upcasts version 1 to breakGlass: null and reads version 2 as is', () => {
    const v1 = requested().data as Record<string, unknown>;
    const { breakGlass: _, ...withoutGlass } = v1;
    expect(upcastCaseEvent({ type: 'UnlockRequested', data: withoutGlass, schemaVersion: 1 })).toEqual(requested());
    const v2 = requested(alice, { breakGlass: { requestId: 'bg-1', approvedBy: ada } });
    expect(upcastCaseEvent({ type: 'UnlockRequested', data: v2.data, schemaVersion: 2 })).toEqual(v2);
  });
});
