import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'main/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: process.env.MARGINALIA_REPORT ? ['default', ['json', { outputFile: process.env.MARGINALIA_REPORT }]] : ['default'],
  },
});
