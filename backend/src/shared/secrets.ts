/**
 * Keys for secrets at rest, resolved once at start-up:
 * - `encryptionKeys`: AES-256-GCM keys for TOTP seeds (`shared/crypto/secret-box.ts`); the first encrypts, all decrypt
 *   (rotation: put the new key first and keep the old ones until nothing is encrypted under them).
 * - `codeKey`: the HMAC key of one-time code hashes (`shared/crypto/one-time-code.ts`).
 *
 * From `secrets:` in the configuration when present. Otherwise generated once into `<dataDir>/secrets.json`
 * (mode 0600) with a warning, and read from there on every later start (so encrypted seeds stay readable).
 * Never logged: only key ids are.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { type EncryptionKey, parseEncryptionKey } from './crypto/secret-box';

/** Injection token: `@Inject(SECRETS) secrets: AppSecrets`. */
export const SECRETS = Symbol('SECRETS');

export type AppSecrets = {
  /** First = current (encrypts); all decrypt. */
  encryptionKeys: EncryptionKey[];
  codeKey: Buffer;
};

export const SECRETS_FILE = 'secrets.json';

type SecretsFile = { encryptionKeys: { id: string; key: string }[]; codeKey: string };

export class SecretsFileError extends Error {
  override readonly name = 'SecretsFileError';
}

function fromFile(file: string): AppSecrets {
  let parsed: SecretsFile;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as SecretsFile;
  } catch (err) {
    throw new SecretsFileError(`${file}: cannot read the generated secrets (${(err as Error).message})`);
  }
  if (
    !Array.isArray(parsed?.encryptionKeys) ||
    parsed.encryptionKeys.length === 0 ||
    typeof parsed.codeKey !== 'string'
  )
    throw new SecretsFileError(`${file}: must have encryptionKeys [{ id, key }] and codeKey`);
  try {
    const encryptionKeys = parsed.encryptionKeys.map((k) => parseEncryptionKey(k.id, k.key));
    const codeKey = Buffer.from(parsed.codeKey, 'base64');
    if (codeKey.length < 32) throw new RangeError('codeKey must be at least 32 bytes');
    return { encryptionKeys, codeKey };
  } catch (err) {
    throw new SecretsFileError(`${file}: ${(err as Error).message}`);
  }
}

/**
 * The configured secrets, or those of `<dataDir>/secrets.json` (generated on first use). `warn` is told when the
 * file is generated or used, so an operator knows to configure and back up the keys.
 */
export function resolveSecrets(
  config: Pick<AppConfig, 'secrets' | 'dataDir'>,
  warn: (message: string) => void = () => undefined,
): AppSecrets {
  if (config.secrets) {
    return {
      encryptionKeys: config.secrets.encryptionKeys.map((k) => parseEncryptionKey(k.id, k.key.reveal())),
      codeKey: Buffer.from(config.secrets.codeKey.reveal().trim(), 'base64'),
    };
  }
  const file = join(config.dataDir, SECRETS_FILE);
  if (existsSync(file)) {
    const mode = statSync(file).mode & 0o777;
    if (mode & 0o077) {
      chmodSync(file, 0o600);
      warn(`${file} was readable by others (mode ${mode.toString(8)}); set to 0600`);
    }
    warn(`using the generated keys in ${file} (no secrets: section in the configuration); back this file up`);
    return fromFile(file);
  }
  mkdirSync(config.dataDir, { recursive: true });
  const content: SecretsFile = {
    encryptionKeys: [
      { id: `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`, key: randomBytes(32).toString('base64') },
    ],
    codeKey: randomBytes(32).toString('base64'),
  };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  renameSync(tmp, file);
  warn(
    `no secrets: section in the configuration: generated encryption and code keys into ${file} (mode 0600). ` +
      'Back it up, or move the keys into the configuration (secrets.encryptionKeys, secrets.codeKey).',
  );
  return fromFile(file);
}

/** Provides SECRETS from APP_CONFIG (global). */
@Module({})
export class SecretsModule {
  static forRoot(): DynamicModule {
    return {
      module: SecretsModule,
      global: true,
      providers: [
        {
          provide: SECRETS,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => {
            const log = new Logger('Secrets');
            const secrets = resolveSecrets(config, (m) => log.warn(m));
            log.log(
              `encryption keys: ${secrets.encryptionKeys.map((k) => k.id).join(', ')} (current ${secrets.encryptionKeys[0].id})`,
            );
            return secrets;
          },
        },
      ],
      exports: [SECRETS],
    };
  }

  /** Ready-made secrets (tests). */
  static forSecrets(secrets: AppSecrets): DynamicModule {
    return {
      module: SecretsModule,
      global: true,
      providers: [{ provide: SECRETS, useValue: secrets }],
      exports: [SECRETS],
    };
  }
}
