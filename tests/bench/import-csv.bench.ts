/**
 * Import memory benchmark: one CSV of 1,000,000 short articles (about 30 MB) imported through
 * importPaths into a new project, as the command line does. The file is parsed in the sandbox
 * worker as a stream and written a batch at a time, so the peak memory of the whole process
 * (worker included) should stay a constant plus the largest article, under 500 MB, not grow
 * with the file. Prints numbers; asserts nothing.
 */
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Project } from '../../main/core/project/project';
import { importPaths } from '../../main/core/import/import-files';
import { closeSandbox, sandboxStats } from '../../main/core/sandbox/sandbox';

const ROWS = Number(process.env.BENCH_CSV_ROWS ?? 1_000_000);
const MB = 1024 * 1024;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'marginalia-bench-csv-'));
  try {
    const csv = join(dir, 'articles.csv');
    // Written a chunk at a time, so making the file does not count in the import's peak.
    const fd = openSync(csv, 'w');
    writeSync(fd, 'id,text\n');
    for (let i = 1; i <= ROWS; i += 10_000) {
      let chunk = '';
      for (let j = i; j < i + 10_000 && j <= ROWS; j++) chunk += `${j},Wire story ${j}: officials said.\n`;
      writeSync(fd, chunk);
    }
    closeSync(fd);
    const size = statSync(csv).size;
    const project = await Project.create(join(dir, 'bench.marginalia'), { name: 'CSV bench' });
    const rssBefore = process.memoryUsage().rss;
    let sampledPeak = rssBefore;
    let heapAtPeak = process.memoryUsage();
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      if (m.rss > sampledPeak) {
        sampledPeak = m.rss;
        heapAtPeak = m;
      }
    }, 100);
    const t0 = performance.now();
    const report = await importPaths(project, [csv], { importedBy: null });
    const ms = performance.now() - t0;
    clearInterval(sampler);
    await project.close();
    const worker = sandboxStats().find((s) => s.file === 'articles.csv');
    console.log(`import csv bench: ${ROWS} rows, ${(size / MB).toFixed(1)} MB file`);
    console.log(`  imported ${report.imported}, failed ${report.failed}, in ${(ms / 1000).toFixed(1)} s (${Math.round(report.imported / (ms / 1000))} rows/s)`);
    console.log(`  peak RSS of the process, worker included: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB (sampled during the import: ${Math.round(sampledPeak / MB)} MB; before it: ${Math.round(rssBefore / MB)} MB)`);
    console.log(`  at the sampled peak: main thread's JS heap ${Math.round(heapAtPeak.heapUsed / MB)} MB used of ${Math.round(heapAtPeak.heapTotal / MB)} MB, external ${Math.round(heapAtPeak.external / MB)} MB; the rest is native (SQLite, the worker thread)`);
    console.log(`  worker heap + external memory, high-water: ${worker ? Math.round(worker.heapPeak / MB) : '?'} MB`);
  } finally {
    await closeSandbox();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
