import { cleanup, configure } from '@testing-library/react';
import { afterEach, vi } from 'vitest';

// Without vitest globals, Testing Library cannot register its own cleanup.
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});
// CI machines are small: give findBy*/waitFor more than the default second before failing.
configure({ asyncUtilTimeout: 3000 });
