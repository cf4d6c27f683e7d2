import { createHash } from 'node:crypto';

// Code point / UTF-16 conversion is shared with the renderer: one pure module in the contract.
export { CodePointIndex, codePointLength, sliceCodePoints } from '../../api/contract/text-offsets';

/**
 * Characters no stored text keeps: C0 controls other than tab, LF and CR (NUL among them),
 * the noncharacters U+FFFE and U+FFFF, and unpaired surrogates. XML 1.0 cannot carry them
 * at all, so a REFI-QDA export could not either, and SQLite's text functions stop at a NUL
 * (a coded passage after one read back empty). VT and FF are line and page breaks in Word
 * and PDF text, so they become LF; the rest are removed. The import report counts both.
 */
const UNCARRIED = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** What uncarried character `c` becomes: a line break for VT and FF, nothing otherwise. */
export const replacementOf = (c: string): string => (c === '\u000B' || c === '\u000C' ? '\n' : '');

/** How many characters of `raw` normalisation removes or turns into line breaks. */
export function countUncarried(raw: string): number {
  UNCARRIED.lastIndex = 0;
  let n = 0;
  while (UNCARRIED.exec(raw)) n++;
  return n;
}

/** Whether code point `cp` (a whole character) is one stored text never keeps. */
export function isUncarried(ch: string): boolean {
  UNCARRIED.lastIndex = 0;
  return ch.length === 1 && UNCARRIED.test(ch);
}

/**
 * The one normalisation every imported text gets, once: BOM removed, CRLF and CR become LF,
 * control characters no format can carry removed (see UNCARRIED), Unicode NFC. Offsets
 * into the stored text are counted after this.
 */
export function normaliseText(raw: string): string {
  let text = raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
  text = text.replace(/\r\n?/g, '\n').replace(UNCARRIED, replacementOf);
  return text.normalize('NFC');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
