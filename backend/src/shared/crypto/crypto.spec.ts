import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { maskEmail, maskPhone } from './mask';
import { normaliseAnswer } from './normalise-answer';
import { generateOneTimeCode, hashOneTimeCode, isOneTimeCodeHash, oneTimeCodeHashesEqual } from './one-time-code';
import {
  decryptSecret,
  encryptSecret,
  isEncryptedSecret,
  parseEncryptionKey,
  SecretDecryptionError,
} from './secret-box';
import { hashSecret, InvalidSecretHashError, isSecretHash, needsRehash, verifySecret } from './secret-hash';
import { base32Decode, base32Encode, generateTotp, hotp, totpUri, verifyTotp } from './totp';

const FAST = { logN: 10, r: 8, p: 1 };

describe('normaliseAnswer', () => {
  it('folds case, collapses and trims whitespace', () => {
    expect(normaliseAnswer('  Fluffy\t the   CAT \n')).toBe('fluffy the cat');
  });
  it('applies NFKC (full-width letters, composed vs decomposed accents, ligatures)', () => {
    expect(normaliseAnswer('Ｆｌｕｆｆｙ')).toBe('fluffy');
    expect(normaliseAnswer('Jose\u0301')).toBe(normaliseAnswer('Jos\u00e9'));
    expect(normaliseAnswer('ﬁsh')).toBe('fish');
  });
  it('folds ß and SS together but keeps accents and punctuation', () => {
    expect(normaliseAnswer('Straße')).toBe(normaliseAnswer('STRASSE'));
    expect(normaliseAnswer('José')).not.toBe(normaliseAnswer('Jose'));
    expect(normaliseAnswer("o'brien")).not.toBe(normaliseAnswer('obrien'));
  });
});

describe('hashSecret / verifySecret (scrypt)', () => {
  it('verifies the right secret and rejects a wrong one', async () => {
    const hash = await hashSecret('fluffy the cat', FAST);
    expect(hash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
    expect(await verifySecret('fluffy the cat', hash)).toBe(true);
    expect(await verifySecret('fluffy the dog', hash)).toBe(false);
    expect(hash).not.toContain('fluffy');
  });
  it('salts: the same secret hashes differently each time', async () => {
    expect(await hashSecret('x', FAST)).not.toBe(await hashSecret('x', FAST));
  });
  it('uses the parameters stored in the hash', async () => {
    const hash = await hashSecret('x', { logN: 11, r: 4, p: 2 });
    expect(hash.startsWith('$scrypt$ln=11,r=4,p=2$')).toBe(true);
    expect(await verifySecret('x', hash)).toBe(true);
    expect(needsRehash(hash)).toBe(true);
    expect(needsRehash(hash, { logN: 11, r: 4, p: 2 })).toBe(false);
  });
  it('rejects malformed or out-of-bounds hash strings instead of running them', async () => {
    const hash = await hashSecret('x', FAST);
    const huge = hash.replace('ln=10', 'ln=30');
    expect(isSecretHash(hash)).toBe(true);
    expect(isSecretHash(huge)).toBe(false);
    expect(isSecretHash('fluffy')).toBe(false);
    await expect(verifySecret('x', huge)).rejects.toBeInstanceOf(InvalidSecretHashError);
    await expect(hashSecret('x', { logN: 40, r: 8, p: 1 })).rejects.toThrow(RangeError);
  });
  it('detects a tampered hash', async () => {
    const hash = await hashSecret('x', FAST);
    const start = hash.lastIndexOf('$') + 1; // first character of the hash part: six data bits
    const flipped = hash[start] === 'A' ? 'B' : 'A';
    expect(await verifySecret('x', hash.slice(0, start) + flipped + hash.slice(start + 1))).toBe(false);
  });
});

describe('encryptSecret / decryptSecret (AES-256-GCM)', () => {
  const key = { id: 'k1', key: randomBytes(32) };
  const other = { id: 'k2', key: randomBytes(32) };
  it('round-trips and does not contain the plaintext', () => {
    const token = encryptSecret('JBSWY3DPEHPK3PXP', key, 'enrollment/ad/alice');
    expect(token).toMatch(/^enc\.v1\.k1\./);
    expect(token).not.toContain('JBSWY3DPEHPK3PXP');
    expect(isEncryptedSecret(token)).toBe(true);
    expect(decryptSecret(token, [other, key], 'enrollment/ad/alice')).toBe('JBSWY3DPEHPK3PXP');
  });
  it('uses a fresh IV each time', () => {
    expect(encryptSecret('s', key)).not.toBe(encryptSecret('s', key));
  });
  it('fails with the wrong key, a missing key id, another context or a tampered ciphertext', () => {
    const token = encryptSecret('secret', key, 'ctx');
    expect(() => decryptSecret(token, { id: 'k1', key: randomBytes(32) }, 'ctx')).toThrow(SecretDecryptionError);
    expect(() => decryptSecret(token, other, 'ctx')).toThrow(/No configured encryption key/);
    expect(() => decryptSecret(token, key, 'other-ctx')).toThrow(SecretDecryptionError);
    const parts = token.split('.');
    const ct = Buffer.from(parts[4] as string, 'base64url');
    ct[0] = (ct[0] as number) ^ 1;
    parts[4] = ct.toString('base64url');
    expect(() => decryptSecret(parts.join('.'), key, 'ctx')).toThrow(SecretDecryptionError);
    expect(() => decryptSecret('plaintext', key)).toThrow(SecretDecryptionError);
  });
  it('accepts only 32-byte keys', () => {
    expect(() => encryptSecret('s', { id: 'k', key: randomBytes(16) })).toThrow(RangeError);
    expect(parseEncryptionKey('main', randomBytes(32).toString('base64')).key).toHaveLength(32);
    expect(() => parseEncryptionKey('main', randomBytes(31).toString('base64'))).toThrow(RangeError);
  });
});

describe('TOTP (RFC 6238)', () => {
  // RFC 6238 Appendix B: 8 digits; seeds are the ASCII strings below.
  const sha1 = Buffer.from('12345678901234567890');
  const sha256 = Buffer.from('12345678901234567890123456789012');
  const sha512 = Buffer.from('1234567890123456789012345678901234567890123456789012345678901234');
  const vectors: [number, string, string, string][] = [
    [59, '94287082', '46119246', '90693936'],
    [1111111109, '07081804', '68084774', '25091201'],
    [1111111111, '14050471', '67062674', '99943326'],
    [1234567890, '89005924', '91819424', '93441116'],
    [2000000000, '69279037', '90698825', '38618901'],
    [20000000000, '65353130', '77737706', '47863826'],
  ];
  it.each(vectors)('matches the RFC 6238 vectors at T=%d', (t, s1, s256, s512) => {
    expect(generateTotp(sha1, t * 1000, { digits: 8 })).toBe(s1);
    expect(generateTotp(sha256, t * 1000, { digits: 8, algorithm: 'sha256' })).toBe(s256);
    expect(generateTotp(sha512, t * 1000, { digits: 8, algorithm: 'sha512' })).toBe(s512);
  });
  it('matches the RFC 4226 HOTP vectors', () => {
    const expected = [
      '755224',
      '287082',
      '359152',
      '969429',
      '338314',
      '254676',
      '287922',
      '162583',
      '399871',
      '520489',
    ];
    expect(expected.map((_, i) => hotp(sha1, i))).toEqual(expected);
  });
  it('accepts the previous, current and next step only, and returns the matched step', () => {
    const now = 1111111111 * 1000; // step 37037037
    const step = Math.floor(1111111111 / 30);
    for (const delta of [-1, 0, 1]) {
      const code = generateTotp(sha1, now + delta * 30_000);
      expect(verifyTotp(sha1, code, now)).toEqual({ valid: true, step: step + delta });
    }
    for (const delta of [-2, 2]) {
      expect(verifyTotp(sha1, generateTotp(sha1, now + delta * 30_000), now).valid).toBe(false);
    }
    expect(verifyTotp(sha1, generateTotp(sha1, now + 60_000), now, { window: 2 }).valid).toBe(true);
  });
  it('rejects malformed codes and accepts spaces people type', () => {
    const now = 59_000;
    const code = generateTotp(sha1, now);
    expect(verifyTotp(sha1, `${code.slice(0, 3)} ${code.slice(3)}`, now).valid).toBe(true);
    expect(verifyTotp(sha1, 'abcdef', now).valid).toBe(false);
    expect(verifyTotp(sha1, `${code}0`, now).valid).toBe(false);
  });
  it('round-trips base32 (RFC 4648 vectors) and builds an otpauth URI', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('mzxw6ytboi======').toString()).toBe('foobar');
    expect(base32Decode(base32Encode(sha1))).toEqual(sha1);
    expect(() => base32Decode('M1')).toThrow(RangeError);
    expect(totpUri(sha1, 'alice@example.test', 'Unlock Desk')).toBe(
      'otpauth://totp/Unlock%20Desk:alice%40example.test?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Unlock+Desk&algorithm=SHA1&digits=6&period=30',
    );
  });
});

describe('one-time codes', () => {
  const key = randomBytes(32);
  it('are 6 digits and vary', () => {
    const codes = Array.from({ length: 200 }, () => generateOneTimeCode());
    for (const c of codes) expect(c).toMatch(/^\d{6}$/);
    expect(new Set(codes).size).toBeGreaterThan(190);
    expect(new Set(codes.map((c) => c[0])).size).toBeGreaterThan(5); // leading zeros are possible
  });
  it('hash deterministically per key and context, never containing the code', () => {
    const h = hashOneTimeCode(key, 'case-1/email', '012345');
    expect(isOneTimeCodeHash(h)).toBe(true);
    expect(h).not.toContain('012345');
    expect(oneTimeCodeHashesEqual(h, hashOneTimeCode(key, 'case-1/email', '012 345'))).toBe(true);
    expect(oneTimeCodeHashesEqual(h, hashOneTimeCode(key, 'case-1/email', '012346'))).toBe(false);
    expect(oneTimeCodeHashesEqual(h, hashOneTimeCode(key, 'case-2/email', '012345'))).toBe(false);
    expect(oneTimeCodeHashesEqual(h, hashOneTimeCode(randomBytes(32), 'case-1/email', '012345'))).toBe(false);
    expect(oneTimeCodeHashesEqual(h, 'otc.v1.x')).toBe(false);
    expect(() => hashOneTimeCode(randomBytes(8), 'c', '1')).toThrow(RangeError);
  });
});

describe('masking', () => {
  it('masks e-mail addresses to the first character and the domain', () => {
    expect(maskEmail('john.doe@example.com')).toBe('j***@example.com');
    expect(maskEmail('j@Example.COM')).toBe('j***@example.com');
    expect(maskEmail('not-an-address')).toBe('***');
  });
  it('masks phone numbers to the last two digits', () => {
    expect(maskPhone('+1 (555) 123-4512')).toBe('***-**12');
    expect(maskPhone('+447700900598')).toBe('***-**98');
    expect(maskPhone('12')).toBe('***-**');
  });
});
