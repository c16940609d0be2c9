import { HttpException, HttpStatus, Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { Request } from 'express';
import type { EventStore } from '../event-store/event-store';
import { EVENT_STORE } from '../event-store/event-store.module';
import { AGENT_DIRECTORY, type AgentDirectory, type AgentSignInResult } from './agent-directory';
import { RateLimiter } from './rate-limiter';
import { type Session, SessionStore, sessionKey } from './session-store';
import {
  agentActor,
  agentStream,
  type SessionEndReason,
  SIGN_IN_EVENT_SCHEMA_VERSIONS,
  type SignInEvent,
} from './sign-in-events';

export const SESSION_STORE = Symbol('SessionStore');
/** How often (ms) a session's agent is read again from the directory; SessionModule's `groupsRefreshSeconds`. */
export const GROUPS_REFRESH_MS = Symbol('GroupsRefreshMs');

export type RequestContext = { ip: string; userAgent: string };

export const requestContext = (req: Request): RequestContext => ({
  ip: req.ip ?? 'unknown',
  userAgent: req.get('user-agent') ?? '',
});

const unrecorded = () =>
  new HttpException(
    {
      statusCode: 503,
      reason: 'event-store-unavailable',
      message: 'The sign-in could not be recorded. Try again in a moment.',
    },
    HttpStatus.SERVICE_UNAVAILABLE,
  );

/** What an agent's sign-in failure looks like to the client: a reason code and a message fit to show. */
const failureMessages: Record<Exclude<AgentSignInResult['outcome'], 'ok'>, string> = {
  'invalid-credentials': 'Wrong username or password.',
  locked: 'Your account is locked in the directory. Ask another agent or an administrator to unlock it.',
  disabled: 'Your account is disabled in the directory.',
  'password-must-change': 'You must change your password before you can sign in.',
  'password-expired': 'Your password has expired. Change it before you can sign in.',
  'unknown-store': 'No such identity store.',
  unavailable: 'The directory cannot be reached right now. Try again in a moment.',
};

/** The answer to a request whose session the directory check has just ended (the admin app shows the message). */
const sessionEnded = () =>
  new HttpException(
    { statusCode: 401, reason: 'session-ended', message: 'Your directory account changed; sign in again.' },
    HttpStatus.UNAUTHORIZED,
  );

/** At most this many sessions' last directory checks are remembered (forgetting one only means an early check). */
const MAX_CHECKED = 10_000;

@Injectable()
export class SessionService implements OnModuleDestroy {
  /** Per client address: 20 failed sign-ins in 5 minutes. */
  private readonly byIp = new RateLimiter(20, 5 * 60_000);
  /** Per account: 5 failed sign-ins in 5 minutes (below a typical directory lockout threshold). */
  private readonly byAccount = new RateLimiter(5, 5 * 60_000);
  private readonly sweeper: NodeJS.Timeout;

  private readonly logger = new Logger('Session');

  /**
   * When each session's agent was last read from the directory (sign-in or refresh), by session key (the token's
   * hash, like the session store: a heap dump hands out no live session). In memory only: after a restart every
   * session is checked on its next request.
   */
  private readonly checkedAt = new Map<string, number>();
  /** Directory checks under way, by session key: concurrent requests of one session wait for the same one. */
  private readonly refreshing = new Map<string, Promise<Session>>();

  constructor(
    @Inject(AGENT_DIRECTORY) private readonly directory: AgentDirectory,
    @Inject(SESSION_STORE) private readonly sessions: SessionStore,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(GROUPS_REFRESH_MS) private readonly groupsRefreshMs: number,
  ) {
    this.sweeper = setInterval(() => this.sessions.sweep(), 60_000);
    this.sweeper.unref();
  }

  signInStores() {
    return this.directory.signInStores();
  }

  async signIn(
    storeId: string | undefined,
    username: string,
    password: string,
    ctx: RequestContext,
  ): Promise<{ token: string; session: Session }> {
    const accountKey = `${storeId ?? '*'}:${username.trim().toLowerCase()}`;
    const wait = Math.max(this.byIp.retryAfterMs(ctx.ip), this.byAccount.retryAfterMs(accountKey));
    if (wait > 0) {
      throw new HttpException(
        {
          statusCode: 429,
          reason: 'rate-limited',
          message: 'Too many failed sign-ins. Try again later.',
          retryAfterSeconds: Math.ceil(wait / 1000),
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    // Charged before the directory is asked, so that parallel guesses cannot all get through before the first
    // failure is counted; taken back below when the attempt turns out not to count (success, directory down, bad store).
    this.byIp.fail(ctx.ip);
    this.byAccount.fail(accountKey);
    const forgive = () => {
      this.byIp.forgive(ctx.ip);
      this.byAccount.forgive(accountKey);
    };
    const result = await this.directory.signIn(storeId, username.trim(), password);
    if (result.outcome === 'ok') {
      forgive();
      this.byAccount.reset(accountKey);
      const { agent } = result;
      await this.record(agentStream(agent.storeId, agent.username), ctx, agentActor(agent), {
        type: 'AgentSignedIn',
        data: {
          subject: { storeId: agent.storeId, userId: agent.userId },
          username: agent.username,
          displayName: agent.displayName,
          groups: agent.groups,
          outcome: 'success',
        },
      });
      const created = this.sessions.create(agent);
      this.checked(sessionKey(created.token));
      return created;
    }
    if (result.outcome !== 'unknown-store') {
      await this.record(agentStream(storeId, username), ctx, `anonymous:${ctx.ip}`, {
        type: 'AgentSignInFailed',
        data: { storeId: storeId ?? null, username: username.trim(), outcome: 'failed', reason: result.outcome },
      });
    }
    if (result.outcome === 'unavailable' || result.outcome === 'unknown-store') forgive();
    if (result.outcome === 'unavailable') {
      throw new HttpException(
        { statusCode: 503, reason: result.outcome, message: failureMessages.unavailable },
        HttpStatus.SERVICE_UNAVAILABLE,
      );
    }
    if (result.outcome === 'unknown-store') {
      throw new HttpException(
        { statusCode: 400, reason: result.outcome, message: [`storeId: ${failureMessages['unknown-store']}`] },
        HttpStatus.BAD_REQUEST,
      );
    }
    throw new HttpException(
      { statusCode: 401, reason: result.outcome, message: failureMessages[result.outcome] },
      HttpStatus.UNAUTHORIZED,
    );
  }

  /**
   * The live session for a token, as stored: no directory check and no extension of its idle time (health routes use
   * this to decide how much to show, see session-check.ts; a monitor polling with a cookie keeps no session alive).
   */
  peek(token: string): Session | undefined {
    return this.sessions.peek(token);
  }

  /**
   * The live session for a token, its agent read again from the directory when the last read is at least
   * `groupsRefreshMs` old (SessionGuard, every guarded request). The directory decides:
   *   ok           the session continues with the current groups (stored, so a removed group applies at once);
   *   gone, disabled, locked
   *                the session is revoked, AgentSessionEnded recorded, and the request answered 401 session-ended;
   *   unavailable  the session continues with the groups it has (warning logged); tried again after a tenth of the
   *                interval (at least 10 s), not on every request.
   */
  async resumeChecked(token: string, ctx: RequestContext): Promise<Session | undefined> {
    const key = sessionKey(token);
    const session = this.sessions.touch(token, key);
    if (!session) {
      this.checkedAt.delete(key);
      return undefined;
    }
    const last = this.checkedAt.get(key);
    if (last !== undefined && Date.now() - last < this.groupsRefreshMs) return session;
    let pending = this.refreshing.get(key);
    if (!pending) {
      pending = this.refresh(token, key, session, ctx).finally(() => this.refreshing.delete(key));
      this.refreshing.set(key, pending);
    }
    return pending;
  }

  private async refresh(token: string, key: string, session: Session, ctx: RequestContext): Promise<Session> {
    const { agent } = session;
    const result = await this.directory.refresh(agent);
    switch (result.outcome) {
      case 'ok':
        this.checked(key);
        if (JSON.stringify(result.agent) === JSON.stringify(agent)) return session;
        this.sessions.updateAgent(token, result.agent);
        return { ...session, agent: result.agent };
      case 'unavailable':
        // Not retried on every request: each try waits for the directory's timeout, which would stall every request
        // of every agent during an outage. Try again after a tenth of the interval (at least 10 s).
        this.checked(key, Date.now() - this.groupsRefreshMs + Math.max(10_000, this.groupsRefreshMs / 10));
        this.logger.warn(
          `could not check ${agentActor(agent)} (${agent.username}) in the directory, the session keeps its groups: ${result.message}`,
        );
        return session;
      default:
        await this.end(token, session, result.outcome, result.message, ctx);
        throw sessionEnded();
    }
  }

  /** Revokes a session the directory no longer allows and records why (the session is gone even if that fails). */
  private async end(
    token: string,
    { agent }: Session,
    reason: SessionEndReason,
    detail: string,
    ctx: RequestContext,
  ): Promise<void> {
    this.sessions.revoke(token);
    this.checkedAt.delete(sessionKey(token));
    this.logger.log(`ended the session of ${agentActor(agent)} (${agent.username}): ${detail}`);
    await this.record(agentStream(agent.storeId, agent.username), ctx, 'system', {
      type: 'AgentSessionEnded',
      data: { subject: { storeId: agent.storeId, userId: agent.userId }, username: agent.username, reason, detail },
    }).catch(() => undefined); // logged by record()
  }

  private checked(key: string, at = Date.now()): void {
    if (this.checkedAt.size >= MAX_CHECKED && !this.checkedAt.has(key)) this.checkedAt.clear();
    this.checkedAt.set(key, at);
  }

  async signOut(token: string, session: Session, ctx: RequestContext): Promise<void> {
    const { agent } = session;
    this.sessions.revoke(token);
    this.checkedAt.delete(sessionKey(token));
    await this.record(agentStream(agent.storeId, agent.username), ctx, agentActor(agent), {
      type: 'AgentSignedOut',
      data: { subject: { storeId: agent.storeId, userId: agent.userId }, username: agent.username },
    }).catch(() => undefined); // the session is gone either way; a lost sign-out fact is logged by record()
  }

  /** Appends a sign-in fact; the caller fails with 503 when it cannot be recorded (never a silent loss). */
  private async record(stream: string, ctx: RequestContext, actor: string, event: SignInEvent): Promise<void> {
    try {
      await this.events.append(stream, [
        {
          type: event.type,
          data: event.data,
          metadata: {
            actor,
            client: 'admin',
            ip: ctx.ip,
            userAgent: ctx.userAgent,
            schemaVersion: SIGN_IN_EVENT_SCHEMA_VERSIONS[event.type],
          },
        },
      ]);
    } catch (err) {
      this.logger.error(`could not record ${event.type}: ${err instanceof Error ? err.message : String(err)}`);
      throw unrecorded();
    }
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
    this.sessions.close();
  }
}
