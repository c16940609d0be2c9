import { describe, expect, it } from '@jest/globals';
import { REASONS } from './case.events';
import { unlockResults } from './case.state';
import {
  adminAccount,
  agent,
  alice,
  aliceEntra,
  aliceLdap,
  answerVerified,
  authenticated,
  authenticatedCase,
  codeVerified,
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

describe('unlock in restricted mode', () => {
  it('records the intent when the case is authenticated to the policy', () => {
    spec.given(authenticatedCase()).when(unlock()).then([requested()]);
  });

  it('refuses (recorded) before the user is authenticated', () => {
    spec
      .given([opened()])
      .when(unlock())
      .then([refused('unlock.notAuthenticated', R['unlock.notAuthenticated'])]);
    spec
      .given([opened(), answerVerified('pet'), codeVerified('email')])
      .when(unlock())
      .then([refused('unlock.notAuthenticated', R['unlock.notAuthenticated'])]);
  });

  it('refuses once the authentication has expired', () => {
    const late = tPlus(15 * 60);
    spec
      .given(authenticatedCase())
      .when(unlock({ now: late }))
      .then([refused('unlock.authenticationExpired', R['unlock.authenticationExpired'], alice, { at: iso(late) })]);
  });

  it('applies the role as it is now: a stricter policy than at authentication time is refused', () => {
    const stricter = role({ mode: 'restricted', requiredTypes: 3, minSecurityQuestions: 2 });
    spec
      .given(authenticatedCase())
      .when(unlock({ role: stricter }))
      .then([refused('unlock.notAuthenticated', R['unlock.notAuthenticated'])]);
  });
});

describe('unlock in unrestricted mode', () => {
  it('lets the agent skip authentication for an enrolled user', () => {
    spec
      .given([opened(unrestrictedPolicy)])
      .when(unlock({ role: role(unrestrictedPolicy) }))
      .then([requested(alice, { authenticationTypes: [] })]);
  });

  it('records the types verified when the agent authenticated anyway', () => {
    spec
      .given([
        opened(unrestrictedPolicy),
        answerVerified('pet'),
        authenticated(T0, ['securityQuestions'], unrestrictedPolicy),
      ])
      .when(unlock({ role: role(unrestrictedPolicy) }))
      .then([requested(alice, { authenticationTypes: ['securityQuestions'] })]);
  });
});

describe('unlock of unenrolled users', () => {
  const unenrolled = opened(unrestrictedPolicy, noEnrollment);
  it('is allowed with Unlock Any Account and an unrestricted policy', () => {
    spec
      .given([unenrolled])
      .when(unlock({ role: role(unrestrictedPolicy, ['UnlockAccount', 'UnlockAnyAccount']) }))
      .then([requested(alice, { authenticationTypes: [] })]);
  });
  it('is refused without Unlock Any Account', () => {
    spec
      .given([unenrolled])
      .when(unlock({ role: role(unrestrictedPolicy, ['UnlockAccount']) }))
      .then([refused('unlock.unenrolledNotAllowed', R['unlock.unenrolledNotAllowed'])]);
  });
  it('is refused with Unlock Any Account when the policy is restricted', () => {
    spec
      .given([opened(restrictedPolicy, noEnrollment)])
      .when(unlock({ role: role(restrictedPolicy, ['UnlockAccount', 'UnlockAnyAccount']) }))
      .then([refused('unlock.unenrolledNotAllowed', R['unlock.unenrolledNotAllowed'])]);
  });
});

describe('unlock refusals about the agent', () => {
  it('refuses an agent whose role lacks Unlock Account (taking effect on this request)', () => {
    spec
      .given(authenticatedCase())
      .when(unlock({ role: role(restrictedPolicy, ['ViewHistory', 'ViewAudit']) }))
      .then([refused('helpdesk.permissionDenied', R['helpdesk.permissionDenied'])]);
  });
  it('refuses an agent with no role any more', () => {
    spec
      .given(authenticatedCase())
      .when(unlock({ role: null }))
      .then([refused('helpdesk.noRole', R['helpdesk.noRole'])]);
  });
  it('refuses an agent unlocking their own (linked) account', () => {
    const own = { ...adminAccount, userId: agent.userId, dn: 'CN=Helen Desk,OU=Staff,DC=corp,DC=test' };
    spec
      .given(authenticatedCase())
      .when(unlock({ accounts: [locked(), locked(own)] }))
      .then([requested(), refused('helpdesk.selfService', R['helpdesk.selfService'], own, { linked: true })]);
  });
});

describe('unlock refusals about the account', () => {
  it('refuses an account outside the role’s scope (store or base DN)', () => {
    spec
      .given(authenticatedCase())
      .when(unlock({ accounts: [locked(adminAccount)] }))
      .then([refused('helpdesk.outOfScope', R['helpdesk.outOfScope'], adminAccount, { linked: true })]);
    spec
      .given(authenticatedCase())
      .when(unlock({ role: role(restrictedPolicy, undefined, { storeIds: ['ldap'] }) }))
      .then([refused('helpdesk.outOfScope', R['helpdesk.outOfScope'])]);
  });

  it('refuses Entra ID accounts with the documented reason', () => {
    spec
      .given(authenticatedCase())
      .when(unlock({ accounts: [locked(aliceEntra)] }))
      .then([
        refused(
          'unlock.storeNotSupported',
          'Account unlock is not supported in a Microsoft Entra ID identity store',
          aliceEntra,
          { linked: true },
        ),
      ]);
  });

  it('refuses a permanently admin-locked account', () => {
    spec
      .given(authenticatedCase())
      .when(unlock({ accounts: [{ ...alice, state: { lockState: 'permanentlyLocked', lockedAt: '000001010000Z' } }] }))
      .then([refused('unlock.permanentlyLocked', R['unlock.permanentlyLocked'])]);
  });

  it('refuses (recorded) an account that is not locked', () => {
    spec
      .given(authenticatedCase())
      .when(unlock({ accounts: [{ ...alice, state: { lockState: 'notLocked' } }] }))
      .then([refused('unlock.notLocked', R['unlock.notLocked'])]);
  });

  it('unlocks a locked account that is also disabled (unlock does not change disabled)', () => {
    spec
      .given(authenticatedCase())
      .when(unlock({ accounts: [{ ...alice, state: { lockState: 'locked', disabled: true } }] }))
      .then([requested(alice, { stateBefore: { lockState: 'locked', disabled: true } })]);
  });

  it('refuses a second unlock of an account whose earlier unlock has no outcome yet', () => {
    spec
      .given([...authenticatedCase(), requested()])
      .when(unlock({ idempotencyKey: 'key-2' }))
      .then([refused('unlock.inProgress', R['unlock.inProgress'], alice, { idempotencyKey: 'key-2' })]);
  });

  it('allows a new unlock after the earlier one settled (the account locked again)', () => {
    const settled = {
      type: 'AccountUnlocked' as const,
      data: {
        account: alice,
        idempotencyKey: 'key-1',
        readBack: { lockState: 'notLocked' as const },
        directoryMessage: null,
        reconciled: false,
        at: iso(tPlus(61)),
      },
    };
    spec
      .given([...authenticatedCase(), requested(), settled])
      .when(unlock({ idempotencyKey: 'key-2', now: tPlus(120) }))
      .then([requested(alice, { idempotencyKey: 'key-2', at: iso(tPlus(120)) })]);
  });
});

describe('linked accounts', () => {
  it('decides each account on its own: the subject, a linked OpenLDAP account and a linked Entra account', () => {
    spec
      .given(authenticatedCase())
      .when(unlock({ accounts: [locked(), locked(aliceLdap), locked(aliceEntra)] }))
      .then([
        requested(),
        requested(aliceLdap, { linked: true }),
        refused('unlock.storeNotSupported', R['unlock.storeNotSupported'], aliceEntra, { linked: true }),
      ]);
  });

  it('records a request-wide refusal once per account', () => {
    spec
      .given([opened()])
      .when(unlock({ accounts: [locked(), locked(aliceLdap)] }))
      .then([
        refused('unlock.notAuthenticated', R['unlock.notAuthenticated']),
        refused('unlock.notAuthenticated', R['unlock.notAuthenticated'], aliceLdap, { linked: true }),
      ]);
  });

  it('carries the ticket reference and comment into every event', () => {
    spec
      .given(authenticatedCase())
      .when(
        unlock({ accounts: [locked(), locked(aliceEntra)], ticket: ' INC-42 ', comment: 'caller verified by phone' }),
      )
      .then([
        requested(alice, { ticket: 'INC-42', comment: 'caller verified by phone' }),
        refused('unlock.storeNotSupported', R['unlock.storeNotSupported'], aliceEntra, {
          linked: true,
          ticket: 'INC-42',
          comment: 'caller verified by phone',
        }),
      ]);
  });
});

describe('idempotency', () => {
  it('a retry with the same key records nothing new, and the results can be read back', () => {
    const history = [
      ...authenticatedCase(),
      requested(),
      refused('unlock.storeNotSupported', R['unlock.storeNotSupported'], aliceEntra, { linked: true }),
    ];
    const { state } = spec
      .given(history)
      .when(unlock({ accounts: [locked(aliceEntra), locked()], now: tPlus(90) }))
      .thenNothing();
    expect(unlockResults(state, 'key-1').map((u) => [u.account.storeId, u.outcome])).toEqual([
      ['ad', 'pending'],
      ['entra', 'refused'],
    ]);
    expect(unlockResults(state, 'key-9')).toEqual([]);
  });

  it('a retry of a refused request records nothing new either', () => {
    spec
      .given([opened(), refused('unlock.notAuthenticated', R['unlock.notAuthenticated'])])
      .when(unlock())
      .thenNothing();
  });

  it('a retry after the case was closed still records nothing and is not an error', () => {
    const closed = { type: 'CaseClosed' as const, data: { reason: 'done', at: iso(tPlus(70)) } };
    spec
      .given([...authenticatedCase(), requested(), closed])
      .when(unlock({ now: tPlus(90) }))
      .thenNothing();
  });

  it('refuses the same key for a different set of accounts', () => {
    spec
      .given([...authenticatedCase(), requested()])
      .when(unlock({ accounts: [locked(), locked(aliceLdap)] }))
      .thenRefuses('unlock.idempotencyConflict', ['idempotencyKey']);
  });
});

describe('unlock input and case state', () => {
  it('refuses malformed requests naming the fields, recording nothing', () => {
    spec
      .given(authenticatedCase())
      .when(unlock({ accounts: [] }))
      .thenRefuses('unlock.invalid', ['accounts']);
    spec
      .given(authenticatedCase())
      .when(unlock({ idempotencyKey: '' }))
      .thenRefuses('unlock.invalid', ['idempotencyKey']);
    spec
      .given(authenticatedCase())
      .when(unlock({ accounts: [locked(), { ...locked(), userId: 'ALICE' }] }))
      .thenRefuses('unlock.invalid', ['accounts[1]']);
    spec
      .given(authenticatedCase())
      .when(unlock({ accounts: [{ ...alice, state: { lockState: 'frozen' as 'locked' } }] }))
      .thenRefuses('unlock.invalid', ['accounts[0].state.lockState']);
    spec
      .given(authenticatedCase())
      .when(unlock({ ticket: 'x'.repeat(101) }))
      .thenRefuses('unlock.invalid', ['ticket']);
  });

  it('refuses on a closed case or a case that was never opened', () => {
    spec
      .given([...authenticatedCase(), { type: 'CaseClosed', data: { reason: 'done', at: iso(T0) } }])
      .when(unlock())
      .thenRefuses('case.closed');
    spec.given([]).when(unlock()).thenRefuses('case.notOpen');
  });

  it('restricted policy of the case snapshot does not matter when the current role is unrestricted', () => {
    spec
      .given([opened(restrictedPolicy)])
      .when(unlock({ role: role(unrestrictedPolicy) }))
      .then([requested(alice, { authenticationTypes: [] })]);
  });
});
