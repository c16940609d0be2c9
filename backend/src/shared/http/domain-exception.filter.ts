/**
 * One place where domain and infrastructure errors become HTTP answers:
 *
 *   DomainRefusal             400 for `*.invalid`, 404 for `*.notFound`, else 409; `{ reason: code, message, fields }`
 *   PreconditionFailedError   412 (stale If-Match)
 *   WrongExpectedVersionError 409 (someone else changed it meanwhile; re-read and retry)
 *   StoreUnavailableError     503 (a directory could not be reached)
 *   EventStoreUnavailableError 503 (nothing was recorded)
 *   DeliveryError             502/503 (mail server / SMS gateway)
 *
 * Registered globally in app.ts. Other exceptions keep Nest's handling.
 */
import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { StoreUnavailableError } from '../../directory/identity-store';
import { WrongExpectedVersionError } from '../../event-store/event-store';
import { DeliveryError } from '../../notifications/delivery-error';
import { DomainRefusal } from '../decider';
import { EventStoreUnavailableError, PreconditionFailedError } from './errors';

export function refusalStatus(code: string): number {
  if (code.endsWith('.invalid')) return 400;
  if (code.endsWith('.notFound')) return 404;
  return 409;
}

type Body = { statusCode: number; reason: string; message: string; [key: string]: unknown };

export function errorBody(err: unknown): Body | undefined {
  if (err instanceof DomainRefusal) {
    return { statusCode: refusalStatus(err.code), reason: err.code, message: err.message, fields: err.fields };
  }
  if (err instanceof PreconditionFailedError) {
    return {
      statusCode: 412,
      reason: 'precondition-failed',
      message: err.message,
      ...(err.currentRevision !== undefined ? { currentRevision: err.currentRevision } : {}),
    };
  }
  if (err instanceof WrongExpectedVersionError) {
    return {
      statusCode: 409,
      reason: 'conflict',
      message: 'Someone else changed this at the same time; nothing was recorded. Reload and try again.',
    };
  }
  if (err instanceof StoreUnavailableError) {
    return {
      statusCode: 503,
      reason: 'directory-unavailable',
      message: `The identity store ${err.storeId} cannot be reached right now; nothing was changed. Try again in a moment.`,
      storeId: err.storeId,
    };
  }
  if (err instanceof EventStoreUnavailableError) {
    return { statusCode: 503, reason: 'event-store-unavailable', message: err.message };
  }
  if (err instanceof DeliveryError) {
    return { statusCode: err.httpStatus, reason: `delivery-${err.reason}`, message: err.message, channel: err.channel };
  }
  return undefined;
}

@Catch(
  DomainRefusal,
  PreconditionFailedError,
  WrongExpectedVersionError,
  StoreUnavailableError,
  EventStoreUnavailableError,
  DeliveryError,
)
export class DomainExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('Http');

  catch(err: Error, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const body = errorBody(err) ?? { statusCode: 500, reason: 'internal', message: 'Internal error' };
    if (body.statusCode >= 500) {
      const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
      this.log.error(`${body.reason}: ${err.message}${cause}`);
    }
    res.status(body.statusCode).json(body);
  }
}
