import { describe, expect, it } from 'vitest';
import { openTestProject } from '../helpers/project';
import { addDocuments } from '../../main/core/documents/documents';

/** Documents whose hit counts are known by construction: document i says "strike" i times (some none). */
const TEXTS = Array.from({ length: 23 }, (_, i) => (i % 5 === 4 ? 'Calm day, nothing to report.' : `${'strike, '.repeat(i)}Kyiv. ${i} end`));
const STRIKES = TEXTS.map((t) => t.match(/strike/g)?.length ?? 0);

describe('per-document hit counts of a search', () => {
  it('cover every matching document, in windows, in document order or most hits first, each with where its first hit is', async () => {
    const t = await openTestProject();
    try {
      await t.project.db.transaction((tx) => addDocuments(tx, TEXTS.map((text, i) => ({ name: `article ${String(i).padStart(2, '0')}`, text, importedBy: null }))));
      const matching = TEXTS.map((_, i) => i).filter((i) => STRIKES[i]! > 0);

      // The default window holds every document of this small search; the page of 10 hits shows only a few of them.
      const page = await t.call('search.hits', { query: 'strike', pageSize: 10 });
      expect(page.total_documents).toBe(matching.length);
      expect(page.documents.length).toBeLessThan(matching.length);
      expect(page.by_document.order).toBe('order');
      expect(page.by_document.items.map((d) => [d.document_name, d.hits])).toEqual(matching.map((i) => [`article ${String(i).padStart(2, '0')}`, STRIKES[i]]));
      expect(page.by_document.items.reduce((a, d) => a + d.hits, 0)).toBe(page.total_hits);

      // A document's first_index is its first hit's place among all hits: the page that holds it lists it there.
      const late = page.by_document.items.at(-1)!;
      const its = await t.call('search.hits', { query: 'strike', pageSize: 10, page: Math.floor(late.first_index / 10) + 1, documentsLimit: 0 });
      expect(its.hits.find((h) => h.index === late.first_index)?.document_id).toBe(late.document_id);
      expect(its.by_document.items).toEqual([]);

      // Windows of 5, most hits first: together they are every matching document once.
      const seen: Array<[string, number]> = [];
      for (let offset = 0; offset < page.total_documents; offset += 5) {
        const w = await t.call('search.hits', { query: 'strike', pageSize: 1, documentsOffset: offset, documentsLimit: 5, documentsOrder: 'hits' });
        expect(w.by_document.offset).toBe(offset);
        seen.push(...w.by_document.items.map((d) => [d.document_name, d.hits] as [string, number]));
      }
      const byHits = [...matching].sort((a, b) => STRIKES[b]! - STRIKES[a]! || a - b);
      expect(seen).toEqual(byHits.map((i) => [`article ${String(i).padStart(2, '0')}`, STRIKES[i]]));

      // A regular expression (read from the texts, not the index) answers the same counts.
      const regex = await t.call('search.hits', { query: 'strike', regex: true, pageSize: 3, documentsOrder: 'hits', documentsLimit: 4 });
      expect(regex.by_document.items.map((d) => [d.document_name, d.hits])).toEqual(seen.slice(0, 4));
      await expect(t.call('search.hits', { query: 'strike', documentsLimit: 1001 })).rejects.toThrow(/documentsLimit/);
    } finally {
      await t.close();
    }
  });

  it('a NEAR hit counts once per window, in the totals and per document', async () => {
    const t = await openTestProject();
    try {
      await t.project.db.transaction((tx) =>
        addDocuments(tx, [
          { name: 'two places', text: 'A strike on Kyiv at dawn. Later, Kyiv after another strike.', importedBy: null },
          { name: 'too far', text: 'A strike, and many many many many words later, Kyiv.', importedBy: null },
        ]),
      );
      const r = await t.call('search.hits', { query: 'strike NEAR/2 Kyiv' });
      expect(r.hits.map((h) => h.hit)).toEqual(['strike on Kyiv', 'Kyiv after another strike']);
      expect(r.total_hits).toBe(2);
      expect(r.by_document.items.map((d) => [d.document_name, d.hits])).toEqual([['two places', 2]]);
      // The viewer's next/previous steps over the same two spans.
      const doc = r.by_document.items[0]!.document_id;
      expect(await t.call('search.documentHits', { query: 'strike NEAR/2 Kyiv', documentId: doc })).toEqual(r.hits.map((h) => ({ start: h.start, end: h.end })));
    } finally {
      await t.close();
    }
  });
});
