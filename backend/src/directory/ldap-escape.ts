/**
 * Escaping of untrusted values for LDAP filters (RFC 4515) and DNs (RFC 4514).
 * Every value that reaches a filter string in this module goes through `escapeFilterValue`.
 */

/**
 * Escapes a value for use inside an LDAP filter assertion (RFC 4515 section 3): `*` `(` `)` `\` and NUL become
 * `\2a` `\28` `\29` `\5c` `\00`. A Buffer (binary value such as objectGUID) is escaped byte by byte (`\xx`).
 * Other UTF-8 text is passed through, as RFC 4515 allows.
 */
export function escapeFilterValue(value: string | Buffer): string {
  if (Buffer.isBuffer(value)) {
    let out = '';
    for (const byte of value) out += `\\${byte.toString(16).padStart(2, '0')}`;
    return out;
  }
  let out = '';
  for (const ch of value) {
    switch (ch) {
      case '*':
        out += '\\2a';
        break;
      case '(':
        out += '\\28';
        break;
      case ')':
        out += '\\29';
        break;
      case '\\':
        out += '\\5c';
        break;
      case '\0':
        out += '\\00';
        break;
      default:
        out += ch;
    }
  }
  return out;
}

/**
 * Escapes an attribute value for use in a DN (RFC 4514 section 2.4): `"` `+` `,` `;` `<` `>` `\` anywhere,
 * `#` or space at the start, space at the end, and NUL (as `\00`).
 */
export function escapeDnValue(value: string): string {
  let out = '';
  const chars = [...value];
  chars.forEach((ch, i) => {
    if (ch === '\0') out += '\\00';
    else if ('"+,;<>\\='.includes(ch)) out += `\\${ch}`;
    else if (i === 0 && (ch === '#' || ch === ' ')) out += `\\${ch}`;
    else if (i === chars.length - 1 && ch === ' ') out += '\\ ';
    else out += ch;
  });
  return out;
}

export type MatchMode = 'exact' | 'prefix' | 'contains';

/** `(attr=value)`, `(attr=value*)` or `(attr=*value*)` with the value escaped; an empty value matches presence. */
export function assertion(attribute: string, value: string, mode: MatchMode): string {
  if (!/^[A-Za-z][A-Za-z0-9-]*$|^\d+(\.\d+)+$/.test(attribute)) throw new Error(`bad attribute name: ${attribute}`);
  const v = escapeFilterValue(value);
  if (value === '') return `(${attribute}=*)`;
  switch (mode) {
    case 'exact':
      return `(${attribute}=${v})`;
    case 'prefix':
      return `(${attribute}=${v}*)`;
    case 'contains':
      return `(${attribute}=*${v}*)`;
  }
}

/** `(|a b c)`, or the single part, or undefined for none. */
export function anyOf(parts: string[]): string | undefined {
  const unique = [...new Set(parts)];
  if (unique.length === 0) return undefined;
  return unique.length === 1 ? unique[0] : `(|${unique.join('')})`;
}

/** `(&a b c)` of the defined parts. */
export function allOf(parts: (string | undefined)[]): string {
  const defined = parts.filter((p): p is string => !!p);
  if (defined.length === 0) return '(objectClass=*)';
  return defined.length === 1 ? defined[0] : `(&${defined.join('')})`;
}

/**
 * True for text that can't be a legitimate search or username value: control characters, NUL above all. Even
 * escaped (`\\00`), a NUL ends the assertion value inside slapd's C-string matching, so `(cn=\\00*)` matched every
 * entry in OpenLDAP 2.5 (seen in the integration test); such values are rejected before any filter is built.
 */
export function hasControlCharacters(value: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: that is exactly what this detects
  return /[\u0000-\u001f\u007f]/.test(value);
}
