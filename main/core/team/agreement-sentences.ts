/**
 * Sentence units for agreement over many documents, the same as `unitBounds('sentence', …)`
 * (units.ts) gives them, several times faster.
 *
 * Intl.Segmenter was half of what agreement by sentence cost over 100,000 documents. Most
 * news text is made of a few hundred characters whose Unicode sentence-break class (UAX #29)
 * is plain: Latin, Greek and Cyrillic letters, digits, spaces, the usual punctuation and
 * quotes. A paragraph made only of those is split here by the UAX #29 rules that can apply
 * to it (SB6–SB11: there are no line breaks, format or combining characters in it); any
 * other paragraph (emoji, CJK, combining marks, control characters…) goes to Intl.Segmenter
 * as before. Which characters count as plain is decided once from Unicode properties the
 * regular expressions know, and `agreement-sentences.test.ts` checks the result against
 * Intl.Segmenter character by character and on generated text.
 *
 * Self-contained (it uses nothing from outside its body), so that its source can also run in
 * the worker threads that split the sentences of many documents (sentence-pool.ts).
 */
export function sentenceSplitter(segmenter: Intl.Segmenter): (text: string) => Int32Array {
  // Sentence-break classes; UNKNOWN sends the paragraph to the segmenter.
  const UNKNOWN = 0;
  const OTHER = 1;
  const LOWER = 2;
  const UPPER = 3;
  const OLETTER = 4;
  const NUMERIC = 5;
  const ATERM = 6;
  const STERM = 7;
  const CLOSE = 8;
  const SCONTINUE = 9;
  const SP = 10;
  const TABLE_END = 0x2070;
  const cls = new Uint8Array(TABLE_END);
  // /\s/ as unitRanges trims with it, for the plain characters.
  const trim = new Uint8Array(TABLE_END);
  const plain = [
    [0x09, 0x09],
    [0x20, 0x7e],
    [0xa0, 0x24f],
    [0x370, 0x3ff],
    [0x400, 0x52f],
    [0x2000, 0x206f],
  ];
  const scontinue = new Set([0x2c, 0x2d, 0x3a, 0x3b, 0x37e, 0x2013, 0x2014]);
  const re = {
    skip: /[\p{M}\p{Cc}\p{Cf}\p{Cn}\p{Co}\u2028\u2029]/u,
    sterm: /\p{Sentence_Terminal}/u,
    space: /\p{White_Space}/u,
    lower: /\p{Lowercase}/u,
    upper: /[\p{Uppercase}\p{Lt}]/u,
    oletter: /\p{Alphabetic}/u,
    close: /[\p{Ps}\p{Pe}\p{Pi}\p{Pf}"']/u,
  };
  for (let c = 0; c < TABLE_END; c++) trim[c] = /\s/.test(String.fromCharCode(c)) ? 1 : 0;
  for (const [from, to] of plain) {
    for (let c = from!; c <= to!; c++) {
      const ch = String.fromCharCode(c);
      if (c !== 0x09 && re.skip.test(ch)) continue;
      if (c === 0x2e || c === 0x2024) cls[c] = ATERM;
      else if (re.sterm.test(ch)) cls[c] = STERM;
      else if (scontinue.has(c)) cls[c] = SCONTINUE;
      else if (re.space.test(ch)) cls[c] = SP;
      else if (re.lower.test(ch)) cls[c] = LOWER;
      else if (re.upper.test(ch)) cls[c] = UPPER;
      else if (re.oletter.test(ch)) cls[c] = OLETTER;
      else if (c >= 0x30 && c <= 0x39) cls[c] = NUMERIC;
      else if (re.close.test(ch)) cls[c] = CLOSE;
      else cls[c] = OTHER;
    }
  }
  const classOf = (text: string, i: number): number => {
    const c = text.charCodeAt(i);
    return c < TABLE_END ? cls[c]! : UNKNOWN;
  };
  const isSpace = (text: string, i: number): boolean => {
    const c = text.charCodeAt(i);
    return c < TABLE_END ? trim[c] === 1 : /\s/.test(text[i]!);
  };

  // One regular expression finds what matters (native code scans text far faster than a
  // loop over characters): the sentence terminators, and the characters that are not plain.
  const charClass = (keep: (k: number) => boolean): string => {
    let out = '';
    for (let c = 0; c < TABLE_END; c++) {
      if (!keep(cls[c]!)) continue;
      let d = c;
      while (d + 1 < TABLE_END && keep(cls[d + 1]!)) d++;
      out += d === c ? `\\u${c.toString(16).padStart(4, '0')}` : `\\u${c.toString(16).padStart(4, '0')}-\\u${d.toString(16).padStart(4, '0')}`;
      c = d;
    }
    return out;
  };
  const notable = new RegExp(`[^\\n${charClass((k) => k !== UNKNOWN && k !== ATERM && k !== STERM)}]`, 'g');

  return (text: string): Int32Array => {
    const out: number[] = [];
    const push = (from: number, to: number) => {
      while (from < to && isSpace(text, from)) from++;
      while (to > from && isSpace(text, to - 1)) to--;
      if (from < to) out.push(from, to);
    };
    // The first notable character at or after `at` (text.length: none). `next` is the last one
    // found, from a search that started at or before any position asked for since.
    let next = -1;
    const nextFrom = (at: number): number => {
      if (next < at) {
        notable.lastIndex = at;
        next = notable.exec(text)?.index ?? text.length;
      }
      return next;
    };
    let odd = false;
    const starts: number[] = [];
    let from = 0;
    while (from <= text.length) {
      let to = text.indexOf('\n', from);
      if (to < 0) to = text.length;
      let s = from;
      let e = to;
      while (s < e && isSpace(text, s)) s++;
      while (e > s && isSpace(text, e - 1)) e--;
      if (s < e) {
        starts.length = 0;
        let plain = true;
        // Sentence starts by UAX #29 SB6–SB11, the only rules that apply within a plain paragraph.
        for (let i = nextFrom(s); i < e; i = nextFrom(i + 1)) {
          const t = classOf(text, i);
          if (t === UNKNOWN) {
            plain = false;
            break;
          }
          // SATerm Close* Sp*: no break inside it (SB9, SB10); the candidate is after it.
          let p = i + 1;
          while (p < e && classOf(text, p) === CLOSE) p++;
          while (p < e && classOf(text, p) === SP) p++;
          if (p >= e) continue; // the paragraph's end; a character not plain may still follow
          const x = classOf(text, p);
          let keep = x === SCONTINUE || x === ATERM || x === STERM; // SB8a
          if (!keep && t === ATERM) {
            if (p === i + 1) {
              if (x === NUMERIC) keep = true; // SB6
              else if (x === UPPER && i > s) {
                const before = classOf(text, i - 1);
                if (before === UPPER || before === LOWER) keep = true; // SB7
              }
            }
            if (!keep) {
              // SB8: no break when a lowercase letter comes before any other letter or terminator.
              let q = p;
              for (; q < e; q++) {
                const y = classOf(text, q);
                if (y === OLETTER || y === UPPER || y === LOWER || y === ATERM || y === STERM) break;
              }
              if (q < e && classOf(text, q) === LOWER) keep = true;
            }
          }
          if (!keep) starts.push(p);
          // What lies between is Close and Sp: plain, nothing to look at.
          i = p - 1;
        }
        if (plain) {
          let a = s;
          for (const b of starts) {
            push(a, b);
            a = b;
          }
          push(a, e);
        } else {
          odd = true;
          for (const part of segmenter.segment(text.slice(s, e))) push(s + part.index, s + part.index + part.segment.length);
        }
      }
      from = to + 1;
    }
    const bounds = new Int32Array(out);
    // UTF-16 indexes to code points: each astral character before an index counts once, not twice
    // (an astral character is never plain, so a text with none is one with nothing odd).
    if (!odd || !/[\uD800-\uDBFF][\uDC00-\uDFFF]/.test(text)) return bounds;
    const astral: number[] = [];
    for (let i = 0; i + 1 < text.length; i++) {
      const c = text.charCodeAt(i);
      const d = text.charCodeAt(i + 1);
      if (c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) astral.push(i++);
    }
    for (let x = 0; x < bounds.length; x++) {
      const u = bounds[x]!;
      let lo = 0;
      let hi = astral.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (astral[mid]! < u) lo = mid + 1;
        else hi = mid;
      }
      bounds[x] = u - lo;
    }
    return bounds;
  };
}
