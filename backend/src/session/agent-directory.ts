/** The agent as the directory knows them, after a successful bind. */
export type Agent = {
  storeId: string;
  userId: string;
  dn: string;
  username: string;
  displayName: string;
  /** Group names and DNs (nested membership resolved by the directory adapter). */
  groups: string[];
};

export type AgentSignInResult =
  | { outcome: 'ok'; agent: Agent }
  | {
      outcome:
        | 'invalid-credentials'
        | 'locked'
        | 'disabled'
        | 'password-must-change'
        | 'password-expired'
        | 'unknown-store'
        | 'unavailable';
      message: string;
    };

/**
 * An agent's account as the directory has it now (SessionService asks every `groupsRefreshSeconds`): `ok` with the
 * current display name and groups; `gone` (deleted, or its store no longer accepts sign-ins), `disabled` and `locked`
 * mean the agent could no longer sign in, so the session ends; `unavailable`: the directory could not be read.
 */
export type AgentRefreshResult =
  | { outcome: 'ok'; agent: Agent }
  | { outcome: 'gone' | 'disabled' | 'locked' | 'unavailable'; message: string };

/** Port: checks an agent's directory credentials with a bind against the chosen (or default) identity store. */
export interface AgentDirectory {
  signIn(storeId: string | undefined, username: string, password: string): Promise<AgentSignInResult>;
  /** Reads a signed-in agent's account and groups again (with the service account: no password needed). */
  refresh(agent: Agent): Promise<AgentRefreshResult>;
  /** Stores an agent may sign in to (for the sign-in form's picker). */
  signInStores(): { id: string; name: string; isDefault: boolean }[];
}

export const AGENT_DIRECTORY = Symbol('AgentDirectory');
