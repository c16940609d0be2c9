/**
 * Message texts. Pure functions: the only secret a message may carry is the one-time code itself; contact details,
 * when shown, are masked; nothing from the directory beyond account names and the agent's display name.
 */
import { maskEmail } from '../shared/crypto/mask';
import type { MailMessage } from './ports';

export const PRODUCT_NAME = 'Unlock Desk';

export interface OneTimeCodeInput {
  /** 6..10 digits. */
  code: string;
  /** How long the code is valid (whole minutes, default 5). */
  expiresInMinutes?: number;
}

export type RenderedMail = Omit<MailMessage, 'to'>;

function checkCode(code: string): string {
  if (typeof code !== 'string' || !/^[0-9]{6,10}$/.test(code)) {
    // The value is deliberately not in the message.
    throw new RangeError('A one-time code must be 6 to 10 digits');
  }
  return code;
}

function checkMinutes(minutes: number | undefined): number {
  const m = minutes ?? 5;
  if (!Number.isInteger(m) || m < 1 || m > 1440) throw new RangeError('expiresInMinutes must be 1..1440');
  return m;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** One line of untrusted text (display names, ticket references): no control characters, bounded length. */
export function oneLine(value: string | undefined, max = 120): string {
  const clean = String(value ?? '')
    .replace(/[\p{Cc}\p{Zl}\p{Zp}\u200b-\u200f\u202a-\u202e\u2066-\u2069]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

function htmlDocument(title: string, paragraphs: string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;font-size:15px;line-height:1.45;color:#1b1b1b">
${paragraphs.join('\n')}
</body></html>`;
}

/** The email an agent sends while authenticating a caller. The code is not in the subject (lock-screen previews). */
export function verificationCodeEmail(input: OneTimeCodeInput): RenderedMail {
  const code = checkCode(input.code);
  const minutes = plural(checkMinutes(input.expiresInMinutes), 'minute', 'minutes');
  const subject = `Your ${PRODUCT_NAME} verification code`;
  const text =
    `Your ${PRODUCT_NAME} verification code is ${code}. It expires in ${minutes}. ` +
    'If you did not call the helpdesk, tell your security team.\n\n' +
    'Read the code to the helpdesk agent only when you called them. The helpdesk never asks for your password.\n';
  const html = htmlDocument(subject, [
    `<p>Your ${PRODUCT_NAME} verification code is</p>`,
    `<p style="font-size:28px;font-weight:600;letter-spacing:4px;font-family:ui-monospace,monospace">${code}</p>`,
    `<p>It expires in ${minutes}. If you did not call the helpdesk, tell your security team.</p>`,
    '<p style="color:#555">Read the code to the helpdesk agent only when you called them. The helpdesk never asks for your password.</p>',
  ]);
  return { subject, text, html };
}

/** The SMS an agent sends while authenticating a caller: one GSM-7 segment (at most 160 characters). */
export function verificationCodeSms(input: OneTimeCodeInput): { text: string } {
  const code = checkCode(input.code);
  const minutes = checkMinutes(input.expiresInMinutes);
  return {
    text: `${PRODUCT_NAME} code: ${code}. Expires in ${minutes} min. Did not call the helpdesk? Tell your security team.`,
  };
}

export interface UnlockedAccount {
  /** The identity store's display name, e.g. "Corporate AD". */
  storeName: string;
  /** The account name (sAMAccountName / uid), not a DN. */
  username: string;
}

export interface UnlockNotificationInput {
  /** The user's display name, for the greeting. */
  recipientName?: string;
  /** The address the notice goes to; shown masked at the end (so a forwarded copy says whose it was). */
  recipientAddress?: string;
  accounts: UnlockedAccount[];
  unlockedAt: Date;
  /** The helpdesk agent's display name (never their account name or DN). */
  agentDisplayName: string;
  ticket?: string;
  /** Whom to tell if the unlock was not requested, e.g. "security@example.com" or "+44 20 7946 0000". */
  securityContact?: string;
  /** IANA time zone for the time shown (default UTC). */
  timeZone?: string;
}

export function formatTime(at: Date, timeZone = 'UTC'): string {
  const fmt = new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone });
  return `${fmt.format(at)} (${timeZone})`;
}

/** The notice a user gets whenever a helpdesk agent unlocks their account(s). */
export function unlockNotificationEmail(input: UnlockNotificationInput): RenderedMail {
  if (!Array.isArray(input.accounts) || input.accounts.length === 0) {
    throw new RangeError('An unlock notification needs at least one account');
  }
  if (!(input.unlockedAt instanceof Date) || Number.isNaN(input.unlockedAt.getTime())) {
    throw new RangeError('unlockedAt must be a valid date');
  }
  const many = input.accounts.length > 1;
  const subject = many
    ? `Your accounts were unlocked by the ${PRODUCT_NAME} helpdesk`
    : `Your account was unlocked by the ${PRODUCT_NAME} helpdesk`;
  const name = oneLine(input.recipientName, 80);
  const agent = oneLine(input.agentDisplayName, 80) || 'a helpdesk agent';
  const ticket = oneLine(input.ticket, 64);
  const contact = oneLine(input.securityContact, 120);
  const when = formatTime(input.unlockedAt, input.timeZone);
  const accounts = input.accounts.map((a) => `${oneLine(a.username, 64)} (${oneLine(a.storeName, 64)})`);
  const sentTo = input.recipientAddress ? maskEmail(input.recipientAddress) : '';

  const notYou =
    `If you did not ask the helpdesk to unlock ${many ? 'these accounts' : 'this account'}, someone may be trying ` +
    `to take it over: tell your security team now${contact ? ` (${contact})` : ''} and change your password.`;
  const stillLocked =
    'If you get locked out again soon, a phone, laptop or mapped drive may still be using your old password: ' +
    'update it there.';

  const text = [
    name ? `Hello ${name},` : 'Hello,',
    '',
    `The ${PRODUCT_NAME} helpdesk unlocked ${many ? 'these accounts' : 'this account'} of yours:`,
    ...accounts.map((a) => `  - ${a}`),
    '',
    `When:   ${when}`,
    `By:     ${agent} (helpdesk agent)`,
    ...(ticket ? [`Ticket: ${ticket}`] : []),
    '',
    'You can sign in again now.',
    stillLocked,
    '',
    notYou,
    '',
    `This is an automatic message${sentTo ? ` sent to ${sentTo}` : ''}; replies are not read.`,
    '',
  ].join('\n');

  const e = escapeHtml;
  const html = htmlDocument(subject, [
    `<p>${name ? `Hello ${e(name)},` : 'Hello,'}</p>`,
    `<p>The ${PRODUCT_NAME} helpdesk unlocked ${many ? 'these accounts' : 'this account'} of yours:</p>`,
    `<ul>${accounts.map((a) => `<li>${e(a)}</li>`).join('')}</ul>`,
    '<table style="border-collapse:collapse">',
    `<tr><td style="padding-right:1em">When</td><td>${e(when)}</td></tr>`,
    `<tr><td style="padding-right:1em">By</td><td>${e(agent)} (helpdesk agent)</td></tr>`,
    ...(ticket ? [`<tr><td style="padding-right:1em">Ticket</td><td>${e(ticket)}</td></tr>`] : []),
    '</table>',
    `<p>You can sign in again now. ${e(stillLocked)}</p>`,
    `<p><strong>${e(notYou)}</strong></p>`,
    `<p style="color:#555">This is an automatic message${sentTo ? ` sent to ${e(sentTo)}` : ''}; replies are not read.</p>`,
  ]);
  return { subject, text, html };
}
