/**
 * Errors the HTTP layer maps to clear answers (see domain-exception.filter.ts).
 */

import { WrongExpectedVersionError } from '../../event-store/event-store';
import { DomainRefusal } from '../decider';

/** The event store could not read or record; nothing was changed (503, try again). */
export class EventStoreUnavailableError extends Error {
  override readonly name = 'EventStoreUnavailableError';
  constructor(
    message = 'The event store is not available: nothing was recorded. Try again in a moment.',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The client's `If-Match` revision is not the resource's current one (412). */
export class PreconditionFailedError extends Error {
  override readonly name = 'PreconditionFailedError';
  constructor(
    message: string,
    /** The current revision, when known (the client re-reads and retries). */
    readonly currentRevision?: string,
  ) {
    super(message);
  }
}

/**
 * Runs an event-store operation; anything that is not a domain answer (a DomainRefusal, a concurrency conflict,
 * a failed precondition) becomes an EventStoreUnavailableError, so the API answers 503 rather than 500.
 */
export async function recording<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    if (
      err instanceof DomainRefusal ||
      err instanceof WrongExpectedVersionError ||
      err instanceof PreconditionFailedError ||
      err instanceof EventStoreUnavailableError
    )
      throw err;
    throw new EventStoreUnavailableError(undefined, { cause: err });
  }
}

/** `"3"` / `W/"3"` / `3` → 3n; undefined when absent; a PreconditionFailedError when it is not a revision. */
export function parseIfMatch(header: string | undefined): bigint | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,18})"?\s*$/.exec(header);
  if (!m) throw new PreconditionFailedError(`If-Match must be a revision as sent in the ETag header, e.g. "3"`);
  return BigInt(m[1] as string);
}

export const etag = (revision: number | bigint) => `"${revision}"`;
