/**
 * Import benchmark: 10,000 generated plain-text articles (about 50 MB) imported through
 * importPaths into a new project, beside the sqlite3 command-line tool loading the same
 * texts into a bare table. Prints numbers; asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Project } from '../../main/core/project/project';
import { importPaths } from '../../main/core/import/import-files';
import { FTS_TOKENIZE_SQL } from '../../main/core/search/tokenizer';

const COUNT = Number(process.env.BENCH_IMPORT_DOCS ?? 10_000);
const WORDS = ['shelling', 'market', 'officials', 'said', 'the', 'attack', 'killed', 'civilians', 'Kostiantynivka', 'missile', 'Russian', 'Ukrainian', 'forces', 'according', 'to', 'report', 'investigation', 'evidence', 'video', 'witnesses'];

function article(i: number): string {
  let seed = i * 2654435761;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) % 1_000_000) / 1_000_000;
  const paragraphs: string[] = [`Article ${i}: ${WORDS[i % WORDS.length]} report`];
  let size = paragraphs[0]!.length;
  while (size < 4900) {
    const words = Array.from({ length: 40 + Math.floor(rand() * 40) }, () => WORDS[Math.floor(rand() * WORDS.length)]!);
    const p = `${words.join(' ')}.`;
    paragraphs.push(p);
    size += p.length + 2;
  }
  return paragraphs.join('\n\n');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'marginalia-bench-import-'));
  try {
    const corpus = join(dir, 'articles');
    mkdirSync(corpus);
    let bytes = 0;
    for (let i = 0; i < COUNT; i++) {
      const text = article(i);
      bytes += Buffer.byteLength(text);
      writeFileSync(join(corpus, `article-${String(i).padStart(5, '0')}.txt`), text);
    }
    console.log(`import bench: ${COUNT} articles, ${(bytes / 1024 / 1024).toFixed(1)} MB`);

    // Baseline: the sqlite3 shell reading every file into a bare table in one transaction.
    const bare = join(dir, 'bare.sqlite');
    const script = join(dir, 'load.sql');
    const lines = ['PRAGMA journal_mode = WAL;', 'CREATE TABLE t (name TEXT, text TEXT);', 'BEGIN;'];
    for (let i = 0; i < COUNT; i++) {
      const f = join(corpus, `article-${String(i).padStart(5, '0')}.txt`);
      lines.push(`INSERT INTO t VALUES ('${i}', CAST(readfile('${f.replace(/'/g, "''")}') AS TEXT));`);
    }
    lines.push('COMMIT;');
    writeFileSync(script, lines.join('\n'));
    let t0 = performance.now();
    execFileSync('/usr/bin/sqlite3', [bare, `.read ${script}`]);
    const sqliteMs = performance.now() - t0;
    // The same load with a full-text index like the project's, to show what indexing costs.
    const ftsScript = join(dir, 'load-fts.sql');
    writeFileSync(ftsScript, lines.join('\n').replace('CREATE TABLE t (name TEXT, text TEXT);', `CREATE TABLE t (name TEXT, text TEXT); CREATE VIRTUAL TABLE f USING fts5(name, text, content='t', ${FTS_TOKENIZE_SQL}); CREATE TRIGGER ti AFTER INSERT ON t BEGIN INSERT INTO f (rowid, name, text) VALUES (new.rowid, new.name, new.text); END;`));
    t0 = performance.now();
    execFileSync('/usr/bin/sqlite3', [join(dir, 'bare-fts.sqlite'), `.read ${ftsScript}`]);
    const sqliteFtsMs = performance.now() - t0;

    let peakRss = process.memoryUsage().rss;
    const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
    const project = await Project.create(join(dir, 'bench.marginalia'), { name: 'Bench' });
    t0 = performance.now();
    const report = await importPaths(project, [corpus], { importedBy: null });
    const importMs = performance.now() - t0;
    clearInterval(timer);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    await project.close();

    if (report.imported !== COUNT) throw new Error(`expected ${COUNT} imported, got ${report.imported} (${report.failed} failed)`);
    console.log(`marginalia importPaths: ${(importMs / 1000).toFixed(2)} s, ${Math.round(COUNT / (importMs / 1000))} docs/s, peak RSS ${Math.round(peakRss / 1024 / 1024)} MB`);
    console.log(`sqlite3 CLI bare load:  ${(sqliteMs / 1000).toFixed(2)} s`);
    console.log(`sqlite3 CLI load with FTS5 index: ${(sqliteFtsMs / 1000).toFixed(2)} s`);
    console.log(`ratio: ${(importMs / sqliteMs).toFixed(1)}x the bare load (aim: under 15 s and within 3x)`);
    // After close the WAL is checkpointed into the file: this is the size a colleague receives.
    const fileBytes = statSync(join(dir, 'bench.marginalia')).size;
    console.log(`project file: ${(fileBytes / 1024 / 1024).toFixed(1)} MB for ${(bytes / 1024 / 1024).toFixed(1)} MB of text (${(fileBytes / bytes).toFixed(2)}x; the events log no longer copies texts)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
