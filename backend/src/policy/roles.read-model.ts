/**
 * Read model of the current roles (projection `roles`): one row per active role with its definition and the role
 * stream's revision (the ETag of GET /api/roles/:id). Deleted roles are removed. Fed by the projection runner from
 * the event store (never from the in-process EventBus), so it can be rebuilt from the log at any time.
 */
import { Injectable } from '@nestjs/common';
import type { RecordedEvent } from '../event-store/event-store';
import { type Projection, statement } from '../projections/projection';
import { ProjectionHost } from '../projections/projection-host';
import type { Role } from './role';
import { ROLE_EVENT_SCHEMA_VERSIONS, upcastRoleEvent } from './role.events';

/** A role as the API shows it: the definition, its id, and the stream revision to send back in If-Match. */
export type RoleView = Role & { revision: number; updatedAt: string };

export const ROLES_PROJECTION = 'roles';

const schemaVersion = (e: RecordedEvent) =>
  typeof e.metadata.schemaVersion === 'number' ? e.metadata.schemaVersion : undefined;

export const rolesProjection: Projection = {
  name: ROLES_PROJECTION,
  version: 1,
  eventTypes: Object.keys(ROLE_EVENT_SCHEMA_VERSIONS),
  tables: ['roles'],
  init(db) {
    db.exec(`CREATE TABLE IF NOT EXISTS roles (
      role_id TEXT PRIMARY KEY,
      definition TEXT NOT NULL,
      revision INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    )`);
  },
  apply(db, recorded) {
    if (!recorded.streamId.startsWith('role-')) return;
    const event = upcastRoleEvent({ type: recorded.type, data: recorded.data, schemaVersion: schemaVersion(recorded) });
    switch (event.type) {
      case 'RoleCreated':
      case 'RoleChanged': {
        const { changedFields: _changed, ...role } = event.data as Role & { changedFields?: unknown };
        statement(
          db,
          `INSERT INTO roles (role_id, definition, revision, updated_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (role_id) DO UPDATE SET definition = excluded.definition, revision = excluded.revision,
             updated_at = excluded.updated_at`,
        ).run(role.roleId, JSON.stringify(role), recorded.revision, recorded.time.getTime());
        return;
      }
      case 'RoleDeleted':
        statement(db, 'DELETE FROM roles WHERE role_id = ?').run(event.data.roleId);
        return;
    }
  },
};

type Row = { definition: string; revision: bigint | number; updated_at: bigint | number };
const toView = (row: Row): RoleView => ({
  ...(JSON.parse(row.definition) as Role),
  revision: Number(row.revision),
  updatedAt: new Date(Number(row.updated_at)).toISOString(),
});

@Injectable()
export class RolesReadModel {
  constructor(private readonly runner: ProjectionHost) {}

  /** Active roles, highest priority first (then role id). */
  list(): RoleView[] {
    return (statement(this.runner.db, 'SELECT definition, revision, updated_at FROM roles').all() as Row[])
      .map(toView)
      .sort((a, b) => b.priority - a.priority || (a.roleId < b.roleId ? -1 : a.roleId > b.roleId ? 1 : 0));
  }

  get(roleId: string): RoleView | undefined {
    const row = statement(this.runner.db, 'SELECT definition, revision, updated_at FROM roles WHERE role_id = ?').get(
      roleId,
    ) as Row | undefined;
    return row ? toView(row) : undefined;
  }

  /**
   * Resolves when the roles projection has applied everything up to `position` (read-your-writes: a role change is
   * in force for the very next request once the command returns).
   */
  async waitFor(position: bigint, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.runner.checkpoint(ROLES_PROJECTION).position;
      if (at !== undefined && at >= position) return;
      if (Date.now() > deadline) throw new Error(`the roles read model did not reach position ${position}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}
