import { codePointLength, isUncarried, normaliseText, replacementOf } from '../text/normalise';

/**
 * A text as Marginalia stores it, with the way back: `map[i]` is the stored code-point
 * offset of code point `i` of the text as another program saw it (BOM removed, CRLF or CR
 * still in, not NFC). Positions in a REFI-QDA file count that text, so each one is mapped.
 */
export interface MappedText {
  text: string;
  /** Null when nothing moved (no CR, already NFC): the identity map. */
  map: Int32Array | null;
  /** Code points of the source text: the largest position the file may use. */
  sourceLength: number;
}

export function normaliseWithMap(raw: string): MappedText {
  const source = raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
  // From `raw`, not `source`: normaliseText drops the BOM itself, and given `source` it would
  // drop a second U+FEFF that belongs to the text, and every position would be off by one.
  const text = normaliseText(raw);
  if (text === source) return { text, map: null, sourceLength: codePointLength(source) };
  const cps = Array.from(source);
  const map = new Int32Array(cps.length + 1);
  let out = '';
  let outLen = 0;
  let i = 0;
  while (i < cps.length) {
    const c = cps[i]!;
    if (c === '\r') {
      // CRLF and a lone CR both become one LF; a position between CR and LF lands on the LF.
      map[i] = outLen;
      if (cps[i + 1] === '\n') map[++i] = outLen;
      out += '\n';
      outLen++;
      i++;
      continue;
    }
    if (isUncarried(c)) {
      // Removed by normalisation (or a VT/FF that became LF): a position on it lands on what follows.
      map[i] = outLen;
      const r = replacementOf(c);
      out += r;
      outLen += r.length;
      i++;
      continue;
    }
    // A run that NFC may recompose: a character and the combining characters after it.
    // Below U+0300 nothing combines with what precedes it, so runs can be split there.
    let j = i + 1;
    while (j < cps.length && cps[j]!.codePointAt(0)! >= 0x300 && cps[j] !== '\r' && !isUncarried(cps[j]!)) j++;
    const chunk = cps.slice(i, j).join('');
    const norm = chunk.normalize('NFC');
    const n = codePointLength(norm);
    for (let k = i; k < j; k++) map[k] = outLen + Math.min(k - i, n);
    out += norm;
    outLen += n;
    i = j;
  }
  map[cps.length] = outLen;
  // Runs normalised apart must give the same text as the whole; if a script breaks that
  // assumption, positions are scaled instead of lost.
  if (out !== text) {
    const len = codePointLength(text);
    for (let k = 0; k <= cps.length; k++) map[k] = Math.round((k * len) / Math.max(1, cps.length));
  }
  return { text, map, sourceLength: cps.length };
}

/** The stored offset for a source position; positions past the end are clamped by the caller's check. */
export function mapOffset(m: MappedText, position: number): number {
  if (!m.map) return position;
  if (position < 0) return position;
  if (position >= m.map.length) return m.map[m.map.length - 1]! + (position - (m.map.length - 1));
  return m.map[position]!;
}
