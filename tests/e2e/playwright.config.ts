import { defineConfig } from '@playwright/test';

/**
 * End-to-end flows in Debian's Chromium against the built renderer, served by the real
 * bridge over the real handler table and a real SQLite file (see fixtures.ts).
 */
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: process.env.CI ? 2 : 1,
  retries: 0,
  outputDir: '../.out/e2e-results',
  reporter: process.env.MARGINALIA_REPORT ? [['list'], ['json', { outputFile: process.env.MARGINALIA_REPORT }]] : [['list']],
  use: {
    browserName: 'chromium',
    viewport: { width: 1440, height: 900 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
});
