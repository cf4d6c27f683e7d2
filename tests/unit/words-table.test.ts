import { describe, expect, it } from 'vitest';
import { openTestProject } from '../helpers/project';
import { phrasesByHand } from '../helpers/phrases-by-hand';
import { wordFrequencies } from '../../main/core/analysis/words';

const file = (name: string, text: string) => ({ name, dataBase64: Buffer.from(text).toString('base64') });

/** Texts over a made-up vocabulary of 5,000 words (sentences ending in '.'): hundreds of thousands of distinct three-word phrases. */
function texts(seed: number, docs: number, wordsPerDoc: number): string[] {
  let s = seed;
  const rand = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const vocab = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}x`);
  return Array.from({ length: docs }, () => {
    const out: string[] = [];
    for (let i = 0; i < wordsPerDoc; i++) out.push(vocab[Math.floor(rand() ** 3 * vocab.length)]! + (rand() < 0.08 ? '.' : ''));
    return out.join(' ') + '.';
  });
}

/** Phrases of n words counted by hand, never across a full stop, ranked as the list ranks them. */
function byHand(all: string[], n: number): Array<{ term: string; count: number; documents: number }> {
  return [...phrasesByHand(all, n)].map(([term, x]) => ({ term, ...x })).sort((a, b) => b.count - a.count || b.documents - a.documents || (a.term < b.term ? -1 : 1));
}

describe('the phrase table', () => {
  it('grows and then drops rare phrases in place, and the list is still every exact count, or the exact top', async () => {
    const t = await openTestProject();
    try {
      const all = texts(7, 400, 500);
      await t.call('import.files', { files: all.map((x, i) => file(`d${String(i).padStart(3, '0')}.txt`, x)), keepDuplicates: true });
      for (const n of [2, 3] as const) {
        const expected = byHand(all, n);
        // Room for them all: the table grows from 65,536 slots, moving its entries within its own arrays each time.
        expect(expected.length).toBeGreaterThan(1 << 17);
        const whole = await wordFrequencies(t.project.db, { n, top: 10_000_000, stopwords: false });
        expect(whole.distinct).toBe(expected.length);
        expect(whole.undercountAtMost).toBe(0);
        expect(whole.words).toEqual(expected);
        // Room for fewer: it grows to 131,072 slots, then drops rare phrases in place; the
        // phrases that can rank are counted again, so the top is exact.
        const squeezed = await wordFrequencies(t.project.db, { n, top: 30, stopwords: false }, { maxSlots: 1 << 17 });
        expect(squeezed.distinct).toBeLessThan(expected.length);
        expect(squeezed.distinct).toBeGreaterThan(1 << 16);
        expect(squeezed.undercountAtMost).toBe(0);
        expect(squeezed.words).toEqual(expected.slice(0, 30));
      }
    } finally {
      await t.close();
    }
  });
});
