import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { ApiError, errorMessage } from '../../api/client';
import { readableAlert } from '../../components/contrast';
import type { KioskLink } from './api';
import { useEndKioskSession } from './useKioskSessions';

/**
 * A case claimed from a walk-up kiosk: the person answers at the kiosk (their answers appear in the case as they give
 * them), and the agent can end the kiosk session (the kiosk resets).
 */
export function KioskCaseNote({ kiosk, ended, onEnded }: { kiosk: KioskLink; ended: boolean; onEnded: () => void }) {
  const end = useEndKioskSession();
  return (
    <Alert color="blue" variant="light" title={`Kiosk ${kiosk.kioskName}`} styles={readableAlert}>
      <Stack gap="xs">
        {ended ? (
          <Text size="sm" role="status">
            The kiosk session has ended; the kiosk has reset. You can still finish the case here.
          </Text>
        ) : (
          <Group justify="space-between" wrap="wrap" gap="xs">
            <Text size="sm" style={{ flex: 1, minWidth: 260 }}>
              The person is at kiosk {kiosk.kioskName}: their answers appear here as they give them. You can also type
              answers they tell you.
            </Text>
            <Button
              size="xs"
              variant="default"
              loading={end.isPending}
              onClick={() =>
                end.mutate(kiosk.sessionId, {
                  onSuccess: () => {
                    notifications.show({ color: 'gray', message: `The session at kiosk ${kiosk.kioskName} has ended` });
                    onEnded();
                  },
                  // The kiosk ended it already (the person walked away, inactivity, expiry): nothing left to end.
                  onError: (e) => {
                    if (e instanceof ApiError && e.reason === 'kiosk.sessionOver') onEnded();
                  },
                })
              }
            >
              End kiosk session
            </Button>
          </Group>
        )}
        {end.error && !ended && (
          <Text size="sm" c="red.9" role="alert">
            The kiosk session was not ended: {errorMessage(end.error)}
          </Text>
        )}
      </Stack>
    </Alert>
  );
}
