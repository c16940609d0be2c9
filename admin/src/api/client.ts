/**
 * The admin app's only way to the backend: JSON over fetch, the session cookie sent by the browser, the CSRF token
 * added to every state-changing request, and errors turned into ApiError with the backend's reason and message.
 */
/** A field the backend named in a refusal (`{ field: 'policy.requiredTypes', message: 'must be ...' }`). */
export type FieldProblem = { field: string; message: string };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string | undefined,
    message: string,
    readonly details: string[] = [],
    readonly retryAfterSeconds?: number,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What a page shows for a failed request: the backend's (or the network's) message, else `fallback`. */
export function errorMessage(error: unknown, fallback = 'Unexpected error'): string {
  return error instanceof ApiError ? error.message : fallback;
}

let csrfToken: string | undefined;
const listeners = new Set<(end: SessionEnd) => void>();

/** Remembered from the session response; sent as X-CSRF-Token on POST/PUT/PATCH/DELETE. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/**
 * Why a session is gone: `no-session` (expired or signed out elsewhere) or `session-ended` (the directory account
 * changed: disabled, locked or deleted), with the backend's message.
 */
export type SessionEnd = { reason: 'no-session' | 'session-ended'; message: string };

/** Called when the backend says the session is gone. */
export function onSessionExpired(listener: (end: SessionEnd) => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export async function api<T>(
  method: Method,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  const h: Record<string, string> = { Accept: 'application/json', ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) h['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection and try again.');
  }
  if (res.status === 204) return undefined as T;
  const payload = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!res.ok) {
    const messages = Array.isArray(payload?.message) ? (payload.message as string[]) : [];
    const message =
      typeof payload?.message === 'string' ? payload.message : messages.join(' ') || `Request failed (${res.status})`;
    const reason = typeof payload?.reason === 'string' ? payload.reason : undefined;
    if (res.status === 401 && (reason === 'no-session' || reason === 'session-ended'))
      for (const l of listeners) l({ reason, message });
    throw new ApiError(
      res.status,
      reason,
      message,
      messages,
      typeof payload?.retryAfterSeconds === 'number' ? payload.retryAfterSeconds : undefined,
      Array.isArray(payload?.fields) ? (payload.fields as FieldProblem[]) : [],
    );
  }
  return payload as T;
}
