/**
 * Word frequency and wire-story duplicates on the bench corpora (10,000 and, with
 * MARGINALIA_BENCH_LARGE=1, 100,000 generated news articles): the top 100 words, two- and
 * three-word phrases over every document and over one outlet's; then signing every document
 * for near-duplicates (MinHash, LSH) from nothing, indexing 1,000 more against them, and
 * reading the groups. Works on a copy of the cached corpus, which it leaves untouched.
 * Run: npx tsx tests/bench/words-duplicates.bench.ts
 */
import { benchSpec, timed, withCorpusCopy } from './lib';
import { wordFrequencies } from '../../main/core/analysis/words';
import { duplicateCounts, duplicateGroups, indexDuplicates } from '../../main/core/analysis/duplicates';
import { importSources } from '../../main/core/import/import-files';



async function main(): Promise<void> {
  await withCorpusCopy(benchSpec(), 'words', async (project) => {
    const docs = (await project.db.read((r) => r.get<{ n: number }>('SELECT count(*) AS n FROM documents')))!.n;
    console.log(`${docs.toLocaleString('en')} documents`);
    for (const n of [1, 2, 3] as const) {
      // In the app this runs in the background (words.start): the list so far shows from the first partial on.
      const t0 = performance.now();
      let first = 0;
      await timed(
        `words: top 100 ${n === 1 ? 'words' : `${n}-word phrases`}, all documents`,
        () => wordFrequencies(project.db, { n, top: 100, stopwords: true }, { onPartial: () => (first ||= performance.now() - t0) }),
        (r) =>
          `${r.tokens.toLocaleString('en')} words, ${r.distinct.toLocaleString('en')} distinct, undercount ≤ ${r.undercountAtMost}, first "${r.words[0]?.term}" ${r.words[0]?.count}; first partial list after ${(first / 1000).toFixed(2)} s`,
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
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
