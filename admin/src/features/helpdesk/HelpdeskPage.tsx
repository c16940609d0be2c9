import {
  ActionIcon,
  Alert,
  Group,
  Loader,
  Menu,
  MultiSelect,
  SegmentedControl,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { lazy, Suspense, useRef, useState } from 'react';
import { errorMessage } from '../../api/client';
import { storeName, useStores } from '../../api/stores';
import { readableAlert } from '../../components/contrast';
import type { KioskClaim, UserRow } from './api';
import { LockBadge } from './LockBadge';
import { authTypeLabel, formatDateTime } from './labels';
import { usePendingApprovals } from './useBreakGlass';
import { useKioskSessions } from './useKioskSessions';
import { useUserSearch } from './useUserSearch';

export type UserAction = { kind: 'unlock' | 'history'; user: UserRow };

// The dialog loads when first opened, so the first load (sign-in + search) stays small.
const UnlockDialog = lazy(() => import('./UnlockDialog').then((m) => ({ default: m.UnlockDialog })));
// Two-person approvals: the list is polled here, its UI loads when a request is waiting.
const ApprovalsWaiting = lazy(() => import('./ApprovalsWaiting'));
// Walk-up kiosk sessions: the list is polled here, its UI loads when the agent may claim them.
const KioskSessions = lazy(() => import('./KioskSessions'));

/** Helpdesk Operations: find a user across identity stores, then act on them from the row's menu. */
export function HelpdeskPage({ onAction }: { onAction?: (action: UserAction) => void }) {
  const [search, setSearch] = useState('');
  const [storeIds, setStoreIds] = useState<string[]>([]);
  const [lockedOnly, setLockedOnly] = useState(false);
  const [enrolled, setEnrolled] = useState<'any' | 'yes' | 'no'>('any');
  const [debounced] = useDebouncedValue(search, 250);
  const stores = useStores();
  const query = useUserSearch({ search: debounced, storeIds, lockedOnly, enrolled });
  const rows = query.data?.results ?? [];
  const approvals = usePendingApprovals();
  const waiting = approvals.data?.requests ?? [];
  const kiosk = useKioskSessions();
  const [claimed, setClaimed] = useState<KioskClaim>();
  const claimCode = useRef<HTMLInputElement>(null);
  /** Closing the dialog of a claimed kiosk session returns focus to the code field. */
  const closeClaimed = () => {
    setClaimed(undefined);
    setTimeout(() => claimCode.current?.focus(), 0);
  };
  const approvalsHeading = useRef<HTMLHeadingElement>(null);
  const searchInput = useRef<HTMLInputElement>(null);
  /** After a decision the row is gone: focus the section's heading, or the search when nothing is left. */
  const afterDecision = () => setTimeout(() => (approvalsHeading.current ?? searchInput.current)?.focus(), 0);
  const [action, setAction] = useState<UserAction>();
  const actionButtons = useRef(new Map<string, HTMLButtonElement>());
  const rowKey = (u: UserRow) => `${u.storeId}:${u.id}`;
  const act = (a: UserAction) => {
    setAction(a);
    onAction?.(a);
  };
  /** Closing the dialog returns focus to the row's menu button (the menu item that opened it is gone). */
  const closeDialog = () => {
    const button = action && actionButtons.current.get(rowKey(action.user));
    setAction(undefined);
    if (button) setTimeout(() => button.focus(), 0);
  };

  return (
    <Stack>
      <Title order={1} size="h3">
        Helpdesk Operations
      </Title>
      {waiting.length > 0 && (
        <Suspense fallback={null}>
          <ApprovalsWaiting requests={waiting} onDecided={afterDecision} headingRef={approvalsHeading} />
        </Suspense>
      )}
      {kiosk.allowed && (
        <Suspense fallback={null}>
          <KioskSessions sessions={kiosk.sessions} onClaimed={setClaimed} codeRef={claimCode} />
        </Suspense>
      )}
      <Group align="end" wrap="wrap">
        <TextInput
          ref={searchInput}
          label="Search users"
          description="Name, username, email or employee ID"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={320}
          autoFocus
          rightSection={query.isFetching ? <Loader size="xs" aria-label="Searching" /> : null}
        />
        <MultiSelect
          label="Identity stores"
          placeholder={storeIds.length ? undefined : 'All stores'}
          data={(stores.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
          value={storeIds}
          onChange={setStoreIds}
          clearable
          w={260}
        />
        <Switch
          label="Locked only"
          checked={lockedOnly}
          onChange={(e) => setLockedOnly(e.currentTarget.checked)}
          mb={8}
        />
        <Stack gap={4}>
          <Text size="sm" fw={500} id="enrolled-filter">
            Enrollment
          </Text>
          <SegmentedControl
            aria-labelledby="enrolled-filter"
            value={enrolled}
            onChange={(v) => setEnrolled(v as typeof enrolled)}
            data={[
              { value: 'any', label: 'All' },
              { value: 'yes', label: 'Enrolled' },
              { value: 'no', label: 'Not enrolled' },
            ]}
          />
        </Stack>
      </Group>

      {query.error && (
        <Alert color="red" title="Search failed" role="alert" styles={readableAlert}>
          {errorMessage(query.error)}
        </Alert>
      )}
      {(query.data?.errors.length ?? 0) > 0 && (
        <Alert color="yellow" title="Partial results" role="status" styles={readableAlert}>
          {query.data?.errors.map((e) => (
            <div key={e.storeId}>
              {storeName(e.storeId, stores.data)} did not answer: {e.message}
            </div>
          ))}
        </Alert>
      )}

      {!query.isEnabled ? (
        <Text c="gray.7">Type a name, username, email or employee ID, or turn on “Locked only”.</Text>
      ) : query.isPending ? (
        <Text c="gray.7">Searching…</Text>
      ) : rows.length === 0 ? (
        <Text c="gray.7">No users match.</Text>
      ) : (
        <Table striped highlightOnHover stickyHeader aria-label="Users">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Username</Table.Th>
              <Table.Th>Identity store</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Lock state</Table.Th>
              <Table.Th>Password changed</Table.Th>
              <Table.Th>Enrolled</Table.Th>
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((u) => (
              <Table.Tr key={`${u.storeId}:${u.id}`}>
                <Table.Td>{u.displayName ?? u.username}</Table.Td>
                <Table.Td>{u.username}</Table.Td>
                <Table.Td>{storeName(u.storeId, stores.data)}</Table.Td>
                <Table.Td>{u.email ?? '—'}</Table.Td>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>
                  <LockBadge state={u.lock.state} disabled={u.disabled} />
                </Table.Td>
                <Table.Td>{formatDateTime(u.passwordLastChanged)}</Table.Td>
                <Table.Td>
                  {u.enrolledTypes?.length ? u.enrolledTypes.map((t) => authTypeLabel[t]).join(', ') : 'Not enrolled'}
                </Table.Td>
                <Table.Td>
                  <Menu position="bottom-end" withinPortal>
                    <Menu.Target>
                      <ActionIcon
                        variant="subtle"
                        aria-label={`Actions for ${u.displayName ?? u.username}`}
                        ref={(el) => {
                          if (el) actionButtons.current.set(rowKey(u), el);
                          else actionButtons.current.delete(rowKey(u));
                        }}
                      >
                        <span aria-hidden="true">⋯</span>
                      </ActionIcon>
                    </Menu.Target>
                    <Menu.Dropdown>
                      <Menu.Item onClick={() => act({ kind: 'unlock', user: u })}>Unlock Account</Menu.Item>
                      <Menu.Item onClick={() => act({ kind: 'history', user: u })}>History</Menu.Item>
                    </Menu.Dropdown>
                  </Menu>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {query.data?.truncated && <Text size="sm">Showing the first {rows.length} matches; refine the search.</Text>}
      {action && (
        <Suspense fallback={null}>
          <UnlockDialog
            key={`${action.kind}:${action.user.storeId}:${action.user.id}`}
            user={action.user}
            initialView={action.kind}
            onClose={closeDialog}
          />
        </Suspense>
      )}
      {claimed && (
        <Suspense fallback={null}>
          <UnlockDialog
            key={`kiosk:${claimed.caseId}`}
            user={{
              storeId: claimed.subject.storeId,
              id: claimed.subject.userId,
              username: claimed.subject.displayName,
              displayName: claimed.subject.displayName,
            }}
            caseId={claimed.caseId}
            onClose={closeClaimed}
          />
        </Suspense>
      )}
    </Stack>
  );
}
