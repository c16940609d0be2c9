import { inspect } from 'node:util';

/**
 * A resolved secret (bind password, connection string with credentials). It never prints itself:
 * `String(secret)`, `JSON.stringify(secret)` and `util.inspect(secret)` all give `[secret]`, so a config
 * object can be logged or returned without leaking. Call `reveal()` at the one place the value is used.
 */
export class Secret {
  readonly #value: string;

  constructor(
    value: string,
    /** Where the value came from, for messages: `env:NAME`, `file:/path` or `literal`. */
    readonly source: string,
  ) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[secret]';
  }

  toJSON(): string {
    return `[secret from ${this.source}]`;
  }

  [inspect.custom](): string {
    return `Secret(${this.source})`;
  }
}
