import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import fc from 'fast-check';
import { Sqlite } from '../../main/core/db/sqlite';
import { MarginaliaError } from '../../main/core/errors';
import { countMatches, indexTerms, matchDocument, parseQuery, parseRegex, queryWords, termKey, toFts, wordsOf } from '../../main/core/search/query';
import { foldByFts } from '../../main/core/search/search';
import { FTS_TOKENIZE_SQL } from '../../main/core/search/tokenizer';
import { Reader } from '../../main/core/db/project-db';

/** An FTS5 table made exactly as the project's documents_fts, in memory. */
let db: Sqlite;
beforeAll(async () => {
  db = await Sqlite.open(':memory:');
  await db.exec(`CREATE VIRTUAL TABLE t USING fts5(name, text, ${FTS_TOKENIZE_SQL})`);
  await db.exec(`CREATE VIRTUAL TABLE temp.tv USING fts5vocab(main, 't', 'instance')`);
});
afterAll(() => db.close());

async function ftsMatches(text: string, fts: string): Promise<boolean> {
  await db.run(`DELETE FROM t`);
  await db.run(`INSERT INTO t (rowid, name, text) VALUES (1, '', ?)`, [text]);
  return (await db.all(`SELECT rowid FROM t WHERE t MATCH ?`, [fts])).length > 0;
}

function errorOf(query: string): string {
  try {
    parseQuery(query);
  } catch (e) {
    expect(e).toBeInstanceOf(MarginaliaError);
    return (e as Error).message;
  }
  throw new Error(`"${query}" parsed`);
}

describe('search syntax', () => {
  it('reads operators in capitals and words otherwise', () => {
    expect(parseQuery('Russia OR Ukraine').kind).toBe('or');
    expect(parseQuery('Russia or Ukraine')).toMatchObject({ kind: 'and', children: [{ tokens: ['Russia'] }, { tokens: ['or'] }, { tokens: ['Ukraine'] }] });
    expect(parseQuery('Russia -Blinken')).toMatchObject({ kind: 'and', children: [{ kind: 'phrase' }, { kind: 'not', child: { tokens: ['Blinken'] } }] });
    expect(parseQuery('"false flag"')).toMatchObject({ kind: 'phrase', tokens: ['false', 'flag'], prefix: false });
    expect(parseQuery('strik*')).toMatchObject({ kind: 'phrase', tokens: ['strik'], prefix: true });
    expect(parseQuery('strike NEAR/5 Kyiv')).toMatchObject({ kind: 'near', distance: 5 });
    expect(parseQuery('pro-Russian')).toMatchObject({ kind: 'phrase', tokens: ['pro', 'Russian'] });
  });

  it('explains what is wrong and how to write it', () => {
    expect(errorOf('"false flag')).toMatch(/quote at character 1 is not closed/);
    expect(errorOf('Russia OR')).toMatch(/OR at character 8 needs a word after it/);
    expect(errorOf('-Blinken')).toMatch(/only excluded words.*Russia -Blinken/);
    expect(errorOf('Russia OR -Blinken')).toMatch(/each side of OR needs a word/);
    expect(errorOf('(Russia')).toMatch(/\( at character 1 is not closed/);
    expect(errorOf('Russia)')).toMatch(/\) at character 7 has no \(/);
    expect(errorOf('strike NEAR/x Kyiv')).toMatch(/NEAR\/ followed by a number/);
    expect(errorOf('(a OR b) NEAR/3 c')).toMatch(/NEAR .* joins words/);
    expect(errorOf('!!!')).toMatch(/no letters or digits.*regular-expression mode/);
    expect(errorOf('')).toMatch(/type a word/);
    expect(() => parseRegex('(')).toThrow(/regular expression is not valid/);
  });

  it('any typed string either parses into a query SQLite runs, or gives a worded error', async () => {
    const pieces = ['Russia', 'ukraine', 'strik*', '"false flag"', '"', '(', ')', 'AND', 'OR', 'NOT', '-', '-x', 'NEAR', 'NEAR/2', 'NEAR/', '*', ':', '^', '{', '}', "'", 'é', '😀', '+', ',', 'text:', 'NEAR(', '\\'];
    const typed = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.array(fc.constantFrom(...pieces), { maxLength: 8 }).map((p) => p.join(' ')),
      fc.array(fc.constantFrom(...pieces), { maxLength: 8 }).map((p) => p.join('')),
    );
    await fc.assert(
      fc.asyncProperty(typed, async (q) => {
        let fts: string;
        try {
          fts = toFts(parseQuery(q));
        } catch (e) {
          expect(e).toBeInstanceOf(MarginaliaError);
          expect((e as MarginaliaError).code).toBe('invalid_input');
          expect((e as Error).message).toMatch(/^query: .{10,}/);
          return;
        }
        await expect(ftsMatches('Russia strikes Ukraine', fts)).resolves.toBeTypeOf('boolean');
      }),
      { numRuns: 400 },
    );
  });

  it('a document matches in the app exactly when FTS5 says it matches', async () => {
    const vocabulary = ['russia', 'Russia', 'RUSSIAN', 'ukraine', 'strike', 'strikes', 'café', 'cafe', 'Kyiv', 'київ', 'Київ', 'flag', 'false', 'a', '😀', 'x²', 'don\u0301t', 'Kyiv🙂', '🤔🏽', '❤️', 'strike1️⃣', 'हिन्दी', 'भाषा'];
    const doc = fc.array(fc.constantFrom(...vocabulary), { minLength: 0, maxLength: 14 }).chain((words) =>
      fc.array(fc.constantFrom(' ', ', ', '. ', '\n', ' — ', '"', '🫡', ' 🇺🇦 '), { minLength: words.length, maxLength: words.length }).map((seps) => words.map((w, i) => w + seps[i]).join('')),
    );
    const term = fc.constantFrom('russia', 'russ*', 'ukraine', 'strike', 'strik*', 'cafe', 'café', 'kyiv', 'київ', 'flag', '"false flag"', '"russia ukraine"', '😀x', 'x²', 'हिन्दी', 'भाषा', 'strike1');
    const query = fc.oneof(
      term,
      fc.tuple(term, term).map(([a, b]) => `${a} ${b}`),
      fc.tuple(term, term).map(([a, b]) => `${a} OR ${b}`),
      fc.tuple(term, term).map(([a, b]) => `${a} -${b}`),
      fc.tuple(term, term, fc.integer({ min: 0, max: 4 })).map(([a, b, n]) => `${a} NEAR/${n} ${b}`),
      fc.tuple(term, term, term).map(([a, b, c]) => `(${a} OR ${b}) NOT ${c}`),
      fc.tuple(term, term, term, fc.integer({ min: 0, max: 3 })).map(([a, b, c, n]) => `${a} NEAR/${n} ${b} NEAR/${n} ${c}`),
    );
    await fc.assert(
      fc.asyncProperty(doc, query, async (text, q) => {
        let node;
        try {
          node = parseQuery(q);
        } catch {
          return; // e.g. "😀x": no word to search for; covered above
        }
        const spans = matchDocument(node, wordsOf(text));
        expect(spans !== null).toBe(await ftsMatches(text, toFts(node)));
        // Listing only the words the query could match (what a search does) finds the same hits.
        expect(matchDocument(node, wordsOf(text, new Map(), queryWords(node)))).toEqual(spans);
        // The count from the index's word positions (what a page of results totals) is the number of hits listed.
        const positions = new Map<string, number[]>();
        const terms = indexTerms(node);
        const folded = await foldByFts(new Reader(db), terms.map((t) => t.term));
        for (const t of terms) {
          const term = folded.get(t.term)!;
          const rows = await db.all<{ offset: number }>(
            `SELECT offset FROM tv WHERE ${t.prefix ? 'term >= ? AND term <= ?' : 'term = ?'} AND col = 'text' ORDER BY offset`,
            t.prefix ? [term, `${term}\u{10FFFF}`] : [term],
          );
          positions.set(termKey(t), rows.map((r) => r.offset));
        }
        expect(countMatches(node, (t) => positions.get(termKey(t)) ?? [])).toBe(spans ? spans.length : null);
      }),
      { numRuns: 600 },
    );
  });

  it('NEAR hits are windows: each place the words stand near each other once, never overlapping', () => {
    const text = 'strike on Kyiv. Calm. Kyiv after a strike strike, then Kyiv again; far away: strike.';
    const spans = (q: string) => (matchDocument(parseQuery(q), wordsOf(text)) ?? []).map((s) => text.slice(s.start, s.end));
    // "strike strike, then Kyiv": the window that ends first and is shortest, then the next one after it.
    expect(spans('strike NEAR/2 Kyiv')).toEqual(['strike on Kyiv', 'Kyiv after a strike', 'strike, then Kyiv']);
    expect(spans('Kyiv NEAR/2 strike')).toEqual(spans('strike NEAR/2 Kyiv'));
    expect(spans('strike NEAR/0 Kyiv')).toEqual([]);
    // Three words: one window holding all three.
    expect(spans('strike NEAR/3 on NEAR/3 calm')).toEqual(['strike on Kyiv. Calm']);
    // A phrase inside NEAR stays whole at the window's edge.
    expect(spans('"a strike" NEAR/1 Kyiv')).toEqual(['Kyiv after a strike']);
    expect(spans('"a strike" NEAR/0 Kyiv')).toEqual([]);
    expect(spans('"after a" NEAR/3 then')).toEqual(['after a strike strike, then']);
  });

  it('hits are the occurrences that make a document match, never excluded words', () => {
    const text = 'Russia struck. Ukraine answered. Blinken spoke of Russia.';
    const spans = (q: string) => (matchDocument(parseQuery(q), wordsOf(text)) ?? []).map((s) => text.slice(s.start, s.end));
    expect(spans('Russia OR Ukraine')).toEqual(['Russia', 'Ukraine', 'Russia']);
    expect(spans('Russia -Blinken')).toEqual([]);
    expect(matchDocument(parseQuery('Russia -Blinken'), wordsOf(text))).toBeNull();
    expect(spans('Russia -Putin')).toEqual(['Russia', 'Russia']);
    // A NEAR hit is one span from its first word to its last, whichever comes first in the text.
    expect(spans('struck NEAR/1 Ukraine')).toEqual(['struck. Ukraine']);
    expect(spans('Ukraine NEAR/1 struck')).toEqual(['struck. Ukraine']);
    expect(matchDocument(parseQuery('Russia NEAR/0 Ukraine'), wordsOf(text))).toBeNull();
    expect(spans('Russia NEAR/1 Ukraine')).toEqual(['Russia struck. Ukraine']);
    expect(spans('"spoke of russia"')).toEqual(['spoke of Russia']);
    expect(spans('(Putin Russia) OR Ukraine')).toEqual(['Ukraine']);
  });
});
