/** An email to one recipient. `text` is required (some helpdesk users read mail as plain text); `html` is optional. */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface SentMail {
  /** The Message-ID header of the sent mail (for correlating with the mail server's logs). */
  messageId: string;
}

/** Sends email. Rejects with a `DeliveryError` when the next hop does not accept the message. */
export interface Mailer {
  send(message: MailMessage): Promise<SentMail>;
  /** Checks the connection (and credentials) without sending; rejects with a `DeliveryError`. */
  verify?(): Promise<void>;
  close?(): Promise<void>;
}

/** A text message to one phone number (E.164 preferred, e.g. +447700900512). */
export interface SmsMessage {
  to: string;
  text: string;
}

export interface SentSms {
  /** The gateway's id for the message when it returns one, otherwise ours. */
  messageId: string;
}

/** Sends SMS through a gateway. Rejects with a `DeliveryError` when the gateway does not accept the message. */
export interface SmsGateway {
  send(message: SmsMessage): Promise<SentSms>;
  close?(): Promise<void>;
}

/** Nest injection tokens. */
export const MAILER = Symbol('Mailer');
export const SMS_GATEWAY = Symbol('SmsGateway');
