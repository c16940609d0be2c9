import type { Request } from 'express';
import { readCookie, SESSION_COOKIE } from './cookies';

/**
 * For public routes that show more to a signed-in agent (health details): whether the request carries a live session.
 * A token, not SessionService, so that modules the session depends on (the event store's) can use it without an
 * import cycle. SessionModule provides it; without SessionModule every request counts as anonymous.
 */
export const SESSION_CHECK = Symbol('SESSION_CHECK');

export interface SessionCheck {
  /** The live session for the token, if any, without extending it. */
  peek(token: string): unknown;
}

export function hasSession(req: Request, sessions: SessionCheck | undefined): boolean {
  const token = readCookie(req, SESSION_COOKIE);
  return !!token && !!sessions?.peek(token);
}
