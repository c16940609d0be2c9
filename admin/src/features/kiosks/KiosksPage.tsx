import {
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type FormEvent, useId, useRef, useState } from 'react';
import { ApiError, errorMessage } from '../../api/client';
import { storeName, useStores } from '../../api/stores';
import { readableAlert, readableModal } from '../../components/contrast';
import { formatDateTime } from '../helpdesk/labels';
import type { KioskRegistered, KioskView } from './api';
import { useKiosks, useRegisterKiosk, useRevokeKiosk } from './hooks';
import {
  KIOSK_LIMITS,
  type KioskForm,
  kioskFormErrors,
  kioskStatusColor,
  kioskStatusLabel,
  registerRequest,
} from './labels';

/** Kiosks (Manage Kiosks): register walk-up kiosks (one-time activation code), see their state, revoke them. */
export default function KiosksPage() {
  const kiosks = useKiosks();
  const stores = useStores();
  const [revoking, setRevoking] = useState<KioskView | null>(null);
  const list = kiosks.data?.kiosks;

  return (
    <Stack>
      <div>
        <Title order={1} size="h3">
          Kiosks
        </Title>
        <Text size="sm" c="gray.7" maw={760}>
          A walk-up kiosk lets a locked-out person answer their verification questions while an agent unlocks them.
          Register a kiosk here, then type its activation code on the kiosk.
        </Text>
      </div>

      <RegisterKiosk />

      <Title order={2} size="h4">
        Registered kiosks
      </Title>
      {kiosks.error && (
        <Alert color="red" title="Kiosks could not be loaded" role="alert" styles={readableAlert}>
          {errorMessage(kiosks.error)}
        </Alert>
      )}
      {kiosks.isPending ? (
        <Text c="gray.7">Loading kiosks…</Text>
      ) : list?.length === 0 ? (
        <Text c="gray.7">No kiosks yet.</Text>
      ) : (
        list && (
          <Table.ScrollContainer minWidth={900}>
            <Table striped highlightOnHover aria-label="Kiosks" verticalSpacing="sm">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Location</Table.Th>
                  <Table.Th>Identity store</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Registered</Table.Th>
                  <Table.Th>Activated</Table.Th>
                  <Table.Th>Last seen</Table.Th>
                  <Table.Th>Actions</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {list.map((k) => (
                  <Table.Tr key={k.kioskId}>
                    <Table.Td>
                      <Text fw={600} size="sm">
                        {k.name}
                      </Text>
                    </Table.Td>
                    <Table.Td>{k.location ?? '—'}</Table.Td>
                    <Table.Td>{storeName(k.storeId, stores.data)}</Table.Td>
                    <Table.Td style={{ whiteSpace: 'nowrap' }}>
                      <Badge
                        color={kioskStatusColor[k.status]}
                        variant="filled"
                        tt="none"
                        styles={{ label: { overflow: 'visible' } }}
                      >
                        {kioskStatusLabel[k.status]}
                      </Badge>
                      {k.revokedAt && (
                        <Text size="xs" c="gray.7" mt={4}>
                          {formatDateTime(k.revokedAt)}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td>{formatDateTime(k.registeredAt)}</Table.Td>
                    <Table.Td>{formatDateTime(k.activatedAt ?? undefined)}</Table.Td>
                    <Table.Td>{formatDateTime(k.lastSeenAt ?? undefined)}</Table.Td>
                    <Table.Td>
                      {k.status !== 'revoked' && (
                        <Button
                          size="xs"
                          variant="subtle"
                          color="red.9"
                          c="red.9"
                          onClick={() => setRevoking(k)}
                          aria-label={`Revoke ${k.name}`}
                        >
                          Revoke
                        </Button>
                      )}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )
      )}
      {revoking && <RevokeKioskDialog kiosk={revoking} onClose={() => setRevoking(null)} />}
    </Stack>
  );
}

const EMPTY: KioskForm = { name: '', location: '', storeId: null };

/** The registration form; after a registration, the activation code in its one-time box instead of the form. */
function RegisterKiosk() {
  const stores = useStores();
  const register = useRegisterKiosk();
  const [form, setForm] = useState<KioskForm>(EMPTY);
  const [tried, setTried] = useState(false);
  const [registered, setRegistered] = useState<KioskRegistered | null>(null);
  const headingId = useId();
  const nameInput = useRef<HTMLInputElement>(null);
  const errors = tried ? kioskFormErrors(form) : {};
  const backendField = (field: keyof KioskForm) =>
    register.error instanceof ApiError ? register.error.fields.find((f) => f.field === field)?.message : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (Object.keys(kioskFormErrors(form)).length > 0) return;
    register.mutate(registerRequest(form), {
      onSuccess: (answer) => {
        setRegistered(answer);
        setForm(EMPTY);
        setTried(false);
      },
    });
  };
  /** Forget the code (it is never shown again) and offer the form for the next kiosk. */
  const done = () => {
    setRegistered(null);
    register.reset();
    setTimeout(() => nameInput.current?.focus(), 0);
  };

  return (
    <Paper withBorder p="md" radius="sm" component="section" aria-labelledby={headingId} maw={760}>
      <Stack gap="sm">
        <Title order={2} size="h4" id={headingId}>
          Register a kiosk
        </Title>
        {registered ? (
          <ActivationCode registered={registered} onDone={done} />
        ) : (
          <form onSubmit={submit} aria-label="Register a kiosk" noValidate>
            <Stack gap="sm">
              <Group align="start" wrap="wrap" gap="sm">
                <TextInput
                  ref={nameInput}
                  label="Name"
                  required
                  maxLength={KIOSK_LIMITS.nameMax}
                  value={form.name}
                  onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
                  error={errors.name ?? backendField('name')}
                  w={240}
                />
                <TextInput
                  label="Location"
                  description="Optional, e.g. Building A, lobby"
                  maxLength={KIOSK_LIMITS.locationMax}
                  value={form.location}
                  onChange={(e) => setForm({ ...form, location: e.currentTarget.value })}
                  error={errors.location ?? backendField('location')}
                  w={240}
                />
                <Select
                  label="Identity store"
                  description="Of the people who use this kiosk"
                  required
                  data={(stores.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
                  value={form.storeId}
                  onChange={(storeId) => setForm({ ...form, storeId })}
                  error={errors.storeId ?? backendField('storeId')}
                  w={240}
                />
              </Group>
              {register.error && (
                <Alert color="red" title="The kiosk was not registered" role="alert" styles={readableAlert}>
                  {errorMessage(register.error)}
                </Alert>
              )}
              <Group>
                <Button type="submit" loading={register.isPending}>
                  Register kiosk
                </Button>
              </Group>
            </Stack>
          </form>
        )}
      </Stack>
    </Paper>
  );
}

function ActivationCode({ registered, onDone }: { registered: KioskRegistered; onDone: () => void }) {
  const { kiosk, activationCode, activationExpiresAt } = registered;
  return (
    <section aria-label="Activation code">
      <Alert color="yellow" variant="outline" title={`Activation code for ${kiosk.name}`} styles={readableAlert}>
        <Stack gap="sm">
          <Text size="sm" fw={600}>
            Type this code on the kiosk to activate it; it is shown only now.
          </Text>
          <Group gap="sm" align="center">
            <Code fz="xl" fw={700} px="md" py={6} style={{ letterSpacing: '0.2em' }} data-testid="activation-code">
              {activationCode}
            </Code>
            <CopyButton value={activationCode}>
              {({ copied, copy }) => (
                <Button size="xs" variant="default" onClick={copy} aria-label="Copy the activation code">
                  {copied ? 'Copied' : 'Copy'}
                </Button>
              )}
            </CopyButton>
          </Group>
          <Text size="sm">Valid until {formatDateTime(activationExpiresAt)}; it works once.</Text>
          <Group>
            <Button size="xs" onClick={onDone} data-autofocus>
              Done — hide the code
            </Button>
          </Group>
        </Stack>
      </Alert>
    </section>
  );
}

function RevokeKioskDialog({ kiosk, onClose }: { kiosk: KioskView; onClose: () => void }) {
  const revoke = useRevokeKiosk();
  const [reason, setReason] = useState('');
  return (
    <Modal
      opened
      onClose={onClose}
      title={`Revoke kiosk “${kiosk.name}”?`}
      closeButtonProps={{ 'aria-label': 'Close' }}
      styles={readableModal}
    >
      <Stack>
        <Text size="sm">
          The kiosk is refused from its next request on and its waiting sessions end. It cannot be activated again;
          register it anew to use it. The revocation is recorded in the audit log.
        </Text>
        <Textarea
          label="Reason"
          description="Optional; recorded with the revocation"
          maxLength={KIOSK_LIMITS.reasonMax}
          rows={2}
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
        />
        {revoke.error && (
          <Alert color="red" title="The kiosk was not revoked" role="alert" styles={readableAlert}>
            {errorMessage(revoke.error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose} data-autofocus>
            Cancel
          </Button>
          <Button
            color="red.9"
            loading={revoke.isPending}
            onClick={() =>
              revoke.mutate(
                { kioskId: kiosk.kioskId, reason: reason.trim() || undefined },
                {
                  onSuccess: () => {
                    notifications.show({ color: 'green', message: `Kiosk “${kiosk.name}” revoked` });
                    onClose();
                  },
                },
              )
            }
          >
            Revoke kiosk
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
