// Shared helpers for the directory integration tests: store configs for the real labs (validated through the real
// config parser), and a TCP relay that can cut every connection to simulate a dropped directory connection.
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { parseConfig } from '../../src/config/config.loader';
import type { IdentityStoreConfig, LdapStoreConfig } from '../../src/config/config.types';
import { adStoreRaw, ldapStoreRaw } from '../labs/lab-config';
import type { Lab } from '../labs/labs';

export { adStoreRaw, ldapStoreRaw };

export function storeConfigs(raw: unknown[], env: NodeJS.ProcessEnv = {}): IdentityStoreConfig[] {
  return parseConfig({ identityStores: raw }, { env, baseDir: process.cwd() }).config.identityStores;
}

export function adStore(lab: Lab, overrides: Record<string, unknown> = {}): LdapStoreConfig {
  return storeConfigs([adStoreRaw(lab, overrides)], { AD_BIND_PW: lab.helpdeskPw })[0] as LdapStoreConfig;
}

export function ldapStore(lab: Lab, overrides: Record<string, unknown> = {}): LdapStoreConfig {
  return storeConfigs([ldapStoreRaw(lab, overrides)], { LDAP_BIND_PW: lab.helpdeskPw })[0] as LdapStoreConfig;
}

/** A loopback TCP relay to host:port; `cut()` destroys every relayed connection (the server stays up). */
export class TcpRelay {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly host: string,
    private readonly targetPort: number,
  ) {
    this.server = createServer((client) => {
      const upstream = tcpConnect(this.targetPort, this.host);
      this.sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this;
  }

  /** Relayed connections currently open (client side and upstream side counted once each pair). */
  get connections(): number {
    return this.sockets.size / 2;
  }

  cut(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
