/**
 * Salted, memory-hard hashes of secrets (security-question answers) with scrypt, in a PHC-style string that
 * carries its own parameters so they can be raised later without breaking old hashes:
 *
 *   $scrypt$ln=15,r=8,p=1$<salt, base64>$<hash, base64>
 *
 * Parameters read from a stored string are bounded, so an imported hash cannot make verification exhaust
 * memory or CPU.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export type ScryptParams = { logN: number; r: number; p: number };

/** N = 2^15, r = 8, p = 1: 32 MiB and tens of milliseconds per hash (OWASP's scrypt baseline is N=2^17 r=8 p=1). */
export const DEFAULT_SCRYPT_PARAMS: ScryptParams = { logN: 15, r: 8, p: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const LIMITS = { logN: [10, 20], r: [1, 32], p: [1, 16] } as const;

export class InvalidSecretHashError extends Error {
  override readonly name = 'InvalidSecretHashError';
}

type Parsed = ScryptParams & { salt: Buffer; hash: Buffer };

const PATTERN = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{22,88})\$([A-Za-z0-9+/]{22,88})$/;

function parse(encoded: string): Parsed | undefined {
  const m = typeof encoded === 'string' ? PATTERN.exec(encoded) : null;
  if (!m) return undefined;
  const [logN, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const within = (v: number, [lo, hi]: readonly [number, number]) => v >= lo && v <= hi;
  if (!within(logN, LIMITS.logN) || !within(r, LIMITS.r) || !within(p, LIMITS.p)) return undefined;
  const salt = Buffer.from(m[4] as string, 'base64');
  const hash = Buffer.from(m[5] as string, 'base64');
  if (salt.length < SALT_BYTES || hash.length < 16) return undefined;
  return { logN, r, p, salt, hash };
}

function checkParams(params: ScryptParams): void {
  const ok =
    Number.isInteger(params.logN) &&
    Number.isInteger(params.r) &&
    Number.isInteger(params.p) &&
    params.logN >= LIMITS.logN[0] &&
    params.logN <= LIMITS.logN[1] &&
    params.r >= LIMITS.r[0] &&
    params.r <= LIMITS.r[1] &&
    params.p >= LIMITS.p[0] &&
    params.p <= LIMITS.p[1];
  if (!ok) throw new RangeError(`scrypt parameters out of range: ${JSON.stringify(params)}`);
}

function derive(secret: string, salt: Buffer, params: ScryptParams, length: number): Promise<Buffer> {
  const N = 2 ** params.logN;
  const maxmem = 128 * N * params.r * params.p * 2 + 1024 * 1024;
  return new Promise((resolve, reject) =>
    scrypt(secret.normalize('NFC'), salt, length, { N, r: params.r, p: params.p, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

const b64 = (buf: Buffer) => buf.toString('base64').replace(/=+$/, '');

export async function hashSecret(secret: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): Promise<string> {
  checkParams(params);
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(secret, salt, params, KEY_BYTES);
  return `$scrypt$ln=${params.logN},r=${params.r},p=${params.p}$${b64(salt)}$${b64(hash)}`;
}

/** Constant-time comparison against a stored hash. Throws InvalidSecretHashError for a malformed hash. */
export async function verifySecret(secret: string, encoded: string): Promise<boolean> {
  const parsed = parse(encoded);
  if (!parsed) throw new InvalidSecretHashError('Not a valid scrypt hash string');
  const candidate = await derive(secret, parsed.salt, parsed, parsed.hash.length);
  return timingSafeEqual(candidate, parsed.hash);
}

/** A syntactic check: does this look like a hash this module wrote (and would verify)? */
export function isSecretHash(value: unknown): value is string {
  return typeof value === 'string' && parse(value) !== undefined;
}

/** True when a stored hash uses weaker parameters than `params` (rehash after the next successful verify). */
export function needsRehash(encoded: string, params: ScryptParams = DEFAULT_SCRYPT_PARAMS): boolean {
  const parsed = parse(encoded);
  if (!parsed) return true;
  return parsed.logN < params.logN || parsed.r < params.r || parsed.p < params.p;
}
