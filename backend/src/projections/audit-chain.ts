import { hash } from 'node:crypto';

/**
 * The tamper-evident audit chain. Every event, in global order, gets
 *
 *   hash = sha256_hex(prevHash + canonicalJson({ position, id, type, stream, time, data, metadata }))
 *
 * with `prevHash` the previous event's hash (GENESIS_HASH for the first), `position` a decimal string, `time` an ISO
 * 8601 UTC string with milliseconds, and `data`/`metadata` as exported (after redaction, below). Canonical JSON:
 * object keys sorted by code point at every level, no whitespace, strings and numbers as JSON.stringify writes them.
 * `scripts/verify-audit-export.mjs` recomputes exactly this from an export, with no access to the server.
 *
 * Redaction: values under keys that hold protected material (answer hashes, code hashes, encrypted authenticator
 * seeds, and anything named like a password, secret or token) are replaced by `"[redacted sha256:<hex>]"`, the
 * SHA-256 of their JSON. Events never carry a secret in clear, but an export leaves the building: an offline-crackable
 * scrypt hash of a short answer does not belong in it. The digest still ties the export to the stored event.
 */
export const GENESIS_HASH = '0'.repeat(64);

const REDACTED_KEYS = new Set(
  [
    'answerHash',
    'codeHash',
    // Kiosk registry: the one-time activation code's keyed hash (as codeHash), the device token's hash.
    'activationCodeHash',
    'deviceTokenHash',
    'encryptedSecret',
    'password',
    'secret',
    'token',
    'csrfToken',
    'sessionToken',
    'answer',
    'code',
    'seed',
    'otp',
  ].map((k) => k.toLowerCase()),
);

/** One-shot (crypto.hash): a createHash object per audit row cost more than hashing the row. */
const sha256 = (text: string) => hash('sha256', text, 'hex');

export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      REDACTED_KEYS.has(k.toLowerCase()) && v !== null ? `[redacted sha256:${sha256(JSON.stringify(v))}]` : redact(v);
  }
  return out;
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    const s = JSON.stringify(value);
    return s === undefined ? 'null' : s;
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

export interface ChainRecord {
  position: string;
  id: string;
  type: string;
  stream: string;
  time: string;
  data: unknown;
  metadata: unknown;
}

export function chainHash(prevHash: string, record: ChainRecord): string {
  const { position, id, type, stream, time, data, metadata } = record;
  return sha256(prevHash + canonicalJson({ position, id, type, stream, time, data, metadata }));
}

/**
 * chainHash with `data` and `metadata` given as their canonical JSON (the projection stores those strings too, so it
 * serialises them once). The same bytes as chainHash: the record's keys in code-point order, its strings as
 * JSON.stringify writes them.
 */
export function chainHashCanonical(
  prevHash: string,
  record: Omit<ChainRecord, 'data' | 'metadata'>,
  canonicalData: string,
  canonicalMetadata: string,
): string {
  const j = JSON.stringify;
  return sha256(
    `${prevHash}{"data":${canonicalData},"id":${j(record.id)},"metadata":${canonicalMetadata},"position":${j(
      record.position,
    )},"stream":${j(record.stream)},"time":${j(record.time)},"type":${j(record.type)}}`,
  );
}
