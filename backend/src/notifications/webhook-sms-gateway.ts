import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { maskPhone } from '../shared/crypto/mask';
import { isLoopbackHost, normalisePhoneNumber } from './address';
import { DeliveryError, type DeliveryFailureReason } from './delivery-error';
import { WEBHOOK_DEFAULTS, type WebhookSmsConfig } from './notifications.config';
import type { SentSms, SmsGateway, SmsMessage } from './ports';

const MAX_RETRY_AFTER_MS = 5_000;
const UNREACHABLE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Sends SMS by POSTing JSON to an HTTP gateway (your own relay or a provider's webhook):
 *
 *   POST <url>   Authorization: Bearer <token>   Idempotency-Key: <messageId>   Content-Type: application/json
 *   { "messageId": "…", "to": "+447700900512", "text": "…", "from": "…"? }
 *
 * 2xx: sent (the gateway's `id`/`messageId` is returned when its JSON answer has one). 5xx, 429 and a refused
 * connection are retried (`retries` times, exponential backoff from `backoffMs`, `Retry-After` honoured up to 5 s) with
 * the same Idempotency-Key, so a gateway that dedupes sends one message. A timeout is not retried: the gateway may
 * already have sent it. Other 4xx: failure with the gateway's own message (401/403: authentication-failed).
 */
export class WebhookSmsGateway implements SmsGateway {
  private readonly log = new Logger('Sms');
  private readonly config: WebhookSmsConfig;
  private readonly url: URL;

  constructor(config: Partial<WebhookSmsConfig> & Pick<WebhookSmsConfig, 'url'>) {
    this.config = { ...WEBHOOK_DEFAULTS, ...config };
    this.url = new URL(this.config.url);
    if (this.url.protocol !== 'https:' && !(this.url.protocol === 'http:' && isLoopbackHost(this.url.hostname))) {
      throw new Error(`The SMS webhook URL must use https (plain http only for a loopback host): ${this.url.origin}`);
    }
    if (this.url.username || this.url.password) {
      throw new Error('Put the SMS webhook credentials in the token, not in the URL');
    }
  }

  async send(message: SmsMessage): Promise<SentSms> {
    const to = normalisePhoneNumber(message.to);
    if (!to) throw new DeliveryError('sms', 'rejected-recipient', 'The recipient is not a valid phone number');
    const messageId = randomUUID();
    const body = JSON.stringify({
      messageId,
      to,
      text: message.text,
      ...(this.config.from ? { from: this.config.from } : {}),
    });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      'idempotency-key': messageId,
      'user-agent': 'UnlockDesk-SMS/1',
    };
    if (this.config.token) headers.authorization = `Bearer ${this.config.token.reveal()}`;

    const where = this.url.origin;
    for (let attempt = 0; ; attempt++) {
      const last = attempt >= this.config.retries;
      let retryAfterMs: number | undefined;
      let failure: DeliveryError;
      try {
        const res = await fetch(this.url, {
          method: 'POST',
          headers,
          body,
          redirect: 'error',
          signal: AbortSignal.timeout(this.config.timeoutMs),
        });
        const answer = await res.text().catch(() => '');
        if (res.ok) {
          const id = gatewayId(answer) ?? messageId;
          this.log.debug(`SMS ${id} accepted for ${maskPhone(to)} (attempt ${attempt + 1})`);
          return { messageId: id };
        }
        const said = gatewayMessage(answer);
        const detail = { status: res.status, ...(said ? { response: said } : {}) };
        const text = `The SMS gateway ${where} answered ${res.status}${said ? `: ${said}` : ''}`;
        if (res.status >= 500 || res.status === 429) {
          failure = new DeliveryError('sms', 'gateway-error', text, detail);
          retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
        } else {
          const reason: DeliveryFailureReason =
            res.status === 401 || res.status === 403 ? 'authentication-failed' : 'gateway-error';
          throw this.fail(new DeliveryError('sms', reason, text, detail), to);
        }
      } catch (err) {
        if (err instanceof DeliveryError) throw err;
        const e = err as Error & { cause?: { code?: string } };
        if (e.name === 'TimeoutError' || e.name === 'AbortError') {
          throw this.fail(
            new DeliveryError(
              'sms',
              'timeout',
              `The SMS gateway ${where} did not answer within ${this.config.timeoutMs} ms`,
              undefined,
              {
                cause: err,
              },
            ),
            to,
          );
        }
        const code = e.cause?.code;
        if (code && UNREACHABLE.has(code)) {
          failure = new DeliveryError(
            'sms',
            'connection-refused',
            `The SMS gateway ${where} cannot be reached (${code})`,
            { code },
            { cause: err },
          );
        } else {
          // Reset mid-request and the like: the gateway may have acted on it, so no retry.
          throw this.fail(
            new DeliveryError(
              'sms',
              'gateway-error',
              `The SMS request to ${where} failed (${code ?? e.message})`,
              { code },
              { cause: err },
            ),
            to,
          );
        }
      }
      if (last) throw this.fail(failure, to);
      const backoff = this.config.backoffMs * 2 ** attempt;
      const jittered = backoff * (0.8 + Math.random() * 0.4);
      await sleep(Math.min(Math.max(jittered, retryAfterMs ?? 0), MAX_RETRY_AFTER_MS));
    }
  }

  private fail(e: DeliveryError, to: string): DeliveryError {
    this.log.warn(`SMS to ${maskPhone(to)} not sent: ${e.reason} (${e.message})`);
    return e;
  }
}

function gatewayId(answer: string): string | undefined {
  try {
    const j = JSON.parse(answer) as Record<string, unknown>;
    const id = j.messageId ?? j.id ?? j.sid;
    return typeof id === 'string' && id.length > 0 && id.length <= 200 ? id : undefined;
  } catch {
    return undefined;
  }
}

/** The gateway's own explanation, short, one line, with phone-number-like digit runs masked. */
export function gatewayMessage(answer: string): string | undefined {
  let text: unknown = answer;
  try {
    const j = JSON.parse(answer) as Record<string, unknown>;
    const err = j.error;
    text =
      (typeof err === 'object' && err !== null ? (err as Record<string, unknown>).message : err) ??
      j.message ??
      j.detail ??
      j.title ??
      answer;
  } catch {}
  if (typeof text !== 'string') return undefined;
  const clean = text
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\+?\d[\d ().-]{5,}\d/g, (m) => maskPhone(m))
    .trim()
    .slice(0, 200);
  return clean || undefined;
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
