import { useEffect, useRef, useState } from 'react';

/** How long before the reset the "Still there?" warning shows. */
export const WARNING_BEFORE_MS = 15_000;
const ACTIVITY_EVENTS = ['pointerdown', 'keydown', 'touchstart', 'input', 'wheel'] as const;

/**
 * Calls `onIdle` after `limitMs` without any input (touch, mouse, key, typing) and reports a warning shortly before.
 * `null` turns it off (Welcome and the device screens). The countdown restarts whenever `screenKey` changes.
 */
export function useInactivity(limitMs: number | null, onIdle: () => void, screenKey: string): { warning: boolean } {
  const [warning, setWarning] = useState(false);
  const onIdleRef = useRef(onIdle);
  onIdleRef.current = onIdle;

  // biome-ignore lint/correctness/useExhaustiveDependencies: screenKey restarts the countdown on every screen change
  useEffect(() => {
    setWarning(false);
    if (limitMs === null) return;
    let warnTimer: ReturnType<typeof setTimeout> | undefined;
    let idleTimer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(warnTimer);
      clearTimeout(idleTimer);
      setWarning(false);
      if (limitMs > WARNING_BEFORE_MS) warnTimer = setTimeout(() => setWarning(true), limitMs - WARNING_BEFORE_MS);
      idleTimer = setTimeout(() => {
        setWarning(false);
        onIdleRef.current();
      }, limitMs);
    };
    arm();
    for (const e of ACTIVITY_EVENTS) window.addEventListener(e, arm, { capture: true, passive: true });
    return () => {
      clearTimeout(warnTimer);
      clearTimeout(idleTimer);
      for (const e of ACTIVITY_EVENTS) window.removeEventListener(e, arm, { capture: true });
    };
  }, [limitMs, screenKey]);

  return { warning };
}
