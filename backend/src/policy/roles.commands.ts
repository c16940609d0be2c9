/**
 * Role commands and queries, routed by Nest's CommandBus/QueryBus to handlers that run the pure role decider through
 * the event store's `handle()`. After an append the handler waits until the roles read model has applied it, so the
 * change is in force for the next request of every agent (and the answer shows what is now stored).
 */
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler, type IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import type { EventStore } from '../event-store/event-store';
import { WrongExpectedVersionError } from '../event-store/event-store';
import { EVENT_STORE } from '../event-store/event-store.module';
import { handle, type StreamDecider } from '../event-store/handle';
import { refuse } from '../shared/decider';
import { PreconditionFailedError, recording } from '../shared/http/errors';
import { eventMetadata, type RequestActor } from '../shared/http/request-metadata';
import type { RoleDefinition } from './role';
import { type RoleCommand, type RoleState, roleDecider } from './role.decider';
import { ROLE_EVENT_SCHEMA_VERSIONS, type RoleEvent, roleStreamId, upcastRoleEvent } from './role.events';
import { RolesReadModel, type RoleView } from './roles.read-model';

export const roleStreamDecider: StreamDecider<RoleCommand, RoleEvent, RoleState> = {
  ...roleDecider,
  schemaVersions: ROLE_EVENT_SCHEMA_VERSIONS,
  upcast: upcastRoleEvent,
};

type Counted = { state: RoleState; revision: bigint };

/** The role decider plus an If-Match check: the stream must be at `expected` when the command is decided. */
function checkedDecider(expected: bigint | undefined): StreamDecider<RoleCommand, RoleEvent, Counted> {
  return {
    initialState: () => ({ state: roleDecider.initialState(), revision: -1n }),
    evolve: (c, e) => ({ state: roleDecider.evolve(c.state, e), revision: c.revision + 1n }),
    decide: (command, c) => {
      if (expected !== undefined && c.revision !== expected) {
        if (c.state.status === 'absent') refuse('role.notFound', `There is no role ${command.roleId}`);
        throw new PreconditionFailedError(
          `The role ${command.roleId} was changed since you read it (you sent revision ${expected}, it is at ${c.revision}). Reload and try again.`,
          String(c.revision),
        );
      }
      return roleDecider.decide(command, c.state);
    },
    schemaVersions: ROLE_EVENT_SCHEMA_VERSIONS,
    upcast: upcastRoleEvent,
  };
}

export class CreateRoleCommand {
  constructor(
    readonly roleId: string,
    readonly definition: RoleDefinition,
    readonly actor: RequestActor,
  ) {}
}
export class ChangeRoleCommand {
  constructor(
    readonly roleId: string,
    readonly definition: RoleDefinition,
    readonly expectedRevision: bigint | undefined,
    readonly actor: RequestActor,
  ) {}
}
export class DeleteRoleCommand {
  constructor(
    readonly roleId: string,
    readonly expectedRevision: bigint | undefined,
    readonly actor: RequestActor,
  ) {}
}
export class ListRolesQuery {}
export class GetRoleQuery {
  constructor(readonly roleId: string) {}
}

/** Result of a role command: the role as now stored (undefined after a delete). */
export type RoleCommandResult = { role?: RoleView; changed: boolean };

abstract class RoleCommandRunner {
  constructor(
    protected readonly store: EventStore,
    protected readonly roles: RolesReadModel,
  ) {}

  protected async run(
    roleId: string,
    command: RoleCommand,
    expected: bigint | undefined,
    actor: RequestActor,
  ): Promise<RoleCommandResult> {
    const result = await recording(async () => {
      try {
        return await handle(this.store, roleStreamId(roleId), checkedDecider(expected), command, {
          metadata: eventMetadata(actor),
        });
      } catch (err) {
        // A concurrent writer got in between our read and our append: the client's If-Match is stale now.
        if (err instanceof WrongExpectedVersionError && expected !== undefined) {
          throw new PreconditionFailedError(`The role ${roleId} was changed meanwhile. Reload and try again.`);
        }
        throw err;
      }
    });
    if (result.appended) await this.roles.waitFor(result.appended.position);
    return { role: this.roles.get(roleId), changed: result.newEvents.length > 0 };
  }

  /** Refuses a change that would leave no role able to manage roles (nobody could repair it through the API). */
  protected keepsARoleManager(roleId: string, next: RoleDefinition | undefined): void {
    const others = this.roles.list().filter((r) => r.roleId !== roleId);
    const current = this.roles.get(roleId);
    if (!current?.permissions.includes('ManageRoles')) return;
    if (next && (next.permissions as string[]).includes('ManageRoles')) return;
    if (others.some((r) => r.permissions.includes('ManageRoles') && r.mappedGroups.length > 0)) return;
    refuse(
      'role.lastManager',
      `The role ${current.name} is the last one with Manage Roles; give another role Manage Roles first`,
      next ? [{ field: 'permissions', message: 'must keep ManageRoles (last role that can manage roles)' }] : [],
    );
  }
}

@CommandHandler(CreateRoleCommand)
export class CreateRoleHandler extends RoleCommandRunner implements ICommandHandler<CreateRoleCommand> {
  constructor(@Inject(EVENT_STORE) store: EventStore, roles: RolesReadModel) {
    super(store, roles);
  }
  execute(c: CreateRoleCommand): Promise<RoleCommandResult> {
    return this.run(c.roleId, { type: 'CreateRole', roleId: c.roleId, definition: c.definition }, undefined, c.actor);
  }
}

@CommandHandler(ChangeRoleCommand)
export class ChangeRoleHandler extends RoleCommandRunner implements ICommandHandler<ChangeRoleCommand> {
  constructor(@Inject(EVENT_STORE) store: EventStore, roles: RolesReadModel) {
    super(store, roles);
  }
  execute(c: ChangeRoleCommand): Promise<RoleCommandResult> {
    this.keepsARoleManager(c.roleId, c.definition);
    return this.run(
      c.roleId,
      { type: 'ChangeRole', roleId: c.roleId, definition: c.definition },
      c.expectedRevision,
      c.actor,
    );
  }
}

@CommandHandler(DeleteRoleCommand)
export class DeleteRoleHandler extends RoleCommandRunner implements ICommandHandler<DeleteRoleCommand> {
  constructor(@Inject(EVENT_STORE) store: EventStore, roles: RolesReadModel) {
    super(store, roles);
  }
  execute(c: DeleteRoleCommand): Promise<RoleCommandResult> {
    this.keepsARoleManager(c.roleId, undefined);
    return this.run(c.roleId, { type: 'DeleteRole', roleId: c.roleId }, c.expectedRevision, c.actor);
  }
}

@QueryHandler(ListRolesQuery)
export class ListRolesHandler implements IQueryHandler<ListRolesQuery> {
  constructor(private readonly roles: RolesReadModel) {}
  async execute(): Promise<RoleView[]> {
    return this.roles.list();
  }
}

@QueryHandler(GetRoleQuery)
export class GetRoleHandler implements IQueryHandler<GetRoleQuery> {
  constructor(private readonly roles: RolesReadModel) {}
  async execute(q: GetRoleQuery): Promise<RoleView | undefined> {
    return this.roles.get(q.roleId);
  }
}

export const ROLE_HANDLERS = [
  CreateRoleHandler,
  ChangeRoleHandler,
  DeleteRoleHandler,
  ListRolesHandler,
  GetRoleHandler,
];
