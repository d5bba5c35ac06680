import { defineConfig } from '@playwright/test';
import { join } from 'node:path';

// End-to-end: the built API and the built dashboard as real processes (e2e/support/global-setup.ts),
// driven through Debian's Chromium. No browser is downloaded: Playwright launches /usr/bin/chromium,
// each run with a fresh temporary profile, signed in (the session cookie global setup obtained).
export default defineConfig({
  testDir: './e2e',
  testMatch: /.*\.e2e\.spec\.ts$/,
  outputDir: './e2e/artifacts/test-results',
  globalSetup: './e2e/support/global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    viewport: { width: 1400, height: 900 },
    colorScheme: 'light',
    timezoneId: 'UTC',
    storageState: join(__dirname, 'e2e/artifacts/signed-in.json'),
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.ROUTESCOPE_E2E_CHROMIUM ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
});
