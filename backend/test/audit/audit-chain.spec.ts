import { describe, expect, it } from '@jest/globals';
import { canonicalJson, chainHash, chainHashCanonical, redact } from '../../src/projections/audit-chain';

describe('audit chain hash from canonical strings', () => {
  it('is the same hash as chainHash over the record', () => {
    const records = [
      { data: { b: 1, a: [{ z: 'é', y: null }], codeHash: '[redacted sha256:00]' }, metadata: { actor: 'x:y', n: 2 } },
      { data: null, metadata: {} },
      { data: 'text "quoted"\n', metadata: { schemaVersion: 1, ip: '192.0.2.1' } },
      { data: [1, 2.5, true], metadata: { '\u00e9': 1, A: 2, a: 3 } },
    ];
    for (const [i, r] of records.entries()) {
      const fields = {
        position: String(i + 1),
        id: `id-${i}`,
        type: 'T"ype',
        stream: 'case-1',
        time: '2030-01-01T00:00:00.000Z',
      };
      expect(chainHashCanonical('ab'.repeat(32), fields, canonicalJson(r.data), canonicalJson(r.metadata))).toBe(
        chainHash('ab'.repeat(32), { ...fields, ...r }),
      );
    }
  });
});

describe('audit redaction', () => {
  it("redacts a kiosk's activation code hash and device token hash like code hashes", () => {
    const data = {
      kioskId: 'k1',
      activationCodeHash: 'otc.v1.abc',
      deviceTokenHash: 'def',
      codeHash: 'otc.v1.ghi',
      name: 'Lobby',
    };
    const out = redact(data) as Record<string, unknown>;
    for (const key of ['activationCodeHash', 'deviceTokenHash', 'codeHash']) {
      expect(out[key]).toMatch(/^\[redacted sha256:[0-9a-f]{64}\]$/);
    }
    expect(out).toMatchObject({ kioskId: 'k1', name: 'Lobby' });
  });
});
