/**
 * The component tests' backend: `stubFetch(on('GET', '/api/roles', () => Response.json([...])), …)` answers the
 * admin app's fetch calls and records them (method, URL, headers, parsed JSON body) for assertions.
 */
import { vi } from 'vitest';

export type Call = { method: string; url: string; headers: Record<string, string>; body?: unknown };
type Handler = (call: Call) => Response | undefined;

/** Stubs fetch with a list of handlers (first answer wins; unanswered requests get 404) and records every call. */
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
