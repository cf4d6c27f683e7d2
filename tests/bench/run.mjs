// `npm run bench`: builds, then runs every tests/bench/*.bench.ts with tsx, one after another
// (they measure time and memory, so they must not share the two cores). Each prints its numbers.
// `npm run bench -- scale` runs the benches whose names contain "scale"; `--large` (passed on to
// each bench) adds the 100,000-document / 1,000,000-segment corpus where a bench has one.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const root = new URL('../..', import.meta.url).pathname;
const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const benches = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file}`);
  const r = spawnSync('npx', ['tsx', `tests/bench/${file}`, ...flags], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    failed++;
    console.log(`${file} exited with ${r.status}`);
  }
}
process.exit(failed ? 1 : 0);
