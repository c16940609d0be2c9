import { isIP } from 'node:net';

// One plain address, no display name, no list, no header tricks (CR/LF, commas, angle brackets, quotes).
const EMAIL =
  /^[^\s@<>,;:"()[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

export function isPlainEmailAddress(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 254 && EMAIL.test(value);
}

/** E.164-ish: an optional +, then 6..15 digits, with spaces, dots, hyphens and parentheses allowed between. */
export function normalisePhoneNumber(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^\+?[0-9 ().-]{6,32}$/.test(value.trim())) return undefined;
  const plus = value.trim().startsWith('+') ? '+' : '';
  // "+44 (0)7700 900512": the bracketed trunk zero is dialled only nationally, never after the country code.
  const digits = (plus ? value.replace(/\(\s*0\s*\)/g, '') : value).replace(/\D/g, '');
  return digits.length >= 6 && digits.length <= 15 ? `${plus}${digits}` : undefined;
}

/** True for 127.0.0.0/8, ::1 and `localhost` — where a plain-text connection never leaves the machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1';
  return false;
}
