import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Fieldset,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { type ReactNode, useState } from 'react';
import { ApiError } from '../../api/client';
import { OUTCOME_COLOR, readableAlert } from '../../components/contrast';
import type { UnlockResponse, UnlockResultView, UserProfile } from './api';
import { LockBadge } from './LockBadge';
import { formatDateTime, lockLabel } from './labels';
import type { Gate, UnlockCandidate } from './unlockModel';
import { accountKey, accountLabel, unlockedLinkedCount } from './unlockModel';
import type { useUnlock } from './useUnlockDialog';

type UnlockHook = ReturnType<typeof useUnlock>;

// Filled badges in the audit's outcome colours: white text at AA contrast (4.5:1 or better).
const OUTCOME: Record<UnlockResultView['outcome'], { label: string; color: string }> = {
  unlocked: { label: 'Unlocked', color: OUTCOME_COLOR.success },
  failed: { label: 'Failed', color: OUTCOME_COLOR.failure },
  refused: { label: 'Refused', color: OUTCOME_COLOR.refused },
  pending: { label: 'Not confirmed yet', color: 'gray.8' },
};

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="gray.7" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}

/** The Unlock page: who the user is, the lock with its insight, the accounts to unlock, ticket/comment, results. */
export function UnlockPage({
  profile,
  candidates,
  gate,
  unlock,
  caseId,
  approval,
  onBack,
  onClose,
}: {
  profile: UserProfile;
  candidates: UnlockCandidate[];
  gate: Gate;
  unlock: UnlockHook;
  caseId: string | undefined;
  /** Another way to be allowed (the two-person approval for an unenrolled user), shown below the refusal. */
  approval?: ReactNode;
  onBack?: () => void;
  onClose: () => void;
}) {
  const [selected, setSelected] = useState<string[]>(() => candidates.filter((c) => c.selectable).map((c) => c.key));
  const [ticket, setTicket] = useState('');
  const [comment, setComment] = useState('');
  const a = profile.account;
  const i = profile.insight;
  const done = unlock.data;
  const chosen = candidates.filter((c) => c.selectable && selected.includes(c.key));
  const submit = () =>
    unlock.unlock({
      accounts: chosen.map((c) => ({ storeId: c.storeId, userId: c.userId })),
      ...(caseId ? { caseId } : {}),
      ...(ticket.trim() ? { ticket: ticket.trim() } : {}),
      ...(comment.trim() ? { comment: comment.trim() } : {}),
    });
  const unlockedLinked = unlockedLinkedCount(profile);
  const error = unlock.error instanceof ApiError ? unlock.error : undefined;

  return (
    <Stack gap="md">
      <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="md" verticalSpacing="xs">
        <Fact label="User">{a.displayName ?? a.username}</Fact>
        <Fact label="Username">{a.username ?? '—'}</Fact>
        <Fact label="Identity store">{profile.store.name}</Fact>
        <Fact label="Password last changed">{formatDateTime(profile.passwordLastChanged ?? undefined)}</Fact>
        <Fact label="Lock status">
          <LockBadge state={profile.lock.state} disabled={profile.lock.disabled} />
        </Fact>
        <Fact label="Locked since">{formatDateTime(i.lockedSince ?? undefined)}</Fact>
        <Fact label="Failed attempts">
          {i.failedAttempts ?? '—'}
          {i.lastFailedAt ? ` (last ${formatDateTime(i.lastFailedAt)})` : ''}
        </Fact>
        <Fact label="Unlocks, last 7 days">{i.unlocksLast7Days}</Fact>
      </SimpleGrid>
      {i.warning && (
        <Alert color="orange" title="Repeated lockouts" role="alert" styles={readableAlert}>
          {i.warning.charAt(0).toUpperCase() + i.warning.slice(1)}.
        </Alert>
      )}
      {(i.passwordExpired || i.passwordMustChange || i.notes.length > 0) && (
        <Alert color="blue" title="Password" variant="light" styles={readableAlert}>
          {i.passwordExpired && <div>The password has expired: the user must change it at the next sign-in.</div>}
          {i.passwordMustChange && !i.passwordExpired && (
            <div>The user must change the password at the next sign-in.</div>
          )}
          {i.notes.map((n) => (
            <div key={n}>{n}</div>
          ))}
        </Alert>
      )}

      {done ? (
        <UnlockResults response={done} profile={profile} />
      ) : (
        <>
          <Fieldset legend="Accounts to unlock">
            <Stack gap="sm">
              {candidates.map((c) => (
                <Checkbox
                  key={c.key}
                  checked={c.selectable && selected.includes(c.key)}
                  disabled={!c.selectable || !gate.allowed || unlock.isPending}
                  onChange={(e) => {
                    const on = e.currentTarget.checked;
                    setSelected((s) => (on ? [...s, c.key] : s.filter((k) => k !== c.key)));
                  }}
                  label={
                    <span>
                      <b>{c.displayName}</b> ({c.username}) in {c.storeName}
                      {c.linked ? ' — linked account' : ''}
                    </span>
                  }
                  description={
                    <span>
                      {c.lockLabel}
                      {c.lockedAt ? ` since ${formatDateTime(c.lockedAt)}` : ''}
                      {c.failedAttempts ? `, ${c.failedAttempts} failed attempts` : ''}
                      {c.reason && c.reason !== c.lockLabel ? ` — ${c.reason}` : ''}
                    </span>
                  }
                />
              ))}
              {unlockedLinked > 0 && (
                <Text size="xs" c="gray.7">
                  {unlockedLinked} other linked account{unlockedLinked === 1 ? ' is' : 's are'} not locked.
                </Text>
              )}
              {profile.linkErrors.map((e) => (
                <Text key={e.storeId} size="sm" c="red.9" role="alert">
                  Linked accounts in {e.storeId} could not be checked: {e.message}
                </Text>
              ))}
            </Stack>
          </Fieldset>
          <Group grow align="start">
            <TextInput
              label="Ticket reference"
              description="Optional"
              maxLength={100}
              value={ticket}
              onChange={(e) => setTicket(e.currentTarget.value)}
            />
            <Textarea
              label="Comment"
              description="Optional; recorded with the unlock"
              maxLength={1000}
              rows={1}
              value={comment}
              onChange={(e) => setComment(e.currentTarget.value)}
            />
          </Group>
          {!gate.allowed && gate.reason && (
            <Alert color="orange" title="Unlock not allowed" role="alert" styles={readableAlert}>
              {gate.reason}
            </Alert>
          )}
          {approval}
          {error && (
            <Alert color="red" title="Unlock failed" role="alert" styles={readableAlert}>
              {error.status === 503 && !error.reason
                ? 'The directory did not confirm every unlock yet. Retry: the same request is sent again and done at most once.'
                : error.message}
              {error.fields.map((f) => (
                <div key={f.field}>
                  {f.field}: {f.message}
                </div>
              ))}
            </Alert>
          )}
        </>
      )}

      <Group justify="flex-end" gap="sm">
        {onBack && !done && (
          <Button variant="default" onClick={onBack}>
            Back
          </Button>
        )}
        {done ? (
          <Button onClick={onClose}>Done</Button>
        ) : error && (error.status === 0 || error.status >= 500) ? (
          <Button color="orange" onClick={unlock.retry} loading={unlock.isPending}>
            Retry unlock
          </Button>
        ) : (
          <Button onClick={submit} loading={unlock.isPending} disabled={!gate.allowed || chosen.length === 0}>
            Unlock{chosen.length > 1 ? ` ${chosen.length} accounts` : ''}
          </Button>
        )}
      </Group>
    </Stack>
  );
}

function UnlockResults({ response, profile }: { response: UnlockResponse; profile: UserProfile }) {
  const n = response.notification;
  return (
    <Stack gap="xs">
      <Title order={3} size="h5">
        Result
      </Title>
      <Stack gap="xs" component="ul" aria-label="Unlock results" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {response.results.map((r) => {
          const o = OUTCOME[r.outcome];
          return (
            <Paper component="li" key={accountKey(r)} withBorder p="sm" radius="sm">
              <Group gap="sm" wrap="nowrap" align="start">
                <Badge color={o.color} variant="filled" style={{ flexShrink: 0 }}>
                  {o.label}
                </Badge>
                <Stack gap={2}>
                  <Text size="sm" fw={600}>
                    {accountLabel(profile, r)}
                  </Text>
                  {r.lock && (
                    <Text size="sm">
                      Read back from the directory: <b>{lockLabel[r.lock.state]}</b>
                    </Text>
                  )}
                  {r.reason && <Text size="sm">{r.reason}</Text>}
                  {r.directoryMessage && (
                    <Text size="sm" c="gray.7">
                      Directory: {r.directoryMessage}
                    </Text>
                  )}
                </Stack>
              </Group>
            </Paper>
          );
        })}
      </Stack>
      <Text size="sm" c="gray.8">
        {noticeText(n)}
      </Text>
    </Stack>
  );
}

function noticeText(n: UnlockResponse['notification']): string {
  switch (n.status) {
    case 'sent':
      return `The user was told by e-mail (${n.to}).`;
    case 'pending':
      return `The e-mail to ${n.to} is being sent.`;
    case 'failed':
      return `The e-mail to ${n.to} could not be sent: ${n.reason}`;
    default:
      return n.reason === 'noAddress'
        ? 'The user has no e-mail address to tell them.'
        : n.reason === 'disabled'
          ? 'User notices are turned off.'
          : 'Nothing was unlocked, so the user was not told.';
  }
}
