// The SMTP adapter against a real SMTP server: the development mailbox (backend/labs/mailbox) in its own process.
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { Test } from '@nestjs/testing';
import { Secret } from '../../src/config/secret';
import {
  DeliveryError,
  MAILER,
  Notifications,
  NotificationsModule,
  type SmtpConfig,
  SmtpMailer,
} from '../../src/notifications';
import { type Mailbox, startMailbox } from '../labs/mailbox';
import { captureLogs } from './log-capture';

const FROM = '"Unlock Desk" <unlockdesk@example.test>';

function config(mailbox: { smtpPort: number }, extra: Partial<SmtpConfig> = {}): SmtpConfig {
  return {
    host: '127.0.0.1',
    port: mailbox.smtpPort,
    tls: 'none',
    from: FROM,
    connectionTimeoutMs: 2000,
    greetingTimeoutMs: 2000,
    socketTimeoutMs: 5000,
    maxConnections: 2,
    ...extra,
  };
}

async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DeliveryError) return err;
    throw err;
  }
  throw new Error('expected a DeliveryError, but the send succeeded');
}

/** A port nothing listens on (bound once, then released). */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('SmtpMailer against the real mailbox', () => {
  let mailbox: Mailbox;
  let mailer: SmtpMailer;

  beforeAll(async () => {
    mailbox = await startMailbox();
    mailer = new SmtpMailer(config(mailbox));
  });
  afterAll(async () => {
    await mailer?.close();
    await mailbox?.stop();
  });
  beforeEach(() => mailbox.clear());

  it('delivers a verification code: subject, recipient, sender and the code in the text', async () => {
    const module = await Test.createTestingModule({
      imports: [
        NotificationsModule.forRoot({
          mail: { type: 'smtp', smtp: config(mailbox) },
          outboxDir: '/nonexistent-not-used',
        }),
      ],
    }).compile();
    const logs = captureLogs();
    let sent: { messageId: string };
    try {
      sent = await module.get(Notifications).sendVerificationCode('email', 'jane.doe@example.test', '493817');
    } finally {
      logs.restore();
      await module.close();
    }

    const m = await mailbox.waitForMessage('jane.doe@example.test');
    expect(m.subject).toBe('Your Unlock Desk verification code');
    expect(m.envelope.rcptTo).toEqual(['jane.doe@example.test']);
    expect(m.to).toEqual([{ address: 'jane.doe@example.test', name: '' }]);
    expect(m.from).toBe('unlockdesk@example.test');
    expect(m.fromName).toBe('Unlock Desk');
    expect(m.messageId).toBe(sent.messageId);
    expect(m.text).toContain(
      'Your Unlock Desk verification code is 493817. It expires in 5 minutes. If you did not call the helpdesk, tell your security team.',
    );
    expect(m.html).toContain('493817');
    expect(m.subject).not.toContain('493817');
    expect(m.headers['auto-submitted']).toBe('auto-generated');
    // Nothing about the code or the body in the logs.
    expect(logs.lines.join('\n')).not.toContain('493817');
    expect(logs.lines.join('\n')).not.toContain('jane.doe@');
    expect(logs.lines.some((l) => l.includes(`Sent ${sent.messageId} to j***@example.test`))).toBe(true);

    const full = await mailbox.message(m.id);
    expect(full.raw).toContain('Subject: Your Unlock Desk verification code');
  });

  it('delivers the unlock notice with accounts, agent, ticket and the masked address', async () => {
    const module = await Test.createTestingModule({
      imports: [
        NotificationsModule.forRoot({
          mail: { type: 'smtp', smtp: config(mailbox) },
          outboxDir: '/nonexistent-not-used',
          securityContact: 'security@example.test',
        }),
      ],
    }).compile();
    try {
      await module.get(Notifications).sendUnlockNotice('jane.doe@example.test', {
        recipientName: 'Jane Doe',
        accounts: [
          { storeName: 'Corporate AD', username: 'jdoe' },
          { storeName: 'Linux LDAP', username: 'jane' },
        ],
        unlockedAt: new Date('2026-03-04T09:15:00Z'),
        agentDisplayName: 'Alice Agent',
        ticket: 'INC-4711',
      });
    } finally {
      await module.close();
    }
    const m = await mailbox.waitForMessage('jane.doe@example.test');
    expect(m.subject).toBe('Your accounts were unlocked by the Unlock Desk helpdesk');
    expect(m.text).toContain('jdoe (Corporate AD)');
    expect(m.text).toContain('jane (Linux LDAP)');
    expect(m.text).toContain('4 March 2026 at 09:15 (UTC)');
    expect(m.text).toContain('Alice Agent (helpdesk agent)');
    expect(m.text).toContain('Ticket: INC-4711');
    expect(m.text).toContain('tell your security team now (security@example.test)');
    expect(m.text).toContain('sent to j***@example.test');
    expect(m.text).not.toContain('jane.doe@example.test');
  });

  it('sends several messages concurrently over the pool, each arriving once', async () => {
    const to = Array.from({ length: 6 }, (_, i) => `user${i}@example.test`);
    const sent = await Promise.all(to.map((t) => mailer.send({ to: t, subject: `n ${t}`, text: 'hello' })));
    expect(new Set(sent.map((s) => s.messageId)).size).toBe(6);
    for (const t of to) await mailbox.waitForMessage(t);
    expect(await mailbox.messages()).toHaveLength(6);
  });

  it('rejected recipient: DeliveryError rejected-recipient (502), address masked, nothing stored', async () => {
    const logs = captureLogs();
    let e: DeliveryError;
    try {
      e = await failure(mailer.send({ to: 'ghost@nowhere.invalid', subject: 's', text: 'code 112233' }));
    } finally {
      logs.restore();
    }
    expect(e.reason).toBe('rejected-recipient');
    expect(e.channel).toBe('email');
    expect(e.httpStatus).toBe(502);
    expect(e.detail?.responseCode).toBe(550);
    expect(e.message).toContain('g***@nowhere.invalid');
    expect(e.message).not.toContain('ghost@');
    expect(e.toJSON()).toEqual({
      error: 'delivery-failed',
      channel: 'email',
      reason: 'rejected-recipient',
      message: e.message,
    });
    expect(logs.lines.join('\n')).not.toContain('112233');
    expect(logs.lines.join('\n')).toContain('warn Mail to g***@nowhere.invalid not sent: rejected-recipient');
    expect(await mailbox.messages()).toHaveLength(0);
    // The pool still works afterwards.
    await mailer.send({ to: 'after@example.test', subject: 's', text: 't' });
    await mailbox.waitForMessage('after@example.test');
  });

  it('refuses a malformed or multi-recipient address before talking to the server', async () => {
    for (const to of [
      'a@example.test, b@example.test',
      'Bob <bob@example.test>',
      'x@example.test\r\nBcc: y@z.test',
      '',
    ]) {
      const e = await failure(mailer.send({ to, subject: 's', text: 't' }));
      expect(e.reason).toBe('rejected-recipient');
    }
    expect(await mailbox.messages()).toHaveLength(0);
  });

  it('server down: connection-refused (503)', async () => {
    const m = new SmtpMailer(config({ smtpPort: await closedPort() }));
    try {
      const e = await failure(m.send({ to: 'jane@example.test', subject: 's', text: 't' }));
      expect(e.reason).toBe('connection-refused');
      expect(e.httpStatus).toBe(503);
      expect(e.retryable).toBe(true);
      expect(e.message).toContain('ECONNREFUSED');
    } finally {
      await m.close();
    }
  });

  it('mailbox stopped after it worked: connection-refused, not a hang', async () => {
    const own = await startMailbox();
    const m = new SmtpMailer(config(own));
    try {
      await m.send({ to: 'jane@example.test', subject: 's', text: 't' });
      await own.waitForMessage('jane@example.test');
      await own.stop();
      const e = await failure(m.send({ to: 'jane@example.test', subject: 's', text: 't' }));
      expect(['connection-refused', 'gateway-error']).toContain(e.reason);
      expect(e.httpStatus).toBeGreaterThanOrEqual(502);
      // A pooled connection may be mid-close when the server goes away; a fresh attempt must be refused outright.
      const again = await failure(m.send({ to: 'jane@example.test', subject: 's', text: 't' }));
      expect(again.reason).toBe('connection-refused');
    } finally {
      await m.close();
      await own.stop();
    }
  });

  it('a server that accepts but never greets: timeout (503)', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const m = new SmtpMailer(
      config({ smtpPort: (silent.address() as { port: number }).port }, { greetingTimeoutMs: 300 }),
    );
    try {
      const started = Date.now();
      const e = await failure(m.send({ to: 'jane@example.test', subject: 's', text: 't' }));
      expect(e.reason).toBe('timeout');
      expect(e.httpStatus).toBe(503);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      await m.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('starttls required but the server offers none: tls-failed, nothing sent in clear', async () => {
    const m = new SmtpMailer(config(mailbox, { host: 'localhost', tls: 'starttls' }));
    try {
      const e = await failure(m.send({ to: 'jane@example.test', subject: 's', text: 'code 445566' }));
      expect(e.reason).toBe('tls-failed');
    } finally {
      await m.close();
    }
    expect(await mailbox.messages()).toHaveLength(0);
  });

  it("refuses tls 'none' for a host that is not loopback", () => {
    expect(() => new SmtpMailer({ host: 'smtp.example.com', port: 25, tls: 'none', from: FROM })).toThrow(/loopback/);
  });

  it('verify() checks the connection', async () => {
    await expect(mailer.verify()).resolves.toBeUndefined();
    const m = new SmtpMailer(config({ smtpPort: await closedPort() }));
    await expect(m.verify()).rejects.toMatchObject({ reason: 'connection-refused' });
    await m.close();
  });
});

describe('SmtpMailer with SMTP AUTH', () => {
  let mailbox: Mailbox;
  beforeAll(async () => {
    mailbox = await startMailbox({ auth: 'relay:s3cret-pass' });
  });
  afterAll(() => mailbox?.stop());

  it('authenticates with the configured credentials (password from a Secret)', async () => {
    const m = new SmtpMailer(
      config(mailbox, { auth: { user: 'relay', password: new Secret('s3cret-pass', 'env:SMTP_PASSWORD') } }),
    );
    try {
      await m.send({ to: 'jane@example.test', subject: 'auth', text: 't' });
    } finally {
      await m.close();
    }
    const got = await mailbox.waitForMessage('jane@example.test');
    expect(got.authUser).toBe('relay');
  });

  it('wrong password: authentication-failed (502), and the password is not in the error', async () => {
    const m = new SmtpMailer(
      config(mailbox, { auth: { user: 'relay', password: new Secret('wrong-pass-xyz', 'literal') } }),
    );
    try {
      const e = await failure(m.send({ to: 'jane@example.test', subject: 's', text: 't' }));
      expect(e.reason).toBe('authentication-failed');
      expect(e.httpStatus).toBe(502);
      expect(JSON.stringify(e.toJSON())).not.toContain('wrong-pass-xyz');
      expect(e.message).not.toContain('wrong-pass-xyz');
    } finally {
      await m.close();
    }
  });

  it('no credentials where the server requires them: the message is refused', async () => {
    const m = new SmtpMailer(config(mailbox));
    try {
      const e = await failure(m.send({ to: 'jane@example.test', subject: 's', text: 't' }));
      expect(e.reason).toBe('authentication-failed');
      expect(e.detail?.responseCode).toBe(530);
      expect(e.httpStatus).toBe(502);
    } finally {
      await m.close();
    }
    expect(await mailbox.messages('jane@example.test')).toHaveLength(1); // only the authenticated one above
  });

  it('the mailer is provided under the MAILER token too', async () => {
    const module = await Test.createTestingModule({
      imports: [NotificationsModule.forRoot({ outboxDir: '/tmp/unused' })],
    }).compile();
    expect(module.get(MAILER)).toBeDefined();
    await module.close();
  });
});
