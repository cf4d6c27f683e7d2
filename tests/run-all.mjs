// `npm test`: builds, typechecks and runs every suite (Vitest units, Playwright end-to-end in
// Chromium, Playwright Electron), then prints one line summed over all of them:
// "N passed, N failed[, N skipped]". Exits 1 when anything failed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const outDir = join(root, 'tests', '.out');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });

const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];

function run(label, cmd, args, env = {}) {
  console.log(`\n=== ${label}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

function count(label, passed, failed, skipped) {
  totals.passed += passed;
  totals.failed += failed;
  totals.skipped += skipped;
  lines.push(`${label}: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
}

// 1. Build (main, preload, CLI, renderer): the end-to-end suites run the built app.
const build = run('build', 'npm', ['run', '--silent', 'build']);
count('build', build === 0 ? 1 : 0, build === 0 ? 0 : 1, 0);

// 2. Typecheck every project (strict).
for (const cfg of ['tsconfig.main.json', 'tsconfig.renderer.json', 'tsconfig.tests.json']) {
  const status = run(`typecheck ${cfg}`, 'npx', ['tsc', '-p', cfg, '--noEmit']);
  count(`typecheck ${cfg}`, status === 0 ? 1 : 0, status === 0 ? 0 : 1, 0);
}

// 3. Unit tests (Vitest).
{
  const report = join(outDir, 'unit.json');
  const status = run('unit (vitest)', 'npx', ['vitest', 'run'], { MARGINALIA_REPORT: report });
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, 'utf8'));
    const failed = r.numFailedTests + (status !== 0 && r.numFailedTests === 0 ? 1 : 0);
    count('unit', r.numPassedTests, failed, r.numPendingTests + r.numTodoTests);
  } else count('unit', 0, 1, 0);
}

// 4. Playwright suites: end-to-end in Chromium (bridge), and the Electron smoke test.
for (const [label, config] of [
  ['e2e (chromium)', 'tests/e2e/playwright.config.ts'],
  ['electron', 'tests/electron/playwright.config.ts'],
]) {
  if (!existsSync(join(root, config))) {
    console.log(`\n=== ${label}: skipped, ${config} does not exist`);
    count(label, 0, 0, 1);
    continue;
  }
  const report = join(outDir, `${label.split(' ')[0]}.json`);
  const status = run(label, 'npx', ['playwright', 'test', '-c', config], { MARGINALIA_REPORT: report });
  if (existsSync(report)) {
    const s = JSON.parse(readFileSync(report, 'utf8')).stats;
    const failed = s.unexpected + (status !== 0 && s.unexpected === 0 ? 1 : 0);
    count(label, s.expected + s.flaky, failed, s.skipped);
  } else count(label, 0, 1, 0);
}

console.log('\n=== summary');
for (const l of lines) console.log(`  ${l}`);
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed > 0 ? 1 : 0);
