import { Alert, Badge, Button, Group, Modal, Stack, Table, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { errorMessage } from '../../api/client';
import { storeName, useStores } from '../../api/stores';
import { readableAlert, readableModal } from '../../components/contrast';
import type { RoleView } from './api';
import { useDeleteRole, useRoles } from './hooks';
import { permissionList, policySummary, scopeSummary } from './labels';
import { RoleEditor } from './RoleEditor';
import { isStale } from './roleForm';

/** Roles & policy (Manage Roles): who gets which permissions, where, and what the helpdesk policy asks. */
export default function RolesPage() {
  const roles = useRoles();
  const stores = useStores();
  const [editing, setEditing] = useState<{ role?: RoleView } | null>(null);
  const [deleting, setDeleting] = useState<RoleView | null>(null);

  return (
    <Stack>
      <Group justify="space-between" align="end">
        <div>
          <Title order={1} size="h3">
            Roles &amp; policy
          </Title>
          <Text size="sm" c="gray.7" maw={760}>
            An agent gets the highest-priority role whose mapped groups they belong to. Changes apply to their next
            request.
          </Text>
        </div>
        <Button onClick={() => setEditing({})}>New role</Button>
      </Group>

      {roles.error && (
        <Alert color="red" title="Roles could not be loaded" role="alert" styles={readableAlert}>
          {roles.error.message}
        </Alert>
      )}
      {roles.isPending ? (
        <Text c="gray.7">Loading roles…</Text>
      ) : roles.data?.length === 0 ? (
        <Text c="gray.7">No roles yet. Agents without a role can sign in but cannot do anything.</Text>
      ) : (
        roles.data && (
          <Table.ScrollContainer minWidth={1000}>
            <Table striped highlightOnHover aria-label="Roles" verticalSpacing="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Priority</Table.Th>
                  <Table.Th>Mode</Table.Th>
                  <Table.Th>Permissions</Table.Th>
                  <Table.Th>Scope</Table.Th>
                  <Table.Th>Mapped groups</Table.Th>
                  <Table.Th>Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {roles.data.map((r) => (
                  <Table.Tr key={r.roleId}>
                    <Table.Td>
                      <Text fw={600} size="sm">
                        {r.name}
                      </Text>
                      <Text size="xs" c="gray.7">
                        {r.roleId}
                      </Text>
                    </Table.Td>
                    <Table.Td>{r.priority}</Table.Td>
                    <Table.Td>
                      <Badge
                        color={r.policy.mode === 'restricted' ? 'indigo.9' : 'red.9'}
                        variant={r.policy.mode === 'restricted' ? 'filled' : 'outline'}
                      >
                        {r.policy.mode === 'restricted' ? 'Restricted' : 'Unrestricted'}
                      </Badge>
                      <Text size="xs" c="gray.7" mt={4}>
                        {policySummary(r.policy)}
                      </Text>
                    </Table.Td>
                    <Table.Td>{r.permissions.length ? permissionList(r.permissions) : 'None'}</Table.Td>
                    <Table.Td>{scopeSummary(r.scope, stores.data)}</Table.Td>
                    <Table.Td>
                      {r.mappedGroups.length === 0
                        ? 'None'
                        : r.mappedGroups.map((g) => (
                            <div key={`${g.storeId}:${g.group}`}>
                              {g.group}{' '}
                              <Text span size="xs" c="gray.7">
                                ({storeName(g.storeId, stores.data)})
                              </Text>
                            </div>
                          ))}
                    </Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Button
                          size="xs"
                          variant="default"
                          onClick={() => setEditing({ role: r })}
                          aria-label={`Edit ${r.name}`}
                        >
                          Edit
                        </Button>
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red.9"
                          c="red.9"
                          onClick={() => setDeleting(r)}
                          aria-label={`Delete ${r.name}`}
                        >
                          Delete
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )
      )}

      {editing && (
        <RoleEditor
          key={editing.role?.roleId ?? 'new'}
          role={editing.role}
          stores={stores.data ?? []}
          onClose={() => setEditing(null)}
        />
      )}
      {deleting && <DeleteRoleDialog role={deleting} onClose={() => setDeleting(null)} />}
    </Stack>
  );
}

function DeleteRoleDialog({ role, onClose }: { role: RoleView; onClose: () => void }) {
  const remove = useDeleteRole();
  const error = remove.error;
  return (
    <Modal
      opened
      onClose={onClose}
      title={`Delete role “${role.name}”?`}
      closeButtonProps={{ 'aria-label': 'Close' }}
      styles={readableModal}
    >
      <Stack>
        <Text size="sm">
          Members of its groups lose its permissions on their next request (another matching role may apply). The
          deletion is recorded in the audit log.
        </Text>
        {error && (
          <Alert color={isStale(error) ? 'yellow' : 'red'} role="alert" styles={readableAlert}>
            {isStale(error)
              ? 'Someone else changed this role meanwhile; nothing was deleted. Review the reloaded list and try again.'
              : errorMessage(error, 'Deleting failed')}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-autofocus>
            Cancel
          </Button>
          <Button
            color="red.9"
            loading={remove.isPending}
            disabled={isStale(error)}
            onClick={() =>
              remove.mutate(
                { roleId: role.roleId, revision: role.revision },
                {
                  onSuccess: () => {
                    notifications.show({ color: 'green', message: `Role “${role.name}” deleted` });
                    onClose();
                  },
                },
              )
            }
          >
            Delete role
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
