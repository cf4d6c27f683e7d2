import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openTestProject } from '../helpers/project';
import { addDocuments, deleteDocument } from '../../main/core/documents/documents';
import { createSet, addToSet } from '../../main/core/documents/sets';
import { eachMatch, firstHits, firstPageTuning, searchHits, type SearchRequest } from '../../main/core/search/search';

/*
 * The first page (`firstHits`) walks the documents in order a step at a time, FTS5 testing each
 * step through its rowid range, and the filters only on FTS5's candidates. Checked here against
 * brute force (the matcher over every document, in order) on projects of several hundred
 * documents, so the walk takes several steps: with documents deleted and changed (the index then
 * holds deletions), reordered (rowids no longer in document order), emoji and CRLF texts, and filters.
 */

type TestProject = Awaited<ReturnType<typeof openTestProject>>;

const WORDS = ['the', 'the', 'the', 'of', 'strike', 'Kyiv', 'café', 'Москва', 'market', '🫡', '❤️'];
const word = fc.constantFrom(...WORDS);
/** Words joined by spaces or CRLF; a rare word in a few texts. */
const text = fc
  .tuple(fc.array(fc.tuple(word, fc.constantFrom(' ', ' ', '\r\n', ', ')), { minLength: 0, maxLength: 25 }), fc.integer({ min: 0, max: 40 }))
  .map(([parts, rare]) => parts.map(([w, g]) => w + g).join('') + (rare === 0 ? ' Kostiantynivka' : ''));

const QUERIES = ['the', '"of the"', 'strike NEAR/3 the', 'Kostiantynivka', '"the Kostiantynivka"', 'café Москва', 'Kyiv OR market', '(the -strike)', 'stri*', '"the the the"', 'nowhere'];

/** The first `pageSize` hits by the matcher over every document in order, and every matching document's count. */
async function byBruteForce(t: TestProject, req: SearchRequest, pageSize: number) {
  const lines: Array<[string, number]> = [];
  const documents: Array<[string, number]> = [];
  await t.project.db.read((r) =>
    eachMatch(r, req, (doc, spans) => {
      documents.push([doc.id, spans.length]);
      for (const s of spans) if (lines.length < pageSize) lines.push([doc.id, s.start]);
    }),
  );
  return { lines, documents, hits: documents.reduce((n, [, h]) => n + h, 0) };
}

async function expectFirstPages(t: TestProject, outlets: string[], setId: string): Promise<void> {
  const few = firstPageTuning.fewMatches;
  for (const query of QUERIES) {
    for (const filter of [{}, { attribute: { name: 'outlet', value: outlets[1]! } }, { setId }] as Array<Partial<SearchRequest>>) {
      for (const pageSize of [1, 7, 50]) {
        const req: SearchRequest = { query, ...filter };
        const label = `${query} ${JSON.stringify(filter)} ${pageSize}`;
        const want = await byBruteForce(t, req, pageSize);
        // Its matches put in order where they are few (every search of a small project), and walked step by step as where they are many.
        const first = await t.project.db.read((r) => firstHits(r, { ...req, pageSize }));
        firstPageTuning.fewMatches = 0;
        const walked = await t.project.db.read((r) => firstHits(r, { ...req, pageSize })).finally(() => (firstPageTuning.fewMatches = few));
        expect([walked.hits, walked.documents], label).toEqual([first.hits, first.documents]);
        // Offsets in code points here, UTF-16 in the matcher's spans: compared by document and order, and then with the counted page.
        expect(first.hits.map((h) => h.document_id), label).toEqual(want.lines.map(([id]) => id));
        const counted = await t.project.db.read((r) => searchHits(r, { ...req, pageSize }));
        expect(first.hits, label).toEqual(counted.hits);
        expect(first.documents, label).toEqual(counted.documents);
        expect(first.documents.map((d) => [d.document_id, d.hits]), label).toEqual(want.documents.slice(0, first.documents.length));
        for (const one of [first, walked]) {
          if (one.complete) expect(one.hits.length, label).toBe(want.hits);
          if (one.total_documents !== null) expect(one.total_documents, label).toBe(want.documents.length);
          if (one.total_hits !== null) expect(one.total_hits, label).toBe(want.hits);
        }
      }
    }
  }
}

describe('the first page of a search', () => {
  it('lists the first hits in document order, as the matcher over every document does, with documents deleted, changed and reordered, and within filters', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 150, maxLength: 320 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (texts, seed) => {
        // A project of its own each run: the index as a fresh import leaves it, then as edits leave it.
        const t = await openTestProject();
        try {
          const outlets = ['A', 'B', 'C'];
          const setId = await t.project.db.transaction(async (tx) => {
            await addDocuments(tx, texts.map((x, i) => ({ name: `d${i}`, text: `${x} n${i}`, attributes: { outlet: outlets[i % 3]! }, importedBy: null })));
            const ids = (await tx.all<{ id: string }>(`SELECT id FROM documents ORDER BY sort_order`)).map((d) => d.id);
            const set = await createSet(tx, { name: 'some', createdBy: null });
            await addToSet(tx, set, ids.filter((_, i) => (i * 7 + seed) % 5 === 0));
            return set;
          });
          await expectFirstPages(t, outlets, setId);
          // Some documents deleted, some texts changed: the index holds deletions in newer segments.
          await t.project.db.transaction(async (tx) => {
            const ids = (await tx.all<{ id: string }>(`SELECT id FROM documents ORDER BY sort_order`)).map((d) => d.id);
            for (const [i, id] of ids.entries()) {
              if ((i + seed) % 11 === 0) await deleteDocument(tx, id);
              else if ((i + seed) % 7 === 0) await tx.run(`UPDATE documents SET text = ? WHERE id = ?`, [`strike the\r\nof the Kostiantynivka 🫡 ${i}`, id]);
            }
          });
          await expectFirstPages(t, outlets, setId);
          // Reordered: a few neighbours swapped (rowids nearly in order), then the whole order reversed, then scattered.
          await t.project.db.transaction((tx) => tx.run(`UPDATE documents SET sort_order = CASE WHEN sort_order % 4 = 1 THEN sort_order + 1 WHEN sort_order % 4 = 2 THEN sort_order - 1 ELSE sort_order END`));
          await expectFirstPages(t, outlets, setId);
          await t.project.db.transaction((tx) => tx.run(`UPDATE documents SET sort_order = -sort_order`));
          await expectFirstPages(t, outlets, setId);
          // Scattered: rowids far apart in every step (the first page is then read from FTS5's whole match).
          await t.project.db.transaction((tx) => tx.run(`UPDATE documents SET sort_order = (rowid * 37) % 101`));
          await expectFirstPages(t, outlets, setId);
        } finally {
          await t.close();
        }
      }),
      { numRuns: 3, seed: 20261203, endOnFailure: true },
    );
  }, 120_000);
});
