import { join } from 'node:path';
import { type DynamicModule, Module, type ModuleMetadata } from '@nestjs/common';
import { SessionController } from './session.controller';
import { SessionGuard } from './session.guard';
import { SESSION_STORE, SessionService } from './session.service';
import { SessionStore } from './session-store';

export type SessionModuleOptions = {
  dataDir: string;
  /** A module that exports the AGENT_DIRECTORY provider (the identity stores). */
  directory: NonNullable<ModuleMetadata['imports']>[number];
  idleMinutes?: number;
  absoluteHours?: number;
};

@Module({})
export class SessionModule {
  static forRoot(options: SessionModuleOptions): DynamicModule {
    return {
      module: SessionModule,
      global: true,
      imports: [options.directory],
      controllers: [SessionController],
      providers: [
        SessionService,
        SessionGuard,
        {
          provide: SESSION_STORE,
          useFactory: () =>
            new SessionStore(options.dataDir === ':memory:' ? ':memory:' : join(options.dataDir, 'sessions.sqlite'), {
              idleMs: (options.idleMinutes ?? 30) * 60_000,
              absoluteMs: (options.absoluteHours ?? 10) * 3600_000,
            }),
        },
      ],
      exports: [SessionService, SessionGuard],
    };
  }
}
