import { defineConfig } from '@playwright/test';
export default defineConfig({
  testDir: '.', timeout: 60_000, expect: { timeout: 10_000 }, workers: 1, outputDir: '/tmp/team-pw-out',
  use: { browserName: 'chromium', viewport: { width: 1440, height: 900 }, launchOptions: { executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] } },
});
