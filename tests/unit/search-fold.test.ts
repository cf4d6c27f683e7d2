import { describe, expect, it } from 'vitest';
import { openTestProject } from '../helpers/project';
import { addDocuments } from '../../main/core/documents/documents';
import { foldWord, WORD_CHAR } from '../../main/core/search/query';
import { indexTermsOf } from '../helpers/fts-terms';

/**
 * Words that differ by a letter the search index does not fold: Russian мой/мои (й is not и to
 * unicode61), Ukrainian Київ/Киів (ї, і), ёлка/елка, Greek with and without its tonos, Hebrew
 * with and without points; and Latin café/cafe, which the index folds together ("accents
 * optional"). The index picks the documents and counts the hits, the matcher lists them: for
 * each query the two must agree, with each other and with FTS5 itself.
 */
const DOCS = [
  { name: 'ru', text: 'мой дом и мои книги' },
  { name: 'ua', text: 'Київ, не Киів' },
  { name: 'yo', text: 'ёлка или елка' },
  { name: 'el', text: 'Άλφα άλφα αλφα' },
  { name: 'he', text: 'שָׁלוֹם שלום' },
  { name: 'fr', text: 'café, Cafe, CAFÉ' },
  { name: 'dec', text: 'un cafe\u0301 noir' },
];

/** Each query and the hits it must list, [document, hit], in document order. */
const CASES: Array<[string, Array<[string, string]>]> = [
  ['мои', [['ru', 'мои']]],
  ['мой', [['ru', 'мой']]],
  // й typed decomposed (и + U+0306) is still й, as documents are composed on import.
  ['мои\u0306', [['ru', 'мой']]],
  ['мо*', [['ru', 'мой'], ['ru', 'мои']]],
  ['Київ', [['ua', 'Київ']]],
  ['киів', [['ua', 'Киів']]],
  ['ёлка', [['yo', 'ёлка']]],
  ['ЕЛКА', [['yo', 'елка']]],
  ['ΆΛΦΑ', [['el', 'Άλφα'], ['el', 'άλφα']]],
  ['αλφα', [['el', 'αλφα']]],
  ['שלום', [['he', 'שלום']]],
  ['שָׁלוֹם', [['he', 'שָׁלוֹם']]],
  ['cafe', [['fr', 'café'], ['fr', 'Cafe'], ['fr', 'CAFÉ'], ['dec', 'café']]],
  ['café', [['fr', 'café'], ['fr', 'Cafe'], ['fr', 'CAFÉ'], ['dec', 'café']]],
  ['cafe\u0301', [['fr', 'café'], ['fr', 'Cafe'], ['fr', 'CAFÉ'], ['dec', 'café']]],
];

/** The text between two code-point offsets, as the API counts them. */
const cp = (text: string, start: number, end: number) => [...text].slice(start, end).join('');

describe('search folds words as its index does', () => {
  it('lists, highlights and counts the same hits as FTS5 matches, for letters the index tells apart and accents it drops', async () => {
    const t = await openTestProject();
    try {
      await t.project.db.transaction((tx) => addDocuments(tx, DOCS.map((d) => ({ ...d, importedBy: null }))));
      const docs = await t.call('documents.list', {});
      const nameOf = new Map(docs.map((d) => [d.id, d.name]));
      const textOf = new Map(DOCS.map((d) => [d.name, d.text.normalize('NFC')]));
      for (const [query, want] of CASES) {
        const page = await t.call('search.hits', { query, pageSize: 50 });
        expect(page.hits.map((h) => [h.document_name, h.hit]), query).toEqual(want);
        const wantDocs = [...new Set(want.map(([d]) => d))];
        expect([page.total_documents, page.total_hits], query).toEqual([wantDocs.length, want.length]);
        const first = await t.call('search.first', { query, pageSize: 50 });
        expect([first.total_documents, first.total_hits], query).toEqual([wantDocs.length, want.length]);
        // FTS5 itself finds those documents and no other.
        const fts = query.endsWith('*') ? `text : "${query.slice(0, -1)}"*` : `text : "${query}"`;
        const matched = await t.project.db.read((r) =>
          r.all<{ id: string }>(`SELECT d.id FROM documents_fts JOIN documents d ON d.rowid = documents_fts.rowid WHERE documents_fts MATCH ? ORDER BY d.sort_order`, [fts]),
        );
        expect(matched.map((m) => nameOf.get(m.id)), query).toEqual(wantDocs);
        // The viewer highlights the same words.
        for (const d of docs) {
          const spans = await t.call('search.documentHits', { query, documentId: d.id });
          const text = textOf.get(d.name)!;
          expect(spans.map((h) => cp(text, h.start, h.end)), `${query} in ${d.name}`).toEqual(want.filter(([n]) => n === d.name).map(([, hit]) => hit));
        }
      }
    } finally {
      await t.close();
    }
  });
});

describe('foldWord', () => {
  it('folds every word character as the index does (regenerate with scripts/fts-separators.mjs when this fails)', async () => {
    // Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic, Devanagari, the combining marks, Latin
    // Extended Additional, Greek Extended, letterlike symbols, Cyrillic Extended, Hangul Jamo,
    // a CJK sample, fullwidth forms, Deseret (the one astral script that folds) and more astral letters.
    const ranges = [[0x80, 0x24ff], [0x2c00, 0x2e7f], [0xa640, 0xa7ff], [0xab30, 0xab6f], [0x4e00, 0x4fff], [0xfb00, 0xfb4f], [0xff00, 0xffef], [0x10400, 0x104ff], [0x1d400, 0x1d7ff], [0x1e900, 0x1e95f]];
    const codePoints = ranges
      .flatMap(([a, b]) => Array.from({ length: b! - a! + 1 }, (_, i) => a! + i))
      .filter((c) => (c < 0xd800 || c > 0xdfff) && WORD_CHAR.test(String.fromCodePoint(c)));
    // A character alone, after a capital and before a mark: "Q<c>\u0301q" is one word of the index.
    const sequences = [...codePoints.map((c) => `Q${String.fromCodePoint(c)}\u0301q`), 'и\u0306', 'е\u0308', 'і\u0308', 'α\u0301', 'ש\u05C1\u05B8', 'ΟΔΟΣ', 'Straße', 'İstanbul', 'ǅemal'];
    const terms = await indexTermsOf(sequences);
    // Each sequence is one word of the index, and foldWord makes that word.
    const differ = sequences.flatMap((s, k) => {
      const indexed = terms[k]!;
      return indexed.length === 1 && indexed[0] === foldWord(s) ? [] : [`${JSON.stringify(s)}: index ${JSON.stringify(indexed)}, foldWord ${JSON.stringify(foldWord(s))}`];
    });
    expect(differ).toEqual([]);
  });
});
