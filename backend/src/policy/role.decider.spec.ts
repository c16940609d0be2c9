import { describe, expect, it } from '@jest/globals';
import { deciderSpec } from '../shared/testing/decider-spec';
import type { RoleDefinition } from './role';
import { roleDecider } from './role.decider';
import { ROLE_EVENT_SCHEMA_VERSIONS, type RoleEvent, upcastRoleEvent } from './role.events';

const spec = deciderSpec(roleDecider, { schemaVersions: ROLE_EVENT_SCHEMA_VERSIONS });

const helpdesk: RoleDefinition = {
  name: 'Helpdesk',
  priority: 10,
  mappedGroups: [{ storeId: 'ad', group: 'CN=Helpdesk,OU=Groups,DC=corp,DC=test' }],
  permissions: ['UnlockAccount', 'ViewHistory'],
  scope: { storeIds: ['ad', 'ldap'] },
  policy: { mode: 'restricted', requiredTypes: 2, minSecurityQuestions: 2 },
};
const created: RoleEvent = { type: 'RoleCreated', data: { roleId: 'helpdesk', ...helpdesk } };
const withPolicy = (policy: unknown) => ({ ...helpdesk, policy }) as unknown as RoleDefinition;

describe('role decider: create', () => {
  it('records RoleCreated with the normalised definition', () => {
    spec
      .given([])
      .when({
        type: 'CreateRole',
        roleId: 'helpdesk',
        definition: {
          ...helpdesk,
          name: '  Helpdesk ',
          permissions: ['ViewHistory', 'UnlockAccount', 'ViewHistory'],
          mappedGroups: [...helpdesk.mappedGroups, { storeId: 'ad', group: 'cn=helpdesk, ou=groups,dc=corp,dc=test' }],
        },
      })
      .then([created]);
  });

  it('refuses a second create on the same stream, even after deletion', () => {
    spec
      .given([created])
      .when({ type: 'CreateRole', roleId: 'helpdesk', definition: helpdesk })
      .thenRefuses('role.alreadyExists');
    spec
      .given([created, { type: 'RoleDeleted', data: { roleId: 'helpdesk', name: 'Helpdesk' } }])
      .when({ type: 'CreateRole', roleId: 'helpdesk', definition: helpdesk })
      .thenRefuses('role.alreadyExists');
  });

  it('refuses a malformed role id', () => {
    spec
      .given([])
      .when({ type: 'CreateRole', roleId: '../x', definition: helpdesk })
      .thenRefuses('role.invalid', ['roleId']);
  });

  const invalid: [string, unknown, string[]][] = [
    ['priority must be an integer', { ...helpdesk, priority: 1.5 }, ['priority']],
    ['priority must not be a string', { ...helpdesk, priority: '10' }, ['priority']],
    ['priority must not be negative', { ...helpdesk, priority: -1 }, ['priority']],
    ['name must not be blank', { ...helpdesk, name: '   ' }, ['name']],
    ['unknown permission', { ...helpdesk, permissions: ['UnlockAccount', 'ResetPassword'] }, ['permissions[1]']],
    ['UnlockAnyAccount needs UnlockAccount', { ...helpdesk, permissions: ['UnlockAnyAccount'] }, ['permissions']],
    [
      'mapped group needs a store and a group',
      { ...helpdesk, mappedGroups: [{ storeId: '', group: 'x' }, 'g'] },
      ['mappedGroups[0].storeId', 'mappedGroups[1]'],
    ],
    ['scope needs at least one store', { ...helpdesk, scope: { storeIds: [] } }, ['scope.storeIds']],
    [
      'base DNs must be DNs',
      { ...helpdesk, scope: { storeIds: ['ad'], baseDns: ['ou=ok,dc=x', 'not a dn'] } },
      ['scope.baseDns[1]'],
    ],
    ['mode must be known', withPolicy({ mode: 'lenient', requiredTypes: 1, minSecurityQuestions: 0 }), ['policy.mode']],
    [
      'restricted needs 1..4 types (0)',
      withPolicy({ mode: 'restricted', requiredTypes: 0, minSecurityQuestions: 0 }),
      ['policy.requiredTypes'],
    ],
    [
      'restricted needs 1..4 types (5)',
      withPolicy({ mode: 'restricted', requiredTypes: 5, minSecurityQuestions: 0 }),
      ['policy.requiredTypes'],
    ],
    [
      'requiredTypes must be an integer',
      withPolicy({ mode: 'restricted', requiredTypes: 1.5, minSecurityQuestions: 0 }),
      ['policy.requiredTypes'],
    ],
    [
      'minSecurityQuestions must be an integer',
      withPolicy({ mode: 'restricted', requiredTypes: 1, minSecurityQuestions: 'two' }),
      ['policy.minSecurityQuestions'],
    ],
    [
      'minSecurityQuestions at most 10',
      withPolicy({ mode: 'restricted', requiredTypes: 1, minSecurityQuestions: 11 }),
      ['policy.minSecurityQuestions'],
    ],
    ['policy must be present', { ...helpdesk, policy: undefined }, ['policy']],
    ['several problems are all named', { ...helpdesk, name: '', priority: 'high' }, ['name', 'priority']],
  ];
  it.each(invalid)('refuses an invalid definition: %s', (_, definition, fields) => {
    spec
      .given([])
      .when({ type: 'CreateRole', roleId: 'r1', definition: definition as RoleDefinition })
      .thenRefuses('role.invalid', fields);
  });

  it('accepts requiredTypes 0 in unrestricted mode', () => {
    const definition = withPolicy({ mode: 'unrestricted', requiredTypes: 0, minSecurityQuestions: 0 });
    spec
      .given([])
      .when({ type: 'CreateRole', roleId: 'r1', definition })
      .then([{ type: 'RoleCreated', data: { roleId: 'r1', ...definition } }]);
  });
});

describe('role decider: change', () => {
  it('records the full new definition and the changed field names', () => {
    const changed = {
      ...helpdesk,
      priority: 20,
      policy: { mode: 'unrestricted' as const, requiredTypes: 1, minSecurityQuestions: 0 },
    };
    const { state } = spec
      .given([created])
      .when({ type: 'ChangeRole', roleId: 'helpdesk', definition: changed })
      .then([{ type: 'RoleChanged', data: { roleId: 'helpdesk', ...changed, changedFields: ['priority', 'policy'] } }]);
    expect(state).toEqual({ status: 'active', role: { roleId: 'helpdesk', ...changed } });
  });
  it('records nothing when nothing changes', () => {
    spec
      .given([created])
      .when({ type: 'ChangeRole', roleId: 'helpdesk', definition: { ...helpdesk } })
      .thenNothing();
  });
  it('refuses to change a role that does not exist or was deleted', () => {
    spec.given([]).when({ type: 'ChangeRole', roleId: 'helpdesk', definition: helpdesk }).thenRefuses('role.notFound');
    spec
      .given([created, { type: 'RoleDeleted', data: { roleId: 'helpdesk', name: 'Helpdesk' } }])
      .when({ type: 'ChangeRole', roleId: 'helpdesk', definition: helpdesk })
      .thenRefuses('role.deleted');
  });
  it('validates a change like a create', () => {
    spec
      .given([created])
      .when({ type: 'ChangeRole', roleId: 'helpdesk', definition: { ...helpdesk, priority: 2.5 } })
      .thenRefuses('role.invalid', ['priority']);
  });
});

describe('role decider: delete', () => {
  it('records RoleDeleted with the name for the audit trail', () => {
    const { state } = spec
      .given([created])
      .when({ type: 'DeleteRole', roleId: 'helpdesk' })
      .then([{ type: 'RoleDeleted', data: { roleId: 'helpdesk', name: 'Helpdesk' } }]);
    expect(state.status).toBe('deleted');
  });
  it('refuses to delete a role that never existed; deleting twice records nothing', () => {
    spec.given([]).when({ type: 'DeleteRole', roleId: 'helpdesk' }).thenRefuses('role.notFound');
    spec
      .given([created, { type: 'RoleDeleted', data: { roleId: 'helpdesk', name: 'Helpdesk' } }])
      .when({ type: 'DeleteRole', roleId: 'helpdesk' })
      .thenNothing();
  });
});

describe('role events versioning', () => {
  it('reads version-1 events and refuses versions from the future or unknown types', () => {
    expect(upcastRoleEvent({ type: 'RoleDeleted', data: { roleId: 'r', name: 'n' }, schemaVersion: 1 })).toEqual({
      type: 'RoleDeleted',
      data: { roleId: 'r', name: 'n' },
    });
    expect(() => upcastRoleEvent({ type: 'RoleDeleted', data: {}, schemaVersion: 2 })).toThrow(/newer/);
    expect(() => upcastRoleEvent({ type: 'RoleRenamed', data: {} })).toThrow(/Unknown event type/);
  });
});
