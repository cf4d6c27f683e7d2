import { sentences } from './tokenise';

/**
 * What one outlet changed in a wire story relative to another's version: sentences aligned by
 * a longest common subsequence, a changed sentence diffed word by word, and the changes a
 * media researcher looks for named (headline, added paragraphs, removed attributions).
 */

export interface DiffPart {
  text: string;
  change: 'same' | 'added' | 'removed';
}

export interface DiffBlock {
  /** same: in both; added: only in this version; removed: only in the first; changed: reworded (parts say how). */
  kind: 'same' | 'added' | 'removed' | 'changed';
  parts: DiffPart[];
  /** The sentence starts a paragraph (of this version; of the first for a removed one). */
  paragraphStart: boolean;
  /** A removed sentence, or a changed one that lost words, that said who said or reported something. */
  attributionRemoved: boolean;
}

export interface TextDiff {
  headline: { changed: boolean; parts: DiffPart[] };
  blocks: DiffBlock[];
  summary: {
    headlineChanged: boolean;
    sentencesAdded: number;
    sentencesRemoved: number;
    sentencesChanged: number;
    /** Paragraphs of this version none of whose sentences is in the first. */
    paragraphsAdded: number;
    /** Attributions (who said or reported it) the first has and this version dropped, as the first words them. */
    attributionsRemoved: string[];
  };
}

/** Words of attribution in English, Russian and Ukrainian news, and the agencies usually named. */
const ATTRIBUTION =
  /\b(?:said|says|told|according to|reported|reports|quoted|citing|cited|confirmed|stated)\b|\b(?:Reuters|Associated Press|AP|AFP|TASS|RIA|Interfax|Ukrinform|Bloomberg|BBC)\b|ТАСС|РИА|Интерфакс|Інтерфакс|Укрінформ|сказал|заявил|сообщил|по словам|по данным|переда[её]т|сказав|заявив|повідомив|повідомил|за словами|за даними|пишет|пише/iu;

export function isAttribution(text: string): boolean {
  return ATTRIBUTION.test(text);
}

interface Unit {
  text: string;
  key: string;
  paragraph: number;
  paragraphStart: boolean;
}

const norm = (s: string) => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

function units(text: string): Unit[] {
  const out: Unit[] = [];
  text.split(/\n+/).forEach((para, p) => {
    let first = true;
    for (const s of sentences(para)) {
      const t = s.trim();
      if (!t) continue;
      out.push({ text: t, key: norm(t), paragraph: p, paragraphStart: first });
      first = false;
    }
  });
  return out;
}

/** Index pairs of a longest common subsequence of a and b (by equality of `eq`). */
function lcs<T>(a: readonly T[], b: readonly T[], eq: (x: T, y: T) => boolean): [number, number][] {
  const n = a.length;
  const m = b.length;
  // Suffix lengths in one typed array: 200 sentences by 200 is 40,000 cells.
  const len = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => i * (m + 1) + j;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) len[at(i, j)] = eq(a[i]!, b[j]!) ? len[at(i + 1, j + 1)]! + 1 : Math.max(len[at(i + 1, j)]!, len[at(i, j + 1)]!);
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (eq(a[i]!, b[j]!)) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if (len[at(i + 1, j)]! >= len[at(i, j + 1)]!) i++;
    else j++;
  }
  return pairs;
}

/** Word-level diff of two short texts: words and the spaces after them, compared case-insensitively. */
export function diffWords(a: string, b: string): DiffPart[] {
  const tok = (s: string) => s.match(/\S+\s*/g) ?? [];
  const ta = tok(a);
  const tb = tok(b);
  const key = (t: string) => norm(t) || t.trim();
  const pairs = lcs(ta, tb, (x, y) => key(x) === key(y));
  const parts: DiffPart[] = [];
  const push = (text: string, change: DiffPart['change']) => {
    const last = parts[parts.length - 1];
    if (last && last.change === change) last.text += text;
    else parts.push({ text, change });
  };
  let i = 0;
  let j = 0;
  for (const [pi, pj] of [...pairs, [ta.length, tb.length] as [number, number]]) {
    while (i < pi) push(ta[i++]!, 'removed');
    while (j < pj) push(tb[j++]!, 'added');
    if (pi < ta.length) {
      push(tb[pj]!, 'same');
      i++;
      j++;
    }
  }
  return parts;
}

/** Share of words two sentences have in common (Dice coefficient): above 0.5 a sentence was reworded, not replaced. */
function overlap(a: Unit, b: Unit): number {
  const wa = a.key.split(' ');
  const wb = new Set(b.key.split(' '));
  let common = 0;
  for (const w of new Set(wa)) if (wb.has(w)) common++;
  return (2 * common) / (new Set(wa).size + wb.size || 1);
}

/** How `version` differs from `first`; both are a headline (the document's name) and a text. */
export function diffTexts(first: { headline: string; text: string }, version: { headline: string; text: string }): TextDiff {
  const a = units(first.text);
  const b = units(version.text);
  const matched = lcs(a, b, (x, y) => x.key === y.key);
  const blocks: DiffBlock[] = [];
  const attributionsRemoved: string[] = [];
  const removed = (u: Unit) => {
    const attribution = isAttribution(u.text);
    if (attribution) attributionsRemoved.push(u.text);
    blocks.push({ kind: 'removed', parts: [{ text: u.text, change: 'removed' }], paragraphStart: u.paragraphStart, attributionRemoved: attribution });
  };
  let i = 0;
  let j = 0;
  for (const [mi, mj] of [...matched, [a.length, b.length] as [number, number]]) {
    // Between two matches: pair a removed and an added sentence that share most words as one
    // reworded sentence; the rest were removed or added outright.
    const gone = a.slice(i, mi);
    const come = b.slice(j, mj);
    let g = 0;
    for (const u of come) {
      const k = gone.findIndex((x, idx) => idx >= g && overlap(x, u) >= 0.5);
      if (k >= 0) {
        for (; g < k; g++) removed(gone[g]!);
        const parts = diffWords(gone[k]!.text, u.text);
        const lost = parts.filter((p) => p.change === 'removed').map((p) => p.text).join(' ');
        const attribution = lost !== '' && isAttribution(lost) && !isAttribution(parts.filter((p) => p.change !== 'removed').map((p) => p.text).join(''));
        if (attribution) attributionsRemoved.push(gone[k]!.text);
        blocks.push({ kind: 'changed', parts, paragraphStart: u.paragraphStart, attributionRemoved: attribution });
        g = k + 1;
      } else blocks.push({ kind: 'added', parts: [{ text: u.text, change: 'added' }], paragraphStart: u.paragraphStart, attributionRemoved: false });
    }
    for (; g < gone.length; g++) removed(gone[g]!);
    if (mi < a.length) blocks.push({ kind: 'same', parts: [{ text: b[mj]!.text, change: 'same' }], paragraphStart: b[mj]!.paragraphStart, attributionRemoved: false });
    i = mi + 1;
    j = mj + 1;
  }
  const kept = new Set(matched.map(([, mj]) => b[mj]!.paragraph));
  const changedParas = new Set<number>();
  // A paragraph counts as added when none of its sentences is in the first, reworded or as is.
  let bi = 0;
  for (const blk of blocks) {
    if (blk.kind === 'removed') continue;
    if (blk.kind === 'changed') changedParas.add(b[bi]!.paragraph);
    bi++;
  }
  const paragraphsAdded = new Set(b.map((u) => u.paragraph).filter((p) => !kept.has(p) && !changedParas.has(p))).size;
  const headlineChanged = norm(first.headline) !== norm(version.headline);
  return {
    headline: { changed: headlineChanged, parts: headlineChanged ? diffWords(first.headline, version.headline) : [{ text: version.headline, change: 'same' }] },
    blocks,
    summary: {
      headlineChanged,
      sentencesAdded: blocks.filter((x) => x.kind === 'added').length,
      sentencesRemoved: blocks.filter((x) => x.kind === 'removed').length,
      sentencesChanged: blocks.filter((x) => x.kind === 'changed').length,
      paragraphsAdded,
      attributionsRemoved,
    },
  };
}
