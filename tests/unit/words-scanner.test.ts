import { describe, expect, it } from 'vitest';
import { foldToken, tokenise, words } from '../../main/core/analysis/tokenise';

/*
 * The tokeniser's definition, as the regular expression it was first written as: the scanner
 * in tokenise.ts must find exactly these tokens.
 */
const W = '[\\p{L}\\p{M}\\p{N}_\\u02BC]';
const TOKEN = new RegExp(
  `${W}+(?:(?:['\u2019.\u00B7]|(?<=\\p{N}),(?=\\p{N}))${W}+)*` +
    `|\\p{Regional_Indicator}{2}|\\p{Extended_Pictographic}(?:\\p{Emoji_Modifier}|\\uFE0F|\\u200D\\p{Extended_Pictographic})*` +
    `|[.!?;:…\\n()"«»“”]`,
  'gu',
);
const PHRASE_BREAK = new Set(['.', '!', '?', ';', ':', '…', '\n', '(', ')', '"', '«', '»', '“', '”']);
const PICTOGRAPH = /^(?:\p{Extended_Pictographic}|\p{Regional_Indicator})/u;
const isPictograph = (t: string) => t.charCodeAt(0) >= 0x2000 && PICTOGRAPH.test(t);

function reference(text: string): (string | null)[] {
  const out: (string | null)[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const t = m[0];
    if (t.length === 1 && PHRASE_BREAK.has(t)) {
      if (out.length > 0 && out[out.length - 1] !== null) out.push(null);
    } else if (isPictograph(t)) out.push(t);
    else out.push(foldToken(t));
  }
  return out;
}

/** Pieces a text is made of: every class the scanner tells apart, and their neighbours. */
const PIECES = [
  'a', 'Z', 'é', 'e\u0301', 'ß', 'İ', 'Ж', 'ї', 'ґ', 'ё', 'й', '3', '٣', '½', '𝟏', '𝐀', '𠀀', '_', 'ʼ', "'", '’', '.', '·', ',', ';', ':', '!', '?', '…',
  '(', ')', '"', '«', '»', '“', '”', '\n', '\r', ' ', ' ', '\u00A0', '\t', '-', '–', '/', '#', '@', '©', '®', '™', 'ℹ', '‼', '☀', '☀\uFE0F',
  '👍', '🏽', '\u200D', '\uFE0F', '👩\u200D💻', '🇺', '🇦', '🇺🇦', '🏳\uFE0F\u200D🌈', '\uD83D', '\uDC4D', '中', 'ก', '١', '%', '$', '€',
];

function randomText(seed: number, length: number): string {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  let out = '';
  for (let i = 0; i < length; i++) out += PIECES[Math.floor(rand() * PIECES.length)];
  return out;
}

describe('the tokeniser’s scanner', () => {
  it('finds exactly the tokens of the regular expression that defines them, on random text of every script, emoji, flags, digits and punctuation', () => {
    for (let seed = 1; seed <= 3000; seed++) {
      const text = randomText(seed, 1 + (seed % 60));
      expect(tokenise(text), JSON.stringify(text)).toEqual(reference(text));
    }
  });

  it('agrees on ordinary prose in English, Russian and Ukrainian, with numbers, contractions and emoji', () => {
    const prose = [
      "Don't panic: 3.5 km of Kyiv's centre, 1,000 people (U.S. figures) — they said… «Хорошо!» 👍🏽",
      'Мирные жители погибли в Константиновке; 12,5 тыс. человек. “Слава 🇺🇦 героям”',
      'Свіжа м’ята у Мар’їнці: п\'ять 👩‍💻 і ©2024 ® ™ ℹ️ ‼️.',
    ];
    for (const text of prose) expect(tokenise(text)).toEqual(reference(text));
    expect(words(prose[2]!)).toEqual(reference(prose[2]!).filter((t): t is string => t !== null && !isPictograph(t)));
  });
});
