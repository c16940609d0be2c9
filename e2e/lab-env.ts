/**
 * The real environment the end-to-end journeys run against, started once per run by global-setup.ts: a fresh Samba
 * AD DC and a fresh OpenLDAP (backend/labs), the SMTP mailbox (backend/labs/mailbox) and the built backend on a free
 * port with a fresh data directory and a configuration like `npm start`'s (stores, link rule, roles mapped to the lab
 * groups, mail to the mailbox). Tests read where everything is from E2E_STATE (a JSON file written by the setup).
 */
import { readFileSync } from 'node:fs';

export type LabEnv = {
  baseURL: string;
  dataDir: string;
  mailboxUrl: string;
  ad: { url: string; caFile: string; base: string };
  ldap: { url: string; base: string };
};

export const STATE_VAR = 'UNLOCKDESK_E2E_STATE';

export function labEnv(): LabEnv {
  const file = process.env[STATE_VAR];
  if (!file) throw new Error(`${STATE_VAR} is not set: run the tests through playwright.config.ts (global setup)`);
  return JSON.parse(readFileSync(file, 'utf8')) as LabEnv;
}

/** Seed agents (backend/labs/README.md) and the roles the e2e configuration maps their groups to. */
export const AGENTS = {
  /** Helpdesk agent: restricted policy, 2 enrolled types with 2 security questions; no Unlock Any Account. */
  agent: { storeId: 'corp-ad', username: 'hd.agent', password: 'AgentPass1!', displayName: 'Hanna Agent' },
  /** Administrator: unrestricted policy, Unlock Any Account, Manage Roles, View Audit. */
  admin: { storeId: 'corp-ad', username: 'hd.admin', password: 'AdminPass1!', displayName: 'Henry Admin' },
  /** Auditor: View Audit and View History only. */
  auditor: { storeId: 'corp-ad', username: 'hd.auditor', password: 'AuditPass1!', displayName: 'Ava Auditor' },
  /** OpenLDAP helpdesk agent (same role as hd.agent). */
  ldapAgent: { storeId: 'corp-ldap', username: 'lin.agent', password: 'Lin-Agent-1', displayName: 'lin.agent' },
} as const;
export type AgentName = keyof typeof AGENTS;

/** The security questions imported for enrolled seed users (answers as the caller would say them). */
export const QUESTIONS = [
  { question: 'What was the name of your first pet?', answer: 'Rex' },
  { question: 'In which city were you born?', answer: 'Lisbon' },
] as const;

/**
 * Enrollments imported as the administrator during setup. The e2e configuration turns directory contacts off
 * (`enrollFromDirectory`), so users not listed here are unenrolled (dave, gina).
 */
export const ENROLLMENTS = [
  { storeId: 'corp-ad', username: 'carol', securityQuestions: [...QUESTIONS], email: 'carol@example.test' },
  { storeId: 'corp-ad', username: 'alice', securityQuestions: [...QUESTIONS], email: 'alice@example.test' },
];
