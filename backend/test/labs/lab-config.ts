// Configuration of the product against the labs, shared by the integration tests and the e2e setup: the identity
// stores as a helpdesk would configure them, and the lab's standard roles (backend/labs/lab-roles.json, which
// `npm start` uses too).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from './labs';

/** The AD store as a helpdesk would configure it: svc-helpdesk (delegated on OU=Staff only), whole domain searched. */
export function adStoreRaw(lab: Lab, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'ad',
    name: 'Samba AD',
    type: 'active-directory',
    urls: [lab.url],
    tls: { mode: 'ldaps', caFile: lab.caFile },
    bind: { dn: lab.helpdeskDn, password: { env: 'AD_BIND_PW' } },
    userBaseDns: [lab.base],
    groupBaseDns: [`OU=Groups,${lab.base}`],
    timeouts: { connectMs: 2000, operationMs: 5000 },
    ...overrides,
  };
}

export function ldapStoreRaw(lab: Lab, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'ldap',
    name: 'OpenLDAP',
    type: 'ldap',
    urls: [lab.url],
    tls: { mode: 'plain', allowPlain: true },
    bind: { dn: lab.helpdeskDn, password: { env: 'LDAP_BIND_PW' } },
    userBaseDns: [`ou=people,${lab.base}`],
    groupBaseDns: [`ou=groups,${lab.base}`],
    passwordPolicy: { defaultPolicyDn: `cn=default,ou=policies,${lab.base}` },
    timeouts: { connectMs: 2000, operationMs: 5000 },
    ...overrides,
  };
}

/** Administrator (unrestricted, all permissions), Helpdesk agent (restricted: 2 types, 2 questions), Auditor. */
export const LAB_ROLES: Record<string, unknown>[] = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'labs', 'lab-roles.json'), 'utf8'),
);
