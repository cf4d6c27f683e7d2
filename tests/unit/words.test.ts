import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { foldToken, tokenise, words } from '../../main/core/analysis/tokenise';
import { DEFAULT_STOPWORDS } from '../../main/core/analysis/stopwords';
import { openTestProject } from '../helpers/project';
import { Project } from '../../main/core/project/project';
import { Session } from '../../main/api/session';
import { dispatch } from '../../main/api/dispatch';
import { runCli } from '../helpers/cli';
import { CORPUS, storiesCsv } from '../helpers/wire-stories';

const file = (name: string, text: string | Buffer) => ({ name, dataBase64: Buffer.from(text).toString('base64') });

describe('tokeniser', () => {
  it('splits English with contractions and numbers kept whole, punctuation dropped', () => {
    expect(tokenise("Don't panic: 3.5 km of Kyiv's centre, they said.")).toEqual(["don't", 'panic', null, '3.5', 'km', 'of', "kyiv's", 'centre', 'they', 'said', null]);
  });
  it('splits Russian and Ukrainian, folding the four ways of writing an apostrophe into one', () => {
    expect(tokenise('Мирные жители погибли в Константиновке.')).toEqual(['мирные', 'жители', 'погибли', 'в', 'константиновке', null]);
    const forms = ["м'ята", 'м’ята', 'мʼята'].map((w) => tokenise(`Свіжа ${w} у Мар’їнці`));
    expect(forms[0]).toEqual(['свіжа', "м'ята", 'у', "мар'їнці"]);
    expect(forms[1]).toEqual(forms[0]);
    expect(forms[2]).toEqual(forms[0]);
  });
  it('keeps emoji (with skin tone) as tokens of their own', () => {
    expect(tokenise('Слава 🇺🇦 героям 👍🏽!')).toEqual(['слава', '🇺🇦', 'героям', '👍🏽', null]);
  });
  it('finds the same words as Intl.Segmenter (UAX #29) on English, Russian, Ukrainian and the sample corpus', () => {
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });
    const texts = [
      "Don't panic: 3.5 km, 1,000 people; the U.S. and Kyiv's mayor — it's 10:30.",
      'Мирні жителі загинули в Костянтинівці: м’ята, мʼята і м\'ята. Ещё 12,5 тыс. человек!',
      ...readdirSync(CORPUS).filter((f) => f.endsWith('.txt')).map((f) => readFileSync(join(CORPUS, f), 'utf8')),
    ];
    for (const text of texts) {
      const reference = [...segmenter.segment(text)].filter((x) => x.isWordLike).map((x) => foldToken(x.segment));
      expect(words(text)).toEqual(reference);
    }
  });
  it('treats CRLF and LF alike, and a line break ends a phrase', () => {
    expect(tokenise('first line\r\nsecond line')).toEqual(tokenise('first line\nsecond line'));
    expect(tokenise('first line\r\nsecond line')).toEqual(['first', 'line', null, 'second', 'line']);
    expect(foldToken('ÉCOLE')).toBe('école');
  });
});

/** A deterministic corpus of short texts over a small mixed vocabulary, with sentence ends. */
function generatedCorpus(seed: number, docs: number): string[] {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const vocab = ['the', 'of', 'missile', 'strike', 'market', 'ракета', 'удар', 'і', 'в', 'рынок', 'killed', 'civilians', 'и', 'Kostiantynivka', 'said'];
  return Array.from({ length: docs }, () => {
    const sentences = 1 + Math.floor(rand() * 4);
    return Array.from({ length: sentences }, () => Array.from({ length: 2 + Math.floor(rand() * 9) }, () => vocab[Math.floor(rand() * vocab.length)]).join(' ') + '.').join(' ');
  });
}

/** Counting by hand: split on spaces, sentences on '.', the stop rule applied to a phrase's ends. */
function bruteForce(texts: string[], n: number, stop: Set<string>): Map<string, { count: number; documents: number }> {
  const out = new Map<string, { count: number; documents: number }>();
  for (const text of texts) {
    const seen = new Set<string>();
    for (const sentence of text.split('.')) {
      const w = sentence.trim().split(/\s+/).filter(Boolean).map((x) => x.toLowerCase());
      for (let i = 0; i + n <= w.length; i++) {
        const gram = w.slice(i, i + n);
        if (stop.has(gram[0]!) || stop.has(gram[n - 1]!)) continue;
        const key = gram.join(' ');
        const t = out.get(key) ?? { count: 0, documents: 0 };
        t.count++;
        if (!seen.has(key)) {
          seen.add(key);
          t.documents++;
        }
        out.set(key, t);
      }
    }
  }
  return out;
}

describe('word frequencies', () => {
  it('count every word and phrase (1–3 words) exactly as a brute-force count over a generated corpus, with and without stop words', async () => {
    const t = await openTestProject();
    try {
      const texts = generatedCorpus(7, 150);
      await t.call('import.files', { files: texts.map((x, i) => file(`doc${String(i).padStart(3, '0')}.txt`, x)), keepDuplicates: true });
      const stop = new Set([...DEFAULT_STOPWORDS.en, ...DEFAULT_STOPWORDS.ru, ...DEFAULT_STOPWORDS.uk]);
      for (const n of [1, 2, 3] as const) {
        for (const stopwords of [true, false]) {
          const expected = bruteForce(texts, n, stopwords ? stop : new Set());
          const got = await t.call('words.frequency', { n, top: 100_000, stopwords });
          expect(got.documents).toBe(150);
          expect(got.words.length).toBe(expected.size);
          for (const w of got.words) expect({ term: w.term, ...expected.get(w.term) }).toEqual(w);
          // Most frequent first, ties by documents then alphabetically.
          const sorted = [...got.words].sort((a, b) => b.count - a.count || b.documents - a.documents || (a.term < b.term ? -1 : 1));
          expect(got.words).toEqual(sorted);
        }
      }
      const top3 = await t.call('words.frequency', { n: 1, top: 3, stopwords: true });
      expect(top3.words).toEqual((await t.call('words.frequency', { n: 1, top: 100, stopwords: true })).words.slice(0, 3));
      expect(top3.lemmas).toBe('not available');
    } finally {
      await t.close();
    }
  });

  it('count the documents of one attribute value or document set only, and name the attributes when asked for one the project lacks', async () => {
    const t = await openTestProject();
    try {
      const csv = storiesCsv([
        { headline: 'a', outlet: 'RT', text: 'Missile strike on the market. Missile strike again.' },
        { headline: 'b', outlet: 'BBC', text: 'Missile defence worked.' },
        { headline: 'c', outlet: 'RT', text: 'A market in ruins.' },
      ]);
      await t.call('import.files', { files: [file('articles.csv', csv)] });
      const rt = await t.call('words.frequency', { n: 1, top: 10, stopwords: true, where: { attribute: 'outlet', value: 'RT' } });
      expect(rt.documents).toBe(2);
      expect(rt.words.slice(0, 3)).toEqual([
        { term: 'market', count: 2, documents: 2 },
        { term: 'missile', count: 2, documents: 1 },
        { term: 'strike', count: 2, documents: 1 },
      ]);
      expect(rt.words.some((w) => w.term === 'defence')).toBe(false);
      // A document set, alone and with the attribute value.
      const docs = await t.call('documents.list', {});
      const ids = docs.filter((d) => d.name !== 'a').map((d) => d.id);
      await t.call('sets.create', { name: 'Chosen', documentIds: ids });
      const inSet = await t.call('words.frequency', { n: 1, top: 10, stopwords: true, set: 'Chosen' });
      expect(inSet.documents).toBe(2);
      expect(inSet.words.map((w) => w.term)).toEqual(['defence', 'market', 'missile', 'ruins', 'worked']);
      const both = await t.call('words.frequency', { n: 1, top: 10, stopwords: true, set: 'Chosen', where: { attribute: 'outlet', value: 'RT' } });
      expect(both.words.map((w) => w.term)).toEqual(['market', 'ruins']);
      const noSet = await t.callRaw('words.frequency', { set: 'Missing' });
      expect(noSet.ok).toBe(false);
      if (!noSet.ok) expect(noSet.error.message).toContain('No document set "Missing"');
      const bigrams = await t.call('words.frequency', { n: 2, top: 10, stopwords: true, where: { attribute: 'outlet', value: 'RT' } });
      expect(bigrams.words[0]).toEqual({ term: 'missile strike', count: 2, documents: 1 });
      const bad = await t.callRaw('words.frequency', { where: { attribute: 'publisher', value: 'RT' } });
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.error.message).toMatch(/no attribute "publisher".*outlet/);
    } finally {
      await t.close();
    }
  });

  it('stop lists are editable per project and kept in the project file', async () => {
    const t = await openTestProject();
    try {
      await t.call('import.files', { files: [file('a.txt', 'Russia said the strike was a provocation. Russia said so twice.')] });
      const before = await t.call('words.frequency', { n: 1, top: 10, stopwords: true });
      expect(before.words.map((w) => w.term)).toEqual(['russia', 'provocation', 'strike', 'twice']);
      const shipped = await t.call('words.stopwords', { language: 'en' });
      expect(shipped.edited).toBe(false);
      expect(shipped.words).toContain('said');
      await t.call('words.setStopwords', { language: 'en', words: [...shipped.words.filter((w) => w !== 'said'), 'Russia'] });
      await t.project.close();
      // Reopened from the file: the edited list is still there.
      const project = await Project.open(t.path);
      const session = new Session(project, 'tester');
      const call = async (method: string, input: unknown) => {
        const r = await dispatch({ session }, method, input);
        if (!r.ok) throw new Error(r.error.message);
        return r.value as never;
      };
      const edited = (await call('words.stopwords', { language: 'en' })) as { edited: boolean; words: string[] };
      expect(edited.edited).toBe(true);
      expect(edited.words).toContain('russia');
      expect(edited.words).not.toContain('said');
      const after = (await call('words.frequency', { n: 1, top: 10 })) as { words: { term: string; count: number }[] };
      expect(after.words.map((w) => w.term)).toEqual(['said', 'provocation', 'strike', 'twice']);
      await call('words.setStopwords', { language: 'en', words: null });
      expect(((await call('words.stopwords', { language: 'en' })) as { edited: boolean }).edited).toBe(false);
      await session.setProject(null);
      await project.close();
    } finally {
      await t.close();
    }
  });

  it('exports CSV through the export writer (formula-safe) and the command line prints, exports and filters the same counts', async () => {
    const t = await openTestProject();
    try {
      const csv = storiesCsv([
        { headline: 'a', outlet: 'RT', text: '=cmd missile strike. Missile strike on the market.' },
        { headline: 'b', outlet: 'BBC', text: 'Missile defence.' },
      ]);
      await t.call('import.files', { files: [file('articles.csv', csv)] });
      const out = await t.call('words.csv', { n: 2, top: 10, stopwords: true });
      const text = t.download(out).toString('utf8');
      expect(out.fileName).toBe('phrases-2.csv');
      expect(text.split('\r\n')[0]).toBe('phrase,count,documents,per_10000_words');
      expect(text).toContain('missile strike,2,1,');
      await t.call('sets.create', { name: 'BBC only', where: ['outlet=BBC'] });
      await t.project.close();
      const inSet = await runCli('words', t.path, '--set', 'BBC only');
      expect(inSet.out).toMatch(/^1 document, 2 words in set BBC only;/);
      expect(inSet.out).toMatch(/defence\s+1\s+1/);
      const table = await runCli('words', t.path, '--where', 'outlet=RT', '--top', '2');
      expect(table.code).toBe(0);
      expect(table.out).toMatch(/^1 document, 8 words \(outlet = RT\)/);
      expect(table.out).toMatch(/missile\s+2\s+1/);
      const json = await runCli('words', t.path, '--n', '2', '--json');
      expect(JSON.parse(json.out).words[0]).toEqual({ term: 'missile strike', count: 2, documents: 1 });
      const csvOut = await runCli('words', t.path, '--n', '1', '--csv', '--all-words');
      // 10 words in all: "cmd" (the = is punctuation) is 1,000 per 10,000.
      expect(csvOut.out.split('\n')).toContain('cmd,1,1,1000');
      const bad = await runCli('words', t.path, '--n', '4');
      expect(bad.code).toBe(2);
      expect(bad.err).toContain('--n must be 1, 2 or 3');
    } finally {
      await t.close();
    }
  });
});
