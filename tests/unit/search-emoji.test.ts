import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTestProject, tempDir } from '../helpers/project';
import { projectFileAtSchema } from '../helpers/old-schema';
import { addDocuments } from '../../main/core/documents/documents';
import { Project } from '../../main/core/project/project';
import { searchHits } from '../../main/core/search/search';
import { WORD_CHAR } from '../../main/core/search/query';
import { indexTermsOf } from '../helpers/fts-terms';

/**
 * Words next to emoji, as posts write them: glued to a newer emoji (🙂 U+1F642, 🤔, 🥲, 🫡), a
 * skin tone (🏽), a ZWJ family, a flag, a keycap, ❤️ with its presentation selector U+FE0F, a
 * subdivision flag made of tags. The search index's old tokenizer took the newer ones for
 * letters ("Kyiv🙂" one word), so a search for Kyiv found nothing. Emoji are punctuation to a
 * word search: each word is found with its highlight on the word alone; the emoji itself is no
 * word (the regular-expression mode finds it).
 */
const POST =
  'Shelling in Kyiv🙂 today… Donetsk🇺🇦 Kostiantynivka🤔🏽 and Kharkiv👨‍👩‍👧 again, Lviv🥲🏿 #️⃣Mariupol, ' +
  'Odesa❤️ Bakhmut🪖🫡 London🏴󠁧󠁢󠁥󠁮󠁧󠁿 Sumy🫱🏻‍🫲🏿 Izium';
const WORDS = ['Shelling', 'Kyiv', 'today', 'Donetsk', 'Kostiantynivka', 'Kharkiv', 'again', 'Lviv', 'Mariupol', 'Odesa', 'Bakhmut', 'London', 'Sumy', 'Izium'];

/** The text between two code-point offsets, as the API counts them. */
const cp = (text: string, start: number, end: number) => [...text].slice(start, end).join('');

describe('search next to emoji', () => {
  it('finds each word glued to an emoji, with the hit on the word alone, in the list, the totals and the viewer', async () => {
    const t = await openTestProject();
    try {
      await t.project.db.transaction((tx) =>
        addDocuments(tx, [
          { name: 'post', text: POST, importedBy: null },
          { name: 'other', text: 'Nothing to see here.', importedBy: null },
        ]),
      );
      const [post] = (await t.call('documents.list', {})).filter((d) => d.name === 'post');
      for (const word of WORDS) {
        const found = await t.call('search.hits', { query: word, pageSize: 10 });
        expect([found.total_documents, found.total_hits, found.hits.map((h) => h.hit)], word).toEqual([1, 1, [word]]);
        expect(cp(POST, found.hits[0]!.start, found.hits[0]!.end), word).toBe(word);
        const first = await t.call('search.first', { query: word, pageSize: 10 });
        expect([first.total_documents, first.total_hits], word).toEqual([1, 1]);
        const inViewer = await t.call('search.documentHits', { query: word, documentId: post!.id });
        expect(inViewer.map((h) => cp(POST, h.start, h.end)), word).toEqual([word]);
      }
      // An emoji parts words as a comma does: a phrase runs across it, a prefix stops at it.
      const phrase = await t.call('search.hits', { query: '"Kyiv today"', pageSize: 10 });
      expect(phrase.hits.map((h) => h.hit)).toEqual(['Kyiv🙂 today']);
      const near = await t.call('search.hits', { query: 'Odesa NEAR/0 Bakhmut', pageSize: 10 });
      expect(near.hits.map((h) => h.hit)).toEqual(['Odesa❤️ Bakhmut']);
      expect((await t.call('search.hits', { query: 'Kostiantynivk*', pageSize: 10 })).hits.map((h) => h.hit)).toEqual(['Kostiantynivka']);
    } finally {
      await t.close();
    }
  });

  it('takes an emoji between two words for no word: a phrase and NEAR/0 run across it, counted alike', async () => {
    const t = await openTestProject();
    try {
      await t.project.db.transaction((tx) => addDocuments(tx, [{ name: 'p', text: 'drone strike ❤️ Kyiv, strike 🫡 Kyiv, strike 🏽 Kyiv', importedBy: null }]));
      for (const query of ['"strike Kyiv"', 'strike NEAR/0 Kyiv']) {
        const page = await t.project.db.readLong((r) => searchHits(r, { query, pageSize: 10 }));
        expect([page.total_documents, page.total_hits, page.hits.map((h) => h.hit)], query).toEqual([1, 3, ['strike ❤️ Kyiv', 'strike 🫡 Kyiv', 'strike 🏽 Kyiv']]);
      }
    } finally {
      await t.close();
    }
  });

  it('says an emoji alone is no word to search for, and finds it as a regular expression', async () => {
    const t = await openTestProject();
    try {
      await t.project.db.transaction((tx) => addDocuments(tx, [{ name: 'post', text: POST, importedBy: null }]));
      await expect(t.call('search.hits', { query: '🙂' })).rejects.toThrow(/has no letters or digits to search for\. To find other characters, switch on the regular-expression mode/);
      const regex = await t.call('search.hits', { query: '🙂|🤔', regex: true, pageSize: 10 });
      expect(regex.hits.map((h) => h.hit)).toEqual(['🙂', '🤔']);
    } finally {
      await t.close();
    }
  });

  it('keeps words whole that are written with vowel signs (Devanagari), so NEAR counts them as one word', async () => {
    const t = await openTestProject();
    try {
      await t.project.db.transaction((tx) => addDocuments(tx, [{ name: 'hi', text: 'भाषा हिन्दी समाचार', importedBy: null }]));
      const near = await t.call('search.hits', { query: 'भाषा NEAR/1 समाचार', pageSize: 10 });
      expect(near.hits.map((h) => h.hit)).toEqual(['भाषा हिन्दी समाचार']);
      const word = await t.call('search.hits', { query: 'हिन्दी', pageSize: 10 });
      expect([word.total_hits, word.hits.map((h) => h.hit)]).toEqual([1, ['हिन्दी']]);
    } finally {
      await t.close();
    }
  });
});

describe('the search tokenizer', () => {
  it('splits every emoji, symbol and mark the way the matcher does (regenerate scripts/fts-separators.mjs when this fails)', async () => {
    // Emoji and symbol blocks, the marks emoji use, and a sample of letters and marks of many scripts.
    const ranges = [[0x80, 0x24ff], [0x2600, 0x2bff], [0x2e00, 0x2e7f], [0x3000, 0x303f], [0xa800, 0xa8ff], [0xfe00, 0xfe6f], [0x1f000, 0x1fbff], [0xe0000, 0xe01ef]];
    const codePoints = ranges.flatMap(([a, b]) => Array.from({ length: b! - a! + 1 }, (_, i) => a! + i)).filter((c) => c < 0xd800 || c > 0xdfff);
    // "q<c>q" is one word of the index exactly when c is inside a word.
    const terms = await indexTermsOf(codePoints.map((c) => `q${String.fromCodePoint(c)}q`));
    const assigned = /^(?:\P{Cn}|\p{Extended_Pictographic})$/u;
    const differ = codePoints.filter((c, i) => assigned.test(String.fromCodePoint(c)) && (terms[i]!.length === 1) !== WORD_CHAR.test(String.fromCodePoint(c)));
    expect(differ.map((c) => `U+${c.toString(16).toUpperCase()}`)).toEqual([]);
  });
});

describe('migration 14 (search-words)', () => {
  it('rebuilds the index of a schema-13 project so words next to emoji are found, and keeps it in step after', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const path = join(dir, 'v13.marginalia');
      const old = await projectFileAtSchema(path, 13);
      await old.exec(`INSERT INTO documents (id, name, text, text_sha256, length, imported_at, sort_order)
        VALUES ('d1', 'Post', 'Shelling in Kyiv🙂 today', 'x', 24, '2024-01-01T00:00:00Z', 1), ('d2', 'Reply', 'Donetsk🤔🏽 too', 'y', 14, '2024-01-01T00:00:00Z', 2)`);
      // What schema 13 did: the word glued to the emoji is not in the index.
      expect(await old.get(`SELECT count(*) AS n FROM documents_fts WHERE documents_fts MATCH 'Kyiv'`)).toEqual({ n: 0 });
      await old.close();

      const p = await Project.open(path);
      try {
        const words = async (query: string) => (await p.db.readLong((r) => searchHits(r, { query, pageSize: 10 }))).hits.map((h) => [h.document_name, h.hit]);
        expect(await words('Kyiv OR Donetsk')).toEqual([
          ['Post', 'Kyiv'],
          ['Reply', 'Donetsk'],
        ]);
        // The triggers of migration 1 write to the new table: an import, a rename and a removal.
        await p.db.transaction((tx) => addDocuments(tx, [{ name: 'Later🫡', text: 'Odesa🥲 tonight', importedBy: null }]));
        expect(await words('Odesa')).toEqual([['Later🫡', 'Odesa']]);
        await p.db.transaction((tx) => tx.run(`DELETE FROM documents WHERE id = 'd2'`));
        expect(await words('Donetsk')).toEqual([]);
        expect(await p.db.read((r) => r.get(`SELECT count(*) AS n FROM documents_fts WHERE documents_fts MATCH 'name : Later'`))).toEqual({ n: 1 });
        await p.db.transaction((tx) => tx.run(`INSERT INTO documents_fts (documents_fts) VALUES ('integrity-check')`));
      } finally {
        await p.close();
      }
    } finally {
      cleanup();
    }
  });
});
