import { Injectable } from '@nestjs/common';
import { StoreUnavailableError } from '../directory/identity-store';
import { IdentityStoreRegistry } from '../directory/identity-store.registry';
import type { AgentDirectory, AgentSignInResult } from './agent-directory';

/**
 * Agent sign-in against the configured identity stores: a bind with the agent's own credentials on the chosen store
 * (or the first store that accepts sign-ins). The agent's groups (nested ones included) are what roles map to.
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
      return {
        outcome: 'ok',
        agent: {
          storeId: store.id,
          userId: r.account.id,
          dn: r.account.dn,
          username: r.account.username,
          displayName: r.account.displayName || r.account.username,
          groups: [...new Set(r.groups.flatMap((g) => [g.name, g.dn]))],
        },
      };
    } catch (err) {
      if (err instanceof StoreUnavailableError) return { outcome: 'unavailable', message: err.message };
      throw err;
    }
  }
}
