import { Alert, Button, Group, Loader, SegmentedControl, Stack, Table, Text, Timeline } from '@mantine/core';
import { useState } from 'react';
import { errorMessage } from '../../api/client';
import { OUTCOME_COLOR, readableAlert } from '../../components/contrast';
import type { AccountRef, AuthenticationType, HistoryItem } from './api';
import { authTypeLabel, formatDateTime } from './labels';
import { useUserHistory } from './useUnlockDialog';

/** The user's helpdesk history, newest first: readable sentences, or a table of the same entries. */
export function HistoryView({ user }: { user: AccountRef }) {
  const [view, setView] = useState<'sentences' | 'table'>('sentences');
  const history = useUserHistory(user, true);
  const items = history.data?.pages.flatMap((p) => p.items) ?? [];
  if (history.isPending) {
    return (
      <Group gap="xs">
        <Loader size="sm" aria-label="Loading history" />
        <Text size="sm">Loading history…</Text>
      </Group>
    );
  }
  if (history.error) {
    return (
      <Alert color="red" title="History unavailable" role="alert" styles={readableAlert}>
        {errorMessage(history.error)}
      </Alert>
    );
  }
  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Text size="sm" c="gray.7">
          Actions on and by this user, newest first.
        </Text>
        <SegmentedControl
          aria-label="History view"
          size="xs"
          value={view}
          onChange={(v) => setView(v as typeof view)}
          data={[
            { value: 'sentences', label: 'Sentences' },
            { value: 'table', label: 'Table' },
          ]}
        />
      </Group>
      {items.length === 0 ? (
        <Text size="sm">No helpdesk history for this user yet.</Text>
      ) : view === 'sentences' ? (
        <Timeline bulletSize={12} lineWidth={2} role="list" aria-label="History">
          {items.map((e) => (
            <Timeline.Item key={e.eventId} role="listitem" color={e.outcome ? OUTCOME_COLOR[e.outcome] : 'gray.6'}>
              <Text size="sm">{e.summary}</Text>
              <Text size="xs" c="gray.7">
                {formatDateTime(e.time)}
                {e.ticket ? ` · ticket ${e.ticket}` : ''}
                {e.comment ? ` · “${e.comment}”` : ''}
              </Text>
            </Timeline.Item>
          ))}
        </Timeline>
      ) : (
        <Table.ScrollContainer minWidth={700}>
          <Table striped aria-label="History table" fz="sm" verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Time</Table.Th>
                <Table.Th>Action</Table.Th>
                <Table.Th>By</Table.Th>
                <Table.Th>Store</Table.Th>
                <Table.Th>Verified with</Table.Th>
                <Table.Th>Outcome</Table.Th>
                <Table.Th>Reason / ticket</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((e: HistoryItem) => (
                <Table.Tr key={e.eventId}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(e.time)}</Table.Td>
                  <Table.Td>{e.action}</Table.Td>
                  <Table.Td>{e.actor?.displayName ?? e.actor?.id ?? '—'}</Table.Td>
                  <Table.Td>{e.storeName ?? e.storeId ?? '—'}</Table.Td>
                  <Table.Td>
                    {e.authenticationTypes.map((t) => authTypeLabel[t as AuthenticationType] ?? t).join(', ') || '—'}
                  </Table.Td>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>
                    {e.outcome ? (
                      <Text span size="sm" fw={600} c={OUTCOME_COLOR[e.outcome]}>
                        {e.outcome}
                      </Text>
                    ) : (
                      '—'
                    )}
                  </Table.Td>
                  <Table.Td>{[e.reason, e.ticket && `ticket ${e.ticket}`].filter(Boolean).join('; ') || '—'}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {history.hasNextPage && (
        <Button
          variant="default"
          size="xs"
          onClick={() => history.fetchNextPage()}
          loading={history.isFetchingNextPage}
        >
          Load older entries
        </Button>
      )}
    </Stack>
  );
}
