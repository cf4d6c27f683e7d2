import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openTestProject } from '../helpers/project';
import { addDocuments } from '../../main/core/documents/documents';
import { eachMatch, firstHits, searchHits } from '../../main/core/search/search';

/** Words that fold alike in pairs (case, accents) and a few that share a stem. */
const VOCAB = ['Kyiv', 'kyiv', 'KYIV', 'strike', 'Strike', 'strikes', 'Café', 'cafe', 'Moscow', 'Москва', 'москва', 'market', 'the', 'a'];

const word = fc.constantFrom(...VOCAB);
const text = fc.array(word, { minLength: 0, maxLength: 40 }).map((ws) => ws.join(' ') || 'empty');
const query: fc.Arbitrary<string> = fc.letrec<{ q: string }>((tie) => ({
  q: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    word,
    fc.tuple(tie('q'), tie('q')).map(([a, b]) => `(${a} OR ${b})`),
    fc.tuple(tie('q'), tie('q')).map(([a, b]) => `(${a} ${b})`),
    fc.tuple(tie('q'), word).map(([a, b]) => `(${a} -${b})`),
  ),
})).q;

describe('hit counts from the index', () => {
  it('equal what the text matcher finds in every document, for words joined by AND, OR and NOT', async () => {
    const t = await openTestProject();
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 12 }), fc.array(query, { minLength: 1, maxLength: 8 }), async (texts, queries) => {
          await t.project.db.transaction(async (tx) => {
            await tx.run(`DELETE FROM documents`);
            await addDocuments(
              tx,
              texts.map((x, i) => ({ name: `d${i}`, text: `${x} ${i}`, importedBy: null })),
            );
          });
          for (const q of queries) {
            const fromText = new Map<string, number>();
            await t.project.db.read((r) => eachMatch(r, { query: q }, (doc, spans) => void fromText.set(doc.id, spans.length)));
            const page = await t.project.db.read((r) => searchHits(r, { query: q, pageSize: 10_000 }));
            expect(new Map(page.documents.map((d) => [d.document_id, d.hits])), q).toEqual(fromText);
            expect(page.total_hits, q).toBe([...fromText.values()].reduce((a, b) => a + b, 0));
          }
        }),
        { numRuns: 40, seed: 20261202 },
      );
    } finally {
      await t.close();
    }
  });

  it('equal what the text matcher finds for a stopword in nearly every document, alone, in phrases and with NEAR, within one document too', async () => {
    const t = await openTestProject();
    // "the" in most places, as in news: the counts walk its positions in every document.
    const stopword = fc.array(fc.oneof({ weight: 3, arbitrary: fc.constant('the') }, { weight: 5, arbitrary: word }), { minLength: 0, maxLength: 60 }).map((ws) => ws.join(' ') || 'empty');
    const queries = ['the', 'THE', '"the"', '"of the"', '"the kyiv"', '"strike the market"', '"the the"', 'strike NEAR/2 the', 'the NEAR/0 the', '"the market" NEAR/3 Kyiv', '(the -market)', '("the kyiv" -strike)', '(the NEAR/1 cafe OR "a the")', 'the*'];
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(stopword, { minLength: 1, maxLength: 20 }), async (texts) => {
          const ids = await t.project.db.transaction(async (tx) => {
            await tx.run(`DELETE FROM documents`);
            await addDocuments(tx, texts.map((x, i) => ({ name: `d${i}`, text: `${x} ${i}`, importedBy: null })));
            return (await tx.all<{ id: string }>(`SELECT id FROM documents ORDER BY sort_order`)).map((d) => d.id);
          });
          for (const q of queries) {
            for (const documentId of [undefined, ids[Math.floor(ids.length / 2)]!]) {
              const fromText = new Map<string, number>();
              await t.project.db.read((r) => eachMatch(r, { query: q, documentId }, (doc, spans) => void fromText.set(doc.id, spans.length)));
              const page = await t.project.db.readLong((r) => searchHits(r, { query: q, documentId, pageSize: 10_000 }));
              expect(new Map(page.documents.map((d) => [d.document_id, d.hits])), q).toEqual(fromText);
              expect([page.total_hits, page.total_documents], q).toEqual([[...fromText.values()].reduce((a, b) => a + b, 0), fromText.size]);
            }
          }
        }),
        { numRuns: 25, seed: 20261204 },
      );
    } finally {
      await t.close();
    }
  });

  it('the first page shown before the count is the counted search\'s first page, line for line', async () => {
    const t = await openTestProject();
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 60 }), query, fc.integer({ min: 1, max: 30 }), async (texts, q, pageSize) => {
          await t.project.db.transaction(async (tx) => {
            await tx.run(`DELETE FROM documents`);
            await addDocuments(tx, texts.map((x, i) => ({ name: `d${i}`, text: `${x} ${i}`, importedBy: null })));
          });
          for (const regex of [false, true]) {
            const req = regex ? { query: q.replace(/[()]|-\S+|\bOR\b/g, ' ').trim().split(/\s+/)[0]!, regex } : { query: q };
            const first = await t.project.db.read((r) => firstHits(r, { ...req, pageSize }));
            const page = await t.project.db.read((r) => searchHits(r, { ...req, pageSize }));
            expect(first.hits, q).toEqual(page.hits);
            expect(first.documents, q).toEqual(page.documents);
            // Fewer than 400 documents are always read to the end.
            if (first.hits.length < pageSize) expect(first.complete).toBe(true);
            // Complete means the page is the whole result.
            if (first.complete) expect(page.total_hits).toBe(first.hits.length);
          }
        }),
        { numRuns: 30, seed: 7 },
      );
    } finally {
      await t.close();
    }
  });
});

describe('a counted search paged through', () => {
  it('keeps its count between pages and counts again once the project changes', async () => {
    const t = await openTestProject();
    try {
      await t.project.db.transaction((tx) => addDocuments(tx, Array.from({ length: 30 }, (_, i) => ({ name: `d${i}`, text: `strike ${'market '.repeat(i % 4)}strike ${i}`, importedBy: null }))));
      // As the search panel asks: on the long-read connection, page after page.
      const pageOf = (page: number) => t.project.db.readLong((r) => searchHits(r, { query: 'strike', page, pageSize: 7 }));
      const first = await pageOf(1);
      expect(first.total_hits).toBe(60);
      const pages = [first];
      for (let p = 2; p <= first.pages; p++) pages.push(await pageOf(p));
      const lines = pages.flatMap((p) => p.hits);
      expect(lines.map((h) => h.index)).toEqual(Array.from({ length: 60 }, (_, i) => i));
      expect(new Set(lines.map((h) => `${h.document_id}:${h.start}`)).size).toBe(60);

      // A document imported on the main connection is counted on the next page asked for.
      await t.project.db.transaction((tx) => addDocuments(tx, [{ name: 'late', text: 'strike strike strike late', importedBy: null }]));
      const after = await pageOf(2);
      expect(after.total_hits).toBe(63);
      expect(after.total_documents).toBe(31);
      // And a document deleted is no longer counted.
      await t.project.db.transaction((tx) => tx.run(`DELETE FROM documents WHERE name = 'd0'`));
      expect((await pageOf(1)).total_hits).toBe(61);
    } finally {
      await t.close();
    }
  });
});
