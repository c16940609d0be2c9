/**
 * The readable sentence of a history or audit entry, rendered at query time from the stored fact (so store names come
 * from the current configuration and wording can improve without a rebuild). Examples:
 *   "Hanna Agent unlocked Carol Jones in Corp AD (read back: not locked)"
 *   "Hanna Agent's unlock of Carol Jones in Corp AD was refused: The account is not locked"
 */
export interface Describable {
  action: string;
  type: string;
  actor: string | null;
  actorName: string | null;
  subject: string | null;
  subjectName: string | null;
  store: string | null;
  outcome: string | null;
  reason: string | null;
  authenticationTypes: string[];
  details: Record<string, unknown>;
}

const TYPE_LABEL: Record<string, string> = {
  securityQuestions: 'security questions',
  authenticator: 'authenticator',
  email: 'e-mail code',
  phone: 'SMS code',
  password: 'directory password',
};

/** A lock state read back from the directory, in words. */
const LOCK_STATE_LABEL: Record<string, string> = {
  notLocked: 'not locked',
  locked: 'still locked',
  permanentlyLocked: 'locked by an administrator',
};

const plural = (n: unknown, one: string, many: string) => (typeof n === 'number' && n > 1 ? `${n} ${many}` : one);

export function describe(e: Describable, storeName: (id: string) => string | undefined): string {
  const actor = e.actorName ?? (e.actor === 'system' ? 'The system' : e.actor) ?? 'Someone';
  const subject = e.subjectName ?? e.subject ?? 'an unknown user';
  const store = e.store ? (storeName(e.store) ?? e.store) : null;
  const inStore = store ? ` in ${store}` : '';
  const d = e.details;
  const s = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
  const because = e.reason ? `: ${e.reason}` : '';
  const types = e.authenticationTypes.map((t) => TYPE_LABEL[t] ?? t).join(', ');
  const channel = d.channel === 'phone' ? 'SMS' : 'e-mail';
  const readBack = (v: unknown) => LOCK_STATE_LABEL[s(v)] ?? s(v);
  const otherStore = d.otherStore ? ` in ${storeName(s(d.otherStore)) ?? s(d.otherStore)}` : '';
  const other = `${s(d.otherName) || s(d.other) || 'another account'}${otherStore}`;
  const dest = d.destination ? ` (${s(d.destination)})` : '';
  const theirAccounts = plural(d.accounts, 'their account', 'of their accounts');
  const glass = d.breakGlassApprovedBy ? ` (break-glass approved by ${s(d.breakGlassApprovedBy)})` : '';
  const requestedBy =
    d.requestedByName || d.requestedBy ? ` requested by ${s(d.requestedByName) || s(d.requestedBy)}` : '';
  const ticket = d.ticket ? ` (ticket ${s(d.ticket)})` : '';
  const kioskName = s(d.kioskName) || 'a kiosk';
  switch (e.action) {
    case 'agent.signedIn':
      return `${subject} signed in${store ? ` to ${store}` : ''}`;
    case 'agent.signedOut':
      return `${subject} signed out`;
    case 'agent.sessionEnded':
      return `${subject}'s session was ended${because}`;
    case 'agent.signInFailed':
      return `Sign-in as ${s(d.username) || subject}${store ? ` to ${store}` : ''} failed${because}`;
    case 'case.opened':
      return `${actor} opened a case for ${subject}${inStore}`;
    case 'case.openingRefused':
      return `${actor} was refused a case for ${subject}${inStore}${because}`;
    case 'case.authenticated':
      return `${actor} authenticated ${subject}${types ? ` with ${types}` : ''}`;
    case 'case.closed':
      return `${actor} closed the case for ${subject}${e.reason ? ` (${e.reason})` : ''}`;
    case 'verification.securityQuestion': {
      const q = d.question ? ` "${s(d.question)}"` : d.questionId ? ` (${s(d.questionId)})` : '';
      return e.outcome === 'success'
        ? `${subject} answered security question${q} correctly`
        : `${subject} answered security question${q} wrongly`;
    }
    case 'verification.codeSent':
      return `${actor} sent an ${channel} code to ${subject}${d.destination ? ` at ${s(d.destination)}` : ''}`;
    case 'verification.code':
      return e.outcome === 'success'
        ? `${subject} confirmed the ${channel} code`
        : `${subject} gave a wrong ${channel} code${e.reason ? ` (${e.reason})` : ''}`;
    case 'verification.authenticator':
      return e.outcome === 'success'
        ? `${subject} confirmed an authenticator code`
        : `${subject} gave a wrong authenticator code${e.reason ? ` (${e.reason})` : ''}`;
    case 'verification.locked':
      return `Verification of ${subject} was locked${d.lockedUntil ? ` until ${s(d.lockedUntil)}` : ''}`;
    case 'verification.refused':
      return `A verification of ${subject} was refused${because}`;
    case 'unlock.requested':
      return `${actor} requested an unlock of ${subject}${inStore}${glass}`;
    case 'unlock.refused':
      return `${actor}'s unlock of ${subject}${inStore} was refused${because}`;
    case 'unlock.succeeded':
      return `${actor} unlocked ${subject}${inStore} (read back: ${readBack(d.readBack) || 'unknown'})${glass}${d.reconciled ? ' [reconciled]' : ''}`;
    case 'breakGlass.requested':
      return `${actor} asked for a second agent's approval to unlock ${subject}${ticket}${
        d.justification ? `: ${s(d.justification)}` : ''
      }`;
    case 'breakGlass.requestRefused':
      return `${actor}'s request for a second agent's approval to unlock ${subject} was refused${because}`;
    case 'breakGlass.approved':
      return `${actor} approved the break-glass unlock of ${subject}${requestedBy}`;
    case 'breakGlass.denied':
      return `${actor} denied the break-glass unlock of ${subject}${requestedBy}${
        d.comment ? `: ${s(d.comment)}` : ''
      }`;
    case 'breakGlass.decisionRefused':
      return `${actor}'s ${d.decision === 'deny' ? 'denial' : 'approval'} of the break-glass unlock of ${subject}${requestedBy} was refused${because}`;
    case 'unlock.failed':
      return `${actor}'s unlock of ${subject}${inStore} failed${because}${d.readBack ? ` (read back: ${readBack(d.readBack)})` : ''}`;
    case 'verification.codeDeliveryFailed':
      return `The ${channel} code for ${subject} could not be delivered${d.destination ? ` to ${s(d.destination)}` : ''}${because}`;
    case 'notice.requested':
      return `An e-mail to ${subject}${dest} was queued to tell them that ${actor} unlocked ${theirAccounts}`;
    case 'notice.sent':
      return `${subject} was told by e-mail${dest} that ${actor} unlocked ${theirAccounts}`;
    case 'notice.failed':
      return `${subject} could not be told by e-mail${dest} that ${actor} unlocked ${theirAccounts}${because}`;
    case 'link.linked':
      return `${actor} linked ${subject}${inStore} to ${other}`;
    case 'link.unlinked':
      return `${actor} unlinked ${subject}${inStore} from ${other}`;
    case 'link.refused':
      return `${actor}'s ${d.linkAction === 'unlink' ? 'unlink' : 'link'} of ${subject}${inStore} and ${other} was refused${because}`;
    case 'enrollment.enrolled':
      // At a kiosk the person enrolled themselves (after a directory bind as them); the actor is the kiosk.
      if (d.source === 'kiosk')
        return `${subject} ${d.replaced ? 're-enrolled' : 'enrolled'} in ${types || 'an authentication type'} at kiosk ${actor}`;
      return `${actor} ${d.replaced ? 're-enrolled' : 'enrolled'} ${subject} in ${types || 'an authentication type'}${
        d.destination ? ` (${s(d.destination)})` : ''
      }${d.source ? ` via ${s(d.source)}` : ''}`;
    case 'enrollment.removed':
      return `${actor} removed ${types || 'an authentication type'} from ${subject}'s enrollment${because}`;
    case 'role.created':
      return `${actor} created role ${s(d.roleName)}`;
    case 'role.changed': {
      const fields = Array.isArray(d.changedFields) ? d.changedFields.join(', ') : '';
      return `${actor} changed role ${s(d.roleName)}${fields ? ` (${fields})` : ''}`;
    }
    case 'role.deleted':
      return `${actor} deleted role ${s(d.roleName)}`;
    case 'role.bootstrapped':
      return `${actor} set up ${plural(d.roles, 'the role', 'roles')} from the configuration (${
        typeof d.created === 'number' ? d.created : 0
      } created)`;
    case 'kiosk.registered':
      return `${actor} registered kiosk ${kioskName}${d.location ? ` (${s(d.location)})` : ''}${
        store ? ` for ${store}` : ''
      }`;
    case 'kiosk.activated':
      return `Kiosk ${kioskName} was activated`;
    case 'kiosk.activationRefused':
      return `An activation of kiosk ${kioskName} was refused${because}`;
    case 'kiosk.revoked':
      return `${actor} revoked kiosk ${kioskName}${d.comment ? `: ${s(d.comment)}` : ''}`;
    case 'kioskSession.started':
      return e.subject || e.subjectName
        ? `${subject} asked for help at kiosk ${kioskName}`
        : `Someone asked for help at kiosk ${kioskName} with an unknown username${
            d.usernameTyped ? ` ("${s(d.usernameTyped)}")` : ''
          }`;
    case 'kioskSession.claimed':
      return `${actor} took ${subject}'s kiosk session at ${kioskName}`;
    case 'kioskSession.claimRefused':
      return `${actor}'s claim of ${e.subject || e.subjectName ? `${subject}'s` : 'a'} kiosk session at ${kioskName} was refused${because}`;
    case 'kiosk.userSignedIn':
      return `${subject} signed in at kiosk ${kioskName} to set up how they are verified`;
    case 'kiosk.userSignInFailed':
      return `A sign-in at kiosk ${kioskName} as ${s(d.username) || subject} failed${because}`;
    case 'kioskSession.ended': {
      const whose = e.subject || e.subjectName ? ` of ${subject}` : '';
      const how =
        d.by === 'expiry'
          ? ' unclaimed (expired)'
          : d.by === 'agent'
            ? ` (ended by ${actor})`
            : ' (ended at the kiosk)';
      return `The kiosk session${whose} at ${kioskName} ended${how}`;
    }
    default: {
      const parts = [e.type, e.subject ? `about ${subject}` : '', e.actor ? `by ${actor}` : ''].filter(Boolean);
      return `${parts.join(' ')}${e.outcome ? ` (${e.outcome})` : ''}${because}`;
    }
  }
}
