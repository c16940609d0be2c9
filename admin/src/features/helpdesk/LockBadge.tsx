import { Badge } from '@mantine/core';
import type { LockState } from './api';
import { lockLabel } from './labels';

/**
 * An account's lock state as a filled badge (white on gray.7 / red.9: AA contrast), in sentence case and never
 * truncated ('Locked by an administrator' would otherwise read 'LOCKED BY AN…'), and 'Disabled' next to it.
 */
export function LockBadge({ state, disabled }: { state: LockState; disabled?: boolean | undefined }) {
  return (
    <>
      <Badge
        color={state === 'unlocked' ? 'gray.7' : 'red.9'}
        variant="filled"
        tt="none"
        styles={{ label: { overflow: 'visible' } }}
      >
        {lockLabel[state]}
      </Badge>
      {disabled && (
        <Badge color="dark" variant="outline" ml={4}>
          Disabled
        </Badge>
      )}
    </>
  );
}
