// The webhook SMS adapter against a real HTTP server (node:http on 127.0.0.1, a free port) that plays a gateway.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Secret } from '../../src/config/secret';
import { DeliveryError, type WebhookSmsConfig, WebhookSmsGateway } from '../../src/notifications';
import { captureLogs } from './log-capture';

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  at: number;
}

type Reply = (req: IncomingMessage, res: ServerResponse) => void;
const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Reply =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

describe('WebhookSmsGateway against a real HTTP server', () => {
  let server: Server;
  let url: string;
  let received: Received[];
  let replies: Reply[];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'),
          at: Date.now(),
        });
        const reply = replies.shift() ?? json(500, { error: 'no reply scripted' });
        reply(req, res);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/sms/send`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  beforeEach(() => {
    received = [];
    replies = [];
  });

  const gateway = (extra: Partial<WebhookSmsConfig> = {}) =>
    new WebhookSmsGateway({
      url,
      token: new Secret('gw-token-123', 'env:SMS_TOKEN'),
      timeoutMs: 1000,
      retries: 2,
      backoffMs: 20,
      ...extra,
    });

  async function failure(p: Promise<unknown>): Promise<DeliveryError> {
    try {
      await p;
    } catch (err) {
      if (err instanceof DeliveryError) return err;
      throw err;
    }
    throw new Error('expected a DeliveryError, but the send succeeded');
  }

  it('POSTs JSON with the bearer token and an idempotency key; returns the gateway id', async () => {
    replies.push(json(202, { id: 'gw-msg-1' }));
    const logs = captureLogs();
    let sent: { messageId: string };
    try {
      sent = await gateway({ from: 'UnlockDesk' }).send({ to: '+44 7700 900512', text: 'Unlock Desk code: 765432.' });
    } finally {
      logs.restore();
    }
    expect(sent.messageId).toBe('gw-msg-1');
    expect(received).toHaveLength(1);
    const r = received[0];
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/sms/send');
    expect(r.headers.authorization).toBe('Bearer gw-token-123');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['idempotency-key']).toBe(r.body.messageId);
    expect(r.body).toEqual({
      messageId: expect.any(String),
      to: '+447700900512',
      text: 'Unlock Desk code: 765432.',
      from: 'UnlockDesk',
    });
    const logged = logs.lines.join('\n');
    expect(logged).not.toContain('765432');
    expect(logged).not.toContain('gw-token-123');
    expect(logged).not.toContain('900512');
    expect(logged).toContain('SMS gw-msg-1 accepted for ***-**12');
  });

  it('retries a 503 with backoff and the same idempotency key, then succeeds', async () => {
    replies.push(
      json(503, { message: 'try later' }),
      json(503, { message: 'try later' }),
      json(200, { messageId: 'ok-3' }),
    );
    const sent = await gateway().send({ to: '+447700900512', text: 'x' });
    expect(sent.messageId).toBe('ok-3');
    expect(received).toHaveLength(3);
    expect(new Set(received.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    // Exponential backoff: the second gap is about twice the first (20 ms, 40 ms, each ±20 %).
    expect(received[1].at - received[0].at).toBeGreaterThanOrEqual(15);
    expect(received[2].at - received[1].at).toBeGreaterThanOrEqual(30);
  });

  it('gives up after the configured retries: gateway-error (502) with the status', async () => {
    replies.push(json(502, {}), json(503, {}), json(500, { error: 'upstream carrier down' }), json(200, {}));
    const e = await failure(gateway().send({ to: '+447700900512', text: 'x' }));
    expect(received).toHaveLength(3);
    expect(e.reason).toBe('gateway-error');
    expect(e.channel).toBe('sms');
    expect(e.httpStatus).toBe(502);
    expect(e.detail?.status).toBe(500);
    expect(e.message).toContain('upstream carrier down');
  });

  it('400 is a failure with the gateway message, not retried, number masked', async () => {
    replies.push(json(400, { error: { message: 'Invalid destination +447700900512' } }), json(200, {}));
    const e = await failure(gateway().send({ to: '+447700900512', text: 'x' }));
    expect(received).toHaveLength(1);
    expect(e.reason).toBe('gateway-error');
    expect(e.detail?.status).toBe(400);
    expect(e.message).toBe(
      `The SMS gateway http://127.0.0.1:${new URL(url).port} answered 400: Invalid destination ***-**12`,
    );
    expect(e.message).not.toContain('900512');
  });

  it('401 means the token is wrong: authentication-failed', async () => {
    replies.push(json(401, { message: 'bad token' }));
    const e = await failure(gateway().send({ to: '+447700900512', text: 'x' }));
    expect(e.reason).toBe('authentication-failed');
    expect(e.message).not.toContain('gw-token-123');
    expect(received).toHaveLength(1);
  });

  it('a plain-text 4xx body is used as the message', async () => {
    replies.push((_req, res) => {
      res.writeHead(422, { 'content-type': 'text/plain' });
      res.end('number not reachable\r\nby this route');
    });
    const e = await failure(gateway().send({ to: '+447700900512', text: 'x' }));
    expect(e.message).toMatch(/answered 422: number not reachable by this route$/);
  });

  it('429 with Retry-After is retried', async () => {
    replies.push(json(429, { message: 'slow down' }, { 'retry-after': '0' }), json(200, { id: 'after-429' }));
    await expect(gateway().send({ to: '+447700900512', text: 'x' })).resolves.toEqual({ messageId: 'after-429' });
    expect(received).toHaveLength(2);
  });

  it('a gateway slower than the timeout: timeout (503), not retried (it may have sent the SMS)', async () => {
    replies.push((_req, res) => {
      setTimeout(() => json(200, {})(_req, res), 1500).unref();
    });
    const started = Date.now();
    const e = await failure(gateway({ timeoutMs: 200 }).send({ to: '+447700900512', text: 'x' }));
    expect(e.reason).toBe('timeout');
    expect(e.httpStatus).toBe(503);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(received).toHaveLength(1);
  });

  it('nothing listening: connection-refused (503) after retrying', async () => {
    const probe = createNetServer();
    probe.listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const e = await failure(gateway({ url: `http://127.0.0.1:${port}/sms` }).send({ to: '+447700900512', text: 'x' }));
    expect(e.reason).toBe('connection-refused');
    expect(e.httpStatus).toBe(503);
    expect(e.message).toContain('ECONNREFUSED');
  });

  it('refuses an invalid number without calling the gateway', async () => {
    for (const to of ['', 'abc', '+1 2', '0044 7700 900512 ext 7', '+1234567890123456789']) {
      const e = await failure(gateway().send({ to, text: 'x' }));
      expect(e.reason).toBe('rejected-recipient');
    }
    expect(received).toHaveLength(0);
  });

  it('refuses plain http to a non-loopback host and credentials in the URL', () => {
    expect(() => new WebhookSmsGateway({ url: 'http://sms.example.com/send' })).toThrow(/https/);
    expect(() => new WebhookSmsGateway({ url: 'https://user:pw@sms.example.com/send' })).toThrow(/token/);
    expect(() => new WebhookSmsGateway({ url: 'https://sms.example.com/send' })).not.toThrow();
  });
});
