import type { Agent, AgentRefreshResult, AgentSignInResult } from './agent-directory';

/** Sign-in facts, one stream per agent account: `agent-<storeId>-<username>` (username lower-cased). */
export const SIGN_IN_EVENT_SCHEMA_VERSIONS = {
  AgentSignedIn: 1,
  AgentSignInFailed: 1,
  AgentSignedOut: 1,
  AgentSessionEnded: 1,
} as const;

/** Why the system ended a session: the directory says the agent could no longer sign in. */
export type SessionEndReason = Extract<AgentRefreshResult['outcome'], 'gone' | 'disabled' | 'locked'>;

export type SignInEvent =
  | {
      type: 'AgentSignedIn';
      data: {
        subject: { storeId: string; userId: string };
        username: string;
        displayName: string;
        groups: string[];
        outcome: 'success';
      };
    }
  | {
      type: 'AgentSignInFailed';
      data: {
        storeId: string | null;
        username: string;
        outcome: 'failed';
        reason: Exclude<AgentSignInResult['outcome'], 'ok'>;
      };
    }
  | { type: 'AgentSignedOut'; data: { subject: { storeId: string; userId: string }; username: string } }
  | {
      /** Recorded by the system (actor `system`) when a session's directory check found the account unusable. */
      type: 'AgentSessionEnded';
      data: {
        subject: { storeId: string; userId: string };
        username: string;
        reason: SessionEndReason;
        /** The directory adapter's explanation (e.g. "the account is disabled in the directory"). */
        detail: string;
      };
    };

export const agentStream = (storeId: string | undefined, username: string) =>
  `agent-${storeId ?? 'default'}-${username.trim().toLowerCase()}`;

/** How an agent is named as the actor of events: `<storeId>:<userId>` (stable across renames). */
export const agentActor = (agent: Pick<Agent, 'storeId' | 'userId'>) => `${agent.storeId}:${agent.userId}`;
