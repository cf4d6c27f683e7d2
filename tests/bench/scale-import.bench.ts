/**
 * Import at scale (issue 13: "import at most 3× a bare sqlite3 load of the same texts with the
 * same FTS5 index (measure both in one run); .qdpx import of 40,000 codings under 10 s").
 *
 * The input is what a researcher has: the scale corpus's articles (tests/bench/corpus.ts, the
 * same generator and seed, so the texts are the ones the cached projects hold) as a folder of
 * .txt files, and as CSV with title, text, outlet, date and author columns (one file at 10k;
 * at 100k the 350 MB of text is split into files under the 50 MB a file may have, as a
 * researcher would have to). Each is imported into a new project through importPaths, the
 * path the command line and the import job take, in a process of its own run by node from the
 * compiled code in dist/ (import-child.cjs), so its peak RSS is the import's. In the same run
 * the sqlite3 command-line tool loads the same texts into a bare table and into a table with
 * the project's FTS5 index (name + text, its tokenizer, an external-content table filled by a
 * trigger as the project's is): the floors. Then the 40,000-coding .qdpx of qdpx-import.bench.ts. Prints numbers; asserts
 * nothing.
 *
 *   npx tsx tests/bench/scale-import.bench.ts [--large | --large-only] [--runs N] [--no-qdpx | --qdpx-only] [--ui-only: skips it all]
 *   (--qdpx-only: the .qdpx alone; each of its runs imports in a process of its own, whose peak RSS is printed)
 *   (runs: 3 at 10k, 1 at 100k by default)
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FTS_TOKENIZE_SQL } from '../../main/core/search/tokenizer';
import { articles, LARGE, SMALL, type CorpusSpec } from './corpus';
import { generate as generateQdpx } from './qdpx-import.bench';

const args = process.argv.slice(2);
const argValue = (name: string) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};

/** Text per CSV file: under the 50 MB a file may have, with room for the other columns. */
const CSV_PART_BYTES = 40 * 1024 * 1024;

/**
 * Each import runs in a process of its own, by plain node from the compiled code in dist/
 * (import-child.cjs), as the app runs it: its peak RSS is the import's, not the generator's nor
 * tsx's (under tsx the same import peaked 60–110 MB higher).
 */
const CHILD = join(__dirname, 'import-child.cjs');

interface Measure {
  wallMs: number;
  cpuMs: number;
  /** Peak resident memory of the process that did the work. */
  peakRssMb: number;
}

interface Input {
  dir: string;
  folder: string;
  csvDir: string;
  csvParts: string[];
  documents: number;
  textMb: number;
}

/** CSV quoting: every cell quoted, quotes doubled (texts hold newlines). */
const cell = (s: string) => `"${s.replace(/"/g, '""')}"`;

function writeInput(spec: CorpusSpec): Input {
  const dir = mkdtempSync(join(tmpdir(), 'marginalia-bench-scale-import-'));
  const folder = join(dir, 'articles');
  const csvDir = join(dir, 'csv');
  mkdirSync(folder);
  mkdirSync(csvDir);
  const csvParts: string[] = [];
  let fd = -1;
  let partBytes = Infinity;
  let textBytes = 0;
  let documents = 0;
  for (const a of articles(spec)) {
    writeFileSync(join(folder, `${a.name}.txt`), a.text);
    if (partBytes > CSV_PART_BYTES) {
      if (fd >= 0) closeSync(fd);
      const part = join(csvDir, `articles-${String(csvParts.length + 1).padStart(2, '0')}.csv`);
      csvParts.push(part);
      fd = openSync(part, 'w');
      partBytes = writeSync(fd, 'title,text,outlet,date,author\n');
    }
    partBytes += writeSync(fd, `${[a.name, a.text, a.outlet, a.date, a.author].map(cell).join(',')}\n`);
    textBytes += Buffer.byteLength(a.text);
    documents++;
  }
  closeSync(fd);
  return { dir, folder, csvDir, csvParts, documents, textMb: textBytes / 1e6 };
}

/** CPU of this process's waited-for children (Linux /proc), in ms. */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
}

/** Runs a sqlite3 script on a new database file under /usr/bin/time for its peak RSS. */
function sqlite3(db: string, script: string): Measure {
  rmSync(db, { force: true });
  const rssFile = `${db}.rss`;
  const c0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', rssFile, 'sqlite3', db, `.read ${script}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  const wallMs = performance.now() - t0;
  const cpuMs = childrenCpuMs() - c0;
  if (r.status !== 0) throw new Error(`sqlite3 ${script} failed (${r.status}): ${r.stderr.toString().slice(-2000)}`);
  const peakRssMb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024;
  rmSync(db, { force: true });
  rmSync(`${db}-wal`, { force: true });
  return { wallMs, cpuMs, peakRssMb };
}

/** The project's full-text index over a table t, as migration 14 declares it for documents. */
const FTS = `CREATE VIRTUAL TABLE f USING fts5(name, text, content = 't', content_rowid = 'rowid', ${FTS_TOKENIZE_SQL});
CREATE TRIGGER ti AFTER INSERT ON t BEGIN INSERT INTO f (rowid, name, text) VALUES (new.rowid, new.name, new.text); END;`;

/** sqlite3 scripts loading the same texts: the .txt files with readfile(), the CSV with .import; each bare and with FTS5. */
function floorScripts(input: Input): Record<'txtBare' | 'txtFts' | 'csvBare' | 'csvFts', string> {
  const names = readdirSync(input.folder).sort();
  const inserts = names.map((n) => `INSERT INTO t (name, text) VALUES ('${n.replace(/\.txt$/, '').replace(/'/g, "''")}', CAST(readfile('${join(input.folder, n).replace(/'/g, "''")}') AS TEXT));`).join('\n');
  const txt = (fts: boolean) => `PRAGMA journal_mode = WAL;\nCREATE TABLE t (name TEXT, text TEXT);\n${fts ? FTS : ''}\nBEGIN;\n${inserts}\nCOMMIT;\n`;
  // The CSV's own columns, title as name.
  const csv = (fts: boolean) =>
    `PRAGMA journal_mode = WAL;\nCREATE TABLE t (name TEXT, text TEXT, outlet TEXT, date TEXT, author TEXT);\n${fts ? FTS : ''}\nBEGIN;\n${input.csvParts.map((p) => `.import --csv --skip 1 '${p}' t`).join('\n')}\nCOMMIT;\n`;
  const out = { txtBare: txt(false), txtFts: txt(true), csvBare: csv(false), csvFts: csv(true) };
  for (const [k, s] of Object.entries(out)) writeFileSync(join(input.dir, `${k}.sql`), s);
  return { txtBare: join(input.dir, 'txtBare.sql'), txtFts: join(input.dir, 'txtFts.sql'), csvBare: join(input.dir, 'csvBare.sql'), csvFts: join(input.dir, 'csvFts.sql') };
}

interface ImportResult extends Measure {
  imported: number;
  failed: number;
  duplicates: number;
  /** Reading and writing the documents, then indexing them for near-duplicates (afterImport). */
  writeMs: number;
  indexMs: number;
}

/** The child: imports `path` into a new project and prints RESULT {…}. */
function runChild(path: string, project: string): ImportResult {
  const r = spawnSync(process.execPath, [CHILD, 'files', path, project], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (r.status !== 0 || !line) throw new Error(`the import of ${path} failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
  for (const suffix of ['', '-wal', '-shm']) rmSync(project + suffix, { force: true });
  return JSON.parse(line.slice('RESULT '.length)) as ImportResult;
}

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)]!;
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ');
const spread = (xs: number[], f: (x: number) => string) => (xs.length > 1 ? `p50 ${f(median(xs))} p95 ${f(p95(xs))}` : f(xs[0]!));

async function measureSize(spec: CorpusSpec, runs: number): Promise<void> {
  const t0 = performance.now();
  const input = writeInput(spec);
  try {
    console.log(
      `\n${input.documents.toLocaleString('en')} articles, ${input.textMb.toFixed(0)} MB of text: a folder of .txt files and ${input.csvParts.length} CSV file${input.csvParts.length > 1 ? 's' : ''} (written in ${sec(performance.now() - t0)})`,
    );
    const scripts = floorScripts(input);
    const project = join(input.dir, 'bench.marginalia');
    const floorDb = join(input.dir, 'floor.sqlite');
    const rounds: Record<'txt' | 'csv', { ours: ImportResult[]; bare: Measure[]; fts: Measure[] }> = { txt: { ours: [], bare: [], fts: [] }, csv: { ours: [], bare: [], fts: [] } };
    for (let run = 1; run <= runs; run++) {
      for (const kind of ['txt', 'csv'] as const) {
        const bare = sqlite3(floorDb, kind === 'txt' ? scripts.txtBare : scripts.csvBare);
        const fts = sqlite3(floorDb, kind === 'txt' ? scripts.txtFts : scripts.csvFts);
        const ours = runChild(kind === 'txt' ? input.folder : input.csvDir, project);
        if (ours.imported !== input.documents) throw new Error(`${kind}: expected ${input.documents} imported, got ${ours.imported} (${ours.duplicates} duplicates, ${ours.failed} failed)`);
        rounds[kind].ours.push(ours);
        rounds[kind].bare.push(bare);
        rounds[kind].fts.push(fts);
        console.log(
          `  run ${run} ${kind === 'txt' ? '.txt folder' : 'CSV       '}: importPaths ${sec(ours.wallMs)} wall ${sec(ours.cpuMs)} cpu (written ${sec(ours.writeMs)}, near-duplicate index ${sec(ours.indexMs)}), peak RSS ${ours.peakRssMb.toFixed(0)} MB, ` +
            `${Math.round(input.documents / (ours.wallMs / 1000))} docs/s | sqlite3 bare ${sec(bare.wallMs)} wall ${sec(bare.cpuMs)} cpu ${bare.peakRssMb.toFixed(0)} MB | ` +
            `sqlite3 + FTS5 ${sec(fts.wallMs)} wall ${sec(fts.cpuMs)} cpu ${fts.peakRssMb.toFixed(0)} MB | ratio to FTS5 floor ${(ours.wallMs / fts.wallMs).toFixed(2)}× wall ${(ours.cpuMs / fts.cpuMs).toFixed(2)}× cpu | load ${load()}`,
        );
      }
    }
    for (const kind of ['txt', 'csv'] as const) {
      const r = rounds[kind];
      const label = kind === 'txt' ? `${input.documents.toLocaleString('en')} .txt files` : `${input.documents.toLocaleString('en')} CSV rows`;
      const ratio = (ours: Measure[], floor: Measure[], k: 'wallMs' | 'cpuMs') => spread(ours.map((o, i) => o[k] / floor[i]![k]), (x) => `${x.toFixed(2)}×`);
      console.log(`  ${label}, ${runs} run${runs > 1 ? 's' : ''}:`);
      console.log(
        `    import (importPaths)  wall ${spread(r.ours.map((o) => o.wallMs), sec)}, cpu ${spread(r.ours.map((o) => o.cpuMs), sec)}, peak RSS ${spread(r.ours.map((o) => o.peakRssMb), (x) => `${x.toFixed(0)} MB`)}, ${(input.documents / (median(r.ours.map((o) => o.wallMs)) / 1000)).toFixed(0)} docs/s at the median wall`,
      );
      console.log(`    sqlite3 bare          wall ${spread(r.bare.map((o) => o.wallMs), sec)}, cpu ${spread(r.bare.map((o) => o.cpuMs), sec)}, peak RSS ${spread(r.bare.map((o) => o.peakRssMb), (x) => `${x.toFixed(0)} MB`)}`);
      console.log(`    sqlite3 + same FTS5   wall ${spread(r.fts.map((o) => o.wallMs), sec)}, cpu ${spread(r.fts.map((o) => o.cpuMs), sec)}, peak RSS ${spread(r.fts.map((o) => o.peakRssMb), (x) => `${x.toFixed(0)} MB`)}`);
      console.log(`    ratio to bare         wall ${ratio(r.ours, r.bare, 'wallMs')}, cpu ${ratio(r.ours, r.bare, 'cpuMs')}`);
      console.log(`    ratio to FTS5 floor   wall ${ratio(r.ours, r.fts, 'wallMs')}, cpu ${ratio(r.ours, r.fts, 'cpuMs')}   (aim: at most 3×)`);
    }
  } finally {
    rmSync(input.dir, { recursive: true, force: true });
  }
}

/** The 40,000-coding .qdpx into a new project: the time in all, the time the write lock was held, and the peak RSS of the process that imported it. */
async function measureQdpx(runs: number): Promise<void> {
  const { bytes, codings } = generateQdpx();
  console.log(`\n.qdpx of ${codings.toLocaleString('en')} codings (${(bytes.length / 1024 / 1024).toFixed(1)} MB zipped) into a new project, each run in a process of its own`);
  const dir = mkdtempSync(join(tmpdir(), 'marginalia-bench-scale-qdpx-'));
  const wall: number[] = [];
  const cpu: number[] = [];
  const lockMs: number[] = [];
  const peak: number[] = [];
  try {
    const file = join(dir, 'bench.qdpx');
    writeFileSync(file, bytes);
    for (let run = 1; run <= runs; run++) {
      const project = join(dir, `bench-${run}.marginalia`);
      const r = spawnSync(process.execPath, [CHILD, 'qdpx', file, project, String(codings)], { encoding: 'utf8' });
      const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
      if (r.status !== 0 || !line) throw new Error(`the .qdpx import failed (exit ${r.status}): ${r.stderr.slice(-2000)}`);
      const res = JSON.parse(line.slice('RESULT '.length)) as { wallMs: number; cpuMs: number; lockMs: number; rssBeforeMb: number; peakRssMb: number };
      wall.push(res.wallMs);
      cpu.push(res.cpuMs);
      lockMs.push(res.lockMs);
      peak.push(res.peakRssMb);
      console.log(
        `  run ${run}: ${sec(res.wallMs)} wall ${sec(res.cpuMs)} cpu, write lock held ${sec(res.lockMs)}, ${Math.round(codings / (res.wallMs / 1000))} codings/s, RSS ${res.rssBeforeMb.toFixed(0)} MB before, peak ${res.peakRssMb.toFixed(0)} MB | load ${load()}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`  in all: wall ${spread(wall, sec)}, cpu ${spread(cpu, sec)}, write lock held ${spread(lockMs, sec)}, peak RSS ${spread(peak, (mb) => `${mb.toFixed(0)} MB`)}   (aim: under 10 s, and under 400 MB)`);
}

async function main(): Promise<void> {
  // `npm run bench -- scale --ui-only` asks for the scale bench's UI figures alone: none here.
  if (args.includes('--ui-only')) return console.log('import at scale: skipped (--ui-only)');
  const largeOnly = args.includes('--large-only');
  const large = largeOnly || args.includes('--large') || process.env.BENCH_LARGE === '1';
  const runsArg = argValue('--runs');
  console.log(`import at scale: ${cpus().length} cores, load ${load()}, sqlite3 ${spawnSync('sqlite3', ['--version'], { encoding: 'utf8' }).stdout.split(' ')[0]}`);
  const specs = args.includes('--qdpx-only') ? [] : [...(largeOnly ? [] : [SMALL]), ...(large ? [LARGE] : [])];
  for (const spec of specs) await measureSize(spec, Number(runsArg ?? (spec === LARGE ? 1 : 3)));
  if (!args.includes('--no-qdpx')) await measureQdpx(Number(runsArg ?? 3));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
