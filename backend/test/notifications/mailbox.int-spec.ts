// The development mailbox itself (backend/labs/mailbox/mailbox.mjs): SMTP in, HTTP API out, clean stop.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createTransport } from 'nodemailer';
import { MAILBOX_SCRIPT, type Mailbox, startMailbox } from '../labs/mailbox';

async function sendRaw(port: number, to: string, subject: string, text: string, html?: string) {
  const t = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  try {
    return await t.sendMail({ from: 'sender@example.test', to, subject, text, html });
  } finally {
    t.close();
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('development mailbox', () => {
  let mailbox: Mailbox;
  beforeAll(async () => {
    mailbox = await startMailbox();
  });
  afterAll(() => mailbox?.stop());
  beforeEach(() => mailbox.clear());

  it('health answers', async () => {
    const res = await fetch(`${mailbox.httpUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', messages: 0 });
  });

  it('lists messages newest first, filters by recipient (envelope, To, Cc), serves one with its raw source', async () => {
    await sendRaw(mailbox.smtpPort, 'a@example.test', 'first', 'one');
    await sendRaw(mailbox.smtpPort, 'b@example.test', 'second', 'two');
    await sendRaw(mailbox.smtpPort, 'A@Example.test', 'third', 'three');

    const all = await mailbox.messages();
    expect(all.map((m) => m.subject)).toEqual(['third', 'second', 'first']);
    expect(all.every((m) => m.raw === undefined)).toBe(true);
    expect((await mailbox.messages('a@example.test')).map((m) => m.subject)).toEqual(['third', 'first']);
    expect(await mailbox.messages('nobody@example.test')).toEqual([]);

    const one = await mailbox.message(all[1].id);
    expect(one.subject).toBe('second');
    expect(one.text.trim()).toBe('two');
    expect(one.raw).toMatch(/^[\s\S]*Subject: second[\s\S]*two/);
    expect(one.date).toEqual(expect.any(String));
  });

  it('waitForMessage waits for a matching message and times out otherwise', async () => {
    const waiting = mailbox.waitForMessage('late@example.test', (m) => m.subject === 'wanted', 3000);
    await sendRaw(mailbox.smtpPort, 'late@example.test', 'other', 'x');
    await sendRaw(mailbox.smtpPort, 'late@example.test', 'wanted', 'y');
    expect((await waiting).subject).toBe('wanted');
    await expect(mailbox.waitForMessage('never@example.test', undefined, 200)).rejects.toThrow(/within 200 ms/);
  });

  it('DELETE /messages clears everything; unknown ids and routes are 404, wrong methods 405', async () => {
    await sendRaw(mailbox.smtpPort, 'a@example.test', 's', 't');
    const del = await fetch(`${mailbox.httpUrl}/messages`, { method: 'DELETE' });
    expect(await del.json()).toEqual({ deleted: 1 });
    expect(await mailbox.messages()).toEqual([]);
    expect((await fetch(`${mailbox.httpUrl}/messages/00000000000000-000000-000000`)).status).toBe(404);
    expect((await fetch(`${mailbox.httpUrl}/messages/..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
    expect((await fetch(`${mailbox.httpUrl}/nope`)).status).toBe(404);
    expect((await fetch(`${mailbox.httpUrl}/health`, { method: 'POST' })).status).toBe(405);
  });

  it('the HTML index lists messages with their text, escaped, and never renders message HTML', async () => {
    await sendRaw(
      mailbox.smtpPort,
      'x@example.test',
      '<script>alert(1)</script>',
      'code 424242',
      '<img src=x onerror=alert(2)>',
    );
    const res = await fetch(`${mailbox.httpUrl}/`);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await res.text();
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img');
    expect(page).toContain('code 424242');
    expect(page).toContain('1 message(s)');
  });

  it('refuses recipients in .invalid with 550 and stores nothing', async () => {
    await expect(sendRaw(mailbox.smtpPort, 'x@nowhere.invalid', 's', 't')).rejects.toMatchObject({
      code: 'EENVELOPE',
      responseCode: 550,
    });
    expect(await mailbox.messages()).toEqual([]);
  });

  it('listens on loopback only', async () => {
    // Both listeners are bound to 127.0.0.1; the helper only ever gives loopback URLs.
    expect(mailbox.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await portOpen(mailbox.smtpPort)).toBe(true);
  });
});

describe('mailbox process', () => {
  it('prints one JSON line when ready and stops on SIGTERM, freeing both ports', async () => {
    const m = await startMailbox();
    expect(m.pid).toBeGreaterThan(0);
    expect(await portOpen(m.smtpPort)).toBe(true);
    expect(await portOpen(m.httpPort)).toBe(true);
    await m.stop();
    expect(await portOpen(m.smtpPort)).toBe(false);
    expect(await portOpen(m.httpPort)).toBe(false);
    expect(() => process.kill(m.pid, 0)).toThrow();
    await m.stop(); // twice is fine
  });

  it('with --auth user:pass it requires exactly those credentials', async () => {
    const m = await startMailbox({ auth: 'u:p' });
    try {
      const ok = createTransport({
        host: '127.0.0.1',
        port: m.smtpPort,
        ignoreTLS: true,
        auth: { user: 'u', pass: 'p' },
      });
      await ok.sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 's', text: 't' });
      ok.close();
      const bad = createTransport({
        host: '127.0.0.1',
        port: m.smtpPort,
        ignoreTLS: true,
        auth: { user: 'u', pass: 'x' },
      });
      await expect(
        bad.sendMail({ from: 'a@example.test', to: 'b@example.test', subject: 's', text: 't' }),
      ).rejects.toMatchObject({
        code: 'EAUTH',
      });
      bad.close();
      expect((await m.messages()).map((x) => x.authUser)).toEqual(['u']);
    } finally {
      await m.stop();
    }
  });

  it('exits with an error for bad arguments', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'unlockdesk-mailbox-args-'));
    try {
      for (const args of [
        [],
        ['--dir', dir, '--smtp-port', 'x'],
        ['--dir', dir, '--auth', 'nocolon'],
        ['--dir', dir, '--bogus'],
      ]) {
        const child = spawn(process.execPath, [MAILBOX_SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let err = '';
        child.stderr.on('data', (d: Buffer) => {
          err += d.toString();
        });
        const [code] = await once(child, 'exit');
        expect(code).toBe(2);
        expect(err).toMatch(/^mailbox: /);
      }
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
