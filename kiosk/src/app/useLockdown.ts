import { useEffect } from 'react';

const BLOCKED = ['contextmenu', 'dragover', 'drop', 'dragstart'] as const;

/**
 * Nothing leads out of the kiosk: a file or link dropped on the page would open it in place of the app, a long press
 * opens the browser's context menu. Both are switched off (the kiosk browser's own kiosk mode does the rest).
 */
export function useLockdown(): void {
  useEffect(() => {
    const block = (e: Event) => e.preventDefault();
    for (const type of BLOCKED) window.addEventListener(type, block);
    return () => {
      for (const type of BLOCKED) window.removeEventListener(type, block);
    };
  }, []);
}
