import { Inject, Injectable, Optional } from '@nestjs/common';
import type { IdentityStore } from '../directory/identity-store';
import { IdentityStoreRegistry } from '../directory/identity-store.registry';
import type { EventStore } from '../event-store/event-store';
import { EVENT_STORE } from '../event-store/event-store.module';
import { ProjectionHost } from '../projections/projection-host';
import type { ProjectionHealth } from '../projections/projection-runner';

export type PartStatus = 'up' | 'down';

export interface IdentityStoreHealth {
  id: string;
  name: string;
  type: string;
  /** `not-probed`: a store without directory access in this build (Entra ID); not essential. */
  status: PartStatus | 'not-probed';
  essential: boolean;
  latencyMs?: number;
  error?: string;
  checkedAt: string;
}

export interface Health {
  /** ok: every essential part is up (HTTP 200); down: at least one is not (HTTP 503). */
  status: 'ok' | 'down';
  startedAt: string;
  node: string;
  eventStore: { status: PartStatus; head?: string; latencyMs?: number; error?: string };
  identityStores: IdentityStoreHealth[];
  projections: { status: 'ok' | 'failed'; items: ProjectionHealth[]; error?: string };
}

/** What anyone may see: each part's status, no error texts, latencies, positions or versions. */
export interface PublicHealth {
  status: Health['status'];
  eventStore: { status: PartStatus };
  identityStores: { id: string; type: string; status: IdentityStoreHealth['status']; essential: boolean }[];
  projections: { status: Health['projections']['status'] };
}

export function publicHealth(h: Health): PublicHealth {
  return {
    status: h.status,
    eventStore: { status: h.eventStore.status },
    identityStores: h.identityStores.map(({ id, type, status, essential }) => ({ id, type, status, essential })),
    projections: { status: h.projections.status },
  };
}

export const HEALTH_PROBE_OPTIONS = Symbol('HEALTH_PROBE_OPTIONS');
export type HealthProbeOptions = { timeoutMs: number; cacheMs: number };

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** The username looked up to probe a directory: never an account (an indexed equality search that finds nothing). */
export const PROBE_USERNAME = 'unlockdesk-health-probe-0';

/**
 * Aggregate health: the event store (head position), each identity store (a cheap search through the service
 * account's pool — it proves connect, bind and search — with a short timeout, cached a few seconds so a busy load
 * balancer cannot hammer the directories) and the projections (lag, caught up, failed).
 * Essential: the event store, every projection not failed, every AD/LDAP store. Entra ID is listed, not probed.
 */
@Injectable()
export class HealthService {
  readonly startedAt = new Date();
  private readonly cache = new Map<string, { at: number; result: Promise<IdentityStoreHealth> }>();
  private readonly options: HealthProbeOptions;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly runner: ProjectionHost,
    @Optional() private readonly registry?: IdentityStoreRegistry,
    @Optional() @Inject(HEALTH_PROBE_OPTIONS) options?: HealthProbeOptions,
  ) {
    this.options = options ?? { timeoutMs: 2000, cacheMs: 5000 };
  }

  async check(): Promise<Health> {
    const [eventStore, identityStores, projections] = await Promise.all([
      this.eventStore(),
      Promise.all((this.registry?.list() ?? []).map((s) => this.identityStore(s))),
      this.projections(),
    ]);
    const up =
      eventStore.status === 'up' &&
      projections.status === 'ok' &&
      identityStores.every((s) => !s.essential || s.status === 'up');
    return {
      status: up ? 'ok' : 'down',
      startedAt: this.startedAt.toISOString(),
      node: process.versions.node,
      eventStore,
      identityStores,
      projections,
    };
  }

  private async eventStore(): Promise<Health['eventStore']> {
    const started = performance.now();
    try {
      const head = await withTimeout(this.store.headPosition(), this.options.timeoutMs, 'the event store');
      return { status: 'up', head: head.toString(), latencyMs: Math.round(performance.now() - started) };
    } catch (err) {
      return { status: 'down', error: errorText(err) };
    }
  }

  private async projections(): Promise<Health['projections']> {
    try {
      const items = await withTimeout(this.runner.health(), this.options.timeoutMs, 'the projection health');
      return { status: items.some((p) => p.status === 'failed') ? 'failed' : 'ok', items };
    } catch (err) {
      return { status: 'failed', items: [], error: errorText(err) };
    }
  }

  private identityStore(store: IdentityStore): Promise<IdentityStoreHealth> {
    const cached = this.cache.get(store.id);
    if (cached && Date.now() - cached.at < this.options.cacheMs) return cached.result;
    const result = this.probe(store);
    this.cache.set(store.id, { at: Date.now(), result });
    return result;
  }

  private async probe(store: IdentityStore): Promise<IdentityStoreHealth> {
    const base = { id: store.id, name: store.name, type: store.type };
    if (!store.capabilities.canSearch) {
      return { ...base, status: 'not-probed', essential: false, checkedAt: new Date().toISOString() };
    }
    const started = performance.now();
    try {
      await withTimeout(store.findByUsername(PROBE_USERNAME), this.options.timeoutMs, `identity store ${store.id}`);
      return {
        ...base,
        status: 'up',
        essential: true,
        latencyMs: Math.round(performance.now() - started),
        checkedAt: new Date().toISOString(),
      };
    } catch (err) {
      return { ...base, status: 'down', essential: true, error: errorText(err), checkedAt: new Date().toISOString() };
    }
  }
}
