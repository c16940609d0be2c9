import type { EntraStoreConfig } from '../config/config.types';
import type {
  AccountMemberships,
  AuthenticationResult,
  DirectoryAccount,
  IdentityStore,
  StoreCapabilities,
  StoreSearchQuery,
  UnlockResult,
} from './identity-store';

export const ENTRA_UNLOCK_REFUSAL = 'Account unlock is not supported in a Microsoft Entra ID identity store';

/**
 * Microsoft Entra ID: configured and listed so that the UI can show it in the capability matrix, but there is no
 * directory access in this build (no Microsoft Graph client, no network): search finds nothing, sign-in is
 * unavailable, and every unlock is refused with ENTRA_UNLOCK_REFUSAL.
 */
export class EntraIdStore implements IdentityStore {
  readonly id: string;
  readonly name: string;
  readonly type = 'entra-id' as const;
  readonly capabilities: StoreCapabilities = {
    canSearch: false,
    canUnlock: false,
    canAuthenticate: false,
    reason: ENTRA_UNLOCK_REFUSAL,
    notes: ['Search and sign-in need Microsoft Graph, which this installation does not call'],
  };

  constructor(readonly config: EntraStoreConfig) {
    this.id = config.id;
    this.name = config.name;
  }

  async search(_query: StoreSearchQuery): Promise<DirectoryAccount[]> {
    return [];
  }

  async getAccount(_id: string): Promise<DirectoryAccount | undefined> {
    return undefined;
  }

  async findByUsername(_username: string): Promise<DirectoryAccount | undefined> {
    return undefined;
  }

  async unlock(_id: string): Promise<UnlockResult> {
    return { outcome: 'refused', reason: ENTRA_UNLOCK_REFUSAL };
  }

  async authenticate(_username: string, _password: string): Promise<AuthenticationResult> {
    return { result: 'unavailable', detail: 'sign-in against Microsoft Entra ID is not supported here' };
  }

  /**
   * Not supported: no agent can sign in here (canAuthenticate false), so no session ever asks. Throws rather than
   * answering "no such account" (which would end a session) or "unreachable" (which would keep it).
   */
  async memberships(_id: string): Promise<AccountMemberships | undefined> {
    throw new Error('reading group membership from Microsoft Entra ID is not supported here');
  }

  async close(): Promise<void> {}
}
