/**
 * Import memory benchmark: one CSV of short articles (1,000,000 rows, about 30 MB, by default)
 * imported through importPaths into a new project, as the command line does. The file is
 * parsed in the sandbox worker as a stream and written a batch at a time, the report keeps
 * counts (not an outcome per row) and near-duplicate signing runs in rounds, so the peak
 * memory of the whole process (the worker thread included) should be a constant plus the
 * largest article, under 500 MB, and not grow with the rows. Prints numbers; asserts nothing.
 *
 *   npx tsx tests/bench/import-csv.bench.ts                      1,000,000 rows
 *   npx tsx tests/bench/import-csv.bench.ts --rows 100000,250000 each in a fresh process, then
 *                                                                the growth per 100,000 rows
 *   BENCH_CSV_ROWS=250000 npx tsx tests/bench/import-csv.bench.ts
 *   … --trace                                                    also memory every 10 s
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Project } from '../../main/core/project/project';
import { importPaths } from '../../main/core/import/import-files';
import { closeSandbox, sandboxStats } from '../../main/core/sandbox/sandbox';

const MB = 1024 * 1024;
const mb = (bytes: number) => Math.round(bytes / MB);

/** What one run measured, printed as one JSON line (RESULT …) for the parent of several runs. */
interface Result {
  rows: number;
  fileMb: number;
  imported: number;
  failed: number;
  /** Reading the rows and writing them. */
  readSeconds: number;
  /** Near-duplicate signing and indexing after the rows are in. */
  indexSeconds: number;
  rssBeforeMb: number;
  /** RSS of the whole process (main thread, worker thread, SQLite): the kernel's high-water mark. */
  peakRssMb: number;
  /** The sampled RSS high-water while rows were read and written, and while they were indexed. */
  peakRssReadMb: number;
  peakRssIndexMb: number;
  /** The main thread's V8 heap plus external memory, sampled high-water. */
  mainHeapPeakMb: number;
  /** The worker's V8 heap plus external memory, high-water (the worker reports it). */
  workerHeapPeakMb: number | null;
}

async function runOnce(rows: number): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'marginalia-bench-csv-'));
  try {
    const csv = join(dir, 'articles.csv');
    // Written a chunk at a time, so making the file does not count in the import's peak.
    const fd = openSync(csv, 'w');
    writeSync(fd, 'id,text\n');
    for (let i = 1; i <= rows; i += 10_000) {
      let chunk = '';
      for (let j = i; j < i + 10_000 && j <= rows; j++) chunk += `${j},Wire story ${j}: officials said.\n`;
      writeSync(fd, chunk);
    }
    closeSync(fd);
    const size = statSync(csv).size;
    const project = await Project.create(join(dir, 'bench.marginalia'), { name: 'CSV bench' });
    const rssBefore = process.memoryUsage().rss;
    const peak = { read: rssBefore, index: rssBefore, mainHeap: 0 };
    let phase: 'read' | 'index' = 'read';
    const sample = () => {
      const m = process.memoryUsage();
      peak[phase] = Math.max(peak[phase], m.rss);
      peak.mainHeap = Math.max(peak.mainHeap, m.heapTotal + m.external);
    };
    const sampler = setInterval(sample, 100);
    // --trace: a line every 10 s, to see where in the import memory goes.
    let rowsRead = 0;
    const t00 = performance.now();
    const tracer = process.argv.includes('--trace')
      ? setInterval(() => {
          const m = process.memoryUsage();
          console.log(`  ${Math.round((performance.now() - t00) / 1000)} s ${phase === 'read' ? `reading, ${rowsRead} rows` : 'indexing'}: rss ${mb(m.rss)} MB, main heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} MB, external ${mb(m.external)} MB`);
        }, 10_000)
      : null;
    const t0 = performance.now();
    let tRead = t0;
    const report = await importPaths(project, [csv], {
      importedBy: null,
      onRows: (n) => (rowsRead = n),
      // '' comes once every file is read and written: indexing for near-duplicates follows.
      onProgress: (_done, _total, current) => {
        if (current === '' && phase === 'read') {
          sample();
          phase = 'index';
          tRead = performance.now();
        }
      },
    });
    const t1 = performance.now();
    sample();
    clearInterval(sampler);
    if (tracer) clearInterval(tracer);
    await project.close();
    const worker = sandboxStats().find((s) => s.file === 'articles.csv');
    return {
      rows,
      fileMb: Math.round((size / MB) * 10) / 10,
      imported: report.imported,
      failed: report.failed,
      readSeconds: Math.round((tRead - t0) / 100) / 10,
      indexSeconds: Math.round((t1 - tRead) / 100) / 10,
      rssBeforeMb: mb(rssBefore),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      peakRssReadMb: mb(peak.read),
      peakRssIndexMb: mb(peak.index),
      mainHeapPeakMb: mb(peak.mainHeap),
      workerHeapPeakMb: worker ? mb(worker.heapPeak) : null,
    };
  } finally {
    await closeSandbox();
    rmSync(dir, { recursive: true, force: true });
  }
}

function print(r: Result): void {
  const seconds = r.readSeconds + r.indexSeconds;
  console.log(`import csv bench: ${r.rows.toLocaleString('en')} rows, ${r.fileMb} MB file`);
  console.log(`  imported ${r.imported.toLocaleString('en')}, failed ${r.failed}, in ${seconds.toFixed(1)} s (${Math.round(r.imported / seconds)} rows/s): rows read and written ${r.readSeconds} s, near-duplicate indexing ${r.indexSeconds} s`);
  console.log(`  peak RSS of the process, main and worker threads together: ${r.peakRssMb} MB (before the import ${r.rssBeforeMb} MB; sampled while rows were read ${r.peakRssReadMb} MB, while indexed ${r.peakRssIndexMb} MB)`);
  console.log(`  peak heap + external memory: main thread ${r.mainHeapPeakMb} MB, worker thread ${r.workerHeapPeakMb ?? '?'} MB (the worker is a thread: its RSS is part of the process's)`);
}

function argRows(): number[] {
  const at = process.argv.indexOf('--rows');
  const raw = at >= 0 ? process.argv[at + 1] : process.env.BENCH_CSV_ROWS;
  const rows = (raw ?? '1000000').split(',').map((s) => Number(s.replace(/_/g, '')));
  if (rows.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--rows takes whole numbers separated by commas, e.g. --rows 100000,250000 (got "${raw}")`);
  return rows;
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log('npx tsx tests/bench/import-csv.bench.ts [--rows N[,N…]] [--trace]   (rows: default 1000000, BENCH_CSV_ROWS also sets it; --trace prints memory every 10 s)');
    return;
  }
  const rows = argRows();
  if (rows.length === 1) {
    const r = await runOnce(rows[0]!);
    print(r);
    if (process.env.BENCH_CSV_CHILD) console.log(`RESULT ${JSON.stringify(r)}`);
    return;
  }
  // Several sizes: each in a process of its own, so one run's peak is not another's.
  const results: Result[] = [];
  for (const n of rows) {
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, '--rows', String(n)], { env: { ...process.env, BENCH_CSV_CHILD: '1' }, encoding: 'utf8', maxBuffer: 16 * MB });
    process.stdout.write(child.stdout.split('\n').filter((l) => !l.startsWith('RESULT ')).join('\n'));
    const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (child.status !== 0 || !line) throw new Error(`the run of ${n} rows failed (exit ${child.status}): ${child.stderr.slice(-2000)}`);
    results.push(JSON.parse(line.slice('RESULT '.length)) as Result);
  }
  results.sort((a, b) => a.rows - b.rows);
  const [a, b] = [results[results.length - 2]!, results[results.length - 1]!];
  const per100k = (x: number, y: number) => ((y - x) / (b.rows - a.rows)) * 100_000;
  console.log(`\ngrowth from ${a.rows.toLocaleString('en')} to ${b.rows.toLocaleString('en')} rows, per 100,000 rows:`);
  console.log(`  peak RSS ${per100k(a.peakRssMb, b.peakRssMb).toFixed(1)} MB (while read ${per100k(a.peakRssReadMb, b.peakRssReadMb).toFixed(1)} MB, while indexed ${per100k(a.peakRssIndexMb, b.peakRssIndexMb).toFixed(1)} MB), time ${per100k(a.readSeconds + a.indexSeconds, b.readSeconds + b.indexSeconds).toFixed(1)} s`);
  const at1m = (x: number, y: number) => Math.round(y + ((x - y) / (a.rows - b.rows)) * (1_000_000 - b.rows));
  console.log(`  straight-line estimate at 1,000,000 rows: peak RSS ${at1m(a.peakRssMb, b.peakRssMb)} MB, ${at1m(a.readSeconds + a.indexSeconds, b.readSeconds + b.indexSeconds)} s`);
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
