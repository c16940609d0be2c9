import { Alert, Button, Fieldset, Group, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { ApiError, errorMessage } from '../../api/client';
import { readableAlert } from '../../components/contrast';
import {
  BREAK_GLASS_LIMITS,
  type BreakGlassForm,
  breakGlassStatus,
  canAsk,
  validateBreakGlass,
} from './breakGlassModel';
import { refusalTitle } from './labels';
import type { BreakGlassHook } from './useBreakGlass';

/**
 * Two-person approval for an unenrolled user: the agent gives a reason (and a ticket), a second agent approves or
 * denies on their Helpdesk page, and this panel follows the case's request until it is decided.
 */
export function BreakGlassPanel({ bg }: { bg: BreakGlassHook }) {
  const [form, setForm] = useState<BreakGlassForm>({ reason: '', ticket: '' });
  const [errors, setErrors] = useState<Partial<Record<keyof BreakGlassForm, string>>>({});
  const reasonRef = useRef<HTMLTextAreaElement>(null);
  const statusRef = useRef<HTMLDivElement>(null);
  const focusStatus = useRef(false);
  const request = bg.breakGlass;
  const status = request ? breakGlassStatus(request) : undefined;
  const askable = canAsk(request);
  const failure = bg.ask.error;
  const apiError = failure instanceof ApiError ? failure : undefined;

  // After asking, focus moves to the request's status (the form it came from is gone).
  useEffect(() => {
    if (focusStatus.current && request && statusRef.current) {
      focusStatus.current = false;
      statusRef.current.focus();
    }
  }, [request]);

  const submit = () => {
    const problems = validateBreakGlass(form);
    setErrors(problems);
    if (problems.reason || problems.ticket) {
      reasonRef.current?.focus();
      return;
    }
    const ticket = form.ticket.trim();
    bg.ask.mutate(
      { reason: form.reason.trim(), ...(ticket ? { ticket } : {}) },
      {
        onSuccess: () => {
          focusStatus.current = true;
          setForm({ reason: '', ticket: '' });
        },
        onError: (e) => {
          if (!(e instanceof ApiError) || e.fields.length === 0) return;
          const byField = Object.fromEntries(e.fields.map((f) => [f.field, f.message]));
          setErrors({ reason: byField.reason, ticket: byField.ticket });
          if (byField.reason) reasonRef.current?.focus();
        },
      },
    );
  };

  return (
    <Fieldset legend="Two-person approval">
      <Stack gap="sm">
        <Text size="sm">
          This user is not enrolled. Another agent whose role has Unlock Any Account can approve the unlock; you can
          then unlock the user for a limited time. Your reason and their decision are recorded.
        </Text>
        {request && status && (
          <Alert
            ref={statusRef}
            tabIndex={-1}
            color={status.color}
            title={status.title}
            role="status"
            aria-live="polite"
            styles={readableAlert}
          >
            <Text size="sm">
              {status.text}
              {request.status === 'approved' ? '. You can unlock the user now.' : ''}
            </Text>
            {request.comment && <Text size="sm">Comment: “{request.comment}”</Text>}
            {request.status === 'denied' && <Text size="sm">You may ask again with more detail.</Text>}
          </Alert>
        )}
        {bg.statusError && (
          <Text size="sm" c="red.9" role="alert">
            The request’s status could not be read: {errorMessage(bg.statusError)}
          </Text>
        )}
        {askable && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              submit();
            }}
            noValidate
          >
            <Stack gap="sm">
              <Textarea
                ref={reasonRef}
                label="Reason for the approval"
                required
                rows={3}
                maxLength={BREAK_GLASS_LIMITS.reasonMax}
                value={form.reason}
                onChange={(e) => {
                  const reason = e.currentTarget.value;
                  setForm((f) => ({ ...f, reason }));
                  setErrors((x) => ({ ...x, reason: undefined }));
                }}
                description={`${form.reason.trim().length} of ${BREAK_GLASS_LIMITS.reasonMax} characters (at least ${BREAK_GLASS_LIMITS.reasonMin})`}
                error={errors.reason}
              />
              <TextInput
                label="Ticket reference for the approval"
                description="Optional"
                maxLength={BREAK_GLASS_LIMITS.ticketMax}
                value={form.ticket}
                onChange={(e) => {
                  const ticket = e.currentTarget.value;
                  setForm((f) => ({ ...f, ticket }));
                }}
                error={errors.ticket}
              />
              <Group justify="flex-end">
                <Button type="submit" variant="light" loading={bg.ask.isPending}>
                  {request ? 'Ask again' : 'Ask for approval'}
                </Button>
              </Group>
            </Stack>
          </form>
        )}
        {apiError && (
          <Alert
            color="red"
            title={refusalTitle(apiError.reason, 'Approval not requested')}
            role="alert"
            styles={readableAlert}
          >
            {apiError.message}
          </Alert>
        )}
        {failure && !apiError && (
          <Alert color="red" title="Approval not requested" role="alert" styles={readableAlert}>
            {errorMessage(failure)}
          </Alert>
        )}
      </Stack>
    </Fieldset>
  );
}
