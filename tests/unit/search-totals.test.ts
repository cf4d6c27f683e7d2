import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openTestProject } from '../helpers/project';
import { addDocuments } from '../../main/core/documents/documents';
import { firstHits, searchHits } from '../../main/core/search/search';

/**
 * A search's totals (documents, hits) and each document's count, against a count made here
 * from the texts alone: words split and folded in plain JavaScript, phrases and AND/OR/NOT
 * evaluated over them. The texts mix case, accents (composed and not), Cyrillic, emoji beside
 * words and CR, LF and CRLF line ends.
 */
const WORDS = ['Kyiv', 'KYIV', 'kyïv', 'strike', 'Strike', 'strikes', 'striking', 'Café', 'CAFÉ', 'Cafe\u0301', 'cafe', 'Москва', 'москва', 'the', 'drone'];
// Gaps between words, emoji among them: glued to a word or between two, with skin tones, ZWJ
// sequences, flags, a keycap and the presentation selector U+FE0F (emoji are no words).
const GAPS = [' ', ' ', ' ', '\r\n', '\r', '\n', ', ', ' — ', '.\r\n\r\n', '🙂 ', '🤔🏽, ', ' 👍🏽 ', '🇺🇦\r\n', ' ❤️ ', '👨‍👩‍👧 ', '🫡 ', ' #️⃣'];
const EMOJI = ['🙂', '🥲 ', '🇺🇦\r\n', ''];

const fold = (w: string) => w.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
// Words: letters, digits, marks, not the marks that belong to emoji (U+FE0E/FE0F, keycap U+20E3).
const tokens = (text: string) => (text.normalize('NFC').match(/(?:(?![\uFE0E\uFE0F\u20E3])[\p{L}\p{N}\p{Co}\p{M}])+/gu) ?? []).map(fold);

type TestProject = Awaited<ReturnType<typeof openTestProject>>;

type Q = { word: string; prefix?: boolean } | { phrase: [string, string] } | { and: Q[] } | { or: Q[] } | { without: [Q, string] };

function render(q: Q): string {
  if ('word' in q) return q.prefix ? `${q.word}*` : q.word;
  if ('phrase' in q) return `"${q.phrase.join(' ')}"`;
  if ('and' in q) return `(${q.and.map(render).join(' ')})`;
  if ('or' in q) return `(${q.or.map(render).join(' OR ')})`;
  return `(${render(q.without[0])} -${q.without[1]})`;
}

/** The hits of a query in a document's words, as distinct "first:last" word ranges; null when it does not match. */
function hitsIn(q: Q, words: string[]): Set<string> | null {
  if ('word' in q) {
    const w = fold(q.word);
    const at = words.flatMap((x, i) => ((q.prefix ? x.startsWith(w) : x === w) ? [`${i}:${i}`] : []));
    return at.length ? new Set(at) : null;
  }
  if ('phrase' in q) {
    const [a, b] = q.phrase.map(fold);
    const at = words.flatMap((x, i) => (x === a && words[i + 1] === b ? [`${i}:${i + 1}`] : []));
    return at.length ? new Set(at) : null;
  }
  if ('without' in q) return words.includes(fold(q.without[1])) ? null : hitsIn(q.without[0], words);
  const parts = ('and' in q ? q.and : q.or).map((c) => hitsIn(c, words));
  if ('and' in q && parts.some((p) => p === null)) return null;
  if ('or' in q && parts.every((p) => p === null)) return null;
  return new Set(parts.flatMap((p) => (p ? [...p] : [])));
}

const word = fc.constantFrom(...WORDS);
const simple: fc.Arbitrary<Q> = fc.oneof(
  word.map((w) => ({ word: w })),
  fc.constantFrom('strik', 'caf', 'ky').map((w) => ({ word: w, prefix: true })),
  fc.tuple(word, word).map(([a, b]) => ({ phrase: [a, b] as [string, string] })),
);
const query: fc.Arbitrary<Q> = fc.oneof(
  simple,
  fc.array(word.map((w) => ({ word: w }) as Q), { minLength: 2, maxLength: 4 }).map((or) => ({ or })),
  fc.array(simple, { minLength: 2, maxLength: 3 }).map((and) => ({ and })),
  fc.array(simple, { minLength: 2, maxLength: 3 }).map((or) => ({ or })),
  fc.tuple(simple, word).map(([q, w]) => ({ without: [q, w] as [Q, string] })),
);
const text = fc
  .tuple(fc.constantFrom(...EMOJI), fc.array(fc.tuple(word, fc.constantFrom(...GAPS)), { minLength: 0, maxLength: 30 }), fc.constantFrom(...EMOJI))
  .map(([open, parts, close]) => open + parts.map(([w, g]) => w + g).join('') + ' ' + close);

async function replaceDocuments(t: TestProject, texts: string[]): Promise<void> {
  await t.project.db.transaction(async (tx) => {
    await tx.run(`DELETE FROM documents`);
    // The number makes every text distinct (an identical text is not imported twice).
    await addDocuments(tx, texts.map((x, i) => ({ name: `d${String(i).padStart(4, '0')}`, text: `${x} n${i}`, importedBy: null })));
  });
}

/** Checks every total and per-document count the search gives for q against the count made from the texts. */
async function expectTotals(t: TestProject, texts: string[], q: Q): Promise<void> {
  const source = render(q);
  const perDocument = texts.map((x, i) => ({ name: `d${String(i).padStart(4, '0')}`, hits: hitsIn(q, tokens(x))?.size ?? 0 })).filter((d) => d.hits > 0);
  const hits = perDocument.reduce((a, d) => a + d.hits, 0);

  const first = await t.project.db.read((r) => firstHits(r, { query: source, pageSize: 5 }));
  expect(first.total_documents, `${source}: documents shown at once`).toBe(perDocument.length);
  if (first.total_hits !== null) expect(first.total_hits, `${source}: hits shown at once`).toBe(hits);

  // On the long-read connection, as the panel asks: the first window of counts, then one far into the list.
  const page = await t.project.db.readLong((r) => searchHits(r, { query: source, pageSize: 3, documentsLimit: 20 }));
  expect([page.total_documents, page.total_hits], source).toEqual([perDocument.length, hits]);
  expect(page.by_document.items.map((d) => [d.document_name, d.hits]), source).toEqual(perDocument.slice(0, 20).map((d) => [d.name, d.hits]));
  const far = Math.max(0, perDocument.length - 7);
  const late = await t.project.db.readLong((r) => searchHits(r, { query: source, pageSize: 3, page: Math.max(1, Math.ceil(hits / 3)), documentsOffset: far, documentsLimit: 10 }));
  expect(late.by_document.items.map((d) => [d.document_name, d.hits]), source).toEqual(perDocument.slice(far, far + 10).map((d) => [d.name, d.hits]));
  // The last page lists the last hits, numbered up to the total.
  if (hits > 0) expect(late.hits.at(-1)?.index, source).toBe(hits - 1);
  const byHits = await t.project.db.readLong((r) => searchHits(r, { query: source, pageSize: 1, documentsOrder: 'hits', documentsLimit: 5 }));
  expect(byHits.by_document.items.map((d) => d.hits), source).toEqual(perDocument.map((d) => d.hits).sort((a, b) => b - a).slice(0, 5));
}

describe('search totals', () => {
  it('equal a count made from the texts, for words, word*, phrases, AND, OR and NOT over accented, Cyrillic, emoji and CRLF texts', async () => {
    const t = await openTestProject();
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 40 }), fc.array(query, { minLength: 1, maxLength: 6 }), async (texts, queries) => {
          await replaceDocuments(t, texts);
          for (const q of queries) await expectTotals(t, texts, q);
        }),
        { numRuns: 40, seed: 20261203 },
      );
    } finally {
      await t.close();
    }
  });

  it('hold over hundreds of documents, where the documents are read in order a few at a time', async () => {
    const t = await openTestProject();
    try {
      const [texts] = fc.sample(fc.array(text, { minLength: 450, maxLength: 450 }), { numRuns: 1, seed: 13 });
      await replaceDocuments(t, texts!);
      for (const q of [{ word: 'kyiv' }, { word: 'strik', prefix: true }, { or: [{ word: 'Café' }, { word: 'москва' }] }, { and: [{ word: 'the' }, { phrase: ['drone', 'strike'] }] }, { without: [{ word: 'drone' }, 'Kyiv'] }] as Q[]) {
        await expectTotals(t, texts!, q);
      }
    } finally {
      await t.close();
    }
  });

  it('hold for a phrase found in a few documents whose words are in every one (counted from those texts, not the index)', async () => {
    const t = await openTestProject();
    try {
      // 400 documents hold both words apart, three hold the phrase: few candidates beside 1,600 instances.
      const texts = Array.from({ length: 403 }, (_, i) => (i % 150 === 7 ? `Kyiv: a drone strike, then DRONE\r\nstrike ` : `drone the strike, strike the drone${i % 2 ? ' Kyiv' : ''} `));
      await replaceDocuments(t, texts);
      for (const q of [{ phrase: ['drone', 'strike'] }, { and: [{ phrase: ['Drone', 'STRIKE'] }, { word: 'kyiv' }] }, { without: [{ phrase: ['drone', 'strike'] }, 'the'] }] as Q[]) {
        await expectTotals(t, texts, q);
      }
    } finally {
      await t.close();
    }
  });
});
