/**
 * Masked contact details for agents and kiosk screens. The masks keep a fixed shape, so they reveal neither
 * the length of the local part nor more than the last two digits of a number:
 *   john.doe@example.com -> j***@example.com
 *   +44 7700 900512      -> ***-**12
 */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return '***';
  const first = Array.from(address.slice(0, at).trim())[0] ?? '*';
  return `${first}***@${address
    .slice(at + 1)
    .trim()
    .toLowerCase()}`;
}

export function maskPhone(number: string): string {
  const digits = number.replace(/\D/g, '');
  if (digits.length < 4) return '***-**';
  return `***-**${digits.slice(-2)}`;
}
