// The import benches' child process (scale-import.bench.ts): one import into a new project, run
// by plain node from the compiled code in dist/ as the app runs it, so the peak RSS it prints is
// the import's. Run under tsx, the same import peaked 60–110 MB higher: the loader's transforms
// and source maps stay in the process. `npm run bench` builds dist/ first.
//
//   node tests/bench/import-child.cjs files PATH PROJECT
//   node tests/bench/import-child.cjs qdpx FILE PROJECT CODINGS
// Prints RESULT {…} (JSON) on its last line.
'use strict';
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const dist = join(__dirname, '../../dist/main/core');
if (!existsSync(join(dist, 'import/import-files.js'))) {
  console.error(`The compiled code is missing (${dist}): run "npm run build:main" first (npm run bench does).`);
  process.exit(2);
}
const { Project } = require(join(dist, 'project/project.js'));
const { importPaths } = require(join(dist, 'import/import-files.js'));
const { importExchangeBytes } = require(join(dist, 'exchange/qdpx-import.js'));
const { closeSandbox } = require(join(dist, 'sandbox/sandbox.js'));

const peakRssMb = () => process.resourceUsage().maxRSS / 1024;
const cpuMs = (c) => (c.user + c.system) / 1000;

async function files(path, project) {
  const p = await Project.create(project, { name: 'Import bench' });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let written = t0;
  const report = await importPaths(p, [path], {
    importedBy: null,
    onProgress: (_d, _t, current) => {
      if (current === '') written = performance.now();
    },
  });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  await p.close();
  await closeSandbox();
  if (report.failed) console.error(JSON.stringify(report.outcomes.filter((o) => o.status === 'failed').slice(0, 3)));
  return {
    wallMs,
    cpuMs: cpuMs(cpu),
    peakRssMb: peakRssMb(),
    imported: report.imported,
    failed: report.failed,
    duplicates: report.duplicates,
    writeMs: written - t0,
    indexMs: t0 + wallMs - written,
  };
}

async function qdpx(file, project, codings) {
  const bytes = readFileSync(file);
  const p = await Project.create(project, { name: 'Bench' });
  const rssBeforeMb = process.memoryUsage().rss / 1024 / 1024;
  // The time the write lock is held: every write goes through db.action.
  const lock = { ms: 0 };
  const action = p.db.action.bind(p.db);
  p.db.action = async (info, fn) => {
    const t = performance.now();
    try {
      return await action(info, fn);
    } finally {
      lock.ms += performance.now() - t;
    }
  };
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await importExchangeBytes(p.db, bytes, 'bench.qdpx', 'bench');
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  if (r.imported.segments !== codings) throw new Error(`expected ${codings} segments, got ${r.imported.segments}`);
  await p.close();
  await closeSandbox();
  return { wallMs, cpuMs: cpuMs(cpu), lockMs: lock.ms, rssBeforeMb, peakRssMb: peakRssMb() };
}

const [kind, a, b, c] = process.argv.slice(2);
(kind === 'qdpx' ? qdpx(a, b, Number(c)) : files(a, b)).then(
  (result) => console.log(`RESULT ${JSON.stringify(result)}`),
  (err) => {
    console.error(err);
    process.exitCode = 1;
  },
);
