/**
 * Decider for one role stream (`role-<roleId>`). Expected-revision concurrency is the event store's job.
 *
 * - CreateRole: refused if the stream already has a role (ids are never reused, even after deletion).
 * - ChangeRole: a full replacement (PUT). Refused if the role does not exist or was deleted; a change that
 *   changes nothing records nothing.
 * - DeleteRole: refused if the role never existed; deleting a deleted role records nothing (idempotent DELETE).
 * Invalid definitions are refused with `role.invalid` and the offending field names; nothing is recorded.
 */
import { type Decider, refuse } from '../shared/decider';
import { type Role, type RoleDefinition, validateRoleDefinition } from './role';
import type { RoleEvent } from './role.events';

export type CreateRole = { type: 'CreateRole'; roleId: string; definition: RoleDefinition };
export type ChangeRole = { type: 'ChangeRole'; roleId: string; definition: RoleDefinition };
export type DeleteRole = { type: 'DeleteRole'; roleId: string };
export type RoleCommand = CreateRole | ChangeRole | DeleteRole;

export type RoleState = { status: 'absent' } | { status: 'active'; role: Role } | { status: 'deleted'; role: Role };

const ROLE_FIELDS: (keyof RoleDefinition)[] = ['name', 'priority', 'mappedGroups', 'permissions', 'scope', 'policy'];

function validRoleId(roleId: unknown): string {
  if (typeof roleId !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(roleId)) {
    refuse('role.invalid', 'The role id is invalid', [
      {
        field: 'roleId',
        message: 'must be 1-64 characters of letters, digits, _ . - (starting with a letter or digit)',
      },
    ]);
  }
  return roleId;
}

function validDefinition(definition: unknown): RoleDefinition {
  const result = validateRoleDefinition(definition);
  if (!result.ok) {
    refuse(
      'role.invalid',
      `The role is invalid: ${result.problems.map((p) => `${p.field} ${p.message}`).join('; ')}`,
      result.problems,
    );
  }
  return result.value;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export const roleDecider: Decider<RoleCommand, RoleEvent, RoleState> = {
  initialState: () => ({ status: 'absent' }),

  evolve: (state, event) => {
    switch (event.type) {
      case 'RoleCreated':
        return { status: 'active', role: event.data };
      case 'RoleChanged': {
        const { changedFields: _changed, ...role } = event.data;
        return { status: 'active', role };
      }
      case 'RoleDeleted':
        return state.status === 'absent' ? state : { status: 'deleted', role: state.role };
    }
  },

  decide: (command, state) => {
    const roleId = validRoleId(command.roleId);
    switch (command.type) {
      case 'CreateRole': {
        const definition = validDefinition(command.definition);
        if (state.status !== 'absent') refuse('role.alreadyExists', `A role with id ${roleId} already exists`);
        return [{ type: 'RoleCreated', data: { roleId, ...definition } }];
      }
      case 'ChangeRole': {
        const definition = validDefinition(command.definition);
        if (state.status === 'absent') refuse('role.notFound', `There is no role ${roleId}`);
        if (state.status === 'deleted') refuse('role.deleted', `The role ${roleId} has been deleted`);
        const changedFields = ROLE_FIELDS.filter((f) => !same(state.role[f], definition[f]));
        if (changedFields.length === 0) return [];
        return [{ type: 'RoleChanged', data: { roleId, ...definition, changedFields } }];
      }
      case 'DeleteRole': {
        if (state.status === 'absent') refuse('role.notFound', `There is no role ${roleId}`);
        if (state.status === 'deleted') return [];
        return [{ type: 'RoleDeleted', data: { roleId, name: state.role.name } }];
      }
    }
  },
};
