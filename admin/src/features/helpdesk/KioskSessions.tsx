import { Alert, Badge, Button, Group, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { type FormEvent, type Ref, useEffect, useId, useState } from 'react';
import { ApiError, errorMessage } from '../../api/client';
import { readableAlert } from '../../components/contrast';
import type { KioskClaim, KioskSessionWaiting } from './api';
import { sessionCodeProblem } from './kioskModel';
import { claimRefusal, formatDateTime, waitingFor } from './labels';
import { useClaimKioskSession } from './useKioskSessions';

/**
 * Walk-up kiosk sessions: the people waiting at a kiosk (kiosk, the username they typed, how long they have waited)
 * and the form to claim one with the code the person reads out. A claim opens the case; `onClaimed` shows it.
 */
export function KioskSessions({
  sessions,
  onClaimed,
  codeRef,
}: {
  sessions: KioskSessionWaiting[];
  onClaimed: (claim: KioskClaim) => void;
  /** The code field, where focus returns when the dialog of a claimed session closes. */
  codeRef?: Ref<HTMLInputElement>;
}) {
  const headingId = useId();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);
  return (
    <Stack gap="xs">
      {sessions.length > 0 && (
        <Stack gap="xs" component="section" aria-labelledby={headingId}>
          <Title order={2} size="h4" id={headingId}>
            Kiosk sessions waiting ({sessions.length})
          </Title>
          <Stack
            gap="xs"
            component="ul"
            aria-label="Kiosk sessions waiting"
            style={{ listStyle: 'none', padding: 0, margin: 0 }}
          >
            {sessions.map((s) => (
              <Paper key={s.sessionId} component="li" withBorder px="sm" py={6} radius="sm">
                <Group justify="space-between" wrap="wrap" gap="xs">
                  <Text size="sm">
                    <b>{s.usernameTyped}</b> at <b>{s.kioskName}</b>
                  </Text>
                  <Badge
                    color="blue"
                    c="blue.9"
                    variant="light"
                    tt="none"
                    title={`Started ${formatDateTime(s.startedAt)}`}
                  >
                    {waitingFor(s.startedAt, now)}
                  </Badge>
                </Group>
              </Paper>
            ))}
          </Stack>
        </Stack>
      )}
      <ClaimForm onClaimed={onClaimed} codeRef={codeRef} />
    </Stack>
  );
}

function ClaimForm({
  onClaimed,
  codeRef,
}: {
  onClaimed: (claim: KioskClaim) => void;
  codeRef?: Ref<HTMLInputElement> | undefined;
}) {
  const [code, setCode] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const claim = useClaimKioskSession((c) => {
    setCode('');
    onClaimed(c);
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const p = sessionCodeProblem(code);
    setProblem(p);
    if (!p) claim.mutate(code);
  };
  const refusal =
    claim.error &&
    claimRefusal(claim.error instanceof ApiError ? claim.error.reason : undefined, errorMessage(claim.error));
  return (
    <form onSubmit={submit} aria-label="Claim a kiosk session" noValidate>
      <Stack gap="xs">
        <Group align="start" gap="xs" wrap="wrap">
          <TextInput
            ref={codeRef}
            label="Claim a kiosk session"
            description="The code the person at the kiosk reads out"
            placeholder="e.g. K7Q M2P"
            value={code}
            onChange={(e) => {
              setCode(e.currentTarget.value);
              setProblem(null);
            }}
            error={problem}
            autoComplete="off"
            spellCheck={false}
            maxLength={12}
            w={280}
          />
          <Button type="submit" mt={46} variant="light" loading={claim.isPending}>
            Claim
          </Button>
        </Group>
        {refusal && (
          <Alert color="red" title={refusal.title} role="alert" styles={readableAlert} maw={720}>
            {refusal.message}
          </Alert>
        )}
      </Stack>
    </form>
  );
}

export default KioskSessions;
