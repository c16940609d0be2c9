import { Alert, Badge, Button, Group, Paper, Stack, Text, Textarea, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { type Ref, useEffect, useId, useState } from 'react';
import { ApiError, errorMessage } from '../../api/client';
import { storeName, useStores } from '../../api/stores';
import { readableAlert } from '../../components/contrast';
import type { BreakGlassAnswer, BreakGlassDecision, PendingApproval } from './api';
import { BREAK_GLASS_LIMITS } from './breakGlassModel';
import { formatDateTime, formatTime, refusalTitle, timeLeft } from './labels';
import { useDecideApproval } from './useBreakGlass';

/**
 * Approvals waiting: other agents' two-person requests to unlock an unenrolled user. Approve / Deny are offered as
 * the backend says (`canDecide`, else its `whyNot`); the backend decides again when the button is used.
 */
export function ApprovalsWaiting({
  requests,
  onDecided,
  headingRef,
}: {
  requests: PendingApproval[];
  onDecided?: (answer: BreakGlassAnswer) => void;
  /** Focus goes here after a decision (the row decided on is gone). */
  headingRef?: Ref<HTMLHeadingElement>;
}) {
  const headingId = useId();
  // "Time left" moves on between reads of the list (an unchanged list does not re-render).
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <Stack gap="xs" component="section" aria-labelledby={headingId}>
      <Title order={2} size="h4" id={headingId} ref={headingRef} tabIndex={-1}>
        Approvals waiting ({requests.length})
      </Title>
      <Stack
        gap="xs"
        component="ul"
        aria-label="Approvals waiting"
        style={{ listStyle: 'none', padding: 0, margin: 0 }}
      >
        {requests.map((r) => (
          <ApprovalRow key={r.requestId} request={r} now={now} onDecided={onDecided} />
        ))}
      </Stack>
    </Stack>
  );
}

const DONE: Record<BreakGlassDecision, string> = { approve: 'Approved', deny: 'Denied' };

function ApprovalRow({
  request: r,
  now,
  onDecided,
}: {
  request: PendingApproval;
  now: number;
  onDecided: ((answer: BreakGlassAnswer) => void) | undefined;
}) {
  const [comment, setComment] = useState('');
  const stores = useStores();
  const decide = useDecideApproval((answer, { decision }) => {
    const until = answer.breakGlass.validUntil;
    notifications.show({
      color: decision === 'approve' ? 'teal' : 'gray',
      title: DONE[decision],
      message:
        decision === 'approve'
          ? `${r.requestedBy.displayName} can unlock ${r.subject.displayName}${until ? ` until ${formatTime(until)}` : ''}.`
          : `The request to unlock ${r.subject.displayName} was denied.`,
    });
    onDecided?.(answer);
  });
  const whyNotId = useId();
  const error = decide.error;
  const run = (decision: BreakGlassDecision) =>
    decide.mutate({ caseId: r.caseId, requestId: r.requestId, decision, comment });
  const disabled = !r.canDecide || decide.isPending;
  const describedBy = r.canDecide ? undefined : whyNotId;

  return (
    <Paper component="li" withBorder p="sm" radius="sm" aria-label={`Approval for ${r.subject.displayName}`}>
      <Stack gap={6}>
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Text size="sm">
            <b>{r.requestedBy.displayName}</b> asks to unlock <b>{r.subject.displayName}</b> in{' '}
            {storeName(r.subject.storeId, stores.data)}
          </Text>
          <Badge color="blue" c="blue.9" variant="light" title={`Expires ${formatDateTime(r.expiresAt)}`}>
            {timeLeft(r.expiresAt, now)}
          </Badge>
        </Group>
        <Text size="sm">Reason: {r.reason}</Text>
        <Text size="sm" c="gray.7">
          {r.ticket ? `Ticket ${r.ticket} · ` : ''}Asked {formatDateTime(r.requestedAt)}
        </Text>
        <Textarea
          label={`Comment on the request for ${r.subject.displayName}`}
          description="Optional; recorded with your decision and shown to the agent who asked"
          maxLength={BREAK_GLASS_LIMITS.commentMax}
          rows={1}
          value={comment}
          onChange={(e) => setComment(e.currentTarget.value)}
          disabled={!r.canDecide}
        />
        <Group justify="flex-end" gap="sm" wrap="nowrap">
          {!r.canDecide && (
            <Text size="sm" c="gray.7" id={whyNotId} style={{ flex: 1 }}>
              {r.whyNot ?? 'You cannot decide this request'}
            </Text>
          )}
          <Button
            variant="default"
            onClick={() => run('deny')}
            disabled={disabled}
            loading={decide.isPending && decide.variables?.decision === 'deny'}
            aria-describedby={describedBy}
          >
            Deny
          </Button>
          <Button
            onClick={() => run('approve')}
            disabled={disabled}
            loading={decide.isPending && decide.variables?.decision === 'approve'}
            aria-describedby={describedBy}
          >
            Approve
          </Button>
        </Group>
        {error && (
          <Alert
            color="red"
            title={refusalTitle(error instanceof ApiError ? error.reason : undefined, 'The decision was not recorded')}
            role="alert"
            styles={readableAlert}
          >
            {errorMessage(error)}
          </Alert>
        )}
      </Stack>
    </Paper>
  );
}

export default ApprovalsWaiting;
