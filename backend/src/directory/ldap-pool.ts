import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, type Control, ResultCodeError } from 'ldapts';
import type { TlsConfig } from '../config/config.types';
import { StoreUnavailableError } from './identity-store';

export interface EndpointOptions {
  storeId: string;
  /** Tried in order starting with the last one that worked (failover). */
  urls: string[];
  tls: TlsConfig;
  connectMs: number;
  operationMs: number;
}

/** True when the error is an LDAP result from the server (the connection itself is fine). */
export function isLdapResult(err: unknown): err is ResultCodeError {
  return err instanceof ResultCodeError;
}

/** The server's diagnostic text of an LDAP result error, without ldapts' ` Code: 0x..` suffix. */
export function directoryText(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s*Code: 0x[0-9a-f]+\s*$/i, '').trim();
}

/**
 * Opens connections to one directory: TLS per the store's mode (LDAPS, StartTLS or plain), connect and
 * operation timeouts, and failover across the configured URLs.
 */
export class LdapConnector {
  private readonly ca?: Buffer;
  private preferred = 0;

  constructor(readonly options: EndpointOptions) {
    if (options.tls.caFile) this.ca = readFileSync(options.tls.caFile);
  }

  /** The URL that last worked (for messages). */
  get currentUrl(): string {
    return this.options.urls[this.preferred] ?? this.options.urls[0];
  }

  private tlsOptions(url: URL): ConnectionOptions {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const servername = this.options.tls.serverName ?? (isIP(host) ? undefined : host);
    return {
      ...(this.ca ? { ca: [this.ca] } : {}),
      ...(servername ? { servername } : {}),
      host,
      minVersion: 'TLSv1.2',
    };
  }

  /** A connected (TLS established) but unbound client for `url`. */
  private async connect(url: string): Promise<Client> {
    const parsed = new URL(url);
    const ldaps = this.options.tls.mode === 'ldaps';
    const client = new Client({
      url,
      timeout: this.options.operationMs,
      connectTimeout: this.options.connectMs,
      // ldapts: tlsOptions in the constructor would force TLS on ldap:// too, so only for LDAPS.
      ...(ldaps ? { tlsOptions: this.tlsOptions(parsed) } : {}),
    });
    try {
      if (this.options.tls.mode === 'starttls') await client.startTLS(this.tlsOptions(parsed));
      return client;
    } catch (err) {
      await client.unbind().catch(() => {});
      throw err;
    }
  }

  /**
   * Connects and binds, trying each URL in turn when a server can't be reached. An LDAP result from the server
   * (invalid credentials, …) is not a reason to fail over and is rethrown as is; when no server can be reached a
   * StoreUnavailableError naming every URL is thrown.
   */
  async open(dn: string, password: string, controls?: Control[]): Promise<Client> {
    const { urls } = this.options;
    const failures: string[] = [];
    for (let i = 0; i < urls.length; i++) {
      const index = (this.preferred + i) % urls.length;
      const url = urls[index];
      let client: Client | undefined;
      try {
        client = await this.connect(url);
        await client.bind(dn, password, controls);
        this.preferred = index;
        return client;
      } catch (err) {
        if (client) await client.unbind().catch(() => {});
        if (isLdapResult(err)) {
          this.preferred = index;
          throw err;
        }
        failures.push(`${url}: ${err instanceof Error ? err.message.split('\n').pop() : String(err)}`);
      }
    }
    throw new StoreUnavailableError(this.options.storeId, `cannot reach the directory (${failures.join('; ')})`);
  }
}

interface Waiter {
  resolve: () => void;
}

/**
 * A small pool of connections bound as the store's service account. Connections are reused; one that was
 * dropped (server restart, idle timeout, operation timeout) is discarded and the operation is retried once on
 * a fresh connection, which rebinds. At most `size` connections are open; further callers wait up to the
 * operation timeout.
 */
export class LdapPool {
  private readonly idle: Client[] = [];
  private readonly waiters: Waiter[] = [];
  private open = 0;
  private closed = false;

  constructor(
    private readonly connector: LdapConnector,
    private readonly bind: { dn: string; password: () => string },
    private readonly size: number,
  ) {}

  get storeId(): string {
    return this.connector.options.storeId;
  }

  /** Runs `fn` with a bound service connection. */
  async use<T>(fn: (client: Client) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const client = await this.acquire();
      try {
        const result = await fn(client);
        this.release(client);
        return result;
      } catch (err) {
        if (isLdapResult(err)) {
          this.release(client);
          throw err;
        }
        this.discard(client);
        if (err instanceof StoreUnavailableError) throw err;
        if (attempt >= 1)
          throw new StoreUnavailableError(
            this.storeId,
            `directory connection failed (${this.connector.currentUrl}): ${err instanceof Error ? err.message.split('\n').pop() : String(err)}`,
            { cause: err },
          );
        // The connection broke under us (e.g. the server closed an idle connection): retry once on a new one.
      }
    }
  }

  private async acquire(): Promise<Client> {
    const deadline = Date.now() + this.connector.options.operationMs + this.connector.options.connectMs;
    for (;;) {
      if (this.closed) throw new StoreUnavailableError(this.storeId, 'identity store is closed');
      while (this.idle.length) {
        const client = this.idle.pop() as Client;
        if (client.isBound) return client;
        this.discard(client);
      }
      if (this.open < this.size) {
        this.open++;
        try {
          return await this.connector.open(this.bind.dn, this.bind.password());
        } catch (err) {
          this.open--;
          this.wakeOne();
          if (isLdapResult(err))
            throw new StoreUnavailableError(
              this.storeId,
              `the service account cannot bind: ${directoryText(err) || err.message}`,
              { cause: err },
            );
          throw err;
        }
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw new StoreUnavailableError(this.storeId, `all ${this.size} directory connections are busy`);
      await new Promise<void>((resolve) => {
        const waiter: Waiter = { resolve: () => resolve() };
        const timer = setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          resolve();
        }, remaining);
        waiter.resolve = () => {
          clearTimeout(timer);
          resolve();
        };
        this.waiters.push(waiter);
      });
    }
  }

  private release(client: Client): void {
    if (this.closed) {
      this.discard(client);
      return;
    }
    this.idle.push(client);
    this.wakeOne();
  }

  private discard(client: Client): void {
    this.open--;
    client.unbind().catch(() => {});
    this.wakeOne();
  }

  private wakeOne(): void {
    this.waiters.shift()?.resolve();
  }

  /** Open connections (idle and in use). */
  get openConnections(): number {
    return this.open;
  }

  async close(): Promise<void> {
    this.closed = true;
    const idle = this.idle.splice(0);
    this.open -= idle.length;
    await Promise.all(idle.map((c) => c.unbind().catch(() => {})));
    for (const w of this.waiters.splice(0)) w.resolve();
  }
}
