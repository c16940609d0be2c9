/**
 * Secrets encrypted at rest (TOTP seeds) with AES-256-GCM and a 32-byte key from configuration.
 * Versioned, self-describing format (all parts base64url):
 *
 *   enc.v1.<keyId>.<12-byte iv>.<ciphertext>.<16-byte tag>
 *
 * The key id allows key rotation (decrypt with any configured key, encrypt with the current one).
 * An optional context (e.g. `enrollment/<storeId>/<userId>`) is bound as additional authenticated data,
 * so a ciphertext copied to another user's enrollment does not decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export type EncryptionKey = { id: string; key: Buffer };

export class SecretDecryptionError extends Error {
  override readonly name = 'SecretDecryptionError';
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const TOKEN = /^enc\.v1\.([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]*)\.([A-Za-z0-9_-]{22})$/;

function checkKey(key: EncryptionKey): void {
  if (!KEY_ID.test(key.id)) throw new RangeError('Encryption key id must be 1-32 characters of [A-Za-z0-9_-]');
  if (!Buffer.isBuffer(key.key) || key.key.length !== 32) throw new RangeError('Encryption key must be 32 bytes');
}

/** Parses a configured key: 32 bytes as base64 or base64url (e.g. `openssl rand -base64 32`). */
export function parseEncryptionKey(id: string, encoded: string): EncryptionKey {
  const key = { id, key: Buffer.from(encoded.trim(), 'base64') };
  checkKey(key);
  return key;
}

const aad = (keyId: string, context: string) => Buffer.from(`unlockdesk.secret.v1|${keyId}|${context}`, 'utf8');

export function encryptSecret(plaintext: string, key: EncryptionKey, context = ''): string {
  checkKey(key);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(aad(key.id, context));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    'enc',
    'v1',
    key.id,
    iv.toString('base64url'),
    ciphertext.toString('base64url'),
    tag.toString('base64url'),
  ].join('.');
}

export function decryptSecret(token: string, keys: EncryptionKey | readonly EncryptionKey[], context = ''): string {
  const m = typeof token === 'string' ? TOKEN.exec(token) : null;
  if (!m) throw new SecretDecryptionError('Not an encrypted secret (expected enc.v1.…)');
  const keyId = m[1] as string;
  const key = (Array.isArray(keys) ? keys : [keys as EncryptionKey]).find((k) => k.id === keyId);
  if (!key) throw new SecretDecryptionError(`No configured encryption key with id ${keyId}`);
  checkKey(key);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(m[2] as string, 'base64url'), {
      authTagLength: 16,
    });
    decipher.setAAD(aad(keyId, context));
    decipher.setAuthTag(Buffer.from(m[4] as string, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(m[3] as string, 'base64url')), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw new SecretDecryptionError('The secret could not be decrypted (wrong key, wrong context or tampered)');
  }
}

export function isEncryptedSecret(value: unknown): value is string {
  return typeof value === 'string' && TOKEN.test(value);
}
