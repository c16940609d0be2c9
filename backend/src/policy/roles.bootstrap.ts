/**
 * Bootstrap roles from the configuration, on first start only: the configured roles are created (as RoleCreated
 * events by `system`) and a `RolesBootstrapped` marker is appended to the stream `roles-bootstrap`. Once the marker
 * exists, the configuration's roles are never applied again: later role changes are events made through the API,
 * and editing `roles:` in the file has no effect (the log says so). Safe with several instances starting at once:
 * creates and the marker use expected revisions, a lost race is ignored.
 */
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config.types';
import { type EventStore, readStreamToArray, WrongExpectedVersionError } from '../event-store/event-store';
import { EVENT_STORE } from '../event-store/event-store.module';
import { handle } from '../event-store/handle';
import { ProjectionHost } from '../projections/projection-host';
import { DomainRefusal } from '../shared/decider';
import { eventMetadata, SYSTEM_ACTOR } from '../shared/http/request-metadata';
import type { Role } from './role';
import { roleStreamDecider } from './roles.commands';
import { RolesReadModel } from './roles.read-model';

export const ROLES_BOOTSTRAP_STREAM = 'roles-bootstrap';

export type BootstrapResult = { applied: boolean; created: string[] };

export async function bootstrapRoles(store: EventStore, roles: readonly Role[]): Promise<BootstrapResult> {
  if (roles.length === 0) return { applied: false, created: [] };
  if ((await readStreamToArray(store, ROLES_BOOTSTRAP_STREAM)).length > 0) return { applied: false, created: [] };
  const metadata = { ...eventMetadata(SYSTEM_ACTOR), reason: 'bootstrap from configuration' };
  const created: string[] = [];
  for (const { roleId, ...definition } of roles) {
    try {
      const r = await handle(
        store,
        `role-${roleId}`,
        roleStreamDecider,
        { type: 'CreateRole', roleId, definition },
        {
          metadata,
        },
      );
      if (r.appended) created.push(roleId);
    } catch (err) {
      if (err instanceof DomainRefusal && err.code === 'role.alreadyExists') continue;
      if (err instanceof WrongExpectedVersionError) continue;
      throw err;
    }
  }
  try {
    await store.append(
      ROLES_BOOTSTRAP_STREAM,
      [
        {
          type: 'RolesBootstrapped',
          data: { roleIds: roles.map((r) => r.roleId), created, source: 'configuration' },
          metadata: { ...metadata, schemaVersion: 1 },
        },
      ],
      { expectedRevision: 'no_stream' },
    );
  } catch (err) {
    if (!(err instanceof WrongExpectedVersionError)) throw err;
  }
  return { applied: true, created };
}

@Injectable()
export class RolesBootstrap implements OnApplicationBootstrap {
  private readonly log = new Logger('Roles');

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(APP_CONFIG) private readonly config: Pick<AppConfig, 'roles'>,
    private readonly runner: ProjectionHost,
    private readonly roles: RolesReadModel,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const configured = this.config.roles ?? [];
    const result = await bootstrapRoles(this.store, configured);
    if (result.applied) {
      this.log.log(`bootstrap roles created from the configuration: ${result.created.join(', ') || '(none new)'}`);
      // The runner may not be started yet (hooks run module by module); start() is idempotent.
      await this.runner.start();
      await this.roles.waitFor(await this.store.headPosition());
    } else if (configured.length > 0) {
      this.log.log('roles were bootstrapped on an earlier start; roles: in the configuration is not applied again');
    }
  }
}
