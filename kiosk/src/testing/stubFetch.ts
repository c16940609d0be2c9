/**
 * The component tests' backend: `stubFetch(on('GET', '/api/kiosk/device', () => Response.json({...})), …)` answers
 * the kiosk's fetch calls and records them (method, URL, headers, parsed JSON body) for assertions. Handlers are
 * tried in order (first answer wins); unanswered requests get 404.
 */
import { vi } from 'vitest';

export type Call = { method: string; url: string; headers: Record<string, string>; body?: unknown };
type Handler = (call: Call) => Response | undefined;

export function stubFetch(...handlers: Handler[]): Call[] {
  const calls: Call[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit = {}) => {
      const call: Call = {
        method: init.method ?? 'GET',
        url,
        headers: (init.headers ?? {}) as Record<string, string>,
        body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      };
      calls.push(call);
      for (const h of handlers) {
        const res = h(call);
        if (res) return res;
      }
      return Response.json({ statusCode: 404, message: `no stub for ${call.method} ${url}` }, { status: 404 });
    }),
  );
  return calls;
}

export const on =
  (method: string, url: string | RegExp, answer: (call: Call) => Response): Handler =>
  (call) =>
    call.method === method && (typeof url === 'string' ? call.url === url : url.test(call.url))
      ? answer(call)
      : undefined;

/** A refusal as the backend's exception filter shapes it. */
export const refusal = (status: number, reason: string, message = reason, extra: Record<string, unknown> = {}) =>
  Response.json({ statusCode: status, reason, message, ...extra }, { status });
