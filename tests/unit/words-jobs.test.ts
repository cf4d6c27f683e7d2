import { describe, expect, it } from 'vitest';
import { openTestProject } from '../helpers/project';
import { phrasesByHand } from '../helpers/phrases-by-hand';
import { wordFrequencies, type WordFrequencies } from '../../main/core/analysis/words';
import { storiesCsv } from '../helpers/wire-stories';

const file = (name: string, text: string | Buffer) => ({ name, dataBase64: Buffer.from(text).toString('base64') });

/** Texts over a large made-up vocabulary (plain lower-case words, sentences ending in '.'), so that phrases run to many thousands. */
function manyWordTexts(seed: number, docs: number, wordsPerDoc: number): string[] {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const vocab = Array.from({ length: 3000 }, (_, i) => {
    let w = '';
    for (let k = 0; k < 3 + (i % 6); k++) w += letters[Math.floor(rand() * 26)];
    return `${w}${i}`;
  });
  return Array.from({ length: docs }, () => {
    const out: string[] = [];
    for (let i = 0; i < wordsPerDoc; i++) out.push(vocab[Math.floor(rand() ** 3 * vocab.length)]! + (rand() < 0.08 ? '.' : ''));
    return out.join(' ') + '.';
  });
}


async function finished(t: Awaited<ReturnType<typeof openTestProject>>, jobId: string) {
  for (;;) {
    const j = await t.call('words.progress', { jobId });
    if (j.finished) return j;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('word counts in the background', () => {
  it('count tens of thousands of distinct phrases exactly, report documents read only ever growing to all of them, and show lists so far marked partial', async () => {
    const t = await openTestProject();
    try {
      const texts = manyWordTexts(11, 250, 300);
      await t.call('import.files', { files: texts.map((x, i) => file(`d${String(i).padStart(3, '0')}.txt`, x)), keepDuplicates: true });
      for (const n of [2, 3] as const) {
        const expected = phrasesByHand(texts, n);
        const got = await wordFrequencies(t.project.db, { n, top: 1_000_000, stopwords: false });
        // More phrases than the counting table first holds: it grows (twice) on the way.
        expect(expected.size).toBeGreaterThan(60_000);
        expect(got.distinct).toBe(expected.size);
        expect(got.undercountAtMost).toBe(0);
        expect(got.partial).toBeUndefined();
        expect(new Map(got.words.map((w) => [w.term, { count: w.count, documents: w.documents }]))).toEqual(expected);
        const sorted = [...got.words].sort((a, b) => b.count - a.count || b.documents - a.documents || (a.term < b.term ? -1 : 1));
        expect(got.words.slice(0, 500)).toEqual(sorted.slice(0, 500));
      }
      // A table too small for them all: rare phrases are dropped on the way, and the ones that
      // rank are counted again exactly, so the list is still the exact top.
      for (const n of [2, 3] as const) {
        const expected = [...phrasesByHand(texts, n)]
          .map(([term, x]) => ({ term, ...x }))
          .sort((a, b) => b.count - a.count || b.documents - a.documents || (a.term < b.term ? -1 : 1));
        const squeezed = await wordFrequencies(t.project.db, { n, top: 20, stopwords: false }, { maxSlots: 1 << 16 });
        expect(squeezed.distinct).toBeLessThan(expected.length);
        expect(squeezed.undercountAtMost).toBe(0);
        expect(squeezed.words).toEqual(expected.slice(0, 20));
      }
      const progress: number[] = [];
      const partials: WordFrequencies[] = [];
      const all = await wordFrequencies(
        t.project.db,
        { n: 1, top: 10, stopwords: false },
        { onProgress: (p) => progress.push(p.done / p.total), onPartial: (r) => partials.push(r), partialEveryMs: 0 },
      );
      expect(progress.at(-1)).toBe(1);
      expect(progress.length).toBeGreaterThan(1);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      expect(partials.length).toBeGreaterThan(0);
      for (const p of partials) {
        expect(p.partial!.total).toBe(250);
        expect(p.partial!.done).toBeLessThan(250);
        expect(p.documents).toBe(p.partial!.done);
        expect(p.tokens).toBeLessThan(all.tokens);
      }
      // Through the API: the job's answer is the list words.frequency gives.
      const direct = await t.call('words.frequency', { n: 1, top: 50, stopwords: true });
      const job = await t.call('words.start', { n: 1, top: 50, stopwords: true });
      expect(job.finished).toBe(false);
      const done = await finished(t, job.jobId);
      expect(done.error).toBeNull();
      expect(done.cancelled).toBe(false);
      expect(done.result).toEqual(direct);
      expect(done.done).toBe(250);
      expect(done.total).toBe(250);
    } finally {
      await t.close();
    }
  });

  it('cancel stops a count at its next round: the job ends cancelled, without an answer, and an unknown job is named', async () => {
    const t = await openTestProject();
    try {
      await t.call('import.files', { files: manyWordTexts(3, 30, 50).map((x, i) => file(`d${i}.txt`, x)) });
      const job = await t.call('words.start', { n: 2, top: 10, stopwords: true });
      const cancelled = await t.call('words.cancel', { jobId: job.jobId });
      expect(cancelled.cancelled).toBe(true);
      const end = await finished(t, job.jobId);
      expect(end).toMatchObject({ cancelled: true, result: null, error: null });
      const unknown = await t.callRaw('words.progress', { jobId: '00000000-0000-4000-8000-000000000000' });
      expect(unknown.ok).toBe(false);
      if (!unknown.ok) expect(unknown.error.message).toMatch(/No word count with id/);
    } finally {
      await t.close();
    }
  });

  it('refuses a scope the project lacks when asked to start, and lists the attributes and values a scope is chosen from', async () => {
    const t = await openTestProject();
    try {
      const csv = storiesCsv([
        { headline: 'a', outlet: 'RT', text: 'Missile strike on the market.' },
        { headline: 'b', outlet: 'BBC', text: 'Missile defence worked.' },
        { headline: 'c', outlet: 'RT', text: 'A market in ruins.' },
      ]);
      await t.call('import.files', { files: [file('articles.csv', csv)] });
      const bad = await t.callRaw('words.start', { where: { attribute: 'publisher', value: 'RT' } });
      expect(bad.ok).toBe(false);
      if (!bad.ok) expect(bad.error.message).toMatch(/no attribute "publisher".*outlet/);
      const attrs = await t.call('words.attributes', {});
      expect(attrs.find((a) => a.name === 'outlet')?.values).toEqual(['BBC', 'RT']);
      const rt = await finished(t, (await t.call('words.start', { n: 1, top: 3, stopwords: true, where: { attribute: 'outlet', value: 'RT' } })).jobId);
      expect(rt.result?.documents).toBe(2);
      expect(rt.result?.words[0]).toEqual({ term: 'market', count: 2, documents: 2 });
    } finally {
      await t.close();
    }
  });
});
