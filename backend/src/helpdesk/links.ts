/**
 * Explicit account links (issue 4 item 4): an agent says that two accounts in different identity stores belong to
 * the same person (or, with an unlink, that they do not, even when a configured link rule says so).
 *
 * One stream per unordered pair of accounts: `links-<a>--<b>` where a and b are `storeId:userId` (user id lower-cased)
 * in code-point order, so both directions land in the same stream and a pair has one current state. The read model
 * (`account_links`, see helpdesk.projections.ts) keeps one row per direction with the latest state.
 * A person's linked accounts = rule-based links ∪ explicit links − explicit unlinks.
 *
 * Refusals (no Unlock Account permission, an account outside the role's scope) are recorded (`AccountLinkRefused`).
 */

import { hasPermission, isInScope } from '../policy/effective-role';
import type { DomainEvent } from '../shared/decider';
import { type Decider, type FieldProblem, refuse } from '../shared/decider';
import { accountKey, sameAccount } from '../shared/domain-types';
import { createUpcaster, type SchemaVersions } from '../shared/events';
import type { CaseRole } from './case.decider';
import type { CaseAccount } from './case.events';
import { REASONS } from './case.events';

export type LinkedAccount = CaseAccount;

const pairKey = (a: { storeId: string; userId: string }) => `${a.storeId}:${a.userId.toLowerCase()}`;

/** The stream of a pair of accounts (order does not matter). */
export function linkStreamId(a: { storeId: string; userId: string }, b: { storeId: string; userId: string }): string {
  const [x, y] = [pairKey(a), pairKey(b)].sort();
  return `links-${x}--${y}`;
}

type At = { at: string };
type Pair = { account: LinkedAccount; other: LinkedAccount };
export type AccountsLinked = DomainEvent<'AccountsLinked', Pair & { comment: string | null } & At>;
export type AccountsUnlinked = DomainEvent<'AccountsUnlinked', Pair & { comment: string | null } & At>;
export type AccountLinkRefused = DomainEvent<
  'AccountLinkRefused',
  Pair & { action: 'link' | 'unlink'; reasonCode: string; reason: string } & At
>;
export type LinkEvent = AccountsLinked | AccountsUnlinked | AccountLinkRefused;

export const LINK_EVENT_SCHEMA_VERSIONS: SchemaVersions<LinkEvent['type']> = {
  AccountsLinked: 1,
  AccountsUnlinked: 1,
  AccountLinkRefused: 1,
};
export const upcastLinkEvent = createUpcaster<LinkEvent>(LINK_EVENT_SCHEMA_VERSIONS);

export type LinkState = { status: 'none' | 'linked' | 'unlinked' };

export type ChangeLink = {
  type: 'LinkAccounts' | 'UnlinkAccounts';
  role: CaseRole | null;
  agent: { storeId: string; userId: string };
  account: LinkedAccount;
  other: LinkedAccount;
  comment?: string;
  now: Date;
};

const refusalCode = (c: ChangeLink): keyof typeof REASONS | undefined => {
  if (!c.role) return 'helpdesk.noRole';
  if (!hasPermission(c.role, 'UnlockAccount')) return 'helpdesk.permissionDenied';
  if (sameAccount(c.agent, c.account) || sameAccount(c.agent, c.other)) return 'helpdesk.selfService';
  if (!isInScope(c.role, c.account) || !isInScope(c.role, c.other)) return 'helpdesk.outOfScope';
  return undefined;
};

const strip = (a: LinkedAccount): LinkedAccount => ({
  storeId: a.storeId,
  storeType: a.storeType,
  userId: a.userId,
  dn: a.dn,
  // Optional and additive (schema version 1 still): the display name the directory gave, for history and audit.
  ...(typeof a.displayName === 'string' && a.displayName.trim()
    ? { displayName: a.displayName.trim().slice(0, 256) }
    : {}),
});

export const linkDecider: Decider<ChangeLink, LinkEvent, LinkState> & {
  schemaVersions: typeof LINK_EVENT_SCHEMA_VERSIONS;
  upcast: typeof upcastLinkEvent;
} = {
  schemaVersions: LINK_EVENT_SCHEMA_VERSIONS,
  upcast: upcastLinkEvent,
  initialState: () => ({ status: 'none' }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'AccountsLinked':
        return { status: 'linked' };
      case 'AccountsUnlinked':
        return { status: 'unlinked' };
      case 'AccountLinkRefused':
        return state;
    }
  },
  decide: (command, state) => {
    const problems: FieldProblem[] = [];
    if (command.account.storeId === command.other.storeId) {
      problems.push({ field: 'storeId', message: 'linked accounts must be in different identity stores' });
    }
    if (accountKey(command.account) === accountKey(command.other)) {
      problems.push({ field: 'userId', message: 'an account cannot be linked to itself' });
    }
    if (problems.length) refuse('link.invalid', problems.map((p) => `${p.field} ${p.message}`).join('; '), problems);
    const at = command.now.toISOString();
    const pair = { account: strip(command.account), other: strip(command.other) };
    const action = command.type === 'LinkAccounts' ? 'link' : 'unlink';
    const code = refusalCode(command);
    if (code)
      return [{ type: 'AccountLinkRefused', data: { ...pair, action, reasonCode: code, reason: REASONS[code], at } }];
    const comment = command.comment?.trim() || null;
    if (action === 'link')
      return state.status === 'linked' ? [] : [{ type: 'AccountsLinked', data: { ...pair, comment, at } }];
    return state.status === 'unlinked' ? [] : [{ type: 'AccountsUnlinked', data: { ...pair, comment, at } }];
  },
};
