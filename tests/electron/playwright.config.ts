import { defineConfig } from '@playwright/test';

/**
 * The desktop app itself, driven by Playwright's _electron. Runs where an Electron binary is
 * installed; elsewhere every test is skipped and the run prints why (see electron-binary.ts).
 */
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  outputDir: '../.out/electron-results',
  reporter: process.env.MARGINALIA_REPORT ? [['list'], ['json', { outputFile: process.env.MARGINALIA_REPORT }]] : [['list']],
  use: {
    trace: 'off',
    screenshot: 'off',
  },
});
