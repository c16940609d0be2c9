// Test helper: starts the development mailbox (backend/labs/mailbox/mailbox.mjs, a real SMTP server in its own process)
// on free loopback ports with a fresh temp dir, and reads what it received over its HTTP API.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const MAILBOX_SCRIPT = resolve(__dirname, '..', '..', 'labs', 'mailbox', 'mailbox.mjs');

export interface MailboxAddress {
  address: string;
  name: string;
}

export interface MailboxMessage {
  id: string;
  receivedAt: string;
  envelope: { mailFrom: string; rcptTo: string[] };
  authUser: string | null;
  messageId: string | null;
  from: string;
  fromName: string;
  to: MailboxAddress[];
  cc: MailboxAddress[];
  subject: string;
  date: string | null;
  text: string;
  html: string | null;
  headers: Record<string, string>;
  /** Only on `message(id)`; lists leave it out. */
  raw?: string;
}

export interface MailboxOptions {
  /** `user:pass` (AUTH required, exactly these) or `any` (AUTH required, anything accepted). Default: no AUTH. */
  auth?: string;
  /** Recipients (regular expressions) refused with 550. Default: addresses in the reserved `.invalid` TLD. */
  rejectRecipients?: string[];
  /** Keep the temp dir after stop() (for debugging). */
  keepDir?: boolean;
}

export interface Mailbox {
  host: '127.0.0.1';
  smtpPort: number;
  httpPort: number;
  /** http://127.0.0.1:PORT */
  httpUrl: string;
  pid: number;
  dir: string;
  /** Messages, newest first; with `to`, only those with that envelope/To/Cc recipient. No `raw`. */
  messages(to?: string): Promise<MailboxMessage[]>;
  /** One message with its raw source. */
  message(id: string): Promise<MailboxMessage>;
  /** Polls until a message to `to` (matching `predicate`) arrives; rejects after `timeoutMs`. */
  waitForMessage(to: string, predicate?: (m: MailboxMessage) => boolean, timeoutMs?: number): Promise<MailboxMessage>;
  clear(): Promise<void>;
  /** Stops the process (SIGTERM, SIGKILL after 5 s) and removes its dir. Safe to call twice. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  if (!res.ok) throw new Error(`mailbox: ${init?.method ?? 'GET'} ${url} -> ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export async function startMailbox(options: MailboxOptions = {}): Promise<Mailbox> {
  const dir = await mkdtemp(join(tmpdir(), 'unlockdesk-mailbox-'));
  const args = [MAILBOX_SCRIPT, '--smtp-port', '0', '--http-port', '0', '--dir', join(dir, 'messages')];
  if (options.auth) args.push('--auth', options.auth);
  for (const r of options.rejectRecipients ?? []) args.push('--reject-rcpt', r);

  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  exited.then(() => running.delete(child));

  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => {
    stderr += s;
  });

  const ready = await new Promise<{ smtpPort: number; httpPort: number; pid: number }>((resolveReady, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mailbox did not start within 15 s: ${stderr}`));
    }, 15_000);
    child.stdout?.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      const nl = stdout.indexOf('\n');
      if (nl < 0) return;
      clearTimeout(timer);
      try {
        resolveReady(JSON.parse(stdout.slice(0, nl)));
      } catch (err) {
        reject(new Error(`mailbox printed an unexpected line: ${stdout.slice(0, nl)} (${err})`));
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`mailbox exited before it was ready (code ${code}, signal ${signal}): ${stderr}`));
    });
  });

  const httpUrl = `http://127.0.0.1:${ready.httpPort}`;
  let stopped: Promise<void> | undefined;

  const mailbox: Mailbox = {
    host: '127.0.0.1',
    smtpPort: ready.smtpPort,
    httpPort: ready.httpPort,
    httpUrl,
    pid: ready.pid,
    dir,
    messages(to) {
      const q = to === undefined ? '' : `?to=${encodeURIComponent(to)}`;
      return getJson<MailboxMessage[]>(`${httpUrl}/messages${q}`);
    },
    message(id) {
      return getJson<MailboxMessage>(`${httpUrl}/messages/${encodeURIComponent(id)}`);
    },
    async waitForMessage(to, predicate = () => true, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = (await mailbox.messages(to)).find(predicate);
        if (found) return found;
        if (Date.now() >= deadline) {
          throw new Error(`mailbox: no matching message to ${to} within ${timeoutMs} ms`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async clear() {
      await getJson(`${httpUrl}/messages`, { method: 'DELETE' });
    },
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(timer);
        }
        if (!options.keepDir) await rm(dir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
  return mailbox;
}
