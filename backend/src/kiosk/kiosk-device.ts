/**
 * The kiosk device's credentials: a random device token in the `ud_kiosk` cookie (HttpOnly, SameSite=Strict, Path
 * /api/kiosk), known to the server only by its hash; the CSRF token the device sends in `X-Kiosk-CSRF` is derived from
 * the device token with the server key (nothing more to store, the same after a restart). Codes are drawn from an
 * unambiguous alphabet; activation codes are looked up by a keyed hash, like one-time codes.
 */
import { createHmac, hash, randomBytes, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { hashOneTimeCode } from '../shared/crypto/one-time-code';
import type { RequestActor } from '../shared/http/request-metadata';
import { SESSION_CODE_ALPHABET, SESSION_CODE_LENGTH } from './kiosk-session.decider';

export const KIOSK_COOKIE = 'ud_kiosk';
export const KIOSK_COOKIE_PATH = '/api/kiosk';
export const KIOSK_CSRF_HEADER = 'x-kiosk-csrf';
export const ACTIVATION_CODE_LENGTH = 8;

export function randomCode(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += SESSION_CODE_ALPHABET[randomInt(0, SESSION_CODE_ALPHABET.length)];
  return out;
}
export const newActivationCode = () => randomCode(ACTIVATION_CODE_LENGTH);
export const newSessionCode = () => randomCode(SESSION_CODE_LENGTH);

/** What people add or get wrong when typing a code: case, spaces, hyphens. */
export const normaliseCode = (code: string) => code.replace(/[\s-]/g, '').toUpperCase();

export const activationCodeHash = (key: Buffer, code: string) =>
  hashOneTimeCode(key, 'kiosk-activation', normaliseCode(code));

export const newDeviceToken = () => randomBytes(32).toString('base64url');
export const deviceTokenHash = (token: string) => hash('sha256', token, 'base64url');
export const deviceCsrfToken = (key: Buffer, token: string) =>
  createHmac('sha256', key).update(`unlockdesk.kiosk-csrf.v1\n${token}`).digest('base64url');

export function sameSecret(header: unknown, expected: string): boolean {
  if (typeof header !== 'string') return false;
  const a = Buffer.from(header);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function setKioskCookie(req: Request, res: Response, token: string): void {
  res.cookie(KIOSK_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: req.secure,
    path: KIOSK_COOKIE_PATH,
    maxAge: 5 * 365 * 24 * 3600_000,
  });
}

export function clearKioskCookie(req: Request, res: Response): void {
  res.clearCookie(KIOSK_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: KIOSK_COOKIE_PATH });
}

/** The kiosk as the actor of what is recorded from it: actor `kiosk:<kioskId>`, client `kiosk`. */
export function kioskActor(kiosk: { kioskId: string; name: string }, req: Request): RequestActor {
  const header = req.get('x-correlation-id');
  return {
    actor: `kiosk:${kiosk.kioskId}`,
    actorName: kiosk.name,
    client: 'kiosk',
    kioskId: kiosk.kioskId,
    ip: req.ip ?? 'unknown',
    userAgent: req.get('user-agent') ?? '',
    correlationId: header && /^[A-Za-z0-9._-]{1,100}$/.test(header) ? header : randomUUID(),
  };
}

/**
 * What is recorded of a typed name that matches no account: its first character and length only. People often type
 * their password into a username field; the event store keeps what it is given for good, and agents (who see waiting
 * sessions) and auditors do not need the rest to tell a person "no account has that name, try again".
 */
export function maskUnknownUsername(typed: string): string {
  const chars = [...typed];
  return chars.length <= 1 ? '…' : `${chars[0]}… (${chars.length} characters)`;
}
