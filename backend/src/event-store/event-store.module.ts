import {
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type ModuleMetadata,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Projection } from '../projections/projection';
import { ProjectionHost } from '../projections/projection-host';
import { ProjectionThread } from '../projections/projection-thread';
import { ProjectionsHealthController } from '../projections/projections-health.controller';
import { createProjectionRunner } from '../projections/read-models';
import { createEventStore } from './create-event-store';
import type { EventStore } from './event-store';

/** Injection token of the EventStore port: `@Inject(EVENT_STORE) store: EventStore`. */
export const EVENT_STORE = Symbol('EVENT_STORE');
export const EVENT_STORE_OPTIONS = Symbol('EVENT_STORE_OPTIONS');

export interface EventStoreModuleOptions {
  /** `esdb://host:2113?tls=false` selects EventStoreDB; absent, the embedded store in `dataDir` is used. */
  connectionString?: string;
  /** Holds `events.sqlite` (embedded store) and `read-models.sqlite` (read models and their checkpoints). */
  dataDir: string;
  /**
   * Read models to run in-process (tests). By default the product's read models (DEFAULT_PROJECTIONS) run on the
   * projection thread (ProjectionThread).
   */
  projections?: Projection[];
}

function createStore(options: EventStoreModuleOptions): EventStore {
  const logger = new Logger('EventStore');
  return createEventStore({
    ...options,
    esdb: {
      onResubscribe: (err, attempt, from) =>
        logger.warn(
          `subscription dropped (${err instanceof Error ? err.message : String(err)}); ` +
            `re-subscribing from ${from ?? 'start'} (attempt ${attempt})`,
        ),
    },
  });
}

function createRunner(store: EventStore, options: EventStoreModuleOptions): ProjectionHost {
  const logger = new Logger('Projections');
  const log = (m: string) => logger.log(m);
  if (options.projections) return createProjectionRunner(store, options.dataDir, options.projections, { log });
  return new ProjectionThread({ dataDir: options.dataDir, connectionString: options.connectionString, store, log });
}

@Injectable()
class EventStoreLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly runner: ProjectionHost,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner.stop();
    this.runner.db.close();
    await this.store.close();
  }
}

export interface EventStoreModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: Array<string | symbol | (abstract new (...args: never[]) => unknown)>;
  useFactory: (...args: never[]) => EventStoreModuleOptions | Promise<EventStoreModuleOptions>;
}

/**
 * The event store (embedded or EventStoreDB), the read models (on the projection thread) started with the application
 * and stopped on shutdown, and GET /api/health/projections. Global: inject EVENT_STORE and ProjectionHost anywhere.
 */
@Module({})
export class EventStoreModule {
  static forRoot(options: EventStoreModuleOptions): DynamicModule {
    return EventStoreModule.module({ provide: EVENT_STORE_OPTIONS, useValue: options });
  }

  /** e.g. `forRootAsync({ inject: [APP_CONFIG], useFactory: (c: AppConfig) => ({ dataDir: c.dataDir, … }) })` */
  static forRootAsync(options: EventStoreModuleAsyncOptions): DynamicModule {
    return {
      ...EventStoreModule.module({
        provide: EVENT_STORE_OPTIONS,
        useFactory: options.useFactory,
        inject: options.inject ?? [],
      }),
      imports: options.imports ?? [],
    };
  }

  private static module(optionsProvider: NonNullable<DynamicModule['providers']>[number]): DynamicModule {
    return {
      module: EventStoreModule,
      global: true,
      controllers: [ProjectionsHealthController],
      providers: [
        optionsProvider,
        {
          provide: EVENT_STORE,
          useFactory: (options: EventStoreModuleOptions) => createStore(options),
          inject: [EVENT_STORE_OPTIONS],
        },
        {
          provide: ProjectionHost,
          useFactory: (store: EventStore, options: EventStoreModuleOptions) => createRunner(store, options),
          inject: [EVENT_STORE, EVENT_STORE_OPTIONS],
        },
        EventStoreLifecycle,
      ],
      exports: [EVENT_STORE, ProjectionHost],
    };
  }
}
