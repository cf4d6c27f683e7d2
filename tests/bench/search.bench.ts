/**
 * Search and autocode on the bench corpora (10,000 and, with MARGINALIA_BENCH_LARGE=1, 100,000
 * generated news articles): the first page of hits (with the totals, which read every matching
 * document) and the last page for words, phrases, OR, -word, prefixes, NEAR and a regular
 * expression; one document's hits (next/previous); an autocode preview. Works on a copy of the
 * cached corpus (opening upgrades it), which it leaves untouched. Run: npx tsx tests/bench/search.bench.ts
 */
import { benchSpec, timed, withCorpusCopy } from './lib';
import { documentHits, firstHits, searchHits, type SearchRequest } from '../../main/core/search/search';
import { planAutocode } from '../../main/core/search/autocode';



const QUERIES: SearchRequest[] = [
  { query: 'Zelensky' },
  { query: 'strike' },
  { query: '"missile strike"' },
  { query: 'Kyiv OR Moscow' },
  { query: 'Zelensky -Moscow' },
  { query: 'strik*' },
  { query: 'missile NEAR/5 Kyiv' },
  // A stopword, in nearly every article: the most positions to count, alone, in a phrase, with NEAR.
  { query: 'the' },
  { query: '"of the"' },
  { query: 'strike NEAR/5 the' },
  { query: 'Kostiantynivka', attribute: { name: 'outlet', value: 'Reuters' } },
  { query: '\\bKostiantynivka market\\b', regex: true },
];

async function main(): Promise<void> {
  await withCorpusCopy(benchSpec(), 'search', async (project) => {
    const docs = (await project.db.read((r) => r.get<{ n: number }>('SELECT count(*) AS n FROM documents')))!.n;
    console.log(`${docs.toLocaleString('en')} documents`);
    for (const q of QUERIES) {
      const label = `${q.regex ? 'regex ' : ''}${q.query}${q.attribute ? ` (${q.attribute.name} = ${q.attribute.value})` : ''}`;
      // What the search panel shows at once, before the totals.
      await timed(`search: first 50 hits shown (search.first), ${label}`, () => project.db.read((r) => firstHits(r, { ...q, pageSize: 50 })), (p) =>
        `${p.hits.length} lines from ${p.documents.length} documents${p.complete ? ', the whole result' : ''}`,
      );
      const first = await timed(`search: first page of 50 with totals, ${label}`, () => project.db.read((r) => searchHits(r, { ...q, pageSize: 50 })), (p) =>
        `${p.total_hits.toLocaleString('en')} hits in ${p.total_documents.toLocaleString('en')} documents`,
      );
      if (first.pages > 1) await timed(`search: last page (${first.pages})`, () => project.db.read((r) => searchHits(r, { ...q, pageSize: 50, page: first.pages })), (p) => `${p.hits.length} lines`);
    }
    const one = await project.db.read((r) => r.get<{ id: string }>(`SELECT id FROM documents ORDER BY sort_order LIMIT 1 OFFSET 100`));
    await timed('search: one document’s hits of strike OR Kyiv', () => project.db.read((r) => documentHits(r, { query: 'strike OR Kyiv', documentId: one!.id })), (h) => `${h.length} hits`);
    const ids = await project.db.read(async (r) => ({
      code: (await r.get<{ id: string }>(`SELECT id FROM codes ORDER BY sort_order LIMIT 1`))!.id,
      coder: (await r.get<{ id: string }>(`SELECT id FROM coders ORDER BY name LIMIT 1`))!.id,
    }));
    for (const extend of ['hit', 'sentence', 'paragraph'] as const) {
      await timed(`autocode preview: Kostiantynivka, ${extend}`, () => project.db.read((r) => planAutocode(r, { search: { query: 'Kostiantynivka' }, codeId: ids.code, coderId: ids.coder, extend })), (p) =>
        `${p.segments.length.toLocaleString('en')} segments in ${p.documents.toLocaleString('en')} documents`,
      );
    }
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
