import { defineConfig } from '@playwright/test';

// The backend, the directories and the mailbox are started by global-setup.ts (fresh instances each run, free
// ports); the fixtures in fixtures.ts point every test at them. Build first: `npm run build:all` at the root.
// Drives the machine's Chromium (Debian package); Playwright never downloads a browser here.
export default defineConfig({
  testDir: 'tests',
  globalSetup: './global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  retries: 0,
  workers: 1,
  reporter: [['list']],
  // E2E_OUTPUT_DIR: another directory for a run next to another one (they would clear each other's artifacts).
  outputDir: process.env.E2E_OUTPUT_DIR ?? 'test-results',
  use: {
    headless: true,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    viewport: { width: 1366, height: 768 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
});
