import type { DomainEvent } from '../shared/decider';
import { createUpcaster, type SchemaVersions } from '../shared/events';
import type { Role, RoleDefinition } from './role';

/** Stream: `role-<roleId>`. */
export const roleStreamId = (roleId: string) => `role-${roleId}`;

export type RoleCreated = DomainEvent<'RoleCreated', Role>;
/** The full new definition (so projections need no merging) plus the names of the fields that changed. */
export type RoleChanged = DomainEvent<'RoleChanged', Role & { changedFields: (keyof RoleDefinition)[] }>;
export type RoleDeleted = DomainEvent<'RoleDeleted', { roleId: string; name: string }>;
export type RoleEvent = RoleCreated | RoleChanged | RoleDeleted;

export const ROLE_EVENT_SCHEMA_VERSIONS: SchemaVersions<RoleEvent['type']> = {
  RoleCreated: 1,
  RoleChanged: 1,
  RoleDeleted: 1,
};

export const upcastRoleEvent = createUpcaster<RoleEvent>(ROLE_EVENT_SCHEMA_VERSIONS);
