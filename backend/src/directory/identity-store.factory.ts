import type { IdentityStoreConfig } from '../config/config.types';
import { ActiveDirectoryStore } from './active-directory.store';
import { EntraIdStore } from './entra-id.store';
import type { IdentityStore } from './identity-store';
import { OpenLdapStore } from './openldap.store';

/** The adapter for a configured store. Nothing connects until the first operation. */
export function createIdentityStore(config: IdentityStoreConfig): IdentityStore {
  switch (config.type) {
    case 'active-directory':
      return new ActiveDirectoryStore(config);
    case 'ldap':
      return new OpenLdapStore(config);
    case 'entra-id':
      return new EntraIdStore(config);
  }
}
