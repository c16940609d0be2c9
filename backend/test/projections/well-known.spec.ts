import { describe, expect, it } from '@jest/globals';
import { wellKnownFacts } from '../../src/projections/well-known';

describe('wellKnownFacts', () => {
  it('reads subject, actor, client, ip, user agent, outcome and reason from well-known fields', () => {
    expect(
      wellKnownFacts({
        type: 'UnlockRefused',
        data: { subject: { storeId: 'corp-ad', userId: 'jdoe' }, reason: 'not enrolled' },
        metadata: { actor: 'agent:alice', client: 'admin', ip: '192.0.2.1', userAgent: 'UA' },
      }),
    ).toEqual({
      subject: 'corp-ad:jdoe',
      subjectStore: 'corp-ad',
      subjectUserId: 'jdoe',
      actor: 'agent:alice',
      client: 'admin',
      ip: '192.0.2.1',
      userAgent: 'UA',
      outcome: 'refused',
      reason: 'not enrolled',
    });
  });

  it('accepts a subject string, metadata.subject, or store + userId in data', () => {
    expect(wellKnownFacts({ type: 'X', data: { subject: 'ldap:kim' }, metadata: {} }).subject).toBe('ldap:kim');
    expect(wellKnownFacts({ type: 'X', data: { subject: 'kim' }, metadata: {} })).toMatchObject({
      subject: 'kim',
      subjectStore: null,
    });
    expect(wellKnownFacts({ type: 'X', data: {}, metadata: { subject: { store: 's', user: 'u' } } }).subject).toBe(
      's:u',
    );
    expect(wellKnownFacts({ type: 'X', data: { store: 'ad', userId: 'bob' }, metadata: {} }).subject).toBe('ad:bob');
    expect(wellKnownFacts({ type: 'X', data: { userId: 'bob' }, metadata: {} }).subject).toBe('bob');
  });

  it('takes an explicit outcome over the type, and infers it from the type otherwise', () => {
    const outcome = (type: string, data: unknown = {}) => wellKnownFacts({ type, data, metadata: {} }).outcome;
    expect(outcome('UnlockFailed', { outcome: 'partial' })).toBe('partial');
    expect(outcome('UnlockFailed')).toBe('failed');
    expect(outcome('UnlockRequested')).toBe('requested');
    expect(outcome('AccountUnlocked')).toBe('success');
    expect(outcome('SecurityAnswerVerified')).toBe('success');
    expect(outcome('CaseOpened')).toBeNull();
  });

  it('copes with non-object data and metadata, and actor objects', () => {
    expect(wellKnownFacts({ type: 'X', data: 'text', metadata: {} })).toMatchObject({ subject: null, actor: null });
    expect(wellKnownFacts({ type: 'X', data: null, metadata: { actor: 7 as unknown as string } }).actor).toBe('7');
    expect(wellKnownFacts({ type: 'X', data: { actor: { id: 'kiosk-3' } }, metadata: {} }).actor).toBe('kiosk-3');
  });
});
