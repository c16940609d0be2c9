import { Injectable } from '@nestjs/common';
import { type DirectoryAccount, type GroupRef, StoreUnavailableError } from '../directory/identity-store';
import { IdentityStoreRegistry } from '../directory/identity-store.registry';
import type { Agent, AgentDirectory, AgentRefreshResult, AgentSignInResult } from './agent-directory';

/** The agent as sessions keep it: the account and its groups by name and by DN (roles may map either). */
function agentFrom(storeId: string, account: DirectoryAccount, groups: GroupRef[]): Agent {
  return {
    storeId,
    userId: account.id,
    dn: account.dn,
    username: account.username,
    displayName: account.displayName || account.username,
    groups: [...new Set(groups.flatMap((g) => [g.name, g.dn]))],
  };
}

/**
 * Agent sign-in against the configured identity stores: a bind with the agent's own credentials on the chosen store
 * (or the first store that accepts sign-ins). The agent's groups (nested ones included) are what roles map to; a
 * session reads them again with `refresh`, so that a removed group or a disabled account takes effect.
 */
@Injectable()
export class DirectoryAgentDirectory implements AgentDirectory {
  constructor(private readonly registry: IdentityStoreRegistry) {}

  signInStores() {
    const stores = this.registry.list().filter((s) => s.capabilities.canAuthenticate);
    return stores.map((s, i) => ({ id: s.id, name: s.name, isDefault: i === 0 }));
  }

  async signIn(storeId: string | undefined, username: string, password: string): Promise<AgentSignInResult> {
    const candidates = this.registry.list().filter((s) => s.capabilities.canAuthenticate);
    const store = storeId === undefined ? candidates[0] : candidates.find((s) => s.id === storeId);
    if (!store) {
      return {
        outcome: 'unknown-store',
        message: storeId ? `No identity store ${storeId} accepts sign-ins` : 'No identity store accepts sign-ins',
      };
    }
    try {
      const r = await store.authenticate(username, password);
      if (r.result !== 'ok') return { outcome: r.result, message: r.detail ?? r.directoryMessage ?? r.result };
      return { outcome: 'ok', agent: agentFrom(store.id, r.account, r.groups) };
    } catch (err) {
      if (err instanceof StoreUnavailableError) return { outcome: 'unavailable', message: err.message };
      throw err;
    }
  }

  async refresh(agent: Agent): Promise<AgentRefreshResult> {
    const store = this.registry.get(agent.storeId);
    if (!store?.capabilities.canAuthenticate) {
      return { outcome: 'gone', message: `identity store ${agent.storeId} no longer accepts sign-ins` };
    }
    try {
      const found = await store.memberships(agent.userId);
      if (!found) return { outcome: 'gone', message: 'the account no longer exists in the directory' };
      if (found.account.disabled) return { outcome: 'disabled', message: 'the account is disabled in the directory' };
      if (found.account.lock.state !== 'unlocked') {
        return { outcome: 'locked', message: `the account is ${found.account.lock.state} in the directory` };
      }
      return { outcome: 'ok', agent: agentFrom(store.id, found.account, found.groups) };
    } catch (err) {
      if (err instanceof StoreUnavailableError) return { outcome: 'unavailable', message: err.message };
      throw err;
    }
  }
}
