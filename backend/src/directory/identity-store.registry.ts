import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import type { IdentityStore } from './identity-store';
import { createIdentityStore } from './identity-store.factory';

/** The configured identity stores, in configuration order. Closes their connections on shutdown. */
@Injectable()
export class IdentityStoreRegistry implements OnApplicationShutdown {
  private readonly stores: Map<string, IdentityStore>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.stores = new Map(config.identityStores.map((c) => [c.id, createIdentityStore(c)]));
  }

  /** A registry over ready-made stores (tests, benchmark). */
  static of(stores: IdentityStore[]): IdentityStoreRegistry {
    const registry = Object.create(IdentityStoreRegistry.prototype) as IdentityStoreRegistry;
    (registry as unknown as { stores: Map<string, IdentityStore> }).stores = new Map(stores.map((s) => [s.id, s]));
    return registry;
  }

  list(): IdentityStore[] {
    return [...this.stores.values()];
  }

  get(id: string): IdentityStore | undefined {
    return this.stores.get(id);
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.list().map((s) => s.close()));
  }
}
