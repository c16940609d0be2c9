/**
 * HOTP (RFC 4226) and TOTP (RFC 6238): generation and verification with a ±window of time steps.
 * `verifyTotp` returns the matched time step so callers can refuse a replay of an already-accepted code
 * (RFC 6238 §5.2: the verifier must not accept the second attempt of the same OTP).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type TotpAlgorithm = 'sha1' | 'sha256' | 'sha512';
export type TotpOptions = { digits?: number; period?: number; algorithm?: TotpAlgorithm; t0?: number };

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Encode(data: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of data) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes RFC 4648 base32, case-insensitive, ignoring spaces, hyphens and `=` padding. */
export function base32Decode(text: string): Buffer {
  const clean = text.replace(/[\s=-]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const ch of clean) {
    const idx = BASE32.indexOf(ch);
    if (idx < 0) throw new RangeError('Invalid base32 character');
    value = ((value << 5) | idx) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function hotp(secret: Buffer, counter: number, digits = 6, algorithm: TotpAlgorithm = 'sha1'): string {
  if (!Number.isInteger(digits) || digits < 6 || digits > 10) throw new RangeError('digits must be 6..10');
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac(algorithm, secret).update(msg).digest();
  const offset = (mac[mac.length - 1] as number) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

export function totpStep(atMs: number, options: TotpOptions = {}): number {
  const period = options.period ?? 30;
  return Math.floor((Math.floor(atMs / 1000) - (options.t0 ?? 0)) / period);
}

export function generateTotp(secret: Buffer, atMs: number, options: TotpOptions = {}): string {
  return hotp(secret, totpStep(atMs, options), options.digits ?? 6, options.algorithm ?? 'sha1');
}

export type TotpVerification = { valid: true; step: number } | { valid: false };

/** Accepts the code for the current step and `window` steps either side (default ±1). */
export function verifyTotp(
  secret: Buffer,
  code: string,
  atMs: number,
  options: TotpOptions & { window?: number } = {},
): TotpVerification {
  const digits = options.digits ?? 6;
  const submitted = String(code).replace(/[\s-]/g, '');
  if (!new RegExp(`^\\d{${digits}}$`).test(submitted)) return { valid: false };
  const current = totpStep(atMs, options);
  const window = options.window ?? 1;
  let match: number | undefined;
  // Check every step in the window (no early exit) so timing does not reveal which one matched.
  for (let step = current - window; step <= current + window; step += 1) {
    if (step < 0) continue;
    const expected = hotp(secret, step, digits, options.algorithm ?? 'sha1');
    if (timingSafeEqual(Buffer.from(expected), Buffer.from(submitted)) && match === undefined) match = step;
  }
  return match === undefined ? { valid: false } : { valid: true, step: match };
}

/** The otpauth:// URI authenticator apps read from a QR code. */
export function totpUri(secret: Buffer, account: string, issuer: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const params = new URLSearchParams({
    secret: base32Encode(secret),
    issuer,
    algorithm: 'SHA1',
    digits: '6',
    period: '30',
  });
  return `otpauth://totp/${label}?${params.toString()}`;
}
