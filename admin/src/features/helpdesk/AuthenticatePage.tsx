import { Alert, Badge, Button, Fieldset, Group, Loader, Progress, Stack, Text, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { errorMessage } from '../../api/client';
import { readableAlert } from '../../components/contrast';
import type { AuthenticationType, CaseView, CodeChannel, UserProfile } from './api';
import { authTypeLabel, formatDateTime } from './labels';
import type { StepFeedback, useHelpdeskCase } from './useUnlockDialog';

type CaseHook = ReturnType<typeof useHelpdeskCase>;

/** The Authenticate page: the user's enrolled types, what the agent's policy requires, progress, and one form per type. */
export function AuthenticatePage({ profile, kase }: { profile: UserProfile; kase: CaseHook }) {
  const c = kase.view;
  if (!profile.actions.openCase.allowed) {
    return (
      <Alert color="red" title="You cannot authenticate this user" role="alert" styles={readableAlert}>
        {profile.actions.openCase.reason}
      </Alert>
    );
  }
  if (kase.opening.isError) {
    return (
      <Alert color="red" title="The case could not be opened" role="alert" styles={readableAlert}>
        {errorMessage(kase.opening.error)}
      </Alert>
    );
  }
  if (!c) {
    return (
      <Group gap="xs">
        <Loader size="sm" aria-label="Opening the case" />
        <Text size="sm">Opening a case…</Text>
      </Group>
    );
  }
  const types = c.enrollment.types;
  const busy = kase.pendingStep;
  const locked = c.verificationLock.locked;
  return (
    <Stack gap="md">
      <PolicySummary c={c} />
      {locked && (
        <Alert color="red" title="Verification locked" role="alert" styles={readableAlert}>
          Too many wrong answers: verification of this user is locked until{' '}
          {formatDateTime(c.verificationLock.lockedUntil ?? undefined)}. The directory account is not affected.
        </Alert>
      )}
      {c.authenticationExpired && (
        <Alert color="yellow" title="Authentication expired" role="alert" styles={readableAlert}>
          The authentication in this case has expired. Close the dialog and authenticate the user again.
        </Alert>
      )}
      {types.includes('securityQuestions') && (
        <Fieldset legend={<TypeLegend c={c} type="securityQuestions" />}>
          <Stack gap="sm">
            <Text size="sm" c="gray.7">
              Ask the caller; type the answer as they say it (case and spacing do not matter).{' '}
              {c.progress.questionsVerified} of {c.progress.questionsRequired} answered correctly.
            </Text>
            {c.enrollment.securityQuestions.map((q, i) => (
              <VerifyForm
                key={q.questionId}
                label={q.question}
                inputLabel={`Answer to question ${i + 1}`}
                verified={q.verified}
                disabled={locked}
                busy={busy === `q:${q.questionId}`}
                feedback={kase.feedback[`q:${q.questionId}`]}
                onVerify={(answer) => kase.run({ step: 'answer', questionId: q.questionId, answer })}
                autoFocus={i === 0}
              />
            ))}
          </Stack>
        </Fieldset>
      )}
      {(['email', 'phone'] as const)
        .filter((t) => types.includes(t))
        .map((t) => (
          <CodeSection key={t} c={c} kase={kase} type={t} locked={locked} />
        ))}
      {types.includes('authenticator') && (
        <Fieldset legend={<TypeLegend c={c} type="authenticator" />}>
          <VerifyForm
            label="Ask the caller for the code their authenticator app shows now."
            inputLabel="Authenticator code"
            verified={c.progress.verifiedTypes.includes('authenticator')}
            disabled={locked}
            busy={busy === 'totp'}
            feedback={kase.feedback.totp}
            onVerify={(code) => kase.run({ step: 'authenticator', code })}
            numeric
          />
        </Fieldset>
      )}
    </Stack>
  );
}

function PolicySummary({ c }: { c: CaseView }) {
  const p = c.progress;
  const done = Math.min(p.verifiedTypes.length, p.required);
  const restricted = c.policy.mode === 'restricted';
  return (
    <Stack gap={6}>
      <Text size="sm">
        <b>{c.role.name}</b> policy ({restricted ? 'restricted' : 'unrestricted'}): verify{' '}
        <b>
          {p.required} of the user's enrolled type{p.required === 1 ? '' : 's'}
        </b>
        {c.enrollment.types.includes('securityQuestions') && p.questionsRequired > 1
          ? `; security questions count once ${p.questionsRequired} are answered correctly`
          : ''}
        .{restricted ? '' : ' Your policy lets you skip this page.'}
      </Text>
      <Group gap="xs" wrap="wrap" aria-label="Enrolled authentication types">
        {c.enrollment.types.map((t) => (
          <Badge
            key={t}
            variant={p.verifiedTypes.includes(t) ? 'filled' : 'outline'}
            color={p.verifiedTypes.includes(t) ? 'teal.9' : 'gray.7'}
          >
            {authTypeLabel[t]}
            {p.verifiedTypes.includes(t) ? ' ✓' : ''}
          </Badge>
        ))}
      </Group>
      <Progress
        value={(done / p.required) * 100}
        color={p.met ? 'teal.9' : 'indigo.7'}
        aria-label="Authentication progress"
        aria-valuetext={`${done} of ${p.required} verified`}
      />
      <Text size="sm" role="status" fw={500} c={p.met ? 'teal.9' : undefined}>
        {c.authenticated
          ? `Authenticated (${done} of ${p.required} verified) until ${formatDateTime(c.authenticatedUntil ?? undefined)}`
          : `${done} of ${p.required} verified`}
      </Text>
      {!p.attainable && (
        <Alert color="yellow" title="Cannot be met" role="alert" styles={readableAlert}>
          The user is enrolled in fewer authentication types than your policy requires, so they cannot be authenticated
          here. A role with an unrestricted policy can unlock them.
        </Alert>
      )}
    </Stack>
  );
}

function TypeLegend({ c, type }: { c: CaseView; type: AuthenticationType }) {
  const ok = c.progress.verifiedTypes.includes(type);
  return (
    <Group gap={8}>
      <Text fw={600} size="sm">
        {authTypeLabel[type]}
      </Text>
      {ok && (
        <Badge color="teal.9" size="sm">
          Verified
        </Badge>
      )}
    </Group>
  );
}

/** The error to show under a step's input after its last attempt (none once verified or sent). */
function feedbackError(f: StepFeedback | undefined): string | undefined {
  if (!f) return undefined;
  if (f.kind === 'error') return f.message;
  const r = f.result;
  if (r.outcome === 'verified' || r.outcome === 'sent') return undefined;
  const parts = [r.message ?? 'Not accepted'];
  if (r.attemptsLeft !== undefined) parts.push(`${r.attemptsLeft} tries left for this code`);
  if (r.lockedUntil) parts.push(`verification locked until ${formatDateTime(r.lockedUntil)}`);
  return parts.join('; ');
}

function VerifyForm(props: {
  label: string;
  inputLabel: string;
  verified: boolean;
  disabled: boolean;
  busy: boolean;
  feedback: StepFeedback | undefined;
  onVerify: (value: string) => void;
  numeric?: boolean;
  autoFocus?: boolean;
}) {
  const [value, setValue] = useState('');
  const error = feedbackError(props.feedback);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (value.trim()) props.onVerify(value.trim());
  };
  return (
    <form onSubmit={submit} aria-label={props.inputLabel}>
      <Group align="start" gap="xs" wrap="nowrap">
        <TextInput
          style={{ flex: 1 }}
          label={props.label}
          aria-label={props.inputLabel}
          value={value}
          onChange={(e) => setValue(e.currentTarget.value)}
          readOnly={props.verified}
          disabled={props.disabled && !props.verified}
          error={props.verified ? undefined : error}
          autoComplete="off"
          inputMode={props.numeric ? 'numeric' : undefined}
          autoFocus={props.autoFocus}
          rightSection={
            props.verified ? (
              <Text c="teal.9" fw={700} aria-label="Verified">
                ✓
              </Text>
            ) : null
          }
        />
        {props.verified ? (
          <Badge color="teal.9" size="lg" mt={props.label ? 28 : 4} style={{ flexShrink: 0 }}>
            Verified
          </Badge>
        ) : (
          <Button
            type="submit"
            mt={props.label ? 24 : 0}
            variant="light"
            loading={props.busy}
            disabled={props.disabled || !value.trim()}
          >
            Verify
          </Button>
        )}
      </Group>
    </form>
  );
}

function CodeSection({
  c,
  kase,
  type,
  locked,
}: {
  c: CaseView;
  kase: CaseHook;
  type: 'email' | 'phone';
  locked: boolean;
}) {
  const channel: CodeChannel = type === 'email' ? 'email' : 'sms';
  const code = c.codes[type];
  const to = type === 'email' ? c.enrollment.maskedEmail : c.enrollment.maskedPhone;
  const verified = c.progress.verifiedTypes.includes(type);
  const sendError = feedbackError(kase.feedback[`send:${channel}`]);
  const status =
    code?.status === 'expired'
      ? 'The code has expired; send a new one.'
      : code?.status === 'active'
        ? `Code sent (${code.sent} so far). It expires at ${formatDateTime(code.expiresAt)}; ${code.attemptsLeft} tries left.`
        : code
          ? `The last code is ${code.status}; send a new one.`
          : null;
  return (
    <Fieldset legend={<TypeLegend c={c} type={type} />}>
      <Stack gap="xs">
        <Group gap="sm">
          <Button
            variant={code ? 'default' : 'light'}
            onClick={() => kase.run({ step: 'sendCode', channel })}
            loading={kase.pendingStep === `send:${channel}`}
            disabled={verified || locked}
          >
            {code ? 'Send a new code' : 'Send code'} to {to ?? 'the enrolled address'}
          </Button>
        </Group>
        {sendError && (
          <Text size="sm" c="red.8" role="alert">
            {sendError}
          </Text>
        )}
        {status && !verified && (
          <Text size="sm" c={code?.status === 'active' ? 'gray.8' : 'red.8'} role="status">
            {status}
          </Text>
        )}
        {(code || verified) && (
          <VerifyForm
            label={`Code the user reads back from their ${type === 'email' ? 'e-mail' : 'phone'}`}
            inputLabel={type === 'email' ? 'E-mail code' : 'SMS code'}
            verified={verified}
            disabled={locked}
            busy={kase.pendingStep === `code:${channel}`}
            feedback={kase.feedback[`code:${channel}`]}
            onVerify={(v) => kase.run({ step: 'verifyCode', channel, code: v })}
            numeric
            autoFocus
          />
        )}
      </Stack>
    </Fieldset>
  );
}
