import { timingSafeEqual } from 'node:crypto';
import {
  type CanActivate,
  createParamDecorator,
  type ExecutionContext,
  ForbiddenException,
  HttpException,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { clearSessionCookie, readCookie, SESSION_COOKIE } from './cookies';
import { requestContext, SessionService } from './session.service';
import type { Session } from './session-store';

export type AuthenticatedRequest = Request & { session: Session; sessionToken: string };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Constant-time comparison of the CSRF header with the session's token. */
function sameToken(header: string | string[] | undefined, expected: string): boolean {
  if (typeof header !== 'string') return false;
  const a = Buffer.from(header);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Requires a live agent session (cookie) and, for state-changing requests, the session's CSRF token in the
 * `X-CSRF-Token` header (the cookie alone is never enough to change anything). The session's agent follows the
 * directory: every `groupsRefreshSeconds` its groups are read again before the request goes on, and an agent the
 * directory no longer lets sign in gets 401 `session-ended` (SessionService.resumeChecked).
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(private readonly sessions: SessionService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = readCookie(req, SESSION_COOKIE);
    const session = token
      ? await this.sessions.resumeChecked(token, requestContext(req)).catch((err: unknown) => {
          // The directory ended the session (401 session-ended): the cookie is worthless now, drop it with the answer.
          if (err instanceof HttpException && err.getStatus() === 401)
            clearSessionCookie(req, context.switchToHttp().getResponse<Response>());
          throw err;
        })
      : undefined;
    if (!token || !session) {
      throw new UnauthorizedException({ statusCode: 401, reason: 'no-session', message: 'Sign in to continue.' });
    }
    if (!SAFE_METHODS.has(req.method) && !sameToken(req.headers['x-csrf-token'], session.csrfToken)) {
      throw new ForbiddenException({
        statusCode: 403,
        reason: 'csrf',
        message: 'Missing or wrong X-CSRF-Token header.',
      });
    }
    req.session = session;
    req.sessionToken = token;
    return true;
  }
}

/** The signed-in agent's session, in a handler guarded by SessionGuard. */
export const CurrentSession = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Session => ctx.switchToHttp().getRequest<AuthenticatedRequest>().session,
);
