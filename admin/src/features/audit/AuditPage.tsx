import {
  Alert,
  Autocomplete,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useState } from 'react';
import { useStores } from '../../api/stores';
import { OUTCOME_COLOR, readableAlert, readableModal } from '../../components/contrast';
import { ACTIONS, type AuditFilter, type AuditItem, exportUrl, OUTCOMES } from './api';
import { AUTH_TYPE_LABEL, formatTime, isoToLocalInput, localInputToIso, OUTCOME_LABEL } from './format';
import { useAuditEvents, useAuditFilter, useVerifyChain } from './hooks';

/** Audit (View Audit): every recorded event, filtered, paged, exported, and the hash chain verified. */
export default function AuditPage() {
  const [filter, setFilter] = useAuditFilter();
  const events = useAuditEvents(filter);
  const verify = useVerifyChain();
  const [selected, setSelected] = useState<AuditItem | null>(null);
  const items = events.data?.pages.flatMap((p) => p.items) ?? [];
  const addFilter = (f: AuditFilter) => setFilter({ ...filter, ...f });

  return (
    <Stack>
      <Group justify="space-between" align="end">
        <div>
          <Title order={1} size="h3">
            Audit
          </Title>
          <Text size="sm" c="gray.7">
            Every authentication, unlock, enrollment, role and sign-in fact, newest first. Each event is linked into a
            hash chain.
          </Text>
        </div>
        <Group gap="xs">
          <Button component="a" href={exportUrl(filter, 'csv')} download variant="default">
            Export CSV
          </Button>
          <Button component="a" href={exportUrl(filter, 'json')} download variant="default">
            Export JSON
          </Button>
          <Button onClick={() => verify.mutate()} loading={verify.isPending}>
            Verify chain
          </Button>
        </Group>
      </Group>

      <VerifyResult verify={verify} />
      <Filters key={JSON.stringify(filter)} filter={filter} onApply={setFilter} />

      {events.error && (
        <Alert color="red" title="The audit log could not be loaded" role="alert" styles={readableAlert}>
          {events.error.message}
        </Alert>
      )}
      {events.isPending ? (
        <Text c="gray.7">Loading events…</Text>
      ) : items.length === 0 ? (
        !events.error && <Text c="gray.7">No events match these filters.</Text>
      ) : (
        <Table.ScrollContainer minWidth={980}>
          <Table striped highlightOnHover aria-label="Audit events" verticalSpacing="xs" fz="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Time</Table.Th>
                <Table.Th>Event</Table.Th>
                <Table.Th>Actor</Table.Th>
                <Table.Th>Subject</Table.Th>
                <Table.Th>Store</Table.Th>
                <Table.Th w={110}>Outcome</Table.Th>
                <Table.Th>Details</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {items.map((e) => (
                <Table.Tr key={e.position}>
                  <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatTime(e.time)}</Table.Td>
                  <Table.Td>
                    <Text size="sm">{e.summary}</Text>
                    <Text size="xs" c="gray.7" ff="monospace">
                      {e.action}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {e.actor ? (
                      <FilterLink
                        label={e.actor.displayName ?? e.actor.id}
                        title={`Show only events by ${e.actor.displayName ?? e.actor.id}`}
                        onClick={() => addFilter({ actor: e.actor?.id })}
                      />
                    ) : (
                      '—'
                    )}
                  </Table.Td>
                  <Table.Td>
                    {e.subject ? (
                      <FilterLink
                        label={e.subject.displayName ?? e.subject.key}
                        title={`Show only events about ${e.subject.displayName ?? e.subject.key}`}
                        onClick={() => addFilter({ subject: e.subject?.key })}
                      />
                    ) : (
                      '—'
                    )}
                  </Table.Td>
                  <Table.Td>{e.storeName ?? e.storeId ?? '—'}</Table.Td>
                  <Table.Td>
                    {e.outcome ? (
                      <Badge
                        color={OUTCOME_COLOR[e.outcome]}
                        variant="filled"
                        tt="none"
                        style={{ overflow: 'visible' }}
                      >
                        {OUTCOME_LABEL[e.outcome]}
                      </Badge>
                    ) : (
                      '—'
                    )}
                  </Table.Td>
                  <Table.Td>
                    {e.reason && <Text size="xs">{e.reason}</Text>}
                    {e.authenticationTypes.length > 0 && (
                      <Text size="xs" c="gray.7">
                        {e.authenticationTypes.map((t) => AUTH_TYPE_LABEL[t] ?? t).join(', ')}
                      </Text>
                    )}
                    {e.ticket && <Text size="xs">Ticket {e.ticket}</Text>}
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      onClick={() => setSelected(e)}
                      aria-label={`Details of event ${e.seq}`}
                    >
                      Details
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {items.length > 0 && (
        <Group justify="space-between">
          <Text size="sm" c="gray.7" role="status">
            {items.length} event{items.length === 1 ? '' : 's'} shown{events.hasNextPage ? '; older events follow' : ''}
          </Text>
          {events.hasNextPage && (
            <Button variant="default" onClick={() => events.fetchNextPage()} loading={events.isFetchingNextPage}>
              Load more
            </Button>
          )}
        </Group>
      )}
      {selected && <EventDetails item={selected} onClose={() => setSelected(null)} />}
    </Stack>
  );
}

function FilterLink({ label, title, onClick }: { label: string; title: string; onClick: () => void }) {
  return (
    <UnstyledButton onClick={onClick} title={title} aria-label={title} td="underline" fz="sm" c="indigo.9">
      {label}
    </UnstyledButton>
  );
}

type Draft = Required<Record<keyof AuditFilter, string>>;

function Filters({ filter, onApply }: { filter: AuditFilter; onApply: (f: AuditFilter) => void }) {
  const stores = useStores();
  const [draft, setDraft] = useState<Draft>({
    from: isoToLocalInput(filter.from),
    to: isoToLocalInput(filter.to),
    store: filter.store ?? '',
    actor: filter.actor ?? '',
    subject: filter.subject ?? '',
    action: filter.action ?? '',
    outcome: filter.outcome ?? '',
  });
  const set = (key: keyof Draft) => (value: string) => setDraft((d) => ({ ...d, [key]: value }));
  const active = Object.values(filter).some(Boolean);
  return (
    <form
      aria-label="Audit filters"
      onSubmit={(e) => {
        e.preventDefault();
        onApply({ ...draft, from: localInputToIso(draft.from), to: localInputToIso(draft.to) });
      }}
    >
      <SimpleGrid cols={{ base: 2, md: 4 }} spacing="sm" verticalSpacing="xs">
        <TextInput
          type="datetime-local"
          label="From"
          value={draft.from}
          onChange={(e) => set('from')(e.currentTarget.value)}
        />
        <TextInput
          type="datetime-local"
          label="To (before)"
          value={draft.to}
          onChange={(e) => set('to')(e.currentTarget.value)}
        />
        <Select
          label="Identity store"
          placeholder="All stores"
          data={(stores.data ?? []).map((s) => ({ value: s.id, label: s.name }))}
          value={draft.store || null}
          onChange={(v) => set('store')(v ?? '')}
          clearable
        />
        <Select
          label="Outcome"
          placeholder="Any outcome"
          data={OUTCOMES.map((o) => ({ value: o, label: OUTCOME_LABEL[o] }))}
          value={draft.outcome || null}
          onChange={(v) => set('outcome')(v ?? '')}
          clearable
        />
        <TextInput
          label="Actor"
          placeholder="storeId:userId"
          value={draft.actor}
          onChange={(e) => set('actor')(e.currentTarget.value)}
        />
        <TextInput
          label="Subject"
          placeholder="storeId:userId"
          value={draft.subject}
          onChange={(e) => set('subject')(e.currentTarget.value)}
        />
        <Autocomplete
          label="Action"
          placeholder="e.g. unlock.succeeded"
          data={[...ACTIONS]}
          value={draft.action}
          onChange={set('action')}
        />
        <Group gap="xs" align="end">
          <Button type="submit">Apply filters</Button>
          {active && (
            <Button variant="default" onClick={() => onApply({})}>
              Clear
            </Button>
          )}
        </Group>
      </SimpleGrid>
      <Text size="xs" c="gray.7" mt={4}>
        Tip: select a name in the table to filter by that actor or subject.
      </Text>
    </form>
  );
}

function VerifyResult({ verify }: { verify: ReturnType<typeof useVerifyChain> }) {
  if (verify.error) {
    return (
      <Alert color="red" title="Verification could not run" role="alert" styles={readableAlert}>
        {verify.error.message}
      </Alert>
    );
  }
  const r = verify.data;
  if (!r) return null;
  if (r.ok) {
    return (
      <Alert
        color="teal"
        title="Hash chain intact"
        role="status"
        withCloseButton
        onClose={verify.reset}
        styles={readableAlert}
      >
        {r.checked} event{r.checked === 1 ? '' : 's'} checked; no link is broken. Head hash{' '}
        <Code>{r.headHash.slice(0, 16)}…</Code>
        {r.headPosition ? ` at position ${r.headPosition}` : ''}.
      </Alert>
    );
  }
  return (
    <Alert
      color="red"
      title="Hash chain broken"
      role="alert"
      withCloseButton
      onClose={verify.reset}
      styles={readableAlert}
    >
      {r.firstBroken
        ? `The first broken link is event ${r.firstBroken.seq} (position ${r.firstBroken.position}): ${r.firstBroken.problem}. `
        : ''}
      {r.checked} event{r.checked === 1 ? '' : 's'} checked. The audit log may have been altered; keep an export and
      inform your security officer.
    </Alert>
  );
}

const named = (name: string | null, id: string) => (name ? `${name} (${id})` : id);

function EventDetails({ item, onClose }: { item: AuditItem; onClose: () => void }) {
  const rows: [string, string | null][] = [
    ['Time', formatTime(item.time)],
    ['Action', item.action],
    ['Event type', item.type],
    ['Actor', item.actor ? named(item.actor.displayName, item.actor.id) : null],
    ['Subject', item.subject ? named(item.subject.displayName, item.subject.key) : null],
    ['Identity store', item.storeName ?? item.storeId],
    ['Outcome', item.outcome],
    ['Reason', item.reason ? `${item.reason}${item.reasonCode ? ` (${item.reasonCode})` : ''}` : null],
    ['Authentication types', item.authenticationTypes.join(', ') || null],
    ['Case', item.caseId],
    ['Ticket', item.ticket],
    ['Comment', item.comment],
    ['Client', item.client],
    ['IP address', item.ip],
    ['User agent', item.userAgent],
    ['Chain position', `${item.seq} (log position ${item.position})`],
    ['Hash', item.hash],
    ['Previous hash', item.prevHash],
  ];
  return (
    <Modal
      opened
      onClose={onClose}
      title="Event details"
      size="lg"
      closeButtonProps={{ 'aria-label': 'Close' }}
      styles={readableModal}
    >
      <Table aria-label="Event details" fz="sm" layout="fixed">
        <Table.Tbody>
          {rows
            .filter(([, v]) => v)
            .map(([k, v]) => (
              <Table.Tr key={k}>
                <Table.Th w={170}>{k}</Table.Th>
                <Table.Td style={{ wordBreak: 'break-all' }}>{v}</Table.Td>
              </Table.Tr>
            ))}
        </Table.Tbody>
      </Table>
    </Modal>
  );
}
