/**
 * Why a message (email or SMS) could not be delivered to the next hop. The API maps it to a clear 502/503 answer;
 * the message never contains the message body or a code, and destinations in it are masked.
 *
 *   connection-refused  nothing listens at the configured host/port (or DNS/network failure)      503, retryable
 *   timeout             connecting, the greeting or the exchange took longer than configured      503, retryable
 *   rejected-recipient  the server/gateway refused this destination (SMTP 5xx on RCPT, bad number) 502
 *   authentication-failed the server refused our credentials (configuration problem)            502
 *   tls-failed          TLS/STARTTLS could not be established (certificate, protocol)             502
 *   gateway-error       any other refusal or failure reported by the server or gateway            502
 */
export type DeliveryFailureReason =
  | 'connection-refused'
  | 'timeout'
  | 'rejected-recipient'
  | 'authentication-failed'
  | 'tls-failed'
  | 'gateway-error';

export type DeliveryChannel = 'email' | 'sms';

const UNAVAILABLE: ReadonlySet<DeliveryFailureReason> = new Set(['connection-refused', 'timeout']);

export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';

  constructor(
    readonly channel: DeliveryChannel,
    readonly reason: DeliveryFailureReason,
    message: string,
    /** What the server/gateway said (SMTP reply, HTTP status and the gateway's message), without any body. */
    readonly detail?: { responseCode?: number; status?: number; response?: string; code?: string },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** 503 when the mail server/gateway is unreachable or slow (try again later), 502 when it answered with a refusal. */
  get httpStatus(): 502 | 503 {
    return UNAVAILABLE.has(this.reason) ? 503 : 502;
  }

  /** True when trying again later may help (the next hop was unavailable, not refusing). */
  get retryable(): boolean {
    return UNAVAILABLE.has(this.reason);
  }

  /** A body for the API: no stack, no cause, nothing secret. */
  toJSON(): { error: 'delivery-failed'; channel: DeliveryChannel; reason: DeliveryFailureReason; message: string } {
    return { error: 'delivery-failed', channel: this.channel, reason: this.reason, message: this.message };
  }
}

export function isDeliveryError(err: unknown): err is DeliveryError {
  return err instanceof DeliveryError;
}
