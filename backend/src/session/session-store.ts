import { hash as digest, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { Agent } from './agent-directory';

export type Session = {
  agent: Agent;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
};

export type SessionTimeouts = { idleMs: number; absoluteMs: number };

/** How stale the stored last-seen time may get before a request refreshes it (the idle timeout's resolution). */
const TOUCH_INTERVAL_MS = 30_000;

/**
 * How a session is keyed anywhere it is kept (database, memory): a hash of its token, never the token itself.
 * One-shot crypto.hash: several times cheaper than a createHash object for one short input (every request).
 */
export const sessionKey = (token: string) => digest('sha256', token, 'base64url');

/**
 * Server-side agent sessions in SQLite (survive a restart). Only a hash of the session token is stored, so a copy of
 * the database does not hand out live sessions. A session ends after `idleMs` without requests or `absoluteMs` after
 * sign-in, whichever comes first.
 */
export class SessionStore {
  private readonly db: DatabaseSync;
  /** Prepared once: every request reads its session (compiling the SQL each time cost more than running it). */
  private readonly statements = new Map<string, StatementSync>();

  private sql(text: string): StatementSync {
    let s = this.statements.get(text);
    if (!s) {
      s = this.db.prepare(text);
      this.statements.set(text, s);
    }
    return s;
  }

  constructor(
    file: string,
    private readonly timeouts: SessionTimeouts,
    private readonly now: () => number = Date.now,
  ) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new DatabaseSync(file);
    // Sessions are cheap to lose (an agent signs in again), so commits skip the fsync of every WAL write.
    this.db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS sessions (
        token_hash TEXT PRIMARY KEY, agent TEXT NOT NULL, csrf_token TEXT NOT NULL,
        created_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at);`);
  }

  /** Creates a session and returns its token (for the cookie) with the session. */
  create(agent: Agent): { token: string; session: Session } {
    const token = randomBytes(32).toString('base64url');
    const t = this.now();
    const session: Session = {
      agent,
      csrfToken: randomBytes(24).toString('base64url'),
      createdAt: t,
      lastSeenAt: t,
      expiresAt: Math.min(t + this.timeouts.idleMs, t + this.timeouts.absoluteMs),
    };
    this.sql('INSERT INTO sessions VALUES (?, ?, ?, ?, ?, ?)').run(
      sessionKey(token),
      JSON.stringify(agent),
      session.csrfToken,
      t,
      t,
      session.expiresAt,
    );
    return { token, session };
  }

  /** The live session for a token without extending it (a status check is not the agent working). */
  peek(token: string): Session | undefined {
    const session = this.current(sessionKey(token));
    return session && session.expiresAt > this.now() ? { ...session } : undefined;
  }

  /**
   * The live session for a token, its idle expiry extended; undefined when unknown or expired. `key`: the token's
   * sessionKey when the caller has it already (it is hashed once per request).
   */
  touch(token: string, key = sessionKey(token)): Session | undefined {
    const session = this.current(key);
    const t = this.now();
    if (!session) return undefined;
    if (session.expiresAt <= t) {
      this.revoke(token);
      return undefined;
    }
    // Extend the idle expiry at most once per TOUCH_INTERVAL_MS: a busy agent does not cost a write per request.
    if (t - session.lastSeenAt < TOUCH_INTERVAL_MS) return { ...session };
    const expiresAt = Math.min(t + this.timeouts.idleMs, session.createdAt + this.timeouts.absoluteMs);
    this.sql('UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE token_hash = ?').run(t, expiresAt, key);
    const touched = { ...session, lastSeenAt: t, expiresAt };
    this.remember(key, touched);
    return { ...touched };
  }

  /**
   * Sessions read recently, by token hash. This store is the only writer of its database (one per data directory), so
   * the copy stays exact: every change below updates or drops it. It spares each request a SQL read and a JSON parse.
   */
  private readonly live = new Map<string, Session>();

  private remember(key: string, session: Session): void {
    if (this.live.size >= 10_000 && !this.live.has(key)) this.live.clear();
    this.live.set(key, session);
  }

  /** The stored session under this key: the remembered copy, else read (and remembered). */
  private current(key: string): Session | undefined {
    return this.live.get(key) ?? this.load(key);
  }

  private load(key: string): Session | undefined {
    const row = this.sql('SELECT * FROM sessions WHERE token_hash = ?').get(key) as
      | { agent: string; csrf_token: string; created_at: number; last_seen_at: number; expires_at: number }
      | undefined;
    if (!row) return undefined;
    const session: Session = {
      agent: JSON.parse(row.agent) as Agent,
      csrfToken: row.csrf_token,
      createdAt: row.created_at,
      lastSeenAt: row.last_seen_at,
      expiresAt: row.expires_at,
    };
    this.remember(key, session);
    return session;
  }

  /**
   * Replaces a session's agent (display name and groups read again from the directory); the remembered copy follows.
   * Nothing happens when the session is gone meanwhile (signed out by a concurrent request).
   */
  updateAgent(token: string, agent: Agent): void {
    const key = sessionKey(token);
    const { changes } = this.sql('UPDATE sessions SET agent = ? WHERE token_hash = ?').run(JSON.stringify(agent), key);
    const session = this.live.get(key);
    if (Number(changes) === 0) this.live.delete(key);
    else if (session) this.remember(key, { ...session, agent });
  }

  revoke(token: string): void {
    const key = sessionKey(token);
    this.live.delete(key);
    this.sql('DELETE FROM sessions WHERE token_hash = ?').run(key);
  }

  /** Removes expired sessions; returns how many. */
  sweep(): number {
    const t = this.now();
    for (const [key, session] of this.live) if (session.expiresAt <= t) this.live.delete(key);
    return Number(this.sql('DELETE FROM sessions WHERE expires_at <= ?').run(t).changes);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
