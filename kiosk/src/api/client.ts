/**
 * The kiosk's only way to the backend: JSON over fetch, the device cookie (`ud_kiosk`) sent by the browser, the
 * kiosk CSRF token (from activation or GET /api/kiosk/device, kept in memory only) added to every state-changing
 * request as X-Kiosk-CSRF, and errors turned into ApiError with the backend's reason and message.
 */
export type FieldProblem = { field: string; message: string };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string | undefined,
    message: string,
    readonly retryAfterSeconds?: number,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** What a screen shows for a failed request: the backend's (or the network's) message, else `fallback`. */
export function errorMessage(error: unknown, fallback = 'Something went wrong. Please try again.'): string {
  return error instanceof ApiError ? error.message : fallback;
}

let csrfToken: string | undefined;

/** Remembered from the activation / device response; sent as X-Kiosk-CSRF on POST. Never stored on disk. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

type Method = 'GET' | 'POST' | 'PUT';

export async function api<T>(method: Method, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-Kiosk-CSRF'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network', 'The kiosk cannot reach the server right now.');
  }
  if (res.status === 204) return undefined as T;
  const payload = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
  if (!res.ok) {
    const message =
      typeof payload?.message === 'string'
        ? payload.message
        : Array.isArray(payload?.message)
          ? (payload.message as string[]).join(' ')
          : `Request failed (${res.status})`;
    throw new ApiError(
      res.status,
      typeof payload?.reason === 'string' ? payload.reason : undefined,
      message,
      typeof payload?.retryAfterSeconds === 'number' ? payload.retryAfterSeconds : undefined,
      Array.isArray(payload?.fields) ? (payload.fields as FieldProblem[]) : [],
    );
  }
  return payload as T;
}
