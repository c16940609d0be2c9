import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Logger } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import type { SMTPPoolOptions, SMTPPoolSentMessageInfo } from 'nodemailer/lib/smtp-pool';
import { maskEmail } from '../shared/crypto/mask';
import { isLoopbackHost, isPlainEmailAddress } from './address';
import { DeliveryError, type DeliveryFailureReason } from './delivery-error';
import { SMTP_DEFAULTS, type SmtpConfig } from './notifications.config';
import type { Mailer, MailMessage, SentMail } from './ports';

type Transporter = Mail<SMTPPoolSentMessageInfo, SMTPPoolOptions>;

/** What nodemailer puts on its errors (see nodemailer/lib/errors). */
interface NodemailerError extends Error {
  code?: string;
  command?: string;
  responseCode?: number;
  response?: string;
  errno?: number;
}

const UNREACHABLE = /\b(ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE)\b/;

/**
 * Sends mail over SMTP with a pool of connections (nodemailer). The password is revealed only to nodemailer; log lines
 * carry the masked recipient and the Message-ID, never the subject, body or a code.
 */
export class SmtpMailer implements Mailer {
  private readonly log = new Logger('Mail');
  private readonly transport: Transporter;
  private readonly config: SmtpConfig;

  constructor(config: Partial<SmtpConfig> & Pick<SmtpConfig, 'host' | 'port' | 'tls' | 'from'>) {
    this.config = { ...SMTP_DEFAULTS, ...config };
    const c = this.config;
    if (c.tls === 'none' && !isLoopbackHost(c.host)) {
      throw new Error(
        `SMTP tls 'none' is only allowed for a loopback host (got ${c.host}); use 'starttls' or 'implicit'`,
      );
    }
    if (!Number.isInteger(c.port) || c.port < 1 || c.port > 65535) throw new Error(`SMTP port ${c.port} is not valid`);
    this.transport = createTransport({
      pool: true,
      host: c.host,
      port: c.port,
      secure: c.tls === 'implicit',
      requireTLS: c.tls === 'starttls',
      ignoreTLS: c.tls === 'none',
      tls:
        c.tls === 'none'
          ? undefined
          : {
              minVersion: 'TLSv1.2',
              rejectUnauthorized: true,
              ca: c.caFile ? readFileSync(c.caFile) : undefined,
              servername: c.serverName,
            },
      auth: c.auth ? { user: c.auth.user, pass: c.auth.password.reveal() } : undefined,
      name: c.clientName ?? hostname(),
      connectionTimeout: c.connectionTimeoutMs,
      greetingTimeout: c.greetingTimeoutMs,
      socketTimeout: c.socketTimeoutMs,
      maxConnections: c.maxConnections,
      logger: false,
      debug: false,
      // Message content never comes from a file or a URL.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  }

  async send(message: MailMessage): Promise<SentMail> {
    if (!isPlainEmailAddress(message.to)) {
      throw new DeliveryError('email', 'rejected-recipient', 'The recipient is not a valid email address');
    }
    const domain = /@([^>]+)>?$/.exec(this.config.from)?.[1] ?? 'unlockdesk.invalid';
    const messageId = `<${randomUUID()}@${domain}>`;
    try {
      const info = await this.transport.sendMail({
        from: this.config.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        messageId,
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
      });
      if (Array.isArray(info.rejected) && info.rejected.length > 0) {
        throw Object.assign(new Error('Recipient rejected'), { code: 'EENVELOPE', command: 'RCPT TO' });
      }
      this.log.debug(`Sent ${info.messageId ?? messageId} to ${maskEmail(message.to)}`);
      return { messageId: info.messageId ?? messageId };
    } catch (err) {
      const e = toDeliveryError(err, message.to, this.config);
      this.log.warn(`Mail to ${maskEmail(message.to)} not sent: ${e.reason} (${e.message})`);
      throw e;
    }
  }

  async verify(): Promise<void> {
    try {
      await this.transport.verify();
    } catch (err) {
      throw toDeliveryError(err, undefined, this.config);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

function toDeliveryError(err: unknown, to: string | undefined, c: SmtpConfig): DeliveryError {
  const e = (err ?? {}) as NodemailerError;
  const server = `${c.host}:${c.port}`;
  const detail = { code: e.code, responseCode: e.responseCode, response: e.response };
  const who = to ? maskEmail(to) : 'the recipient';
  const make = (reason: DeliveryFailureReason, message: string) =>
    new DeliveryError('email', reason, message, detail, { cause: err });

  if (e.code === 'ETIMEDOUT') {
    return make('timeout', `The mail server ${server} did not answer in time (${e.message})`);
  }
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH') {
    return make('authentication-failed', `The mail server ${server} refused the configured credentials`);
  }
  if (e.responseCode === 530) {
    return make('authentication-failed', `The mail server ${server} requires authentication (530)`);
  }
  if (e.code === 'ETLS' || e.code === 'EREQUIRETLS' || /certificate|TLS|SSL/i.test(e.message ?? '')) {
    if (e.code !== 'EENVELOPE' && e.code !== 'EMESSAGE') {
      return make('tls-failed', `TLS with the mail server ${server} failed: ${e.message}`);
    }
  }
  if (e.code === 'EDNS' || ((e.code === 'ESOCKET' || e.code === 'ECONNECTION') && UNREACHABLE.test(e.message ?? ''))) {
    return make('connection-refused', `The mail server ${server} cannot be reached (${firstCode(e.message)})`);
  }
  if (e.code === 'EENVELOPE' && (e.command === 'RCPT TO' || /recipient/i.test(e.message ?? ''))) {
    const reply = e.responseCode ? ` with ${e.responseCode}` : '';
    return make('rejected-recipient', `The mail server refused the recipient ${who}${reply}`);
  }
  const reply = e.response ? `: ${stripAddresses(e.response)}` : e.message ? `: ${stripAddresses(e.message)}` : '';
  return make('gateway-error', `The mail server ${server} did not accept the message${reply}`);
}

function firstCode(message = ''): string {
  return UNREACHABLE.exec(message)?.[1] ?? 'connection failed';
}

/** Server replies often echo the address; keep them out of API answers and logs. */
function stripAddresses(text: string): string {
  return text.replace(/<?[^\s<>@]+@[^\s<>]+>?/g, (m) => maskEmail(m.replace(/[<>]/g, ''))).slice(0, 300);
}
