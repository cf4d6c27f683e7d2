/**
 * Code co-occurrence, crosstabs and document sets on the bench corpora (10,000 and, with
 * MARGINALIA_BENCH_LARGE=1, 100,000 generated news articles with ten segments each, three
 * coders): the co-occurrence matrix by overlap, paragraph and document; the passages of its
 * largest cell; a crosstab's first page of documents, its CSV of every document, and the whole table by outlet and by
 * month; a set from an attribute value and the co-occurrence scoped to it. The long ones run
 * in the background in the app a round of documents at a time: their lines also say when the
 * first partial answer (what the screen shows while counting) came. Works on a copy of the
 * cached corpus, which it leaves untouched. Run: npx tsx tests/bench/analysis.bench.ts
 */
import { benchSpec, timed, withCorpusCopy } from './lib';
import { cooccurrence, cooccurrencePassages } from '../../main/core/analysis/cooccurrence';
import { closeSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crosstab, crosstabForCsv } from '../../main/core/analysis/crosstab';
import { FileSink } from '../../main/core/exchange/export';
import { addToSet, createSet, documentsOf } from '../../main/core/documents/sets';



/** Runs a background analysis's function, noting when its first partial answer and its rounds came. */
function rounds(): { run: { onPartial: () => void; onProgress: () => void }; say: () => string } {
  const t0 = performance.now();
  let first = 0;
  let n = 0;
  return {
    run: { onPartial: () => (first ||= performance.now() - t0), onProgress: () => n++ },
    say: () => `${n} rounds${first ? `, first partial after ${(first / 1000).toFixed(2)} s` : ''}`,
  };
}

async function main(): Promise<void> {
  await withCorpusCopy(benchSpec(), 'analysis', async (project) => {
    const db = project.db;
    const n = (await db.read((r) => r.get<{ d: number; s: number }>('SELECT (SELECT count(*) FROM documents) AS d, (SELECT count(*) FROM segments) AS s')))!;
    console.log(`${n.d.toLocaleString('en')} documents, ${n.s.toLocaleString('en')} segments`);
    for (const unit of ['overlap', 'document', 'paragraph'] as const) {
      const x = rounds();
      await timed(`co-occurrence by ${unit}, all coders`, () => db.readLong((r) => cooccurrence(r, { unit }, x.run)), (c) => `${c.cells.length} pairs of codes, largest ${Math.max(...c.cells.map((x) => x.count))}; ${x.say()}`);
    }
    const c = await db.read((r) => cooccurrence(r, { unit: 'overlap' }));
    const top = [...c.cells].sort((a, b) => b.count - a.count)[0]!;
    await timed('co-occurrence passages of the largest cell (first 100)', () => db.read((r) => cooccurrencePassages(r, { unit: 'overlap' }, top.a, top.b, 100)), (p) => `${p.length} pairs`);
    await timed('crosstab codes × documents, first 40 columns', () => db.read((r) => crosstab(r, { by: { kind: 'document' }, limit: 40 })), (t) => `${t.total_columns.toLocaleString('en')} columns in all`);
    const file = join(tmpdir(), `marginalia-analysis-bench-${process.pid}.csv`);
    await timed(
      'crosstab CSV codes × documents, every column',
      async () => {
        const t = await db.readLong((r) => crosstabForCsv(r, { by: { kind: 'document' } }));
        const fd = openSync(file, 'w');
        try {
          const sink = new FileSink(fd);
          t.write('none', {}, sink);
          sink.flush();
        } finally {
          closeSync(fd);
        }
        return statSync(file).size;
      },
      (bytes) => `${(bytes / 1e6).toFixed(0)} MB of CSV`,
    );
    rmSync(file, { force: true });
    const byOutlet = rounds();
    await timed('crosstab codes × outlet (count)', () => db.readLong((r) => crosstab(r, { by: { kind: 'attribute', name: 'outlet' } }, byOutlet.run)), (t) => `${t.columns.length} columns; ${byOutlet.say()}`);
    const byMonth = rounds();
    await timed('crosstab codes × month of date (share)', () => db.readLong((r) => crosstab(r, { by: { kind: 'attribute', name: 'date', bucket: 'month' }, measure: 'share' }, byMonth.run)), (t) => `${t.columns.length} columns; ${byMonth.say()}`);
    const ids = await timed('set from outlet = Reuters: find the documents', () => db.read((r) => documentsOf(r, { where: ['outlet=Reuters'] })), (x) => `${x.length.toLocaleString('en')} documents`);
    await timed('set from outlet = Reuters: write it (undoable)', () => db.action({ kind: 'set.create', summary: 'bench', coderId: null }, async (tx) => addToSet(tx, await createSet(tx, { name: 'Reuters', createdBy: null }), ids)), (x) => `${x} members`);
    await timed('co-occurrence by overlap, set Reuters, one coder', async () => {
      const coder = (await db.read((r) => r.get<{ name: string }>(`SELECT name FROM coders WHERE name <> 'consensus' ORDER BY name LIMIT 1`)))!.name;
      return db.read((r) => cooccurrence(r, { unit: 'overlap', filter: { set: 'Reuters', coders: [coder] } }));
    }, (x) => `${x.cells.length} pairs of codes`);
  });
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
