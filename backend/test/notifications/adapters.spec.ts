import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  DeliveryError,
  isLoopbackHost,
  isPlainEmailAddress,
  normalisePhoneNumber,
  OutboxMailer,
  OutboxSmsGateway,
  readOutbox,
} from '../../src/notifications';
import { gatewayMessage } from '../../src/notifications/webhook-sms-gateway';

describe('development outbox', () => {
  let dir: string;
  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'unlockdesk-outbox-')), 'outbox');
  });
  afterEach(() => rm(join(dir, '..'), { recursive: true, force: true }));

  it('writes mail and SMS as private JSON files, newest first', async () => {
    const mail = await new OutboxMailer(dir).send({ to: 'jane@example.com', subject: 'S', text: 'code 111222' });
    const sms = await new OutboxSmsGateway(dir).send({ to: '+44 (0)7700-900512', text: 'code 333444' });
    expect(mail.messageId).toMatch(/^<.+@outbox\.unlockdesk\.invalid>$/);
    expect(sms.messageId).toEqual(expect.any(String));

    const all = await readOutbox(dir);
    expect(all.map((e) => e.kind)).toEqual(['sms', 'mail']);
    expect(all[0]).toMatchObject({ kind: 'sms', to: '+447700900512', text: 'code 333444' });
    expect(all[1]).toMatchObject({ kind: 'mail', to: 'jane@example.com', subject: 'S', text: 'code 111222' });
    expect(await readOutbox(dir, 'mail')).toHaveLength(1);

    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const f of await readdir(dir)) expect((await stat(join(dir, f))).mode & 0o777).toBe(0o600);
  });

  it('an outbox that does not exist yet is empty', async () => {
    expect(await readOutbox(join(dir, 'none'))).toEqual([]);
  });

  it('refuses invalid destinations with a DeliveryError', async () => {
    await expect(new OutboxMailer(dir).send({ to: 'not-an-address', subject: 's', text: 't' })).rejects.toBeInstanceOf(
      DeliveryError,
    );
    await expect(new OutboxSmsGateway(dir).send({ to: 'call me', text: 't' })).rejects.toMatchObject({
      reason: 'rejected-recipient',
      channel: 'sms',
    });
  });
});

describe('DeliveryError', () => {
  it('maps unavailable next hops to 503 and refusals to 502', () => {
    const status = (reason: DeliveryError['reason']) => new DeliveryError('email', reason, 'm').httpStatus;
    expect(status('connection-refused')).toBe(503);
    expect(status('timeout')).toBe(503);
    expect(status('rejected-recipient')).toBe(502);
    expect(status('authentication-failed')).toBe(502);
    expect(status('tls-failed')).toBe(502);
    expect(status('gateway-error')).toBe(502);
  });

  it('serialises without the cause or the detail', () => {
    const e = new DeliveryError(
      'sms',
      'gateway-error',
      'no',
      { status: 500, response: 'x' },
      { cause: new Error('raw') },
    );
    expect(JSON.parse(JSON.stringify(e))).toEqual({
      error: 'delivery-failed',
      channel: 'sms',
      reason: 'gateway-error',
      message: 'no',
    });
  });
});

describe('address helpers', () => {
  it('accepts one plain email address only', () => {
    expect(isPlainEmailAddress('jane.doe+x@mail.example.com')).toBe(true);
    for (const bad of [
      '',
      'a',
      'a@',
      '@b.c',
      'a b@c.d',
      'a@b.c, d@e.f',
      'A <a@b.c>',
      'a@b.c\r\nBcc: x@y.z',
      'a@-b.c',
    ]) {
      expect(isPlainEmailAddress(bad)).toBe(false);
    }
  });

  it('normalises phone numbers to + and digits', () => {
    expect(normalisePhoneNumber('+44 7700 900512')).toBe('+447700900512');
    expect(normalisePhoneNumber('(030) 1234-5678')).toBe('03012345678');
    expect(normalisePhoneNumber('+49 (0)30 1234-5678')).toBe('+493012345678');
    expect(normalisePhoneNumber('12345')).toBeUndefined();
    expect(normalisePhoneNumber('+44 7700 900512; rm -rf')).toBeUndefined();
  });

  it('knows loopback hosts', () => {
    for (const h of ['127.0.0.1', '127.10.0.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['10.0.0.1', 'smtp.example.com', '::', '128.0.0.1', 'localhost.example.com']) {
      expect(isLoopbackHost(h)).toBe(false);
    }
  });

  it('gateway messages are one short line with numbers masked', () => {
    expect(gatewayMessage('{"message":"bad number +1 (555) 010-9999"}')).toBe('bad number ***-**99');
    expect(gatewayMessage('{"error":"quota exceeded"}')).toBe('quota exceeded');
    expect(gatewayMessage('{"title":"Bad Request","detail":"x"}')).toBe('x');
    expect(gatewayMessage('')).toBeUndefined();
    expect(gatewayMessage('a'.repeat(500))?.length).toBe(200);
  });
});
