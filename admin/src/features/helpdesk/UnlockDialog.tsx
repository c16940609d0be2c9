import { Alert, Button, Group, Loader, Modal, Stack, Stepper, Text } from '@mantine/core';
import { useMemo, useState } from 'react';
import { errorMessage } from '../../api/client';
import { readableAlert, readableModal } from '../../components/contrast';
import { AuthenticatePage } from './AuthenticatePage';
import type { UserRow } from './api';
import { BreakGlassPanel } from './BreakGlassPanel';
import { breakGlassOffered } from './breakGlassModel';
import { HistoryView } from './HistoryView';
import { KioskCaseNote } from './KioskCaseNote';
import { UnlockPage } from './UnlockPage';
import { type DialogPage, dialogPages, nextGate, skipGate, unlockCandidates, unlockGate } from './unlockModel';
import { useBreakGlass } from './useBreakGlass';
import { useHelpdeskCase, useUnlock, useUserProfile } from './useUnlockDialog';

const PAGE_LABEL: Record<DialogPage, string> = { authenticate: 'Authenticate', unlock: 'Unlock' };

/** Who the dialog is about: a search row, or the subject of a claimed kiosk session. */
export type DialogUser = Pick<UserRow, 'storeId' | 'id' | 'username' | 'displayName'>;

/**
 * Unlock Account: Authenticate (enrolled users) → Unlock, with the user's History one click away. Everything it
 * allows or refuses comes from the backend (the profile's verdicts, the case's progress, each account's verdict).
 * `caseId`: an open case to pick up (a claimed kiosk session's) instead of opening one.
 */
export function UnlockDialog({
  user,
  initialView = 'unlock',
  caseId,
  onClose,
}: {
  user: DialogUser;
  initialView?: 'unlock' | 'history';
  caseId?: string | undefined;
  onClose: () => void;
}) {
  const ref = useMemo(() => ({ storeId: user.storeId, userId: user.id }), [user.storeId, user.id]);
  const name = user.displayName ?? user.username;
  const profile = useUserProfile(ref);
  const p = profile.data;
  const [showHistory, setShowHistory] = useState(initialView === 'history');
  const [chosenPage, setPage] = useState<DialogPage>();
  const [kioskEnded, setKioskEnded] = useState(false);
  const pages = p ? dialogPages(p) : [];
  const page = chosenPage && pages.includes(chosenPage) ? chosenPage : pages[0];
  const kase = useHelpdeskCase(
    ref,
    Boolean(p?.enrollment.enrolled && p.actions.openCase.allowed && !showHistory),
    caseId ?? p?.breakGlass?.caseId,
    page === 'authenticate' && !showHistory && !kioskEnded,
  );
  const kiosk = kase.view?.kiosk;
  const unlock = useUnlock(ref);
  const offered = p ? breakGlassOffered(p) : false;
  const breakGlass = useBreakGlass(kase, offered);
  const candidates = useMemo(() => (p ? unlockCandidates(p) : []), [p]);
  const title = initialView === 'history' ? `History — ${name}` : `Unlock Account — ${name}`;

  let body: React.ReactNode;
  if (profile.isPending) {
    body = (
      <Group gap="xs">
        <Loader size="sm" aria-label="Loading the user" />
        <Text size="sm">Reading the user from the directory…</Text>
      </Group>
    );
  } else if (!p) {
    body = (
      <Alert color="red" title="The user could not be read" role="alert" styles={readableAlert}>
        {errorMessage(profile.error)}
      </Alert>
    );
  } else if (showHistory) {
    body = <HistoryView user={ref} />;
  } else if (page === 'authenticate') {
    const next = nextGate(p, kase.view);
    const skip = skipGate(p, kase.view);
    body = (
      <Stack gap="md">
        <AuthenticatePage profile={p} kase={kase} />
        <Group justify="flex-end" gap="sm" wrap="nowrap">
          {!next.allowed && next.reason && (
            <Text size="sm" c="gray.7" id="next-reason" style={{ flex: 1 }}>
              {next.reason}
            </Text>
          )}
          {skip.offered && (
            <Button
              variant="default"
              onClick={() => setPage('unlock')}
              disabled={!skip.allowed}
              title={skip.reason ?? undefined}
            >
              Skip authentication
            </Button>
          )}
          <Button
            onClick={() => setPage('unlock')}
            disabled={!next.allowed}
            aria-describedby={next.allowed ? undefined : 'next-reason'}
          >
            Next
          </Button>
        </Group>
        {skip.offered && !skip.allowed && skip.reason && (
          <Text size="sm" c="red.9" role="alert">
            Skip is not possible: {skip.reason}
          </Text>
        )}
      </Stack>
    );
  } else {
    body = (
      <UnlockPage
        profile={p}
        candidates={candidates}
        gate={unlockGate(p, kase.view, breakGlass.breakGlass)}
        unlock={unlock}
        caseId={kase.view?.caseId}
        approval={offered ? <BreakGlassPanel bg={breakGlass} /> : undefined}
        onBack={pages.length > 1 ? () => setPage('authenticate') : undefined}
        onClose={onClose}
      />
    );
  }

  return (
    <Modal
      opened
      onClose={onClose}
      size="min(960px, 96vw)"
      title={title}
      returnFocus={false}
      closeButtonProps={{ 'aria-label': 'Close' }}
      styles={readableModal}
    >
      <Stack gap="md">
        {p && (
          <Group justify="space-between" wrap="nowrap" align="center">
            {!showHistory && pages.length > 1 ? (
              <Stepper
                active={pages.indexOf(page as DialogPage)}
                onStepClick={(i) => setPage(pages[i])}
                allowNextStepsSelect={false}
                size="sm"
                style={{ flex: 1, maxWidth: 420 }}
              >
                {pages.map((pg) => (
                  <Stepper.Step key={pg} label={PAGE_LABEL[pg]} />
                ))}
              </Stepper>
            ) : (
              <Text size="sm" fw={600}>
                {showHistory ? 'Helpdesk history' : 'Unlock (the user is not enrolled: no Authenticate page)'}
              </Text>
            )}
            <Button variant="default" size="sm" onClick={() => setShowHistory((h) => !h)}>
              {showHistory ? 'Back to Unlock Account' : 'History'}
            </Button>
          </Group>
        )}
        {p && kiosk && !showHistory && (
          <KioskCaseNote kiosk={kiosk} ended={kioskEnded} onEnded={() => setKioskEnded(true)} />
        )}
        {body}
      </Stack>
    </Modal>
  );
}
