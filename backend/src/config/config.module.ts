import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { type LoadOptions, loadConfig } from './config.loader';
import type { AppConfig } from './config.types';

/** Injection token of the validated AppConfig: `@Inject(APP_CONFIG) config: AppConfig`. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * Provides the typed, validated configuration to the whole application (global module).
 * `ConfigModule.forRoot()` reads `UNLOCKDESK_CONFIG` (and the env overrides) when the app starts; an invalid
 * file stops start-up with a message naming every bad field. `ConfigModule.forConfig(cfg)` injects a ready config.
 */
@Module({})
export class ConfigModule {
  static forRoot(options: LoadOptions = {}): DynamicModule {
    return ConfigModule.module({
      provide: APP_CONFIG,
      useFactory: (): AppConfig => {
        const { config, warnings } = loadConfig(options);
        const log = new Logger('Config');
        for (const w of warnings) log.warn(w);
        log.log(
          `${config.source ? `loaded ${config.source}` : 'no UNLOCKDESK_CONFIG: using defaults'}; ` +
            `${config.identityStores.length} identity store(s), ` +
            `event store ${config.eventStore.connectionString ? 'EventStoreDB' : 'embedded'}, dataDir ${config.dataDir}`,
        );
        return config;
      },
    });
  }

  static forConfig(config: AppConfig): DynamicModule {
    return ConfigModule.module({ provide: APP_CONFIG, useValue: config });
  }

  private static module(
    provider: DynamicModule['providers'] extends (infer P)[] | undefined ? P : never,
  ): DynamicModule {
    return { module: ConfigModule, global: true, providers: [provider], exports: [APP_CONFIG] };
  }
}
