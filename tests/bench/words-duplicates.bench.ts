/**
 * Word frequency and wire-story duplicates on the bench corpora (10,000 and, with
 * MARGINALIA_BENCH_LARGE=1, 100,000 generated news articles): the top 100 words, two- and
 * three-word phrases over every document and over one outlet's; then signing every document
 * for near-duplicates (MinHash, LSH) from nothing, indexing 1,000 more against them, and
 * reading the groups. Works on a copy of the cached corpus, which it leaves untouched.
 * Run: npx tsx tests/bench/words-duplicates.bench.ts
 */
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCorpus, LARGE, SMALL } from './corpus';
import { Project } from '../../main/core/project/project';
import { wordFrequencies } from '../../main/core/analysis/words';
import { duplicateCounts, duplicateGroups, indexDuplicates } from '../../main/core/analysis/duplicates';
import { importSources } from '../../main/core/import/import-files';

const spec = process.env.MARGINALIA_BENCH_LARGE ? LARGE : SMALL;

async function timed<T>(label: string, fn: () => Promise<T>, say: (r: T) => string): Promise<T> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const r = await fn();
  const ms = performance.now() - t0;
  // CPU time of this process as well as the wall clock: on a shared machine the first is the one to compare.
  const cpu = process.cpuUsage(c0);
  const heap = Math.round(process.memoryUsage().rss / 1024 / 1024);
  console.log(`${label.padEnd(52)} ${(ms / 1000).toFixed(2).padStart(7)} s wall ${((cpu.user + cpu.system) / 1e6).toFixed(2).padStart(7)} s cpu   rss ${heap} MB   ${say(r)}`);
  return r;
}

async function main(): Promise<void> {
  const cached = await ensureCorpus(spec);
  const dir = mkdtempSync(join(tmpdir(), 'marginalia-words-bench-'));
  const path = join(dir, 'bench.marginalia');
  copyFileSync(cached, path);
  const project = await Project.open(path);
  try {
    const docs = (await project.db.read((r) => r.get<{ n: number }>('SELECT count(*) AS n FROM documents')))!.n;
    console.log(`${docs.toLocaleString('en')} documents`);
    for (const n of [1, 2, 3] as const) {
      await timed(`words: top 100 ${n === 1 ? 'words' : `${n}-word phrases`}, all documents`, () => wordFrequencies(project.db, { n, top: 100, stopwords: true }), (r) =>
        `${r.tokens.toLocaleString('en')} words, ${r.distinct.toLocaleString('en')} distinct, undercount ≤ ${r.undercountAtMost}, first "${r.words[0]?.term}" ${r.words[0]?.count}`,
      );
    }
    await timed('words: top 100 words, outlet = Reuters', () => wordFrequencies(project.db, { n: 1, top: 100, stopwords: true, where: { attribute: 'outlet', value: 'Reuters' } }), (r) => `${r.documents.toLocaleString('en')} documents`);
    await timed('duplicates: sign and index every document', () => indexDuplicates(project.db), (r) => `${r.indexed.toLocaleString('en')} signed, ${r.pairs} pairs ≥ 0.5`);
    // 1,000 more: 500 republished copies of existing articles with a sentence changed, 500 new.
    const sample = await project.db.read((r) => r.all<{ name: string; text: string }>(`SELECT name, text FROM documents ORDER BY rowid LIMIT 500`));
    const more = [
      ...sample.map((d, i) => ({ name: `copy-${i}.txt`, bytes: Buffer.from(d.text.replace(/\.\s/, '. Our correspondent adds that the market was closed. ')) })),
      ...sample.map((d, i) => ({ name: `fresh-${i}.txt`, bytes: Buffer.from(d.text.split(' ').reverse().join(' ')) })),
    ];
    await timed('import 1,000 more (index against the rest)', () => importSources(project, more, more.length, { importedBy: null }), (r) => `${r.imported} imported`);
    await timed('duplicates: groups at 0.8', () => project.db.read((r) => duplicateGroups(r, 0.8)), (r) => `${r.groups.length} groups, ${r.documents} documents`);
    await timed('duplicates: "same story as" counts for the list', () => project.db.read((r) => duplicateCounts(r, 0.8)), (r) => `${Object.keys(r).length} documents`);
  } finally {
    await project.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
