import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { maskEmail, maskPhone } from '../shared/crypto/mask';
import { isPlainEmailAddress, normalisePhoneNumber } from './address';
import { DeliveryError } from './delivery-error';
import type { Mailer, MailMessage, SentMail, SentSms, SmsGateway, SmsMessage } from './ports';

/**
 * Development outbox: when no SMTP server or SMS gateway is configured, messages are written as JSON files (mode 0600
 * in a 0700 dir) so a developer can read the code an agent sent. Nothing about the content is logged.
 *
 *   <dir>/<sortable id>.mail.json  { id, kind: 'mail', createdAt, to, subject, text, html }
 *   <dir>/<sortable id>.sms.json   { id, kind: 'sms', createdAt, to, text }
 */
export type OutboxEntry =
  | ({ id: string; kind: 'mail'; createdAt: string } & MailMessage)
  | ({ id: string; kind: 'sms'; createdAt: string } & SmsMessage);

let sequence = 0;
function newId(): string {
  sequence = (sequence + 1) % 1_000_000;
  return `${Date.now().toString().padStart(14, '0')}-${String(sequence).padStart(6, '0')}-${randomBytes(3).toString('hex')}`;
}

async function write(dir: string, entry: OutboxEntry): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${entry.id}.${entry.kind}.json`);
  const tmp = `${file}.tmp`;
  await writeFile(tmp, `${JSON.stringify(entry, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
  return file;
}

/** Entries in the outbox, newest first (for tests and a development page). */
export async function readOutbox(dir: string, kind?: 'mail' | 'sms'): Promise<OutboxEntry[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const files = names.filter((n) => /\.(mail|sms)\.json$/.test(n) && (!kind || n.endsWith(`.${kind}.json`)));
  files.sort().reverse();
  return Promise.all(files.map(async (n) => JSON.parse(await readFile(join(dir, n), 'utf8')) as OutboxEntry));
}

export class OutboxMailer implements Mailer {
  private readonly log = new Logger('Mail');

  constructor(private readonly dir: string) {}

  async send(message: MailMessage): Promise<SentMail> {
    if (!isPlainEmailAddress(message.to)) {
      throw new DeliveryError('email', 'rejected-recipient', 'The recipient is not a valid email address');
    }
    const id = newId();
    await write(this.dir, {
      id,
      kind: 'mail',
      createdAt: new Date().toISOString(),
      to: message.to,
      subject: message.subject,
      text: message.text,
      ...(message.html === undefined ? {} : { html: message.html }),
    });
    this.log.log(`Development outbox: mail to ${maskEmail(message.to)} written to ${this.dir} (${id})`);
    return { messageId: `<${id}@outbox.unlockdesk.invalid>` };
  }

  async verify(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }
}

export class OutboxSmsGateway implements SmsGateway {
  private readonly log = new Logger('Sms');

  constructor(private readonly dir: string) {}

  async send(message: SmsMessage): Promise<SentSms> {
    const to = normalisePhoneNumber(message.to);
    if (!to) throw new DeliveryError('sms', 'rejected-recipient', 'The recipient is not a valid phone number');
    const id = newId();
    await write(this.dir, { id, kind: 'sms', createdAt: new Date().toISOString(), to, text: message.text });
    this.log.log(`Development outbox: SMS to ${maskPhone(to)} written to ${this.dir} (${id})`);
    return { messageId: id };
  }
}
