/**
 * Distinguished names (RFC 4514), parsed just enough to compare them: attribute types and values are
 * case-insensitive, spaces around separators are insignificant, `\,` and `\2C` are the same character,
 * and the order of AVAs inside a multi-valued RDN (`a=1+b=2`) does not matter.
 */

export class InvalidDnError extends Error {
  override readonly name = 'InvalidDnError';
}

/** Parses a DN into normalised RDN strings, most specific first. The empty DN parses to []. */
export function parseDn(dn: string): string[] {
  if (typeof dn !== 'string') throw new InvalidDnError('A DN must be a string');
  if (dn.trim() === '') return [];
  const rdns: string[] = [];
  let avas: string[] = [];
  let attr = '';
  let value: number[] = [];
  let inValue = false;
  let trailingSpaces = 0; // unescaped spaces at the end of the value so far
  let i = 0;
  const pushAva = () => {
    const type = attr.trim().toLowerCase();
    if (!inValue || !/^([a-z][a-z0-9-]*|\d+(\.\d+)*)$/.test(type)) {
      throw new InvalidDnError(`Invalid attribute in DN "${dn}"`);
    }
    const bytes = value.slice(0, value.length - trailingSpaces);
    const text = Buffer.from(bytes).toString('utf8').normalize('NFKC').toLowerCase();
    avas.push(`${type}=${escapeValue(text)}`);
    attr = '';
    value = [];
    inValue = false;
    trailingSpaces = 0;
  };
  while (i < dn.length) {
    const ch = dn[i] as string;
    if (!inValue) {
      if (ch === '=') inValue = true;
      else if (ch === ',' || ch === '+' || ch === ';') throw new InvalidDnError(`Invalid DN "${dn}"`);
      else attr += ch;
      i += 1;
      continue;
    }
    if (ch === '\\') {
      const hex = dn.slice(i + 1, i + 3);
      if (/^[0-9a-fA-F]{2}$/.test(hex)) {
        value.push(Number.parseInt(hex, 16));
        i += 3;
      } else if (i + 1 < dn.length) {
        value.push(...Buffer.from(dn[i + 1] as string, 'utf8'));
        i += 2;
      } else {
        throw new InvalidDnError(`Dangling escape in DN "${dn}"`);
      }
      trailingSpaces = 0;
      continue;
    }
    if (ch === ',' || ch === ';' || ch === '+') {
      pushAva();
      if (ch !== '+') {
        rdns.push(avas.sort().join('+'));
        avas = [];
      }
      i += 1;
      continue;
    }
    if (ch === ' ') {
      if (value.length === 0) {
        i += 1; // leading space
        continue;
      }
      trailingSpaces += 1;
    } else {
      trailingSpaces = 0;
    }
    value.push(...Buffer.from(ch, 'utf8'));
    i += 1;
  }
  pushAva();
  rdns.push(avas.sort().join('+'));
  return rdns;
}

function escapeValue(text: string): string {
  return text.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`).replace(/^#/, '\\#');
}

/** The canonical string form of a DN (lower case, no insignificant spaces). Throws InvalidDnError. */
export function normaliseDn(dn: string): string {
  return parseDn(dn).join(',');
}

/** True when `dn` is `base` or lies below it (RDN-wise suffix, so `ou=ales` never matches `ou=sales`). */
export function isDnWithin(dn: string, base: string): boolean {
  let d: string[];
  let b: string[];
  try {
    d = parseDn(dn);
    b = parseDn(base);
  } catch {
    return false;
  }
  if (b.length === 0 || b.length > d.length) return false;
  const offset = d.length - b.length;
  return b.every((rdn, k) => d[offset + k] === rdn);
}

export function isValidDn(dn: string): boolean {
  try {
    return parseDn(dn).length > 0;
  } catch {
    return false;
  }
}
