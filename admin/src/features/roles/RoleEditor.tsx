import {
  ActionIcon,
  Alert,
  Button,
  Checkbox,
  Fieldset,
  Group,
  Modal,
  MultiSelect,
  NumberInput,
  Radio,
  Select,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { notifications } from '@mantine/notifications';
import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../../api/client';
import type { StoreInfo } from '../../api/stores';
import { readableAlert, readableModal } from '../../components/contrast';
import {
  MAX_AUTHENTICATION_TYPES,
  MAX_PRIORITY,
  MAX_SECURITY_QUESTIONS,
  PERMISSION_LABELS,
  PERMISSIONS,
  type RoleView,
} from './api';
import { useReloadRole, useSaveRole } from './hooks';
import { MODE_HELP } from './labels';
import { emptyRole, fromRole, groupRow, isStale, type RoleFormValues, roleFieldErrors, toDefinition } from './roleForm';

const PERMISSION_HELP: Record<(typeof PERMISSIONS)[number], string> = {
  UnlockAccount: 'Unlock enrolled users, to the helpdesk policy',
  UnlockAnyAccount: 'Also unlock unenrolled users (needs Unlock Account and unrestricted mode)',
  ViewHistory: "See a user's helpdesk history",
  ViewAudit: 'See and export the audit log',
  ManageRoles: 'Change roles and helpdesk policy',
  ManageKiosks: 'Register and revoke kiosks',
};

/** Create (no role) or edit a role. Validation is the backend's; its messages are shown on the fields. */
export function RoleEditor({ role, stores, onClose }: { role?: RoleView; stores: StoreInfo[]; onClose: () => void }) {
  const [revision, setRevision] = useState(role?.revision);
  const [problem, setProblem] = useState<{ title: string; lines: string[]; color: 'red' | 'yellow' }>();
  const save = useSaveRole();
  const reload = useReloadRole();
  const form = useForm<RoleFormValues>({ mode: 'controlled', initialValues: role ? fromRole(role) : emptyRole() });
  const v = form.values;
  const alertRef = useRef<HTMLDivElement>(null);
  // A refused save is explained at the top of a long form: bring it into view and move focus there.
  useEffect(() => {
    if (!problem) return;
    alertRef.current?.scrollIntoView({ block: 'center' });
    alertRef.current?.focus();
  }, [problem]);

  // Stores a role names that are no longer configured stay visible (and removable) rather than silently dropped.
  const storeOptions = [
    ...stores.map((s) => ({ value: s.id, label: s.name })),
    ...[...v.storeIds, ...v.mappedGroups.map((g) => g.storeId)]
      .filter((id, i, all) => id && !stores.some((s) => s.id === id) && all.indexOf(id) === i)
      .map((id) => ({ value: id, label: `${id} (not configured)` })),
  ];

  async function submit(values: RoleFormValues) {
    setProblem(undefined);
    try {
      await save.mutateAsync({ roleId: role?.roleId, revision, definition: toDefinition(values) });
      notifications.show({
        color: 'green',
        message: role ? `Role “${values.name}” saved` : `Role “${values.name}” created`,
      });
      onClose();
    } catch (err) {
      if (role && isStale(err)) return showLatest(role.roleId);
      const { fields, other } = roleFieldErrors(err);
      form.setErrors(fields);
      const placed = Object.keys(fields).length > 0;
      setProblem({
        color: 'red',
        title: err instanceof ApiError && err.status === 400 ? 'The role was not saved' : 'Saving failed',
        lines: other.length ? other : placed ? ['Correct the fields marked below and save again.'] : [],
      });
    }
  }

  async function showLatest(roleId: string) {
    try {
      const latest = await reload(roleId);
      form.setValues(fromRole(latest));
      form.resetDirty(fromRole(latest));
      form.clearErrors();
      setRevision(latest.revision);
      setProblem({
        color: 'yellow',
        title: 'Someone else changed this role',
        lines: [
          'Your changes were not saved. The form now shows the version saved meanwhile; make your change again and save.',
        ],
      });
    } catch (err) {
      setProblem({
        color: 'red',
        title: 'Someone else changed this role',
        lines: [
          err instanceof ApiError && err.status === 404
            ? 'It has been deleted meanwhile. Close this dialog.'
            : 'Reloading it failed; close this dialog and open the role again.',
        ],
      });
    }
  }

  return (
    <Modal
      opened
      onClose={onClose}
      size="xl"
      title={role ? `Edit role: ${role.name}` : 'New role'}
      closeButtonProps={{ 'aria-label': 'Close' }}
      styles={readableModal}
    >
      <form onSubmit={form.onSubmit(submit)} noValidate>
        <Stack gap="md">
          {problem && (
            <Alert
              color={problem.color}
              title={problem.title}
              role="alert"
              ref={alertRef}
              tabIndex={-1}
              styles={readableAlert}
            >
              {problem.lines.map((l) => (
                <div key={l}>{l}</div>
              ))}
            </Alert>
          )}
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput label="Name" required data-autofocus {...form.getInputProps('name')} />
            <NumberInput
              label="Priority"
              description="When an agent's groups match several roles, the highest priority wins"
              min={0}
              max={MAX_PRIORITY}
              allowDecimal={false}
              {...form.getInputProps('priority')}
            />
          </SimpleGrid>

          <Checkbox.Group
            label="Permissions"
            description="What agents with this role may do"
            {...form.getInputProps('permissions')}
          >
            <SimpleGrid cols={{ base: 1, sm: 2 }} mt="xs" spacing="xs">
              {PERMISSIONS.map((p) => (
                <Checkbox key={p} value={p} label={PERMISSION_LABELS[p]} description={PERMISSION_HELP[p]} />
              ))}
            </SimpleGrid>
          </Checkbox.Group>

          <Fieldset legend="Helpdesk policy">
            <Stack gap="sm">
              <Radio.Group label="Mode" {...form.getInputProps('mode')}>
                <Stack gap={6} mt="xs">
                  <Radio value="restricted" label="Restricted" description={MODE_HELP.restricted} />
                  <Radio value="unrestricted" label="Unrestricted" description={MODE_HELP.unrestricted} />
                </Stack>
              </Radio.Group>
              {v.mode === 'restricted' && (
                <SimpleGrid cols={{ base: 1, sm: 2 }}>
                  <NumberInput
                    label="Required authentication types"
                    description="Distinct enrolled types the caller must pass (security questions, authenticator, email, SMS)"
                    min={1}
                    max={MAX_AUTHENTICATION_TYPES}
                    allowDecimal={false}
                    {...form.getInputProps('requiredTypes')}
                  />
                  <NumberInput
                    label="Minimum security questions"
                    description="Correct answers needed before security questions count as one type (0 = one answer)"
                    min={0}
                    max={MAX_SECURITY_QUESTIONS}
                    allowDecimal={false}
                    {...form.getInputProps('minSecurityQuestions')}
                  />
                </SimpleGrid>
              )}
            </Stack>
          </Fieldset>

          <Fieldset legend="Scope">
            <Stack gap="sm">
              <Switch
                label="All identity stores (including stores added later)"
                {...form.getInputProps('allStores', { type: 'checkbox' })}
              />
              {!v.allStores && (
                <MultiSelect
                  label="Identity stores"
                  placeholder={v.storeIds.length ? undefined : 'Choose stores'}
                  data={storeOptions}
                  searchable
                  {...form.getInputProps('storeIds')}
                />
              )}
              <Textarea
                label="Base DNs (optional)"
                description="One per line; the role then acts only on accounts at or below one of them"
                rows={2}
                resize="vertical"
                placeholder="OU=Staff,DC=corp,DC=example"
                {...form.getInputProps('baseDns')}
              />
            </Stack>
          </Fieldset>

          <Fieldset legend="Mapped directory groups">
            <Stack gap="xs">
              <Text size="sm" c="gray.7">
                Members of these groups (nested membership counts) get this role.
              </Text>
              {v.mappedGroups.length === 0 && (
                <Text size="sm" c="gray.7">
                  No groups: nobody gets this role yet.
                </Text>
              )}
              {v.mappedGroups.map((g, i) => (
                <Group key={g.key} align="flex-start" wrap="nowrap">
                  <Select
                    label={`Store of group ${i + 1}`}
                    data={storeOptions}
                    w={220}
                    allowDeselect={false}
                    {...form.getInputProps(`mappedGroups.${i}.storeId`)}
                  />
                  <TextInput
                    label={`Group ${i + 1} (name or DN)`}
                    style={{ flex: 1 }}
                    {...form.getInputProps(`mappedGroups.${i}.group`)}
                  />
                  <ActionIcon
                    variant="subtle"
                    color="red.9"
                    mt={26}
                    size="lg"
                    aria-label={`Remove group ${i + 1}`}
                    onClick={() => form.removeListItem('mappedGroups', i)}
                  >
                    <span aria-hidden="true">✕</span>
                  </ActionIcon>
                </Group>
              ))}
              {form.errors.mappedGroups && (
                <Text size="sm" c="red.8" role="alert">
                  {form.errors.mappedGroups}
                </Text>
              )}
              <Group>
                <Button
                  variant="default"
                  size="xs"
                  onClick={() => form.insertListItem('mappedGroups', groupRow(stores[0]?.id ?? ''))}
                >
                  Add group
                </Button>
              </Group>
            </Stack>
          </Fieldset>

          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" loading={save.isPending}>
              {role ? 'Save role' : 'Create role'}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
