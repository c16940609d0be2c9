/**
 * One-time verification codes sent by email/SMS: 6 random digits from the CSPRNG, stored only as a keyed hash.
 *
 * The hash is HMAC-SHA256 under a server key (a pepper from configuration) over a context (the case and
 * channel) and the code. A salted password hash would not help here: a 6-digit code has 10^6 values, so
 * only a key the attacker does not have makes a leaked hash useless. The hash is deterministic, so the
 * command handler hashes what the user typed and the (pure) case decider compares hashes in constant time.
 *
 *   otc.v1.<base64url HMAC>
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

export function generateOneTimeCode(digits = 6): string {
  if (!Number.isInteger(digits) || digits < 6 || digits > 10) throw new RangeError('digits must be 6..10');
  // randomInt's upper bound must be <= 2^48; 10^10 is fine.
  return String(randomInt(0, 10 ** digits)).padStart(digits, '0');
}

/** Strips what people add when reading a code back: spaces and hyphens ("123 456", "123-456"). */
export function normaliseOneTimeCode(code: string): string {
  return String(code).replace(/[\s-]/g, '');
}

export function hashOneTimeCode(key: Buffer, context: string, code: string): string {
  if (!Buffer.isBuffer(key) || key.length < 32) throw new RangeError('The one-time code key must be at least 32 bytes');
  const mac = createHmac('sha256', key)
    .update(`unlockdesk.otc.v1\n${context}\n${normaliseOneTimeCode(code)}`)
    .digest();
  return `otc.v1.${mac.toString('base64url')}`;
}

export function isOneTimeCodeHash(value: unknown): value is string {
  return typeof value === 'string' && /^otc\.v1\.[A-Za-z0-9_-]{43}$/.test(value);
}

/** Constant-time equality of two code hashes (false for anything malformed). */
export function oneTimeCodeHashesEqual(a: string, b: string): boolean {
  if (!isOneTimeCodeHash(a) || !isOneTimeCodeHash(b)) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
