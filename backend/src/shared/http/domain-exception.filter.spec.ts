import { describe, expect, it } from '@jest/globals';
import { StoreUnavailableError } from '../../directory/identity-store';
import { WrongExpectedVersionError } from '../../event-store/event-store';
import { DeliveryError } from '../../notifications/delivery-error';
import { DomainRefusal } from '../decider';
import { errorBody } from './domain-exception.filter';
import { EventStoreUnavailableError, PreconditionFailedError, parseIfMatch, recording } from './errors';

describe('DomainExceptionFilter mapping', () => {
  it('maps refusals by code: invalid 400 with fields, notFound 404, others 409', () => {
    const fields = [{ field: 'policy.mode', message: 'must be restricted or unrestricted' }];
    expect(errorBody(new DomainRefusal('role.invalid', 'bad', fields))).toEqual({
      statusCode: 400,
      reason: 'role.invalid',
      message: 'bad',
      fields,
    });
    expect(errorBody(new DomainRefusal('role.notFound', 'x'))?.statusCode).toBe(404);
    expect(errorBody(new DomainRefusal('role.alreadyExists', 'x'))?.statusCode).toBe(409);
  });
  it('maps concurrency, preconditions and infrastructure faults', () => {
    expect(errorBody(new WrongExpectedVersionError('s', 1n, 2n))).toMatchObject({
      statusCode: 409,
      reason: 'conflict',
    });
    expect(errorBody(new PreconditionFailedError('stale', '3'))).toMatchObject({
      statusCode: 412,
      currentRevision: '3',
    });
    expect(errorBody(new StoreUnavailableError('corp-ad', 'ECONNREFUSED'))).toMatchObject({
      statusCode: 503,
      reason: 'directory-unavailable',
      storeId: 'corp-ad',
    });
    expect(errorBody(new EventStoreUnavailableError())).toMatchObject({
      statusCode: 503,
      reason: 'event-store-unavailable',
    });
    expect(errorBody(new DeliveryError('email', 'timeout', 'slow'))).toMatchObject({ statusCode: 503 });
    expect(errorBody(new Error('other'))).toBeUndefined();
  });
  it('recording() turns event-store failures into 503s and lets domain answers through', async () => {
    await expect(recording(async () => Promise.reject(new Error('SQLITE_FULL')))).rejects.toBeInstanceOf(
      EventStoreUnavailableError,
    );
    const refusal = new DomainRefusal('x.invalid', 'no');
    await expect(recording(async () => Promise.reject(refusal))).rejects.toBe(refusal);
  });
  it('parses If-Match revisions', () => {
    expect(parseIfMatch('"3"')).toBe(3n);
    expect(parseIfMatch('W/"12"')).toBe(12n);
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(() => parseIfMatch('"abc"')).toThrow(PreconditionFailedError);
  });
});
