import { join } from 'node:path';
import { type DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { DirectoryModule } from '../directory/directory.module';
import { AGENT_DIRECTORY } from './agent-directory';
import { DirectoryAgentDirectory } from './directory-agent-directory';
import { SessionController } from './session.controller';
import { SessionGuard } from './session.guard';
import { GROUPS_REFRESH_MS, SESSION_STORE, SessionService } from './session.service';
import { SESSION_CHECK } from './session-check';
import { SessionStore } from './session-store';

/** Agents sign in against the configured identity stores. */
@Module({
  imports: [DirectoryModule],
  providers: [{ provide: AGENT_DIRECTORY, useClass: DirectoryAgentDirectory }],
  exports: [AGENT_DIRECTORY],
})
export class AgentDirectoryModule {}

export type SessionModuleOptions = {
  /** A module exporting AGENT_DIRECTORY; the identity stores by default. */
  directory?: NonNullable<ModuleMetadata['imports']>[number];
  /** Where sessions.sqlite lives (':memory:' in tests); the configured data directory by default. */
  dataDir?: string;
  idleMinutes?: number;
  absoluteHours?: number;
  /**
   * How often a session's agent (groups, disabled, locked, deleted) is read again from the directory, on the next
   * request after this many seconds; 0: on every request. Default 300.
   */
  groupsRefreshSeconds?: number;
};

/** Agent sign-in, sessions, and the SessionGuard for every other controller. Needs EVENT_STORE (global). */
@Module({})
export class SessionModule {
  static forRoot(options: SessionModuleOptions = {}): DynamicModule {
    const timeouts = {
      idleMs: (options.idleMinutes ?? 30) * 60_000,
      absoluteMs: (options.absoluteHours ?? 10) * 3600_000,
    };
    return {
      module: SessionModule,
      global: true,
      imports: [options.directory ?? AgentDirectoryModule],
      controllers: [SessionController],
      providers: [
        SessionService,
        SessionGuard,
        { provide: SESSION_CHECK, useExisting: SessionService },
        { provide: GROUPS_REFRESH_MS, useValue: (options.groupsRefreshSeconds ?? 300) * 1000 },
        options.dataDir
          ? {
              provide: SESSION_STORE,
              useFactory: () =>
                new SessionStore(
                  options.dataDir === ':memory:' ? ':memory:' : join(options.dataDir as string, 'sessions.sqlite'),
                  timeouts,
                ),
            }
          : {
              provide: SESSION_STORE,
              inject: [APP_CONFIG],
              useFactory: (config: AppConfig) => new SessionStore(join(config.dataDir, 'sessions.sqlite'), timeouts),
            },
      ],
      exports: [SessionService, SessionGuard, SESSION_CHECK],
    };
  }
}
